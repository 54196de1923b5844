"""Use cases of rectification orders (责令整改): issuing (by hand, by an event, by a decision), the
unit's report, the office's acceptance or return, reading — and the escalation of an overdue order
(考核办法 第十一条, 社会评议办法 第九条, 责任追究办法 第五条(十)), run by the handler of
``accountability.rectification_overdue`` the deadline sweep emits (DESIGN §3)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.config import Ctx
from services.accountability.domain.catalogue import VIOLATIONS
from services.accountability.domain.deadlines import escalate, rectification_due
from services.accountability.models import rectification_orders
from services.accountability.schemas.orders import OrderCreate, OrderOut, ReportIn, ReviewIn
from services.accountability.service import cases as case_uses
from services.accountability.service.access import (
    day_of,
    load_case,
    load_readable_order,
    require_runner,
    runs_cases,
)
from services.accountability.service.view import order_out
from shared.auth import UNIT_STAFF_ROLES, Principal
from shared.domain import DomainError, InvalidInput
from shared.errors import forbidden
from shared.etags import check_if_match
from shared.events import AccountabilityRectificationOrdered, AccountabilityRectificationOverdue, CloudEvent
from shared.journal import SYSTEM
from shared.pagination import Page, SortKey, paginate
from shared.reference import units
from shared.vocabulary import RECTIFICATION_ORDER_STATE_LABELS as ORDER_STATES

log = logging.getLogger("gongkai.accountability.orders")

ENTITY = "rectification_order"
o = rectification_orders


async def issue_order(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    *,
    unit_code: str,
    basis: str,
    problems: Sequence[str],
    source: str,
    case_id: str | None = None,
    trigger_event_id: str | None = None,
    issued_on: date | None = None,
) -> str:
    """Inserts an order due 20 working days after ``issued_on`` and emits
    ``accountability.rectification_ordered``; returns its id."""
    issued = issued_on or ctx.clock.today()
    due = rectification_due(issued, ctx.calendar)
    order_id = str(uuid.uuid4())
    now = ctx.clock.now()
    values = {
        "id": order_id,
        "case_id": case_id,
        "unit_code": unit_code,
        "basis": basis,
        "source": source[:100],
        "problems": [p[:2000] for p in problems],
        "trigger_event_id": trigger_event_id,
        "state": "open",
        "issued_on": issued,
        "due_on": due.day,
        "due_on_provisional": due.provisional,
        "returned_count": 0,
        "overdue_count": 0,
        "escalations": [],
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    await session.execute(o.insert().values(**values))
    after = {"case_id": case_id, "unit_code": unit_code, "basis": basis, "due_on": due.day.isoformat()}
    await ctx.journal.audit(session, actor, "issue", ENTITY, order_id, after=after)
    event = AccountabilityRectificationOrdered(
        case_id=case_id or "",
        unit_code=unit_code,
        due_on=due.day,
        order_id=order_id,
        basis=basis,
        problems=values["problems"],
    )
    await ctx.journal.emit(session, event, subject=order_id, entity_type=ENTITY, actor=actor)
    if case_id:
        await ctx.journal.audit(
            session, actor, "rectification_ordered", "case", case_id, after={"order_id": order_id, **after}
        )
    return order_id


async def _out(session: AsyncSession, ctx: Ctx, order_id: str) -> OrderOut:
    row = (await session.execute(select(o).where(o.c.id == order_id))).one()
    return order_out(row, ctx.clock.today())


async def create_order(session: AsyncSession, ctx: Ctx, actor: Principal, body: OrderCreate) -> OrderOut:
    require_runner(actor, "责令整改")
    if body.case_id:
        case = await load_case(session, body.case_id)
        if case.unit_code != body.unit_code:
            raise InvalidInput("order_unit_mismatch", "整改单位与案件单位不一致", f"案件单位：{case.unit_code}")
    problems = [p.strip() for p in body.problems if p.strip()]
    if not problems:
        raise InvalidInput("problems_required", "须列明整改问题")
    source = {
        "appraisal_failed": "考核办法 第十一条",
        "appraisal_shortfall": "考核方案 四(一)",
        "public_appraisal": "社会评议办法 第九条",
        "case_decision": "责任追究办法 第六条(一)",
    }[body.basis]
    order_id = await issue_order(
        session,
        ctx,
        actor,
        unit_code=body.unit_code,
        basis=body.basis,
        problems=problems,
        source=source,
        case_id=body.case_id,
        issued_on=day_of(ctx, body.issued_on),
    )
    return await _out(session, ctx, order_id)


async def _step(
    session: AsyncSession, ctx: Ctx, actor: Principal, row: Any, action: str, values: dict[str, Any]
) -> OrderOut:
    await session.execute(
        update(o).where(o.c.id == row.id).values(**values, version=o.c.version + 1, updated_at=ctx.clock.now())
    )
    after = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
    await ctx.journal.audit(session, actor, action, ENTITY, row.id, before={"state": row.state}, after=after)
    return await _out(session, ctx, row.id)


def _not_in(row: Any, state: str, what: str) -> DomainError:
    return DomainError(
        "order_state_conflict",
        f"整改通知当前状态不能{what}",
        f"当前状态：{ORDER_STATES[row.state]}，须为：{ORDER_STATES[state]}",
        state=row.state,
    )


async def submit_report(
    session: AsyncSession, ctx: Ctx, actor: Principal, order_id: str, body: ReportIn, if_match: str | None
) -> OrderOut:
    """The unit's written rectification report (书面整改报告)."""
    row = await load_readable_order(session, actor, order_id, lock=True)
    if not (actor.is_staff_of(row.unit_code) or runs_cases(actor)):
        raise forbidden("只有被责令整改的单位可以提交整改报告")
    check_if_match(if_match, row.version, required=True)
    if row.state != "open":
        raise _not_in(row, "open", "提交整改报告")
    on = day_of(ctx, body.on)
    return await _step(
        session, ctx, actor, row, "report", {"state": "submitted", "report_text": body.text, "report_submitted_on": on}
    )


