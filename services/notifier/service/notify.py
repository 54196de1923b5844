"""Telling everyone concerned of an event (DESIGN §3 reactions, §9; issue 15 §1, §4, §5): the use case
every event handler calls, inside the inbox transaction.

1. The digest ledger and the origin of 12345 / provincial applications are kept from the events.
2. The routing's rules for the event type resolve to targets (``domain.recipients``) from the event's
   data, the unit replica, the subscriptions and the office's addresses; the notifications the daily
   digest replaces are left out (``domain.digest.replaced_by_digest``).
3. Webhook endpoints get the work-order status push or the event itself (``domain.integrations``).
4. Each target's template is rendered now, and every delivery is written once per (event id,
   recipient, channel). Inbox messages are delivered by being written; the others wait for the
   dispatcher, which claims them from the table — a slow SMTP server or gateway never holds up the
   consumer. A template that fails on this event's data makes a ``dead`` delivery and a
   ``notification.failed`` for it, instead of holding up everyone else's notices.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifier.config import Ctx
from services.notifier.domain.digest import DigestItem, replaced_by_digest, track
from services.notifier.domain.integrations import WebhookEndpoint, origin_of, webhook_sends
from services.notifier.domain.recipients import Contact, Subscription, UnitSnapshot, resolve
from services.notifier.domain.routing import Rule
from services.notifier.models import request_origins, subscriptions, webhook_endpoints
from services.notifier.service.batch import batch_of
from services.notifier.service.deliveries import delivery_row, insert_deliveries, wake_after_commit
from services.notifier.service.samples import template_context
from shared.db import insert_or_ignore
from shared.domain import InvalidInput
from shared.events import CloudEvent, NotificationFailed
from shared.reference import units
from shared.vocabulary import NotificationChannel

__all__ = ["notify_event", "render_targets", "unit_snapshot"]


async def unit_snapshot(session: AsyncSession, unit_code: str | None) -> UnitSnapshot | None:
    """The unit as the replica holds it, read once per transaction."""
    if not unit_code:
        return None
    cache = batch_of(session).units
    if unit_code not in cache:
        unit = await units.get(session, unit_code)
        cache[unit_code] = (
            None
            if unit is None
            else UnitSnapshot(
                unit.unit_code, unit.name, tuple(Contact(c.name, c.role, c.phone, c.email) for c in unit.contacts)
            )
        )
    snapshot: UnitSnapshot | None = cache[unit_code]
    return snapshot


async def _subscriptions(session: AsyncSession, event_type: str, unit_code: str | None) -> list[Subscription]:
    s = subscriptions
    unit_match = (
        s.c.unit_code.is_(None) if unit_code is None else or_(s.c.unit_code.is_(None), s.c.unit_code == unit_code)
    )
    rows = await session.execute(
        select(s.c.user_id, s.c.event_type, s.c.unit_code).where(
            or_(s.c.event_type.is_(None), s.c.event_type == event_type), unit_match
        )
    )
    return [Subscription(r.user_id, r.event_type, r.unit_code) for r in rows]


def _track_digest(session: AsyncSession, ctx: Ctx, event_type: str, data: dict[str, Any]) -> None:
    """The digest's ledger (``domain.digest.track``): an item upserted, or removed (written with
    the transaction's batch)."""
    change = track(event_type, data)
    if change is None:
        return
    batch = batch_of(session)
    if not isinstance(change, DigestItem):
        batch.digest[change.request_id] = None
        return
    batch.digest[change.request_id] = {
        "request_id": change.request_id,
        "tracking_no": change.tracking_no,
        "unit_code": change.unit_code,
        "due_on": change.due_on,
        "overdue": change.overdue,
        "updated_at": ctx.clock.now(),
    }


async def _origin(session: AsyncSession, ctx: Ctx, event_type: str, data: dict[str, Any]) -> str | None:
    """The application's origin channel: remembered from ``request.registered``, looked up after."""
    origin = origin_of(event_type, data)
    if origin is not None:
        await session.execute(
            insert_or_ignore(session, request_origins).values(
                request_id=str(data["request_id"]),
                channel=origin,
                source_ref=data.get("source_ref"),
                registered_at=ctx.clock.now(),
            )
        )
        return origin
    if event_type in ("request.replied", "request.overdue") and data.get("source_ref"):
        return await session.scalar(
            select(request_origins.c.channel).where(request_origins.c.request_id == str(data["request_id"]))
        )
    return None


