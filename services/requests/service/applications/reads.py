"""Reading applications: one, a page of them, the due date explained, the timeline, and the
applicant's tracking without an account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain import deadlines as clock_rules
from services.requests.domain.rules import rule_set
from services.requests.models import applications
from services.requests.schemas.applications import (
    ApplicationOut,
    DeadlineOut,
    PeriodOut,
    SkippedDayOut,
    TimelineEntry,
    TrackOut,
)
from services.requests.service.applications.access import load_readable
from services.requests.service.applications.obligations import obligations_of, round_two_conditions
from services.requests.service.applications.timeline import build_timeline
from services.requests.service.applications.view import (
    QUERY_CODE_CONTEXT,
    Application,
    load_action_guards,
    provisional_note,
    to_out,
)
from services.requests.service.provisional_due_dates import deadline_of, load_facts
from shared.auth import UNIT_STAFF_ROLES, Principal
from shared.errors import forbidden, not_found
from shared.pagination import Page, SortKey, like_pattern, paginate
from shared.validation_messages import invalid_choice
from shared.vocabulary import APPLICANT_TYPE_LABELS, APPLICATION_STATE_LABELS, CHANNEL_LABELS


async def get_application(
    session: AsyncSession, ctx: Ctx, principal: Principal | None, application_id: str
) -> ApplicationOut:
    row = await load_readable(session, principal, application_id)
    guards = (await load_action_guards(session, [row.id]))[row.id]
    if row.due_on is not None and not row.clock_running:
        # Paused (or concluded while paused): the stored date is as of the pause's start; the clerk
        # sees where it stands today — the same date /deadline explains (DESIGN §5).
        live = deadline_of(row.rule_set, ctx.calendar, list(guards.facts), _as_of(ctx, row))
        row = row.with_values({"due_on": live.due_on, "due_on_provisional": live.provisional})
    return to_out(ctx, principal, row, guards)


def _as_of(ctx: Ctx, row: Application) -> date:
    """The day an application's clock is read on: today, or the day it was concluded (a concluded
    application's due date no longer moves)."""
    today = ctx.clock.today()
    return min(today, row.concluded_on) if row.concluded_on is not None else today


@dataclass(frozen=True)
class ApplicationFilters:
    unit_code: str | None = None
    state: str | None = None
    overdue: bool | None = None
    due_before: date | None = None
    channel: str | None = None
    applicant_type: str | None = None
    q: str | None = None
    unconfirmed: bool | None = None  # 条例 第三十一条: waiting for confirmation longer than the setting
    possible_duplicate: bool | None = None  # 条例 第三十六条(六): flagged as a possible repeat
    report_up_overdue: bool | None = None  # seed 001: a refusal not reported up in time


def _conditions(ctx: Ctx, principal: Principal, filters: ApplicationFilters) -> list[Any]:
    t = applications
    conditions: list[Any] = []
    if not principal.sees_all_units:
        scopes = []
        if principal.has_role(*UNIT_STAFF_ROLES) and principal.unit_codes:
            scopes.append(t.c.unit_code.in_(sorted(principal.unit_codes)))
        if principal.has_role("applicant"):
            scopes.append(t.c.applicant_sub == principal.sub)
        if not scopes and principal.has_role(*UNIT_STAFF_ROLES):
            raise forbidden("令牌中没有所属单位（unit_codes 为空）：承办人、单位管理员须属于至少一个单位才能查看申请")
        if not scopes:
            raise forbidden("当前角色不能查看申请列表")
        conditions.append(or_(*scopes))
    _check_choice("query.state", "状态", filters.state, APPLICATION_STATE_LABELS)
    _check_choice("query.channel", "申请渠道", filters.channel, CHANNEL_LABELS)
    _check_choice("query.applicant_type", "申请人类型", filters.applicant_type, APPLICANT_TYPE_LABELS)
    today = ctx.clock.today()
    if filters.unit_code:
        conditions.append(t.c.unit_code == filters.unit_code)
    if filters.state:
        conditions.append(t.c.state == filters.state)
    if filters.channel:
        conditions.append(t.c.channel == filters.channel)
    if filters.applicant_type:
        conditions.append(t.c.applicant_type == filters.applicant_type)
    if filters.due_before:
        conditions.append(and_(t.c.due_on < filters.due_before, t.c.concluded_on.is_(None)))
    if filters.overdue is True:  # as Application.clock_counts: a paused application is not overdue
        conditions.append(and_(t.c.concluded_on.is_(None), t.c.clock_running.is_(True), t.c.due_on < today))
    elif filters.overdue is False:
        conditions.append(
            or_(t.c.concluded_on.is_not(None), t.c.clock_running.is_(False), t.c.due_on.is_(None), t.c.due_on >= today)
        )
    conditions.extend(
        round_two_conditions(ctx, filters.unconfirmed, filters.possible_duplicate, filters.report_up_overdue)
    )
    if filters.q:
        pattern = like_pattern(filters.q)
        conditions.append(
            or_(
                t.c.description.like(pattern, escape="\\"),
                t.c.tracking_no.like(pattern, escape="\\"),
                t.c.applicant_name.like(pattern, escape="\\"),
            )
        )
    return conditions


