"""条例 第三十五条 — applications whose number or frequency clearly exceeds a reasonable range: the
office may ask the applicant for their reasons (``request-reasons``: the clock pauses until the
answer, or until the period the office set runs out); unreasonable → the reply
``not_processed.unreasonable_volume``; reasonable but impossible in time → ``defer`` to a later due
date the office sets with a reason (no statutory cap; the reply is on time against it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain import limits
from services.requests.domain.deadlines import Deferred, PauseEnded, PauseStarted
from services.requests.domain.states import transition
from services.requests.schemas.applications import ApplicationOut
from services.requests.service.applications.steps import Step, perform
from services.requests.service.provisional_due_dates import deadline_of
from shared.auth import Principal
from shared.domain import DomainError, InvalidInput
from shared.journal import SYSTEM

REASONS_PAUSE = "reasons"  # the clock fact's ref: one request per application


def reasons_status(reasons: dict[str, Any] | None, today: date) -> str | None:
    """None (never asked), ``pending``, ``answered`` or ``lapsed`` (the period ran out unanswered)."""
    if not reasons:
        return None
    if reasons.get("answered_on"):
        return "answered"
    if reasons.get("lapsed_on") or date.fromisoformat(reasons["due_on"]) < today:
        return "lapsed"
    return "pending"


async def request_reasons(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    allowed_working_days: int,
    note: str,
) -> ApplicationOut:
    """Asks the applicant to state their reasons within ``allowed_working_days``; the clock pauses."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "request-reasons")
        facts = await step.facts()
        live = deadline_of(step.row.rule_set, ctx.calendar, facts, step.today).due_on
        limits.reasons_request_allowed(facts, live, step.on)
        due = limits.reasons_due(ctx.calendar, step.on, allowed_working_days)
        step.values["reasons"] = {
            "requested_on": step.on.isoformat(),
            "due_on": due.isoformat(),
            "note": note,
            "answered_on": None,
            "answer": None,
            "lapsed_on": None,
        }
        await step.add_fact(PauseStarted(REASONS_PAUSE, "reasons", step.on, until=due))

    return await perform(session, ctx, actor, application_id, "request-reasons", if_match, on, body)


async def receive_reasons(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    answer: str,
) -> ApplicationOut:
    """Records the applicant's reasons; the clock resumes (from the day after, or from the end of
    the period if they came later and the lapse was not recorded yet)."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "receive-reasons")
        reasons = dict(step.row.reasons or {})
        if not reasons:
            raise DomainError("reasons_not_requested", "未要求申请人说明理由")
        if reasons.get("answered_on"):
            raise DomainError("reasons_already_received", "已收到申请人说明的理由", f"于{reasons['answered_on']}")
        requested, due = date.fromisoformat(reasons["requested_on"]), date.fromisoformat(reasons["due_on"])
        if step.on < requested:
            raise InvalidInput("on_before_notice_invalid", "收到理由说明的日期不能早于要求说明理由的日期")
        reasons.update(answered_on=step.on.isoformat(), answer=answer)
        step.values["reasons"] = reasons
        if not reasons.get("lapsed_on"):
            late = step.on > due
            if late:
                reasons["lapsed_on"] = due.isoformat()
            await step.add_fact(PauseEnded(REASONS_PAUSE, min(step.on, due), "lapsed" if late else "ended"))

    return await perform(session, ctx, actor, application_id, "receive-reasons", if_match, on, body)


async def lapse_reasons(session: AsyncSession, ctx: Ctx, application_id: str) -> ApplicationOut:
    """The system ends a request for reasons whose period ran out unanswered; the clock resumes from
    the day after the period (条例 第三十五条; the office then decides)."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "lapse-reasons")
        reasons = dict(step.row.reasons or {})
        if not reasons or reasons.get("answered_on") or reasons.get("lapsed_on"):
            raise DomainError("reasons_not_pending", "没有待说明的理由")
        due = date.fromisoformat(reasons["due_on"])
        if step.today <= due:
            raise DomainError("reasons_period_running", "说明理由的期限尚未届满", f"期限为 {due}")
        reasons["lapsed_on"] = due.isoformat()
        step.values["reasons"] = reasons
        await step.add_fact(PauseEnded(REASONS_PAUSE, due, "lapsed"))

    return await perform(session, ctx, SYSTEM, application_id, "lapse-reasons", None, None, body, system=True)


async def defer(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    due_on: date,
    reason: str,
) -> ApplicationOut:
    """条例 第三十五条: the reasons are reasonable but the reply cannot be made in time — a later due
    date the office sets, with its reason; no statutory cap."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "defer")
        facts = await step.facts()
        deferred = Deferred(step.on, due_on, reason)
        live = deadline_of(step.row.rule_set, ctx.calendar, facts, step.today).due_on
        answered = reasons_status(step.row.reasons, step.today) == "answered"
        limits.deferral_allowed(facts, answered, live, deferred)
        await step.add_fact(deferred)

    return await perform(session, ctx, actor, application_id, "defer", if_match, on, body)
