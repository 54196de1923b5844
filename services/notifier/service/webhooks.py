"""Outbound webhook endpoints (推送接收方, issue 15 §5): the 12345 hotline and the provincial platform
(work-order status pushes for their applications) and custom receivers (the events they subscribed
to). The secret is stored encrypted and never shown; each endpoint carries its circuit breaker."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifier.config import Ctx
from services.notifier.models import webhook_endpoints
from services.notifier.schemas.webhooks import CircuitOut, WebhookIn, WebhookOut, WebhookPatch
from shared.auth import Principal
from shared.db import stored_utc
from shared.domain import InvalidInput
from shared.errors import not_found
from shared.etags import check_if_match
from shared.events import EVENT_TYPES
from shared.pagination import Page, SortKey, paginate
from shared.vocabulary import CIRCUIT_STATE_LABELS

w = webhook_endpoints


def webhook_out(row: Row[Any]) -> WebhookOut:
    return WebhookOut(
        id=row.id,
        name=row.name,
        url=row.url,
        target=row.target,
        event_types=list(row.event_types or []),
        active=bool(row.active),
        circuit=CircuitOut(
            state=row.circuit_state,
            state_label=CIRCUIT_STATE_LABELS[row.circuit_state],
            consecutive_failures=row.consecutive_failures,
            opened_at=stored_utc(row.opened_at) if row.opened_at is not None else None,
        ),
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
        version=row.version,
    )


def _event_types(target: str, event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput("webhook_event_type_unknown", "未知的事件类型", f"不在事件目录中：{', '.join(unknown)}")
    if target == "custom" and not event_types:
        raise InvalidInput("webhook_event_types_missing", "自定义接收方须订阅事件类型", "event_types 不能为空")
    if target != "custom" and event_types:
        raise InvalidInput(
            "webhook_event_types_fixed",
            "12345 与省级平台接收方不订阅事件类型",
            "它们接收所转来申请的工单状态（受理、答复、逾期）",
        )
    return sorted(set(event_types))


def _secret(ctx: Ctx, endpoint_id: str, secret: str) -> str:
    return ctx.resources.cipher.encrypt(secret, context=f"webhook:{endpoint_id}")


async def load_webhook(session: AsyncSession, endpoint_id: str, *, lock: bool = False) -> Row[Any]:
    statement = select(w).where(w.c.id == endpoint_id)
    row = (await session.execute(statement.with_for_update() if lock else statement)).one_or_none()
    if row is None:
        raise not_found("推送接收方", f"没有接收方 {endpoint_id}")
    return row


async def create_webhook(session: AsyncSession, ctx: Ctx, actor: Principal, body: WebhookIn) -> WebhookOut:
    now = ctx.clock.now()
    endpoint_id = str(uuid.uuid4())
    values = {
        "id": endpoint_id,
        "name": body.name,
        "url": body.url,
        "secret": _secret(ctx, endpoint_id, body.secret),
        "target": body.target,
        "event_types": _event_types(body.target, body.event_types),
        "active": body.active,
        "circuit_state": "closed",
        "consecutive_failures": 0,
        "opened_at": None,
        "trial_started_at": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    await session.execute(w.insert().values(values))
    after = body.model_dump(exclude={"secret"})
    await ctx.journal.audit(session, actor, "create", "webhook", endpoint_id, after=after)
    return webhook_out(await load_webhook(session, endpoint_id))


async def list_webhooks(session: AsyncSession, *, limit: int, cursor: str | None) -> Page[WebhookOut]:
    page = await paginate(session, select(w), [SortKey(w.c.created_at), SortKey(w.c.id)], limit=limit, cursor=cursor)
    return page.map(webhook_out)


async def get_webhook(session: AsyncSession, endpoint_id: str) -> WebhookOut:
    return webhook_out(await load_webhook(session, endpoint_id))


async def patch_webhook(
    session: AsyncSession, ctx: Ctx, actor: Principal, endpoint_id: str, body: WebhookPatch, if_match: str | None
) -> WebhookOut:
    row = await load_webhook(session, endpoint_id, lock=True)
    check_if_match(if_match, row.version)
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"secret"})
    if changes.get("name") is None:
        changes.pop("name", None)
    if changes.get("url") is None:
        changes.pop("url", None)
    if "active" in changes and changes["active"] is None:
        changes.pop("active")
    if "event_types" in changes:
        changes["event_types"] = _event_types(row.target, changes["event_types"] or [])
    if body.secret is not None:
        changes["secret"] = _secret(ctx, endpoint_id, body.secret)
    if not changes:
        return webhook_out(row)
    before = {k: getattr(row, k) for k in changes if k != "secret"}
    await session.execute(
        update(w).where(w.c.id == endpoint_id).values(**changes, updated_at=ctx.clock.now(), version=row.version + 1)
    )
    after = {k: v for k, v in changes.items() if k != "secret"} | ({"secret": "(changed)"} if body.secret else {})
    await ctx.journal.audit(session, actor, "update", "webhook", endpoint_id, before=before, after=after)
    return webhook_out(await load_webhook(session, endpoint_id))


async def delete_webhook(
    session: AsyncSession, ctx: Ctx, actor: Principal, endpoint_id: str, if_match: str | None
) -> None:
    """Deactivates and forgets the endpoint's routing; its deliveries stay in the log (and any still
    waiting go dead: ``接收方已删除或停用``)."""
    row = await load_webhook(session, endpoint_id, lock=True)
    check_if_match(if_match, row.version)
    await session.execute(w.delete().where(w.c.id == endpoint_id))
    before = {"name": row.name, "url": row.url, "target": row.target}
    await ctx.journal.audit(session, actor, "delete", "webhook", endpoint_id, before=before)