def render_targets(
    ctx: Ctx,
    rules: tuple[Rule, ...],
    *,
    event_id: str,
    event_type: str,
    time: datetime,
    subject: str | None,
    data: dict[str, Any],
    unit: UnitSnapshot | None,
    subs: list[Subscription],
    now: datetime,
    digest: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The delivery rows of ``rules`` for an event (or a digest), rendered."""
    res = ctx.resources
    resolution = resolve(rules, data, event_type=event_type, unit=unit, subscriptions=subs, office=res.office)
    unit_view = {"unit_code": unit.unit_code, "name": unit.name} if unit else None
    contexts: dict[str, dict[str, Any]] = {}
    rendered: dict[tuple[str, str, str], tuple[dict[str, str], str | None]] = {}
    rows = []
    for target in resolution.targets:
        if digest is None and replaced_by_digest(event_type, target.channel, res.routing):
            continue
        key = (target.template, target.channel, target.kind)
        if key not in rendered:
            context = contexts.setdefault(
                target.kind,
                template_context(
                    event_id=event_id,
                    event_type=event_type,
                    time=time,
                    subject=subject,
                    data=data,
                    unit=unit_view,
                    recipient_kind=target.kind,
                    digest=digest,
                ),
            )
            try:
                rendered[key] = (res.templates.render(target.template, target.channel, context), None)
            except InvalidInput as exc:
                rendered[key] = ({}, f"模板错误：{exc.detail}")
        content, error = rendered[key]
        rows.append(
            delivery_row(
                ctx,
                now=now,
                event_id=event_id,
                event_type=event_type,
                subject=subject,
                unit_code=data.get("unit_code"),
                recipient=target.recipient,
                recipient_kind=target.kind,
                channel=target.channel,
                address=target.address,
                template=target.template,
                content=content,
                error=error,
            )
        )
    return rows


async def _webhook_rows(
    session: AsyncSession, ctx: Ctx, event: CloudEvent, data: dict[str, Any], origin: str | None, now: datetime
) -> list[dict[str, Any]]:
    w = webhook_endpoints
    batch = batch_of(session)
    if batch.endpoints is None:  # read once per transaction
        statement = select(w.c.id, w.c.url, w.c.target, w.c.event_types).where(w.c.active.is_(True))
        batch.endpoints = list((await session.execute(statement)).all())
    found = batch.endpoints
    if not found:
        return []
    urls = {r.id: r.url for r in found}
    endpoints = [WebhookEndpoint(r.id, r.target, frozenset(r.event_types or ())) for r in found]
    rows = []
    for send in webhook_sends(event.type, data, endpoints, origin=origin):
        body = send.payload if send.payload is not None else json.loads(event.to_json_bytes())
        rows.append(
            delivery_row(
                ctx,
                now=now,
                event_id=event.id,
                event_type=event.type,
                subject=event.subject,
                unit_code=data.get("unit_code"),
                recipient=send.recipient,
                recipient_kind="webhook",
                channel="webhook",
                address=urls[send.endpoint_id],
                template=None,
                content={"body": body},
                endpoint_id=send.endpoint_id,
            )
        )
    return rows


async def notify_event(session: AsyncSession, ctx: Ctx, event: CloudEvent) -> int:
    """Writes the deliveries of ``event``; returns how many it made. A malformed event raises
    ``InvalidEvent`` (retried, then dead-lettered with the error)."""
    data: dict[str, Any] = event.parsed_data().model_dump(mode="json")
    now = ctx.clock.now()
    _track_digest(session, ctx, event.type, data)
    origin = await _origin(session, ctx, event.type, data)
    rows: list[dict[str, Any]] = []
    rules = ctx.resources.routing.rules_for(event.type)
    if rules:
        unit_code = data.get("unit_code")
        unit = await unit_snapshot(session, unit_code)
        subs = await _subscriptions(session, event.type, unit_code) if any("subscribers" in r.to for r in rules) else []
        rows += render_targets(
            ctx,
            rules,
            event_id=event.id,
            event_type=event.type,
            time=event.time,
            subject=event.subject,
            data=data,
            unit=unit,
            subs=subs,
            now=now,
        )
    rows += await _webhook_rows(session, ctx, event, data, origin, now)
    # The deliveries are the record of what was done about the event (no audit entry per event:
    # the audit log is for state changed by people and by rules, the delivery log for sending).
    # Written with the transaction's batch (``service.batch``), once per (event id, recipient,
    # channel); a delivery dead from the start (its template failed) at once, with its notice.
    dead = [r for r in rows if r["status"] == "dead"]
    if dead:
        await emit_failures(session, ctx, await insert_deliveries(session, ctx, dead))
    alive = [r for r in rows if r["status"] != "dead"]
    batch_of(session).deliveries.extend(alive)
    if any(r["status"] == "pending" for r in alive):
        wake_after_commit(session, ctx.resources.wakeup)
    return len(rows)


async def emit_failures(session: AsyncSession, ctx: Ctx, rows: list[dict[str, Any]]) -> None:
    """``notification.failed`` for dead deliveries — never for one that was itself such a notice
    (``domain.delivery.failure_event_data``: a broken channel must not loop)."""
    items = []
    for row in rows:
        if row["event_type"] == "notification.failed":
            continue
        channel: NotificationChannel = row["channel"]
        data = NotificationFailed(
            notification_id=row["id"],
            channel=channel,
            recipient=row["recipient"],
            attempts=max(1, int(row["attempts"])),
            last_error=str(row.get("last_error") or ""),
        )
        items.append((data, row["id"]))
    if items:
        await ctx.journal.emit_many(session, items, entity_type="notification")
