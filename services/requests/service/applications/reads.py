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
from services.requests.service.applications.view import ID_CONTEXT, QUERY_CODE_CONTEXT, Application, to_out
from services.requests.service.provisional_due_dates import deadline_of, load_facts
from shared.auth import UNIT_STAFF_ROLES, Principal
from shared.crypto import FieldCipher
from shared.db import stored_utc
from shared.errors import forbidden, not_found
from shared.pagination import Page, SortKey, like_pattern, paginate


async def get_application(
    session: AsyncSession, ctx: Ctx, principal: Principal | None, application_id: str
) -> ApplicationOut:
    row = await load_readable(session, principal, application_id)
    if row.concluded_on is None and row.due_on is not None and not row.clock_running:
        # Paused: the stored date is as of the pause's start; the clerk sees where it stands today
        # (DESIGN §5: the pause keeps excluding days until it ends).
        live = deadline_of(row.rule_set, ctx.calendar, await load_facts(session, application_id), ctx.clock.today())
        row = row.with_values({"due_on": live.due_on, "due_on_provisional": live.provisional})
    return to_out(ctx, principal, row)


@dataclass(frozen=True)
class ApplicationFilters:
    unit_code: str | None = None
    state: str | None = None
    overdue: bool | None = None
    due_before: date | None = None
    channel: str | None = None
    applicant_type: str | None = None
    q: str | None = None


def _conditions(ctx: Ctx, principal: Principal, filters: ApplicationFilters) -> list[Any]:
    t = applications
    conditions: list[Any] = []
    if not principal.sees_all_units:
        scopes = []
        if principal.has_role(*UNIT_STAFF_ROLES) and principal.unit_codes:
            scopes.append(t.c.unit_code.in_(sorted(principal.unit_codes)))
        if principal.has_role("applicant"):
            scopes.append(t.c.applicant_sub == principal.sub)
        if not scopes:
            raise forbidden("当前角色不能查看申请列表")
        conditions.append(or_(*scopes))
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
    return page.map(lambda row: to_out(ctx, principal, Application.of(row)))


async def deadline_of_application(
    session: AsyncSession, ctx: Ctx, principal: Principal | None, application_id: str
) -> DeadlineOut:
    row = await load_readable(session, principal, application_id)
    facts = await load_facts(session, application_id)
    today = ctx.clock.today()
    deadline = deadline_of(row.rule_set, ctx.calendar, facts, today)
    return DeadlineOut(
        rule_set=deadline.rule_set,
        rule_set_title=rule_set(deadline.rule_set).title,
        start=deadline.start,
        due_on=deadline.due_on,
        provisional=deadline.provisional,
        running=deadline.running,
        paused_by=list(deadline.paused_by),
        working_days_left=(
            clock_rules.working_days_left(ctx.calendar, deadline.due_on, today)
            if deadline.due_on is not None and row.concluded_on is None
            else None
        ),
        periods=[PeriodOut(**p.__dict__) for p in deadline.periods],
        skipped=[SkippedDayOut(day=d.day, name=d.name, kind=d.kind) for d in deadline.skipped],
        makeup_workdays=[
            SkippedDayOut(day=day, name=name, kind="makeup_workday") for day, name in deadline.makeup_workdays
        ],
    )


async def timeline(session: AsyncSession, ctx: Ctx, principal: Principal, application_id: str) -> list[TimelineEntry]:
    """Every change and every event emitted, in order (the audit entries of the application)."""
    log = ctx.tables.audit_log
    row = await load_readable(session, principal, application_id)
    entries = (
        await session.execute(
            select(log).where(log.c.entity_type == "application", log.c.entity_id == application_id).order_by(log.c.seq)
        )
    ).all()
    cipher = ctx.resources.field_cipher if principal.is_staff_of(row.unit_code) else None
    return [
        TimelineEntry(
            at=stored_utc(e.at),
            actor=e.actor_sub,
            actor_name=e.actor_name,
            action=e.action,
            before=_identity_for(cipher, e.before),
            after=_identity_for(cipher, e.after),
        )
        for e in entries
    ]


def _identity_for(cipher: FieldCipher | None, state: Any) -> Any:
    """The journal keeps the identity number encrypted: in clear for the handling unit's staff
    (``cipher`` given), hidden for everyone else."""
    if not (isinstance(state, dict) and state.get("applicant_id_number")):
        return state
    shown = cipher.decrypt(state["applicant_id_number"], context=ID_CONTEXT) if cipher else "***"
    return {**state, "applicant_id_number": shown}


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