async def list_applications(
    session: AsyncSession,
    ctx: Ctx,
    principal: Principal,
    filters: ApplicationFilters,
    limit: int,
    cursor: str | None,
) -> Page[ApplicationOut]:
    """Newest first (created_at, id), scoped to what the caller may read."""
    t = applications
    page = await paginate(
        session,
        select(t).where(*_conditions(ctx, principal, filters)),
        [SortKey(t.c.created_at, descending=True), SortKey(t.c.id, descending=True)],
        limit=limit,
        cursor=cursor,
    )
    guards = await load_action_guards(session, [row.id for row in page.rows])

    def out(stored: Any) -> ApplicationOut:
        row, facts = Application.of(stored), guards[stored.id].facts
        if row.due_on is not None and not row.clock_running:  # as get_application: where it stands
            live = deadline_of(row.rule_set, ctx.calendar, list(facts), _as_of(ctx, row))
            row = row.with_values({"due_on": live.due_on, "due_on_provisional": live.provisional})
        return to_out(ctx, principal, row, guards[stored.id])

    return page.map(out)


def _check_choice(field: str, label: str, value: str | None, allowed: dict[str, Any]) -> None:
    """An unknown filter value is a 422 naming the allowed ones, not an empty page."""
    if value and value not in allowed:
        raise invalid_choice(field, label, value, {k: v if isinstance(v, str) else v[0] for k, v in allowed.items()})


async def deadline_of_application(
    session: AsyncSession, ctx: Ctx, principal: Principal | None, application_id: str
) -> DeadlineOut:
    row = await load_readable(session, principal, application_id)
    facts = await load_facts(session, application_id)
    today = _as_of(ctx, row)
    deadline = deadline_of(row.rule_set, ctx.calendar, facts, today)
    # As the application says it (view.to_out): a concluded application's clock no longer runs, and
    # days left count down only while it runs (paused or concluded: none).
    running = deadline.running and row.concluded_on is None
    return DeadlineOut(
        rule_set=deadline.rule_set,
        rule_set_title=rule_set(deadline.rule_set).title,
        start=deadline.start,
        due_on=deadline.due_on,
        provisional=deadline.provisional,
        provisional_note=provisional_note(deadline.due_on) if deadline.provisional else None,
        running=running,
        paused_by=list(deadline.paused_by),
        working_days_left=(
            clock_rules.working_days_left(ctx.calendar, deadline.due_on, today)
            if deadline.due_on is not None and running
            else None
        ),
        periods=[PeriodOut(**p.__dict__) for p in deadline.periods],
        skipped=[SkippedDayOut(day=d.day, name=d.name, kind=d.kind) for d in deadline.skipped],
        makeup_workdays=[
            SkippedDayOut(day=day, name=name, kind="makeup_workday") for day, name in deadline.makeup_workdays
        ],
        deferred=deadline.deferred,
        obligations=await obligations_of(session, ctx, row, ctx.clock.today()),
    )


async def timeline(session: AsyncSession, ctx: Ctx, principal: Principal, application_id: str) -> list[TimelineEntry]:
    """Every change and every event emitted, in words, each action followed by its events
    (``service.applications.timeline``); the identity number in clear only for the unit's staff."""
    log = ctx.tables.audit_log
    row = await load_readable(session, principal, application_id)
    entries = (
        await session.execute(
            select(log).where(log.c.entity_type == "application", log.c.entity_id == application_id).order_by(log.c.seq)
        )
    ).all()
    return await build_timeline(session, ctx, principal, application_id, row.unit_code, entries)


async def track(session: AsyncSession, ctx: Ctx, tracking_no: str, query_code: str) -> TrackOut:
    """An applicant without an account follows their application with tracking no. + query code."""
    row = (await session.execute(select(applications).where(applications.c.tracking_no == tracking_no))).one_or_none()
    expected = ctx.resources.field_cipher.blind_index(query_code.strip().upper(), context=QUERY_CODE_CONTEXT)
    if row is None or not secrets.compare_digest(row.query_code_index, expected):
        # One answer for "no such number" and "wrong code": nothing to enumerate.
        raise not_found("申请", "受理编号或查询码不正确")
    return TrackOut(
        tracking_no=row.tracking_no,
        unit_code=row.unit_code,
        state=row.state,
        received_on=row.received_on,
        due_on=row.due_on,
        due_on_provisional=row.due_on_provisional,
        outcome=row.outcome,
        replied_on=row.replied_on,
        reply_text=row.reply_text,
    )
