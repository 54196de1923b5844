"""The delivery log (通知记录, issue 15 §4): ``GET /api/v1/notifications`` with filters, one delivery,
and resend by hand (手动重发: a fresh round of attempts, ``domain.delivery.resend``).

Who sees what: the office, admins, assessors and inspectors every delivery; a unit's staff the
deliveries about their units."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifier.config import Ctx
from services.notifier.domain.delivery import Delivery, resend
from services.notifier.models import notifications
from services.notifier.schemas.notifications import NotificationOut
from services.notifier.service.deliveries import wake_after_commit
from shared.auth import Principal
from shared.db import stored_utc
from shared.domain import DomainError
from shared.errors import not_found
from shared.etags import check_if_match
from shared.pagination import Page, SortKey, paginate
from shared.vocabulary import DELIVERY_STATUS_LABELS

n = notifications


def _aware(moment: datetime | None) -> datetime | None:
    return stored_utc(moment) if moment is not None else None


def notification_out(row: Row[Any], *, with_content: bool = False) -> NotificationOut:
    return NotificationOut(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        subject=row.subject,
        unit_code=row.unit_code,
        recipient=row.recipient,
        recipient_kind=row.recipient_kind,
        channel=row.channel,
        address=row.address,
        template=row.template,
        status=row.status,
        status_label=DELIVERY_STATUS_LABELS[row.status],
        attempts=row.attempts,
        next_attempt_at=_aware(row.next_attempt_at) if row.status in ("pending", "failed") else None,
        last_error=row.last_error,
        response_code=row.response_code,
        sent_at=_aware(row.sent_at),
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
        version=row.version,
        content=row.content if with_content else None,
    )


def _visible(actor: Principal) -> Any:
    if actor.sees_all_units:
        return None
    return n.c.unit_code.in_(sorted(code for code in actor.unit_codes if actor.is_staff_of(code)))


async def list_notifications(
    session: AsyncSession,
    actor: Principal,
    *,
    event_type: str | None = None,
    event_id: str | None = None,
    channel: str | None = None,
    status: str | None = None,
    recipient: str | None = None,
    unit_code: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[NotificationOut]:
    conditions = []
    visible = _visible(actor)
    if visible is not None:
        conditions.append(visible)
    for column, value in (
        (n.c.event_type, event_type),
        (n.c.event_id, event_id),
        (n.c.channel, channel),
        (n.c.status, status),
        (n.c.recipient, recipient),
        (n.c.unit_code, unit_code),
    ):
        if value is not None:
            conditions.append(column == value)
    if created_from is not None:
        conditions.append(n.c.created_at >= created_from)
    if created_to is not None:
        conditions.append(n.c.created_at < created_to)
    columns = [c for c in n.c if c.name not in ("content",)]
    page = await paginate(
        session,
        select(*columns).where(*conditions),
        [SortKey(n.c.created_at, descending=True), SortKey(n.c.id, descending=True)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(notification_out)


async def load_notification(
    session: AsyncSession, actor: Principal, notification_id: str, *, lock: bool = False
) -> Row[Any]:
    statement = select(n).where(n.c.id == notification_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).one_or_none()
    readable = row is not None and (
        actor.sees_all_units or (row.unit_code is not None and actor.is_staff_of(row.unit_code))
    )
    if row is None or not readable:
        raise not_found("通知", f"没有通知 {notification_id}")
    return row


async def get_notification(session: AsyncSession, actor: Principal, notification_id: str) -> NotificationOut:
    return notification_out(await load_notification(session, actor, notification_id), with_content=True)


async def resend_notification(
    session: AsyncSession, ctx: Ctx, actor: Principal, notification_id: str, if_match: str | None
) -> NotificationOut:
    """手动重发: sent, failed or dead → pending, attempts from zero, due now. An inbox message is
    not resent (it was delivered by being written): 409."""
    row = await load_notification(session, actor, notification_id, lock=True)
    check_if_match(if_match, row.version)
    if row.channel == "inbox":
        raise DomainError("inbox_not_resendable", "站内信无需重发", "站内信写入即送达")
    now = ctx.clock.now()
    before = Delivery(
        row.status, row.attempts, _aware(row.next_attempt_at), row.last_error, row.response_code, _aware(row.sent_at)
    )
    after = resend(before, now=now)
    await session.execute(
        update(n)
        .where(n.c.id == notification_id)
        .values(
            status=after.status,
            attempts=after.attempts,
            next_attempt_at=after.next_attempt_at,
            sent_at=None,
            lease_until=None,
            updated_at=now,
            version=row.version + 1,
        )
    )
    await ctx.journal.audit(
        session,
        actor,
        "resend",
        "notification",
        notification_id,
        before={"status": row.status, "attempts": row.attempts, "last_error": row.last_error},
        after={"status": after.status},
    )
    wake_after_commit(session, ctx.resources.wakeup)
    return notification_out(await load_notification(session, actor, notification_id), with_content=True)
