"""Use cases of cases (责任追究案件, DESIGN §8): opening (by hand or by an event), findings, persons
concerned, statements (陈述申辩), the workflow steps, reading and the timeline.

Every use case is ``async def name(session, ctx, ...)``: the caller (the router's session
dependency, an inbox handler, a sweep) owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.config import Ctx
from services.accountability.domain import cases as rules
from services.accountability.domain.catalogue import VIOLATIONS
from services.accountability.models import case_findings, case_persons, cases
from services.accountability.schemas.cases import CaseCreate, CaseOut, CaseSummary, FindingIn, PersonIn, StatementIn
from services.accountability.schemas.common import TimelineEntry
from services.accountability.service.access import (
    day_of,
    load_case,
    load_readable_case,
    person_rows,
    require_runner,
    runs_cases,
)
from services.accountability.service.view import case_out, case_summary
from shared.auth import UNIT_STAFF_ROLES, Principal
from shared.context import current_request_id
from shared.db import insert_or_ignore, stored_utc
from shared.domain import DomainError
from shared.errors import forbidden
from shared.etags import check_if_match
from shared.events import AccountabilityCaseOpened, CloudEvent
from shared.inbox import correlation_of
from shared.pagination import Page, SortKey, paginate
from shared.reference import units
from shared.vocabulary import VIOLATION_LABELS

ENTITY = "case"


# -- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCase:
    """A case to open: its id chosen by the caller; ``trigger`` the event that opens it (None: by hand)."""

    id: str
    unit_code: str
    violations: Sequence[str]
    title: str | None = None
    trigger: CloudEvent | None = None


@dataclass(frozen=True)
class NewFinding:
    """A fact found (查明事实) on a case; ``event`` the event it comes from (None: by hand)."""

    case_id: str
    violation: str
    text: str
    source: str
    ref: str | None = None
    event: CloudEvent | None = None


async def open_case(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    *,
    unit_code: str,
    violations: Sequence[str],
    title: str | None = None,
    trigger: CloudEvent | None = None,
) -> str | None:
    """Inserts a case in ``open`` and emits ``accountability.case_opened``; returns its id — or None
    when the unit already has an active case opened for ``violations[0]`` (another replica's event
    opened it meanwhile: ``uq_cases_active_unit_violation``), and nothing was written."""
    case = NewCase(str(uuid.uuid4()), unit_code, violations, title, trigger)
    return case.id if await open_cases(session, ctx, actor, [case]) else None


async def open_cases(session: AsyncSession, ctx: Ctx, actor: Principal, new: Sequence[NewCase]) -> set[str]:
    """``open_case`` for many, in one multi-row insert (in the given order: callers racing on the
    same units take them in one order, so they wait for each other but never deadlock), one audit
    insert and one outbox insert. Returns the ids inserted; a case left out wrote nothing."""
    if not new:
        return set()
    now, today = ctx.clock.now(), ctx.clock.today()
    untitled = sorted({case.unit_code for case in new if case.title is None})
    names: dict[str, str] = {}
    if untitled:
        statement = select(units.table.c.unit_code, units.table.c.name).where(units.table.c.unit_code.in_(untitled))
        names = {row.unit_code: row.name for row in (await session.execute(statement)).all()}
    rows = [
        {
            "id": case.id,
            "unit_code": case.unit_code,
            "state": "open",
            "title": (
                case.title or f"{names.get(case.unit_code, case.unit_code)}：{VIOLATION_LABELS[case.violations[0]]}"
            )[:300],
            "primary_violation": case.violations[0],
            "violations": list(dict.fromkeys(case.violations)),
            "opened_via": "event" if case.trigger is not None else "manual",
            "trigger_event_id": case.trigger.id if case.trigger is not None else None,
            "opened_on": today,
            "opened_by": actor.sub,
            "factors": [],
            "revoked": False,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for case in new
    ]
    inserted = set(await session.scalars(insert_or_ignore(session, cases).returning(cases.c.id), rows))
    opened = [(case, row) for case, row in zip(new, rows, strict=True) if case.id in inserted]
    if not opened:
        return inserted
    await ctx.journal.audit_many(
        session,
        actor,
        [
            ("open", ENTITY, case.id, None, {k: row[k] for k in ("unit_code", "violations", "opened_via")})
            for case, row in opened
        ],
        request_ids=[
            correlation_of(case.trigger) if case.trigger is not None else current_request_id() for case, _ in opened
        ],
    )
    await ctx.journal.emit_many(
        session,
        [
            (
                AccountabilityCaseOpened(
                    case_id=case.id,
                    unit_code=case.unit_code,
                    violations=row["violations"],
                    trigger_event_id=row["trigger_event_id"],
                ),
                case.id,
            )
            for case, row in opened
        ],
        entity_type=ENTITY,
        actor=actor,
        causes=[case.trigger for case, _ in opened],
    )
    return inserted


async def add_finding_row(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    case_id: str,
    *,
    violation: str,
    text: str,
    source: str,
    ref: str | None = None,
    event: CloudEvent | None = None,
) -> None:
    await add_finding_rows(session, ctx, actor, [NewFinding(case_id, violation, text, source, ref, event)])


async def add_finding_rows(session: AsyncSession, ctx: Ctx, actor: Principal, new: Sequence[NewFinding]) -> None:
    """Findings and their audit entries, in one multi-row insert each."""
    if not new:
        return
    now, today = ctx.clock.now(), ctx.clock.today()
    rows = [
        {
            "case_id": finding.case_id,
            "violation": finding.violation,
            "text": finding.text,
            "source": finding.source[:100],
            "ref": finding.ref,
            "event_id": finding.event.id if finding.event is not None else None,
            "event_type": finding.event.type if finding.event is not None else None,
            "found_on": today,
            "created_by": actor.sub,
            "created_at": now,
        }
        for finding in new
    ]
    await session.execute(case_findings.insert(), rows)
    await ctx.journal.audit_many(
        session,
        actor,
        [
            (
                "finding",
                ENTITY,
                row["case_id"],
                None,
                {k: row[k] for k in ("violation", "text", "source", "ref", "event_id")},
            )
            for row in rows
        ],
        request_ids=[correlation_of(f.event) if f.event is not None else current_request_id() for f in new],
    )


async def add_person_rows(
    session: AsyncSession, ctx: Ctx, persons: Sequence[tuple[str, str, str, str, str | None]]
) -> None:
    """Persons concerned ``(case_id, person_id, name, role, title)``; one already named keeps their
    entry. Inserted in key order: concurrent batches naming the same persons never deadlock."""
    if not persons:
        return
    now = ctx.clock.now()
    await session.execute(
        insert_or_ignore(session, case_persons),
        [
            {"case_id": case_id, "person_id": pid, "name": name, "role": role, "title": title, "added_at": now}
            for case_id, pid, name, role, title in sorted(set(persons), key=lambda p: (p[0], p[1]))
        ],
    )


async def touch(session: AsyncSession, ctx: Ctx, case_id: str, **values: Any) -> None:
    """Writes ``values`` and moves the case to its next version (its ETag)."""
    await session.execute(
        update(cases)
        .where(cases.c.id == case_id)
        .values(**values, version=cases.c.version + 1, updated_at=ctx.clock.now())
    )


async def create_case(session: AsyncSession, ctx: Ctx, actor: Principal, body: CaseCreate) -> CaseOut:
    """A case opened by an inspector or the office by hand (立案)."""
    require_runner(actor, "立案")
    for active in await active_cases(session, body.unit_code):
        if set(active.violations) & set(body.violations):
            # One active case per unit and violation (issue 14 §1): add to it rather than open another.
            raise DomainError(
                "case_already_active",
                "该单位已有同类违规的在办案件",
                f"请在案件 {active.id} 中补充查明事实",
                case_id=active.id,
            )
    case_id = await open_case(
        session, ctx, actor, unit_code=body.unit_code, violations=body.violations, title=body.title
    )
    if case_id is None:  # opened by an event since the check above
        raise DomainError("case_already_active", "该单位已有同类违规的在办案件", "请在该案件中补充查明事实")
    violation = body.violations[0]
    await add_finding_row(
        session, ctx, actor, case_id, violation=violation, text=body.facts, source=VIOLATIONS[violation].source
    )
    await add_person_rows(session, ctx, [(case_id, p.person_id, p.name, p.role, p.title) for p in body.persons])
    return await get_case(session, ctx, actor, case_id)


async def add_finding(
    session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str, body: FindingIn, if_match: str | None
) -> CaseOut:
    require_runner(actor, "补充查明事实")
    row = await load_case(session, case_id, lock=True)
    check_if_match(if_match, row.version)
    if row.state not in rules.ACTIVE_STATES:
        raise DomainError("case_not_active", "案件已作出决定或已结案，不能补充事实", state=row.state)
    await add_finding_row(
        session,
        ctx,
        actor,
        case_id,
        violation=body.violation,
        text=body.text,
        source=body.source or VIOLATIONS[body.violation].source,
    )
    violations = list(dict.fromkeys([*row.violations, body.violation]))
    await touch(session, ctx, case_id, violations=violations)
    return await get_case(session, ctx, actor, case_id)


async def add_person(
    session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str, body: PersonIn, if_match: str | None
) -> CaseOut:
    require_runner(actor, "确定当事人")
    row = await load_case(session, case_id, lock=True)
    check_if_match(if_match, row.version)
    if row.state not in rules.ACTIVE_STATES:
        raise DomainError("case_not_active", "案件已作出决定或已结案，不能增加当事人", state=row.state)
    await session.execute(
        update(case_persons)
        .where(case_persons.c.case_id == case_id, case_persons.c.person_id == body.person_id)
        .values(name=body.name, role=body.role, title=body.title)
    )
    await add_person_rows(session, ctx, [(case_id, body.person_id, body.name, body.role, body.title)])
    await ctx.journal.audit(session, actor, "person", ENTITY, case_id, after=body.model_dump())
    await touch(session, ctx, case_id)
    return await get_case(session, ctx, actor, case_id)


async def record_statement(
    session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str, body: StatementIn, if_match: str | None
) -> CaseOut:
    """A person's statement (陈述申辩) or written waiver, during the hearing (seed 004 第二十八条):
    by the person, by their unit's staff, or recorded by an inspector or the office."""
    row, persons = await load_readable_case(session, actor, case_id, lock=True)
    check_if_match(if_match, row.version)
    person = next((p for p in persons if p.person_id == body.person_id), None)
    if person is None:
        raise DomainError("person_not_concerned", "该人员不是本案当事人", body.person_id)
    if not (runs_cases(actor) or actor.is_staff_of(row.unit_code) or actor.sub == body.person_id):
        raise forbidden("只能为本人或本单位当事人提交陈述申辩")
    if row.state != "hearing":
        raise DomainError(
            "not_in_hearing",
            "案件不在陈述申辩阶段",
            f"案件状态：{row.state}",
            state=row.state,
            allowed_actions=rules.allowed_actions(row.state),
        )
    if body.kind == "statement" and not body.text:
        raise DomainError("statement_text_required", "陈述申辩须有内容；放弃陈述申辩请选择 waiver")
    on = day_of(ctx, body.on)
    values = {"statement_kind": body.kind, "statement_text": body.text, "statement_on": on, "statement_by": actor.sub}
    await session.execute(
        update(case_persons)
        .where(case_persons.c.case_id == case_id, case_persons.c.person_id == body.person_id)
        .values(**values)
    )
    before = {"statement_kind": person.statement_kind, "statement_text": person.statement_text}
    await ctx.journal.audit(
        session,
        actor,
        f"hearing:{body.kind}",
        ENTITY,
        case_id,
        before=before,
        after={"person_id": body.person_id, **values, "statement_on": on.isoformat()},
    )
    await touch(session, ctx, case_id)
    return await get_case(session, ctx, actor, case_id)


