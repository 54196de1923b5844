"""Use cases of appeals (复核、申诉, seed 004 第二十九条): filed within 5 working days of receiving the
decision (later → 409 naming the last day), decided within 20 days (a reminder 3 days before, by
the deadline sweep); upheld, changed or revoked — a revoked decision no longer counts for 第九条(四)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.config import Ctx
from services.accountability.domain import cases as rules
from services.accountability.domain.deadlines import appeal_decision_due, appeal_reminder_on, check_appeal_in_time
from services.accountability.models import appeals
from services.accountability.schemas.appeals import AppealDecisionIn, AppealIn, AppealOut
from services.accountability.schemas.cases import DecisionOut
from services.accountability.service.access import (
    day_of,
    load_case,
    load_readable_case,
    may_read_case,
    person_rows,
    require_runner,
    runs_cases,
)
from services.accountability.service.cases import ENTITY, touch
from services.accountability.service.decisions import emit_decision, in_catalogue_order
from services.accountability.service.view import appeal_out
from shared.auth import UNIT_STAFF_ROLES, Principal
from shared.domain import DomainError, InvalidInput
from shared.errors import forbidden, not_found
from shared.etags import check_if_match
from shared.pagination import Page, SortKey, paginate

a = appeals


async def _out(session: AsyncSession, ctx: Ctx, appeal_id: str) -> AppealOut:
    row = (await session.execute(select(a).where(a.c.id == appeal_id))).one()
    return appeal_out(row, ctx.clock.today())


async def file_appeal(
    session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str, body: AppealIn, if_match: str | None
) -> AppealOut:
    row, persons = await load_readable_case(session, actor, case_id, lock=True)
    check_if_match(if_match, row.version)
    concerned = {p.person_id for p in persons}
    appellant = body.appellant or (actor.sub if actor.sub in concerned else row.unit_code)
    if appellant not in concerned and appellant != row.unit_code:
        raise InvalidInput("appellant_invalid", "申诉人须为本案当事人或被追究单位", appellant)
    if not (runs_cases(actor) or actor.is_staff_of(row.unit_code) or actor.sub == appellant):
        raise forbidden("只能为本人或本单位提出申诉")
    rules.transition(row.state, "appeal")
    filed_on = day_of(ctx, body.filed_on)
    # seed 004 第二十九条: 应在接到处理通知后5个工作日内提出 — later is a 409 naming the last day.
    check_appeal_in_time(row.notified_on, filed_on, ctx.calendar)
    due = appeal_decision_due(filed_on, ctx.calendar)
    appeal_id = str(uuid.uuid4())
    now = ctx.clock.now()
    values = {
        "id": appeal_id,
        "case_id": case_id,
        "unit_code": row.unit_code,
        "appellant": appellant,
        "reason": body.reason,
        "filed_on": filed_on,
        "decision_due_on": due.day,
        "reminder_on": appeal_reminder_on(filed_on, ctx.calendar),
        "reminded": False,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    await session.execute(a.insert().values(**values))
    await touch(session, ctx, case_id, state="appealed")
    after = {
        "appeal_id": appeal_id,
        "appellant": appellant,
        "filed_on": filed_on.isoformat(),
        "decision_due_on": due.day.isoformat(),
    }
    await ctx.journal.audit(session, actor, "appeal", ENTITY, case_id, before={"state": row.state}, after=after)
    await ctx.journal.audit(session, actor, "file", "appeal", appeal_id, after=after)
    return await _out(session, ctx, appeal_id)


async def decide_appeal(
    session: AsyncSession, ctx: Ctx, actor: Principal, appeal_id: str, body: AppealDecisionIn, if_match: str | None
) -> AppealOut:
    require_runner(actor, "复核申诉")
    appeal = (await session.execute(select(a).where(a.c.id == appeal_id).with_for_update())).one_or_none()
    if appeal is None:
        raise not_found("申诉", f"没有编号为 {appeal_id} 的申诉")
    check_if_match(if_match, appeal.version, required=True)
    if appeal.result is not None:
        raise DomainError("appeal_decided", "该申诉已复核完毕", f"结果：{appeal.result}")
    case = await load_case(session, appeal.case_id, lock=True)
    target = rules.transition(case.state, "decide-appeal")
    on = day_of(ctx, body.on)
    case_values: dict[str, Any] = {"state": target}
    decision = DecisionOut.model_validate(case.decision)
    if body.result == "revoked":
        # 撤销: no longer a 应予追究责任的情形 — not counted for 第九条(四), nor in the year's counts.
        case_values["revoked"] = True
    elif body.result == "changed":
        if body.unit_sanctions is None and body.person_sanctions is None:
            raise InvalidInput("changed_sanctions_required", "变更决定须给出变更后的追究方式")
        concerned = {p.person_id for p in await person_rows(session, case.id)}
        strangers = sorted(set(body.person_sanctions or {}) - concerned)
        if strangers:
            raise InvalidInput("person_not_concerned", "处理对象不是本案当事人", "、".join(strangers))
        decision = decision.model_copy(
            update={
                "unit_sanctions": in_catalogue_order(body.unit_sanctions)
                if body.unit_sanctions is not None
                else decision.unit_sanctions,
                "person_sanctions": {p: in_catalogue_order(s) for p, s in body.person_sanctions.items()}
                if body.person_sanctions is not None
                else decision.person_sanctions,
            }
        )
        case_values["decision"] = {**decision.model_dump(mode="json"), "changed_by_appeal": appeal_id}
    await touch(session, ctx, case.id, **case_values)
    values = {"result": body.result, "result_reason": body.reason, "decided_on": on}
    await session.execute(
        update(a).where(a.c.id == appeal_id).values(**values, version=a.c.version + 1, updated_at=ctx.clock.now())
    )
    after = {"appeal_id": appeal_id, "result": body.result, "reason": body.reason, "decided_on": on.isoformat()}
    await ctx.journal.audit(session, actor, "decide-appeal", ENTITY, case.id, before={"state": case.state}, after=after)
    await ctx.journal.audit(session, actor, "decide", "appeal", appeal_id, after=after)
    if body.result == "changed":
        persons = [p.person_id for p in await person_rows(session, case.id)]
        await emit_decision(session, ctx, actor, case.id, case.unit_code, decision, persons)
    return await _out(session, ctx, appeal_id)


async def get_appeal(session: AsyncSession, ctx: Ctx, actor: Principal, appeal_id: str) -> AppealOut:
    row = (await session.execute(select(a).where(a.c.id == appeal_id))).one_or_none()
    if row is not None:
        persons = {p.person_id for p in await person_rows(session, row.case_id)}
        if may_read_case(actor, row.unit_code, persons):
            return appeal_out(row, ctx.clock.today())
    raise not_found("申诉", f"没有编号为 {appeal_id} 的申诉")


@dataclass(frozen=True)
class AppealFilters:
    case_id: str | None = None
    unit_code: str | None = None
    pending: bool | None = None
    year: int | None = None


async def list_appeals(
    session: AsyncSession, ctx: Ctx, actor: Principal, filters: AppealFilters, limit: int, cursor: str | None
) -> Page[AppealOut]:
    conditions: list[Any] = []
    if not runs_cases(actor):
        scopes = [a.c.appellant == actor.sub]
        if actor.has_role(*UNIT_STAFF_ROLES) and actor.unit_codes:
            scopes.append(a.c.unit_code.in_(sorted(actor.unit_codes)))
        conditions.append(or_(*scopes))
    if filters.case_id:
        conditions.append(a.c.case_id == filters.case_id)
    if filters.unit_code:
        conditions.append(a.c.unit_code == filters.unit_code)
    if filters.pending is True:
        conditions.append(a.c.result.is_(None))
    elif filters.pending is False:
        conditions.append(a.c.result.is_not(None))
    if filters.year:
        conditions.append(func.extract("year", a.c.filed_on) == filters.year)
    today = ctx.clock.today()
    page = await paginate(
        session,
        select(a).where(*conditions),
        [SortKey(a.c.created_at, descending=True), SortKey(a.c.id, descending=True)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(lambda row: appeal_out(row, today))
