"""The deadline sweep of accountability: overdue rectification orders and appeal reminders.

Every replica runs :func:`deadline_sweep_job`, and ``POST /api/v1/admin/accountability/sweeps/deadlines``
runs :func:`sweep_deadlines` at once; any number may run together and no event is emitted twice
(DESIGN §3), exactly as the requests sweep: each batch is one transaction that claims rows with a
conditional stamp — ``UPDATE … WHERE id IN (SELECT id … WHERE <not yet stamped for this due day>
FOR UPDATE SKIP LOCKED LIMIT n) RETURNING …`` — and writes their events through the journal.

- An order still ``open`` after its due day → ``accountability.rectification_overdue`` once per due
  day (``overdue_due_on`` is the stamp; ``overdue_count`` counts them). Its escalation is the
  reaction to that event (``orders.escalate_overdue``), which renews the due day, so a second
  overdue can follow.
- An appeal not decided by 3 days before its decision due day → a reminder, once (``reminded``):
  ``accountability.appeal_due_soon`` for the notifier, and an entry on the case's timeline.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Update, and_, select

from services.accountability.config import Ctx
from services.accountability.models import appeals, cases, rectification_orders
from shared.auth import Principal
from shared.db import stamp_claim
from shared.events import AccountabilityAppealDueSoon, AccountabilityRectificationOverdue
from shared.journal import SYSTEM

log = logging.getLogger("gongkai.accountability.sweeps")

DEFAULT_BATCH_SIZE = 1000
o = rectification_orders
a = appeals


@dataclass(frozen=True)
class SweepResult:
    today: date
    rectification_overdue_emitted: int = 0
    appeal_reminders: int = 0


def _overdue_claim(today: date, limit: int) -> Update:
    pending = and_(o.c.state == "open", o.c.due_on < today, o.c.overdue_due_on.is_distinct_from(o.c.due_on))
    return stamp_claim(
        o.c.id,
        pending,
        {"overdue_due_on": o.c.due_on, "overdue_count": o.c.overdue_count + 1},
        [o.c.id, o.c.case_id, o.c.unit_code, o.c.due_on, o.c.overdue_count],
        limit=limit,
        order_by=[o.c.due_on],
    )


def _reminder_claim(today: date, limit: int) -> Update:
    pending = and_(a.c.result.is_(None), a.c.reminded.is_(False), a.c.reminder_on <= today)
    return stamp_claim(a.c.id, pending, {"reminded": True}, [a.c.id, a.c.case_id, a.c.decision_due_on], limit=limit)


async def sweep_deadlines(
    runtime: Ctx, *, today: date | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> SweepResult:
    """One pass; safe on several replicas at once; a second pass the same day emits nothing new."""
    today = today if today is not None else runtime.clock.today()
    overdue = 0
    while True:
        async with runtime.transaction() as session:
            rows = (await session.execute(_overdue_claim(today, batch_size))).all()
            events = [
                (
                    AccountabilityRectificationOverdue(
                        case_id=r.case_id or "",
                        unit_code=r.unit_code,
                        due_on=r.due_on,
                        order_id=r.id,
                        overdue_count=r.overdue_count,
                    ),
                    r.id,
                )
                for r in rows
            ]
            await runtime.journal.emit_many(session, events, entity_type="rectification_order")
        overdue += len(rows)
        if len(rows) < batch_size:
            break
    reminders = 0
    while True:
        async with runtime.transaction() as session:
            rows = (await session.execute(_reminder_claim(today, batch_size))).all()
            case_ids = sorted({r.case_id for r in rows})
            units = await session.execute(select(cases.c.id, cases.c.unit_code).where(cases.c.id.in_(case_ids)))
            unit_of = {case.id: case.unit_code for case in units}
            # Whoever decides the appeal hears of it (the notifier routes it), not only the timeline.
            await runtime.journal.emit_many(
                session,
                [
                    (
                        AccountabilityAppealDueSoon(
                            appeal_id=r.id,
                            case_id=r.case_id,
                            unit_code=unit_of.get(r.case_id, ""),
                            decision_due_on=r.decision_due_on,
                        ),
                        r.id,
                    )
                    for r in rows
                ],
                entity_type="appeal",
                timeline=False,  # the case's own entry below says it
            )
            await runtime.journal.audit_many(
                session,
                SYSTEM,
                [
                    (
                        "appeal:reminder",
                        "case",
                        r.case_id,
                        None,
                        {"appeal_id": r.id, "decision_due_on": r.decision_due_on.isoformat()},
                    )
                    for r in rows
                ],
            )
        reminders += len(rows)
        if len(rows) < batch_size:
            break
    return SweepResult(today, overdue, reminders)


async def run_deadline_sweep(runtime: Ctx, actor: Principal, *, today: date | None = None) -> SweepResult:
    """The sweep run by hand, then an audit entry saying who ran it and what it did."""
    result = await sweep_deadlines(runtime, today=today)
    after = {
        "today": result.today.isoformat(),
        "rectification_overdue_emitted": result.rectification_overdue_emitted,
        "appeal_reminders": result.appeal_reminders,
    }
    async with runtime.transaction() as session:
        await runtime.journal.audit(session, actor, "sweep:deadlines", "sweep", "deadlines", after=after)
    return result


async def deadline_sweep_job(runtime: Ctx) -> None:
    """Background job: sweep every ``sweep_interval_seconds``, after the startup hooks (the calendar)."""
    interval = runtime.resources.settings.sweep_interval_seconds
    while True:
        await asyncio.sleep(interval)
        if not runtime.started:
            continue
        try:
            result = await sweep_deadlines(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("accountability deadline sweep failed; next try in %.0f s", interval)
            continue
        if result.rectification_overdue_emitted or result.appeal_reminders:
            log.info(
                "accountability sweep: %d orders overdue, %d appeal reminders",
                result.rectification_overdue_emitted,
                result.appeal_reminders,
            )