async def act(
    session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str, action: str, if_match: str | None
) -> CaseOut:
    """``investigate``, ``start-hearing``, ``close``, ``dismiss`` — the steps without a body
    (``decide`` and the appeal have their own use cases)."""
    require_runner(actor, "案件办理")
    row = await load_case(session, case_id, lock=True)
    check_if_match(if_match, row.version, required=True)
    if action in ("decide", "appeal", "decide-appeal"):
        raise DomainError("action_needs_body", "该操作有专门的接口", action)
    target = rules.transition(row.state, action)
    values: dict[str, Any] = {"state": target}
    if target == "closed":
        values["closed_on"] = ctx.clock.today()
    await touch(session, ctx, case_id, **values)
    await ctx.journal.audit(
        session, actor, action, ENTITY, case_id, before={"state": row.state}, after={"state": target}
    )
    return await get_case(session, ctx, actor, case_id)


# -- reading -------------------------------------------------------------------------------------


async def get_case(session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str) -> CaseOut:  # noqa: ARG001
    row, persons = await load_readable_case(session, actor, case_id)
    return await case_out(session, row, persons)


@dataclass(frozen=True)
class CaseFilters:
    unit_code: str | None = None
    state: str | None = None
    violation: str | None = None
    year: int | None = None
    person_id: str | None = None


