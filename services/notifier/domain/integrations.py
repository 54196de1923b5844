"""Outbound integrations (issue 15 §5): the work-order status pushed back to 12345 and to the
provincial platform, and which webhook endpoints an event goes to.

For an application that came from 12345 (channel ``hotline_12345``, ``source_ref`` = the work-order
number, DESIGN §9) or from the provincial platform (channel ``provincial``, ``source_ref`` = its id),
``request.registered`` / ``request.replied`` / ``request.overdue`` become a status update of that
work order — and nothing more: no applicant data, no reply text beyond the outcome (DESIGN §3:
events carry no more personal data than delivery needs; the same holds for what leaves the system).

Only ``request.registered`` names the channel; the service keeps (request id → origin) from it and
passes the origin in for the later events. Custom endpoints get the CloudEvent itself for the event
types they subscribed to. Signing (DESIGN §9) is the service layer's: ``shared.signing.sign`` imports
FastAPI and SQLAlchemy, which ``domain/`` may not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from services.notifier.domain.event_data import event_date
from shared.domain import InvalidInput
from shared.vocabulary import (
    OUTCOME_LABELS,
    WORK_ORDER_STATUS_LABELS,
    Channel,
    WebhookTarget,
    WorkOrderStatus,
)

__all__ = [
    "ORIGIN_TARGETS",
    "PUSHED_EVENTS",
    "StatusPush",
    "WebhookEndpoint",
    "WebhookSend",
    "origin_of",
    "reply_summary",
    "status_push",
    "webhook_sends",
]

# The channels whose applications are pushed back, and to which target.
ORIGIN_TARGETS: dict[str, WebhookTarget] = {"hotline_12345": "hotline_12345", "provincial": "provincial"}
PUSHED_EVENTS: dict[str, WorkOrderStatus] = {
    "request.registered": "accepted",
    "request.replied": "replied",
    "request.overdue": "overdue",
}


@dataclass(frozen=True)
class StatusPush:
    target: WebhookTarget
    payload: dict[str, Any]


@dataclass(frozen=True)
class WebhookEndpoint:
    """A registered endpoint as far as routing needs it (secret and URL stay in the service)."""

    endpoint_id: str
    target: WebhookTarget
    event_types: frozenset[str] = field(default_factory=frozenset)  # custom: what it subscribed to
    active: bool = True


@dataclass(frozen=True)
class WebhookSend:
    """One webhook delivery: to this endpoint, this body (the status push, or the event when None)."""

    endpoint_id: str
    payload: dict[str, Any] | None  # None: the CloudEvent itself

    @property
    def recipient(self) -> str:
        return f"webhook:{self.endpoint_id}"  # with "webhook" and the event id: the dedup key


def origin_of(event_type: str, data: Mapping[str, Any]) -> Channel | None:
    """The origin to remember from ``request.registered`` (None for other events)."""
    if event_type != "request.registered":
        return None
    channel = data.get("channel")
    return cast(Channel, channel) if channel in ORIGIN_TARGETS else None


def reply_summary(outcome: str, on_time: bool) -> str:
    """``不予公开：属于国家秘密`` — the row of the annual-report table, with lateness said."""
    if outcome not in OUTCOME_LABELS:
        raise InvalidInput("outcome_unknown", "未知的办理结果", f"{outcome!r} 不在办理结果目录中")
    label, group = OUTCOME_LABELS[outcome]
    text = label if label == group else f"{group}：{label}"
    return text if on_time else f"{text}（逾期答复）"


def status_push(event_type: str, data: Mapping[str, Any], *, origin: str | None) -> StatusPush | None:
    """The status update for the work order behind the application, or None (not pushed)."""
    status = PUSHED_EVENTS.get(event_type)
    if event_type == "request.registered":
        origin = data.get("channel")
    target = ORIGIN_TARGETS.get(origin or "")
    workorder_no = data.get("source_ref")
    if status is None or target is None or not workorder_no:
        return None  # not one of ours, or nothing to refer to at the other end
    payload: dict[str, Any] = {
        "workorder_no": str(workorder_no),
        "tracking_no": str(data["tracking_no"]),
        "status": status,
        "status_label": WORK_ORDER_STATUS_LABELS[status],
    }
    if status == "accepted":
        payload |= {"received_on": _iso_date(data["received_on"]), "due_on": _iso_date(data["due_on"])}
    elif status == "replied":
        on_time = bool(data["on_time"])
        payload |= {
            "replied_on": _iso_date(data["replied_on"]),
            "on_time": on_time,
            "outcome": str(data["outcome"]),
            "reply_summary": reply_summary(str(data["outcome"]), on_time),
        }
    else:
        payload |= {"due_on": _iso_date(data["due_on"])}
    return StatusPush(target, payload)


def _iso_date(value: object) -> str:
    return event_date(value).isoformat()


def webhook_sends(
    event_type: str,
    data: Mapping[str, Any],
    endpoints: Iterable[WebhookEndpoint],
    *,
    origin: str | None,
) -> tuple[WebhookSend, ...]:
    """The webhook deliveries of an event: status pushes to the matching integration endpoints,
    the event itself to the custom endpoints subscribed to its type."""
    push = status_push(event_type, data, origin=origin)
    sends: list[WebhookSend] = []
    for endpoint in endpoints:
        if not endpoint.active:
            continue
        if endpoint.target == "custom":
            if event_type in endpoint.event_types:
                sends.append(WebhookSend(endpoint.endpoint_id, None))
        elif push is not None and endpoint.target == push.target:
            sends.append(WebhookSend(endpoint.endpoint_id, push.payload))
    return tuple(sends)
