"""Subscriptions (订阅, issue 15 §1): a user subscribes a unit and/or an event type to their inbox;
routes that tell ``subscribers`` then reach them (``domain.recipients``)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifier.config import Ctx
from services.notifier.models import subscriptions
from services.notifier.schemas.subscriptions import SubscriptionIn, SubscriptionOut
from shared.auth import Principal
from shared.db import stored_utc
from shared.domain import DomainError, InvalidInput
from shared.errors import forbidden, not_found
from shared.pagination import Page, SortKey, paginate

s = subscriptions


def _out(row: Row[Any]) -> SubscriptionOut:
    return SubscriptionOut(
        id=row.id,
        user_id=row.user_id,
        event_type=row.event_type,
        unit_code=row.unit_code,
        created_at=stored_utc(row.created_at),
    )


async def subscribe(session: AsyncSession, ctx: Ctx, actor: Principal, body: SubscriptionIn) -> SubscriptionOut:
    if body.event_type is None and body.unit_code is None:
        raise InvalidInput("subscription_empty", "订阅须指定事件类型或单位", "event_type 与 unit_code 至少填一项")
    subscribable = ctx.resources.routing.subscribable()
    if body.event_type is not None and body.event_type not in subscribable:
        raise InvalidInput(
            "subscription_event_type",
            "该事件类型不可订阅",
            f"可订阅的事件类型：{', '.join(sorted(subscribable))}",
        )
    if body.unit_code is not None and not actor.can_read(body.unit_code):
        raise forbidden(f"无权订阅单位 {body.unit_code} 的通知")
    same = await session.scalar(
        select(s.c.id).where(
            s.c.user_id == actor.sub,
            s.c.event_type.is_(None) if body.event_type is None else s.c.event_type == body.event_type,
            s.c.unit_code.is_(None) if body.unit_code is None else s.c.unit_code == body.unit_code,
        )
    )
    if same is not None:
        raise DomainError("subscription_exists", "已有相同的订阅", f"订阅 {same}", subscription_id=same)
    row = {
        "id": str(uuid.uuid4()),
        "user_id": actor.sub,
        "event_type": body.event_type,
        "unit_code": body.unit_code,
        "created_at": ctx.clock.now(),
    }
    await session.execute(s.insert().values(row))
    await ctx.journal.audit(session, actor, "subscribe", "subscription", row["id"], after=body.model_dump())
    return SubscriptionOut(**row)


async def list_subscriptions(
    session: AsyncSession, actor: Principal, *, limit: int, cursor: str | None
) -> Page[SubscriptionOut]:
    page = await paginate(
        session,
        select(s).where(s.c.user_id == actor.sub),
        [SortKey(s.c.created_at, descending=True), SortKey(s.c.id, descending=True)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(_out)


async def unsubscribe(session: AsyncSession, ctx: Ctx, actor: Principal, subscription_id: str) -> None:
    row = (await session.execute(select(s).where(s.c.id == subscription_id, s.c.user_id == actor.sub))).one_or_none()
    if row is None:
        raise not_found("订阅", f"没有订阅 {subscription_id}")
    await session.execute(delete(s).where(s.c.id == subscription_id))
    before = {"event_type": row.event_type, "unit_code": row.unit_code}
    await ctx.journal.audit(session, actor, "unsubscribe", "subscription", subscription_id, before=before)