def _scope(actor: Principal) -> list[Any]:
    if runs_cases(actor):
        return []
    scopes: list[Any] = [cases.c.id.in_(select(case_persons.c.case_id).where(case_persons.c.person_id == actor.sub))]
    if actor.has_role(*UNIT_STAFF_ROLES) and actor.unit_codes:
        scopes.append(cases.c.unit_code.in_(sorted(actor.unit_codes)))
    return [or_(*scopes)]


async def list_cases(
    session: AsyncSession, actor: Principal, filters: CaseFilters, limit: int, cursor: str | None
) -> Page[CaseSummary]:
    """Newest first, scoped to what the caller may read."""
    conditions = _scope(actor)
    if filters.unit_code:
        conditions.append(cases.c.unit_code == filters.unit_code)
    if filters.state:
        conditions.append(cases.c.state == filters.state)
    if filters.violation:
        # The JSON list as text: '"<code>"' is in it (portable over SQLite and PostgreSQL).
        conditions.append(cast(cases.c.violations, String).like(f'%"{filters.violation}"%'))
    if filters.year:
        conditions.append(func.extract("year", cases.c.opened_on) == filters.year)
    if filters.person_id:
        conditions.append(
            cases.c.id.in_(select(case_persons.c.case_id).where(case_persons.c.person_id == filters.person_id))
        )
    page = await paginate(
        session,
        select(cases).where(*conditions),
        [SortKey(cases.c.created_at, descending=True), SortKey(cases.c.id, descending=True)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(case_summary)


async def timeline(session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str) -> list[TimelineEntry]:
    """Everything done on the case, and every event it emitted, in order."""
    await load_readable_case(session, actor, case_id)
    log = ctx.tables.audit_log
    entries = (
        await session.execute(
            select(log).where(log.c.entity_type == ENTITY, log.c.entity_id == case_id).order_by(log.c.seq)
        )
    ).all()
    return [
        TimelineEntry(
            at=stored_utc(e.at),
            actor=e.actor_sub,
            actor_name=e.actor_name,
            action=e.action,
            before=e.before,
            after=e.after,
        )
        for e in entries
    ]


async def active_cases(session: AsyncSession, *unit_codes: str) -> list[Any]:
    """The units' cases that take new findings (open, investigating, hearing)."""
    statement = select(cases.c.id, cases.c.unit_code, cases.c.violations, cases.c.state).where(
        cases.c.unit_code.in_(unit_codes), cases.c.state.in_(sorted(rules.ACTIVE_STATES))
    )
    return list((await session.execute(statement)).all())


async def persons_of(session: AsyncSession, case_id: str) -> list[Any]:
    return await person_rows(session, case_id)
