"""Writing deliveries (投递记录): one row per (event id, recipient, channel), inserted with ``ON
CONFLICT DO NOTHING`` on that key — so a redelivered event, a digest composed twice or two
replicas racing insert each delivery once (DESIGN §9) — and waking the dispatcher after the commit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.notifier.config import Ctx
from services.notifier.domain.quiet_hours import held_until
from services.notifier.models import notifications
from services.notifier.service.channels import sms_text
from shared.db import insert_or_ignore

__all__ = ["delivery_row", "insert_deliveries", "wake_after_commit"]


def wake_after_commit(session: AsyncSession, wakeup: asyncio.Event) -> None:
    """Sets ``wakeup`` once the caller's transaction commits (never for one rolled back)."""
    sync_session = session.sync_session
    if sync_session.info.get("gongkai_notifier_hooked"):
        return
    sync_session.info["gongkai_notifier_hooked"] = True

    def after_commit(s: Session) -> None:
        s.info.pop("gongkai_notifier_hooked", None)
        wakeup.set()

    def after_rollback(s: Session, _previous: Any = None) -> None:  # after_soft_rollback passes both
        s.info.pop("gongkai_notifier_hooked", None)

    orm_event.listen(sync_session, "after_commit", after_commit, once=True)
    orm_event.listen(sync_session, "after_soft_rollback", after_rollback, once=True)


def delivery_row(
    ctx: Ctx,
    *,
    now: datetime,
    event_id: str,
    event_type: str,
    subject: str | None,
    unit_code: str | None,
    recipient: str,
    recipient_kind: str,
    channel: str,
    address: str,
    template: str | None,
    content: Mapping[str, Any],
    endpoint_id: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """A new delivery: an inbox message is delivered by being written (``sent``); anything else is
    ``pending`` and due now — an SMS inside the quiet hours not before their end. ``error``: it could
    not even be rendered, so it is ``dead`` from the start (and told of, see notify)."""
    settings = ctx.resources.settings
    content = dict(content)
    status, attempts, due, sent_at = "pending", 0, now, None
    if channel == "sms" and error is None:
        text, segments = sms_text(str(content.get("text", "")), settings.sms_signature, settings.sms_max_segments)
        content = {"text": text, "segments": segments}
        held = held_until(now, ctx.resources.quiet_hours)
        due = held.astimezone(UTC) if held else now
    if channel == "inbox" and error is None:
        status, attempts, due, sent_at = "sent", 1, None, now
    if error is not None:
        status, attempts, due = "dead", 1, None
    return {
        "id": str(uuid.uuid4()),
        "event_id": event_id,
        "event_type": event_type,
        "subject": (subject or "")[:200] or None,
        "unit_code": unit_code,
        "recipient": recipient[:300],
        "recipient_kind": recipient_kind,
        "channel": channel,
        "address": address[:500],
        "endpoint_id": endpoint_id,
        "template": template,
        "content": content,
        "status": status,
        "attempts": attempts,
        "next_attempt_at": due,
        "lease_until": None,
        "last_error": error,
        "response_code": None,
        "sent_at": sent_at,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


async def insert_deliveries(session: AsyncSession, ctx: Ctx, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inserts the rows not already there (by the dedup key); returns those inserted. Wakes the
    dispatcher after the commit if any of them waits to be sent."""
    if not rows:
        return []
    inserted = set(
        (
            await session.scalars(
                insert_or_ignore(session, notifications).returning(notifications.c.id), [dict(r) for r in rows]
            )
        ).all()
    )
    new = [r for r in rows if r["id"] in inserted]
    if any(r["status"] == "pending" for r in new):
        wake_after_commit(session, ctx.resources.wakeup)
    return new
