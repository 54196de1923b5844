"""The dispatcher (投递): sends what the deliveries table holds due, like the outbox relay publishes
what the outbox holds (issue 15 §4). Every replica runs :func:`dispatch_job`; any number may.

Each round:

1. **claims** up to ``dispatch_batch_size`` due rows (``pending``/``failed``, ``next_attempt_at`` passed,
   no live lease) with a lease — ``UPDATE … SET lease_until WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED
   LIMIT n) RETURNING …`` — in a short transaction, so two dispatchers never send one row at once and
   a dispatcher that dies mid-send leaves rows that come due again when their lease runs out;
2. **sends** them outside any transaction, ``dispatch_concurrency`` at a time: SMS inside the quiet
   hours are held (``domain.quiet_hours``), webhooks go through their endpoint's circuit breaker
   (``domain.breaker``: an open breaker postpones without spending an attempt);
3. **records** every outcome in one transaction (``domain.delivery``: sent, failed with the next
   attempt backed off with jitter, dead after the last attempt or a permanent refusal) together with
   the breakers' new states and a ``notification.failed`` per dead delivery. A row whose lease was
   taken over meanwhile is left to its new owner. When a breaker closes again, the endpoint's waiting
   deliveries are due at once (the backlog flows as soon as the endpoint is back).

The consumer only writes rows: a slow or dead SMTP server, gateway or endpoint holds up nothing but
the deliveries waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, bindparam, or_, select, update

from services.notifier.config import Ctx
from services.notifier.domain.breaker import Breaker, admit, record_failure, record_success, retry_at
from services.notifier.domain.delivery import Delivery, attempt_failed, attempt_succeeded, postpone
from services.notifier.domain.quiet_hours import held_until
from services.notifier.models import notifications, webhook_endpoints
from services.notifier.service.channels import SendResult
from services.notifier.service.notify import emit_failures
from shared.db import stored_utc

__all__ = ["breaker_of", "dispatch_job", "dispatch_once"]

log = logging.getLogger("gongkai.notifier.dispatch")
n = notifications
w = webhook_endpoints

_CLAIMED = (
    n.c.id,
    n.c.event_type,
    n.c.subject,
    n.c.recipient,
    n.c.channel,
    n.c.address,
    n.c.endpoint_id,
    n.c.content,
    n.c.status,
    n.c.attempts,
    n.c.next_attempt_at,
    n.c.last_error,
    n.c.response_code,
    n.c.sent_at,
    n.c.lease_until,
)


@dataclass(frozen=True)
class Outcome:
    result: SendResult | None  # None: postponed, not attempted
    until: datetime | None = None
    breaker_counted: bool = False  # a webhook call that went out: its result counts on the breaker


def _aware(moment: datetime | None) -> datetime | None:
    return stored_utc(moment) if moment is not None else None


def breaker_of(row: Any) -> Breaker:
    return Breaker(row.circuit_state, row.consecutive_failures, _aware(row.opened_at), _aware(row.trial_started_at))


async def _claim(ctx: Ctx, now: datetime) -> list[Row[Any]]:
    """Due by the service clock (``now``: a walked dev clock makes backed-off retries due), leased
    by the wall clock: a lease only keeps two replicas apart while one sends, and a jump of a dev
    clock must not make a send in flight look abandoned to the other (it would send twice)."""
    settings = ctx.resources.settings
    wall = datetime.now(UTC)
    due = and_(
        n.c.status.in_(("pending", "failed")),
        n.c.next_attempt_at <= now,
        or_(n.c.lease_until.is_(None), n.c.lease_until < wall),
    )
    claimable = (
        select(n.c.id)
        .where(due)
        .order_by(n.c.next_attempt_at, n.c.created_at)
        .limit(settings.dispatch_batch_size)
        .with_for_update(skip_locked=True)
    )
    lease = wall + timedelta(seconds=settings.dispatch_lease_seconds)
    async with ctx.transaction() as session:
        result = await session.execute(
            update(n).where(n.c.id.in_(claimable.scalar_subquery())).values(lease_until=lease).returning(*_CLAIMED)
        )
        return list(result.all())


async def _admit(ctx: Ctx, endpoint_id: str, now: datetime) -> tuple[bool, datetime | None]:
    """A call to an endpoint whose breaker is not closed: admitted (half-open trial) or not."""
    async with ctx.transaction() as session:
        row = (await session.execute(select(w).where(w.c.id == endpoint_id).with_for_update())).one_or_none()
        if row is None:
            return True, None
        before = breaker_of(row)
        admitted, after = admit(before, now, ctx.resources.breaker)
        if after != before:
            await session.execute(
                update(w).where(w.c.id == endpoint_id).values(state_values(after) | {"updated_at": now})
            )
        return admitted, retry_at(after, ctx.resources.breaker)


def state_values(breaker: Breaker) -> dict[str, Any]:
    return {
        "circuit_state": breaker.state,
        "consecutive_failures": breaker.consecutive_failures,
        "opened_at": breaker.opened_at,
        "trial_started_at": breaker.trial_started_at,
    }


class _Endpoints:
    """The claimed rows' webhook endpoints, read once per round, each secret decrypted once."""

    def __init__(self, ctx: Ctx, rows: dict[str, Row[Any]]) -> None:
        self.ctx, self.rows = ctx, rows
        self._secrets: dict[str, str] = {}

    def secret(self, endpoint: Row[Any]) -> str:
        if endpoint.id not in self._secrets:
            self._secrets[endpoint.id] = self.ctx.resources.cipher.decrypt(
                endpoint.secret, context=f"webhook:{endpoint.id}"
            )
        return self._secrets[endpoint.id]