async def review_report(
    session: AsyncSession, ctx: Ctx, actor: Principal, order_id: str, accept: bool, body: ReviewIn, if_match: str | None
) -> OrderOut:
    """The office accepts the report (closing the order) or returns it (the order stays open, due as before)."""
    require_runner(actor, "审核整改报告")
    row = await load_readable_order(session, actor, order_id, lock=True)
    check_if_match(if_match, row.version, required=True)
    if row.state != "submitted":
        raise _not_in(row, "submitted", "审核")
    on = day_of(ctx, body.on)
    if accept:
        return await _step(
            session, ctx, actor, row, "accept", {"state": "accepted", "review_note": body.note, "reviewed_on": on}
        )
    if not body.note:
        raise InvalidInput("review_note_required", "退回整改报告须说明理由")
    values = {"state": "open", "review_note": body.note, "reviewed_on": on, "returned_count": row.returned_count + 1}
    return await _step(session, ctx, actor, row, "return", values)


async def get_order(session: AsyncSession, ctx: Ctx, actor: Principal, order_id: str) -> OrderOut:
    row = await load_readable_order(session, actor, order_id)
    return order_out(row, ctx.clock.today())


@dataclass(frozen=True)
class OrderFilters:
    unit_code: str | None = None
    state: str | None = None
    basis: str | None = None
    year: int | None = None
    overdue: bool | None = None
    case_id: str | None = None


