"""The daily digest per unit (每日汇总, issue 15 §6): at the configured hour of each working day, one
message to the unit listing its applications that are overdue or due soon, instead of many.

What it holds: every application of the unit, still unanswered, for which ``request.due_soon`` or
``request.overdue`` arrived — overdue first (oldest due date first), then due soon. The ledger of
such items is kept from the events by :func:`track`: ``request.replied`` removes an item; so do
``request.extended`` (a new due date: a new reminder will come) and ``request.correction_requested``
(条例 第三十条: the period stops until the correction arrives and then restarts in full).

What it replaces (decided here, applied by :func:`replaced_by_digest`):
- ``request.due_soon`` on e-mail and SMS: while the digest is on, a reminder reaches the unit's
  people by e-mail or SMS only inside the digest. The per-item inbox message stays — the bell costs
  nothing and the handler works from it.
- ``request.overdue`` is never replaced: an overdue reply breaks 条例 第三十三条 and opens an
  accountability case (责任追究办法 第五条(五)), so it is told at once on every routed channel; the
  digest repeats it every working day until the application is answered.

When: on working days only (the real calendar, 调休 included) at or after the configured hour, once
per day — a digest on a Sunday would be read on Monday beside Monday's. Nothing to list, no message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.notifier.domain.event_data import event_date
from services.notifier.domain.quiet_hours import LOCAL_TZ
from services.notifier.domain.routing import RoutingTable
from shared.calendar import WorkingDayCalendar
from shared.domain import InvalidInput

__all__ = [
    "REPLACED_CHANNELS",
    "Digest",
    "DigestItem",
    "Removal",
    "compose",
    "digest_day",
    "replaced_by_digest",
    "track",
]

# event type → the channels on which the digest replaces its individual notifications
REPLACED_CHANNELS: dict[str, frozenset[str]] = {"request.due_soon": frozenset({"email", "sms"})}
_REMOVING = ("request.replied", "request.extended", "request.correction_requested")


@dataclass(frozen=True)
class DigestItem:
    request_id: str
    tracking_no: str
    unit_code: str
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class Removal:
    request_id: str


@dataclass(frozen=True)
class Digest:
    unit_code: str
    on: date
    overdue: tuple[DigestItem, ...]
    due_soon: tuple[DigestItem, ...]

    @property
    def event_id(self) -> str:
        """The id its deliveries are deduplicated by: one digest per unit and day."""
        return f"digest:{self.unit_code}:{self.on.isoformat()}"


def track(event_type: str, data: Mapping[str, Any]) -> DigestItem | Removal | None:
    """What an event changes in the unit's ledger: an item to upsert, one to remove, or nothing."""
    if event_type in ("request.due_soon", "request.overdue"):
        return DigestItem(
            request_id=str(data["request_id"]),
            tracking_no=str(data["tracking_no"]),
            unit_code=str(data["unit_code"]),
            due_on=event_date(data["due_on"]),
            overdue=event_type == "request.overdue",
        )
    if event_type in _REMOVING:
        return Removal(str(data["request_id"]))
    return None


def compose(unit_code: str, items: Iterable[DigestItem], on: date) -> Digest | None:
    """The unit's digest for ``on``; None when it has nothing to list."""
    mine = [i for i in items if i.unit_code == unit_code]
    if not mine:
        return None
    order = sorted(mine, key=lambda i: (i.due_on, i.tracking_no))
    return Digest(
        unit_code,
        on,
        overdue=tuple(i for i in order if i.overdue),
        due_soon=tuple(i for i in order if not i.overdue),
    )


def digest_day(now: datetime, hour: int, calendar: WorkingDayCalendar, last_sent_on: date | None) -> date | None:
    """The local day whose digest is due at ``now``, or None (not a working day, too early, sent)."""
    if not 0 <= hour <= 23:
        raise InvalidInput("digest_hour_invalid", "汇总发送时间无效", "小时须在 0–23 之间")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(LOCAL_TZ)
    today = local.date()
    if local.hour < hour or last_sent_on == today or not calendar.is_working_day(today):
        return None
    return today


def replaced_by_digest(event_type: str, channel: str, routing: RoutingTable) -> bool:
    """Whether this event's notification on this channel is left to the digest (see above)."""
    return routing.digest is not None and channel in REPLACED_CHANNELS.get(event_type, frozenset())
