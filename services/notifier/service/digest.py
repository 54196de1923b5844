"""The daily digest per unit (每日汇总, issue 15 §6): at the configured hour of each working day, one
message per unit listing its unanswered applications that are overdue or due soon (``domain.digest``),
on the digest route's channels.

Every replica runs :func:`digest_job`; the day is claimed by inserting its row into ``digest_days``
(the conditional stamp: only one transaction inserts it), in the same transaction as the digest's
deliveries — and those are keyed ``digest:<unit>:<day>`` per recipient and channel, so a digest is
composed and sent once a day whatever runs it."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update

from services.notifier.config import Ctx
from services.notifier.domain.digest import DigestItem, compose, digest_day
from services.notifier.models import digest_days, digest_items
from services.notifier.schemas.admin import DigestResult
from services.notifier.service.deliveries import insert_deliveries
from services.notifier.service.notify import render_targets, unit_snapshot
from services.notifier.service.samples import digest_context
from shared.db import insert_or_ignore

__all__ = ["digest_job", "run_digest"]

log = logging.getLogger("gongkai.notifier.digest")


def _item(item: DigestItem) -> dict[str, object]:
    return {
        "request_id": item.request_id,
        "tracking_no": item.tracking_no,
        "due_on": item.due_on.isoformat(),
        "overdue": item.overdue,
    }


async def run_digest(ctx: Ctx, now: datetime | None = None) -> DigestResult:
    """Composes today's digests if they are due and not yet composed (by anyone)."""
    rule = ctx.resources.routing.digest
    now = now or ctx.clock.now()
    if rule is None:
        return DigestResult(day=None, units=0, deliveries=0)
    async with ctx.transaction() as session:
        last = await session.scalar(select(func.max(digest_days.c.day)))
        day = digest_day(now, ctx.resources.settings.digest_hour, ctx.calendar, last)
        if day is None:
            return DigestResult(day=None, units=0, deliveries=0)
        claimed = await session.scalar(
            insert_or_ignore(session, digest_days)
            .values(day=day, composed_at=now, units=0)
            .returning(digest_days.c.day)
        )
        if claimed is None:
            return DigestResult(day=None, units=0, deliveries=0)
        by_unit: dict[str, list[DigestItem]] = defaultdict(list)
        for row in await session.execute(select(digest_items)):
            by_unit[row.unit_code].append(
                DigestItem(row.request_id, row.tracking_no, row.unit_code, row.due_on, bool(row.overdue))
            )
        rows = []
        composed = 0
        for unit_code in sorted(by_unit):
            digest = compose(unit_code, by_unit[unit_code], day)
            if digest is None:
                continue
            composed += 1
            rows += render_targets(
                ctx,
                (rule,),
                event_id=digest.event_id,
                event_type="digest.daily",
                time=now,
                subject=unit_code,
                data={"unit_code": unit_code},
                unit=await unit_snapshot(session, unit_code),
                subs=[],
                now=now,
                digest=digest_context(day, [_item(i) for i in digest.overdue], [_item(i) for i in digest.due_soon]),
            )
        new = await insert_deliveries(session, ctx, rows)
        await session.execute(update(digest_days).where(digest_days.c.day == day).values(units=composed))
    if composed:
        log.info("digest of %s: %d units, %d deliveries", day, composed, len(new))
    return DigestResult(day=day, units=composed, deliveries=len(new))


async def digest_job(ctx: Ctx) -> None:
    """Background job: checks every ``digest_check_seconds`` whether today's digest is due."""
    interval = ctx.resources.settings.digest_check_seconds
    while True:
        await asyncio.sleep(interval)
        if not ctx.started:
            continue
        try:
            await run_digest(ctx)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("digest failed; next try in %.0f s", interval)