async def list_orders(
    session: AsyncSession, ctx: Ctx, actor: Principal, filters: OrderFilters, limit: int, cursor: str | None
) -> Page[OrderOut]:
    conditions: list[Any] = []
    if not runs_cases(actor):
        if not (actor.has_role(*UNIT_STAFF_ROLES) and actor.unit_codes):
            raise forbidden("当前角色不能查看整改通知")
        conditions.append(o.c.unit_code.in_(sorted(actor.unit_codes)))
    today = ctx.clock.today()
    if filters.unit_code:
        conditions.append(o.c.unit_code == filters.unit_code)
    if filters.state:
        conditions.append(o.c.state == filters.state)
    if filters.basis:
        conditions.append(o.c.basis == filters.basis)
    if filters.case_id:
        conditions.append(o.c.case_id == filters.case_id)
    if filters.year:
        conditions.append(func.extract("year", o.c.issued_on) == filters.year)
    if filters.overdue is True:
        conditions.extend([o.c.state == "open", o.c.due_on < today])
    elif filters.overdue is False:
        conditions.append((o.c.state != "open") | (o.c.due_on >= today))
    page = await paginate(
        session,
        select(o).where(*conditions),
        [SortKey(o.c.created_at, descending=True), SortKey(o.c.id, descending=True)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(lambda row: order_out(row, today))


# -- escalation (DESIGN §3: accountability.rectification_overdue → accountability escalates) ------


async def escalate_overdue(session: AsyncSession, ctx: Ctx, event: CloudEvent) -> None:
    """The ``overdue_count``-th overdue of an order: the first → an interview (约谈) of the unit's
    leaders, named from the replicated unit directory; the second and later → 通报批评 recommended
    on a case of ``obstructing_oversight`` (opened, or the unit's active one extended). Each
    renews the order's due day by 20 working days while it is still open."""
    data = event.parsed_data()
    assert isinstance(data, AccountabilityRectificationOverdue)
    if not data.order_id:
        log.info("rectification_overdue %s names no order; nothing to escalate", event.id)
        return
    row = (await session.execute(select(o).where(o.c.id == data.order_id).with_for_update())).one_or_none()
    if row is None:
        log.warning("rectification_overdue %s for unknown order %s", event.id, data.order_id)
        return
    if any(e.get("overdue_count") == data.overdue_count for e in row.escalations):
        return  # this overdue was escalated already (a republished event)
    today = ctx.clock.today()
    escalation = escalate(data.overdue_count, row.basis, today, ctx.calendar)
    entry: dict[str, Any] = {
        "overdue_count": escalation.overdue_count,
        "sanction": escalation.sanction,
        "of_leaders": escalation.of_leaders,
        "scheduled": escalation.scheduled,
        "reason": escalation.reason,
        "escalated_on": today.isoformat(),
        "overdue_due_on": data.due_on.isoformat(),
        "event_id": event.id,
    }
    if escalation.of_leaders:
        leaders = await units.leaders(session, row.unit_code)
        entry["leaders"] = [{"name": c.name, "role": c.role, "title": c.title} for c in leaders]
    if escalation.violation is not None:
        entry["case_id"] = await _case_for_escalation(session, ctx, row, escalation.violation, escalation.reason, event)
        entry["recommended"] = [escalation.sanction]
    values: dict[str, Any] = {"escalations": [*row.escalations, entry]}
    if row.state == "open":
        entry["next_due_on"] = escalation.next_due.day.isoformat()
        values.update(due_on=escalation.next_due.day, due_on_provisional=escalation.next_due.provisional)
    await _step(session, ctx, SYSTEM, row, "escalate", values)


async def _case_for_escalation(
    session: AsyncSession, ctx: Ctx, row: Any, violation: str, reason: str, event: CloudEvent
) -> str:
    active = [c for c in await case_uses.active_cases(session, row.unit_code) if violation in c.violations]
    if active:
        case_id = sorted(c.id for c in active)[0]
    else:
        opened = await case_uses.open_case(
            session, ctx, SYSTEM, unit_code=row.unit_code, violations=[violation], trigger=event
        )
        if opened is None:  # opened by a concurrent event of the unit: retried, it then appends
            raise RuntimeError(f"{violation} case of {row.unit_code} opened concurrently")
        case_id = opened
    await case_uses.add_finding_row(
        session,
        ctx,
        SYSTEM,
        case_id,
        violation=violation,
        text=f"整改通知 {row.id} 第{len(row.escalations) + 1}次逾期未完成整改。{reason}",
        source=VIOLATIONS[violation].source,
        ref=f"rectification_order:{row.id}",
        event=event,
    )
    return case_id
