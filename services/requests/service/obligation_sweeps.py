"""The sweep's work beside the reply's clock (issue 11), called by ``sweeps.sweep_deadlines``; the
same two-replica safety:

- **lapses** (条例 第三十二条、第三十四条: a consultation unanswered at the end of its 15 working days;
  第三十五条: reasons not stated within the office's period) — each one use case in its own
  transaction that locks the application row and re-checks, so a replica racing on the same row
  gets a 409 and moves on; they run before the overdue claim, so a clock that resumes today can
  fall overdue in the same pass;
- **claims with a conditional stamp** (``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``,
  outbox rows in the same transaction): ``request.unconfirmed`` once per application (条例 第三十一条),
  ``request.report_up_due_soon`` once and ``request.report_up_overdue`` once per refusal (seed 001).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date

from sqlalchemy import Update, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain.rules import rule_set
from services.requests.models import applications, consultations
from services.requests.service.applications.consultations import lapse_consultation
from services.requests.service.applications.obligations import unconfirmed_before
from services.requests.service.applications.reasons import lapse_reasons
from shared.db import stamp_claim
from shared.domain import DomainError
from shared.errors import ProblemError

log = logging.getLogger("gongkai.requests.sweeps")
a = applications


async def lapse_consultations_and_reasons(runtime: Ctx, today: date) -> tuple[int, int]:
    """Ends the consultations and requests for reasons whose period ran out unanswered; returns how
    many of each."""
    c = consultations
    async with runtime.transaction() as session:
        silent = (
            await session.execute(
                select(c.c.application_id, c.c.id)
                .join(a, a.c.id == c.c.application_id)
                .where(c.c.closed_on.is_(None), c.c.due_on < today, a.c.concluded_on.is_(None))
                .order_by(c.c.due_on)
            )
        ).all()
        asked = [
            row.id
            for row in (
                await session.execute(
                    select(a.c.id, a.c.reasons).where(a.c.reasons.is_not(None), a.c.concluded_on.is_(None))
                )
            ).all()
            if row.reasons
            and not row.reasons.get("answered_on")
            and not row.reasons.get("lapsed_on")
            and date.fromisoformat(row.reasons["due_on"]) < today
        ]
    consulted = 0
    for application_id, consultation_id in silent:
        consulted += await _one(
            runtime, lambda s, i=application_id, k=consultation_id: lapse_consultation(s, runtime, i, k), application_id
        )
    reasoned = 0
    for application_id in asked:
        reasoned += await _one(runtime, lambda s, i=application_id: lapse_reasons(s, runtime, i), application_id)
    return consulted, reasoned


async def _one(runtime: Ctx, use_case: Callable[[AsyncSession], Awaitable[object]], application_id: str) -> int:
    try:
        async with runtime.transaction() as session:
            await use_case(session)
        return 1
    except (DomainError, ProblemError) as problem:
        log.info("lapse skipped", extra={"application_id": application_id, "code": problem.code})
        return 0


def unconfirmed_claim(runtime: Ctx, today: date, limit: int) -> Update:
    """条例 第三十一条: still ``submitted`` after the setting's working days → ``request.unconfirmed``,
    once (``unconfirmed_notified_on`` is the stamp)."""
    pending = and_(
        a.c.state == "submitted",
        a.c.unconfirmed_notified_on.is_(None),
        a.c.submitted_at < unconfirmed_before(runtime, today),
    )
    return stamp_claim(
        a.c.id,
        pending,
        {"unconfirmed_notified_on": today},
        [a.c.id, a.c.tracking_no, a.c.unit_code, a.c.channel, a.c.submitted_at],
        limit=limit,
        order_by=[a.c.submitted_at],
    )


def report_up_overdue_claim(today: date, limit: int) -> Update:
    """Seed 001: a refusal not reported up by the end of its due day → ``request.report_up_overdue``,
    once (the due date never moves: it is fixed by the reply)."""
    pending = and_(
        a.c.report_up_due_on < today,
        a.c.reported_up_on.is_(None),
        or_(a.c.report_up_stamp.is_(None), a.c.report_up_stamp != "overdue"),
    )
    return stamp_claim(
        a.c.id,
        pending,
        {"report_up_stamp": "overdue"},
        [a.c.id, a.c.tracking_no, a.c.unit_code, a.c.handler_id, a.c.report_up_due_on],
        limit=limit,
    )


def report_up_due_soon_claim(runtime: Ctx, today: date, limit: int) -> Update | None:
    """Seed 001: a reminder on the working day when the rule set's reminder mark (2 working days
    left) or less is reached, once; none on non-working days."""
    calendar = runtime.calendar
    if not calendar.is_working_day(today):
        return None
    mark = rule_set(runtime.resources.settings.rule_set).report_up_reminder_working_days
    last = calendar.add_working_days(today, mark).day
    pending = and_(
        a.c.report_up_due_on >= today,
        a.c.report_up_due_on <= last,
        a.c.reported_up_on.is_(None),
        a.c.report_up_stamp.is_(None),
    )
    return stamp_claim(
        a.c.id,
        pending,
        {"report_up_stamp": "reminded"},
        [a.c.id, a.c.tracking_no, a.c.unit_code, a.c.report_up_due_on],
        limit=limit,
    )
