"""The inbox (站内信, issue 15 §2): a user's own messages, their units' and — for the office — the
office's, each read or unread for that user (``inbox_reads``: a unit's message read by one clerk is
still unread for the next). What a front end shows as a bell."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, and_, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifier.config import Ctx
from services.notifier.domain.recipients import OFFICE_INBOX
from services.notifier.models import inbox_reads, notifications
from services.notifier.schemas.inbox import InboxMessageOut, MarkedRead, UnreadCount
from shared.auth import Principal
from shared.db import insert_or_ignore, stored_utc
from shared.errors import not_found
from shared.pagination import Page, SortKey, paginate

n = notifications
r = inbox_reads


def inboxes_of(actor: Principal) -> list[str]:
    """The inboxes a caller reads: their own, their units' (as the unit's staff), the office's."""
    boxes = [f"user:{actor.sub}"]
    boxes += [f"unit:{code}" for code in sorted(actor.unit_codes) if actor.is_staff_of(code)]
    if actor.has_role("office", "admin"):
        boxes.append(OFFICE_INBOX)
    return boxes


def _mine(actor: Principal) -> ColumnElement[bool]:
    return and_(n.c.channel == "inbox", n.c.recipient.in_(inboxes_of(actor)))


def _read_join(actor: Principal) -> Any:
    return n.outerjoin(r, and_(r.c.notification_id == n.c.id, r.c.user_id == actor.sub))


def _message(row: Row[Any]) -> InboxMessageOut:
    content = row.content or {}
    return InboxMessageOut(
        id=row.id,
        event_type=row.event_type,
        unit_code=row.unit_code,
        inbox=row.recipient,
        title=str(content.get("title", "")),
        body=str(content.get("body", "")),
        created_at=stored_utc(row.created_at),
        read=row.read_at is not None,
        read_at=stored_utc(row.read_at) if row.read_at is not None else None,
    )


def _columns() -> tuple[Any, ...]:
    return (n.c.id, n.c.event_type, n.c.unit_code, n.c.recipient, n.c.content, n.c.created_at, r.c.read_at)


async def list_inbox(
    session: AsyncSession, actor: Principal, *, unread: bool | None, limit: int, cursor: str | None
) -> Page[InboxMessageOut]:
    conditions = [_mine(actor)]
    if unread is True:
        conditions.append(r.c.read_at.is_(None))
    elif unread is False:
        conditions.append(r.c.read_at.is_not(None))
    statement = select(*_columns()).select_from(_read_join(actor)).where(*conditions)
    page = await paginate(
        session,
        statement,
        [SortKey(n.c.created_at, descending=True), SortKey(n.c.id, descending=True)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(_message)


async def unread_count(session: AsyncSession, actor: Principal) -> UnreadCount:
    statement = select(func.count()).select_from(_read_join(actor)).where(_mine(actor), r.c.read_at.is_(None))
    return UnreadCount(unread=await session.scalar(statement) or 0)


async def mark_read(session: AsyncSession, ctx: Ctx, actor: Principal, message_id: str) -> InboxMessageOut:
    """Marks one message read for the caller (again: no change); 404 for one not in their inboxes."""
    found = await session.scalar(select(n.c.id).where(n.c.id == message_id, _mine(actor)))
    if found is None:
        raise not_found("站内信", f"没有站内信 {message_id}")
    await session.execute(
        insert_or_ignore(session, r).values(notification_id=message_id, user_id=actor.sub, read_at=ctx.clock.now())
    )
    row = (await session.execute(select(*_columns()).select_from(_read_join(actor)).where(n.c.id == message_id))).one()
    return _message(row)


async def mark_all_read(session: AsyncSession, ctx: Ctx, actor: Principal) -> MarkedRead:
    already = exists().where(r.c.notification_id == n.c.id, r.c.user_id == actor.sub)
    unread = select(n.c.id, literal(actor.sub), literal(ctx.clock.now())).where(_mine(actor), ~already)
    result = await session.execute(
        insert_or_ignore(session, r)
        .from_select(["notification_id", "user_id", "read_at"], unread)
        .returning(r.c.notification_id)
    )
    return MarkedRead(marked=len(result.all()))