async def _attempt(ctx: Ctx, row: Row[Any], endpoints: _Endpoints, now: datetime) -> Outcome:
    res = ctx.resources
    content: dict[str, Any] = row.content or {}
    if row.channel == "email":
        return Outcome(await res.channels.send_email(row.address, content, row.id))
    if row.channel == "sms":
        held = held_until(now, res.quiet_hours)
        if held is not None:
            return Outcome(None, held)
        return Outcome(await res.channels.send_sms(row.address, content))
    if row.channel == "inbox":
        return Outcome(SendResult(True))
    endpoint = endpoints.rows.get(row.endpoint_id or "")
    if endpoint is None or not endpoint.active:
        return Outcome(SendResult(False, None, "接收方已删除或停用", permanent=True))
    if endpoint.circuit_state != "closed":
        admitted, until = await _admit(ctx, endpoint.id, now)
        if not admitted:
            return Outcome(None, until or now + res.breaker.cool_down)
    secret = endpoints.secret(endpoint)
    body = json.dumps(content.get("body"), ensure_ascii=False, separators=(",", ":")).encode()
    result = await res.channels.send_webhook(endpoint.url, secret, body, delivery_id=row.id, event_type=row.event_type)
    return Outcome(result, breaker_counted=True)


def _next_state(ctx: Ctx, row: Row[Any], outcome: Outcome, now: datetime) -> Delivery:
    current = Delivery(
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=_aware(row.next_attempt_at),
        last_error=row.last_error,
        response_code=row.response_code,
        sent_at=_aware(row.sent_at),
    )
    result = outcome.result
    if result is None:
        return postpone(current, outcome.until or now)
    if result.ok:
        return attempt_succeeded(current, now=now, response_code=result.response_code)
    return attempt_failed(
        current,
        now=now,
        error=result.error or "未知错误",
        policy=ctx.resources.retry,
        random=ctx.resources.random,
        response_code=result.response_code,
        permanent=result.permanent,
    )


