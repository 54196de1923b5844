"""保密审查 and reporting refusals (seed 001): ``request-review`` hands the draft reply to review —
its opinion is due within 15 working days (保密审查制度 第十条, a reminder, not a block);
``report-up`` records that a decision not to disclose (``withheld.*``) was reported in writing to
the office one level up, due within 5 working days of the decision (政府信息主动公开工作制度 七)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain import limits
from services.requests.domain.outcomes import REPORT_UP_OUTCOMES
from services.requests.domain.rules import rule_set
from services.requests.domain.states import transition
from services.requests.schemas.applications import ApplicationOut
from services.requests.service.applications.steps import Step, perform
from services.requests.service.applications.view import Application
from shared.auth import Principal
from shared.domain import DomainError, InvalidInput


async def request_review(
    session: AsyncSession, ctx: Ctx, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "request-review")
        step.values.update(
            review_requested_on=step.on,
            review_due_on=limits.review_opinion_due(rule_set(step.row.rule_set), ctx.calendar, step.on),
            review_opined_on=None,
        )

    return await perform(session, ctx, actor, application_id, "request-review", if_match, on, body)


async def report_up(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    to: str,
    note: str | None,
) -> ApplicationOut:
    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "report-up")
        if step.row.outcome not in REPORT_UP_OUTCOMES or step.row.report_up_due_on is None:
            raise DomainError("report_up_not_required", "只有不予公开的决定须报告上一级主管部门", f"{step.row.outcome}")
        if step.row.reported_up_on is not None:
            raise DomainError("report_up_done", "已报告上一级主管部门", f"于{step.row.reported_up_on}")
        if step.row.replied_on is not None and step.on < step.row.replied_on:
            raise InvalidInput("on_before_decision_invalid", "报告日期不能早于作出不予公开决定的日期")
        step.values["reported_up_on"] = step.on

        async def keep(new: Application) -> None:
            await ctx.journal.audit(
                session,
                actor,
                "application.report_up_note",
                "application",
                new.id,
                after={"to": to, "note": note},
            )

        step.after.append(keep)

    return await perform(session, ctx, actor, application_id, "report-up", if_match, on, body)