async def _record(ctx: Ctx, done: list[tuple[Row[Any], Outcome]]) -> None:
    now = ctx.clock.now()
    updates = []
    dead = []
    breaker_results: dict[str, list[bool]] = defaultdict(list)
    for row, outcome in done:
        after = _next_state(ctx, row, outcome, now)
        updates.append(
            {
                "b_id": row.id,
                "b_lease": row.lease_until,
                "status": after.status,
                "attempts": after.attempts,
                "next_attempt_at": after.next_attempt_at,
                "last_error": after.last_error,
                "response_code": after.response_code,
                "sent_at": after.sent_at,
            }
        )
        if after.status == "dead":
            dead.append(
                {
                    "id": row.id,
                    "event_type": row.event_type,
                    "channel": row.channel,
                    "recipient": row.recipient,
                    "attempts": after.attempts,
                    "last_error": after.last_error,
                }
            )
        if outcome.breaker_counted and outcome.result is not None and row.endpoint_id:
            breaker_results[row.endpoint_id].append(outcome.result.ok)
    statement = (
        update(n)
        .where(n.c.id == bindparam("b_id"), n.c.lease_until == bindparam("b_lease"))
        .values(
            status=bindparam("status"),
            attempts=bindparam("attempts"),
            next_attempt_at=bindparam("next_attempt_at"),
            last_error=bindparam("last_error"),
            response_code=bindparam("response_code"),
            sent_at=bindparam("sent_at"),
            lease_until=None,
            updated_at=now,
            version=n.c.version + 1,
        )
    )
    async with ctx.transaction() as session:
        await session.execute(statement, updates)
        for endpoint_id, results in sorted(breaker_results.items()):
            row = (await session.execute(select(w).where(w.c.id == endpoint_id).with_for_update())).one_or_none()
            if row is None:
                continue
            before = breaker = breaker_of(row)
            for ok in results:
                breaker = record_success(breaker) if ok else record_failure(breaker, now, ctx.resources.breaker)
            if breaker != before:
                await session.execute(update(w).where(w.c.id == endpoint_id).values(state_values(breaker)))
            if before.state != "closed" and breaker.state == "closed":
                # The endpoint is back: what waited for its breaker (or backed off meanwhile) is due now.
                await session.execute(
                    update(n)
                    .where(
                        n.c.endpoint_id == endpoint_id, n.c.status.in_(("pending", "failed")), n.c.next_attempt_at > now
                    )
                    .values(next_attempt_at=now)
                )
        await emit_failures(session, ctx, dead)


async def dispatch_once(ctx: Ctx) -> int:
    """One round: claim, send, record. Returns how many deliveries it claimed."""
    now = ctx.clock.now()
    claimed = await _claim(ctx, now)
    if not claimed:
        return 0
    rows: dict[str, Row[Any]] = {}
    ids = {row.endpoint_id for row in claimed if row.endpoint_id}
    if ids:
        async with ctx.sessions() as session:
            rows = {r.id: r for r in await session.execute(select(w).where(w.c.id.in_(ids)))}
    endpoints = _Endpoints(ctx, rows)

    async def one(row: Row[Any]) -> tuple[Row[Any], Outcome]:
        try:
            return row, await _attempt(ctx, row, endpoints, now)
        except Exception as exc:  # a sender bug must not lose the round's other outcomes
            log.exception("delivery attempt raised", extra={"notification_id": row.id})
            return row, Outcome(SendResult(False, None, f"{type(exc).__name__}: {exc}"))

    # Webhooks about one subject (an application's work order) go to an endpoint one after the
    # other, in the order claimed: 受理 before 答复. Everything else goes concurrently.
    groups: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for row in claimed:
        key = (row.endpoint_id, row.subject or row.id) if row.endpoint_id else (row.id, "")
        groups[key].append(row)
    # ``dispatch_concurrency`` senders take the groups in turn (a task and a semaphore wait per row
    # cost more than the sends on a round of hundreds); outcomes are recorded in the order they came.
    queue = iter(groups.values())
    done: list[tuple[Row[Any], Outcome]] = []

    async def sender() -> None:
        for group in queue:
            for row in group:
                done.append(await one(row))

    await asyncio.gather(*(sender() for _ in range(min(len(groups), ctx.resources.settings.dispatch_concurrency))))
    await _record(ctx, done)
    return len(claimed)


async def _worker(ctx: Ctx) -> None:
    settings = ctx.resources.settings
    wakeup = ctx.resources.wakeup
    while True:
        if not ctx.started:
            await asyncio.sleep(settings.dispatch_poll_seconds)
            continue
        wakeup.clear()  # before the claim: a commit after it sets it again
        try:
            claimed = await dispatch_once(ctx)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("dispatch round failed; retrying in %.1f s", settings.dispatch_poll_seconds)
            claimed = 0
        if claimed < settings.dispatch_batch_size:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), settings.dispatch_poll_seconds)


async def dispatch_job(ctx: Ctx) -> None:
    """Background job (``ServiceSpec.background_jobs``): ``dispatch_workers`` dispatch loops; the
    channels' connections are closed when the service stops."""
    try:
        await asyncio.gather(*(_worker(ctx) for _ in range(ctx.resources.settings.dispatch_workers)))
    finally:
        await ctx.resources.channels.close()
