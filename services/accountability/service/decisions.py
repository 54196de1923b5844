"""Assessment and decision of a case: the recommendation from the deployment's sanction ladder
(severity, factors, the automatic repeat offence of 第九条(四), the attribution of seed 004
第二十七条(三)), and the written decision after the hearing (seed 004 第二十八条), with any departure
from the recommendation explained in writing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.config import Ctx
from services.accountability.domain import cases as rules
from services.accountability.domain.assessment import PersonConcerned, PriorDecision, attribute, repeat_offence
from services.accountability.domain.catalogue import SANCTIONS, VIOLATIONS
from services.accountability.domain.deadlines import appeal_last_day
from services.accountability.domain.ladders import AppliedFactor, check_departure, person_sanctions, recommend
from services.accountability.models import case_persons, cases
from services.accountability.schemas.cases import AssessmentIn, CaseOut, DecisionIn, DecisionOut
from services.accountability.service.access import day_of, load_case, person_rows, require_runner
from services.accountability.service.cases import ENTITY, get_case, touch
from services.accountability.service.orders import issue_order
from shared.auth import Principal
from shared.domain import DomainError, InvalidInput
from shared.etags import check_if_match
from shared.events import AccountabilityDecisionIssued


async def prior_decisions(
    session: AsyncSession, case_id: str, unit_code: str, person_ids: Sequence[str]
) -> list[PriorDecision]:
    """Other decided cases of the unit or naming one of the persons (第九条(四))."""
    naming = select(case_persons.c.case_id).where(case_persons.c.person_id.in_(list(person_ids) or [""]))
    rows = (
        await session.execute(
            select(cases.c.id, cases.c.unit_code, cases.c.decided_on, cases.c.revoked).where(
                cases.c.decided_on.is_not(None),
                cases.c.id != case_id,
                or_(cases.c.unit_code == unit_code, cases.c.id.in_(naming)),
            )
        )
    ).all()
    priors = []
    for row in rows:
        persons = (
            await session.scalars(select(case_persons.c.person_id).where(case_persons.c.case_id == row.id))
        ).all()
        priors.append(PriorDecision(row.id, row.unit_code, row.decided_on, frozenset(persons), bool(row.revoked)))
    return priors


async def assess(
    session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str, body: AssessmentIn, if_match: str | None
) -> CaseOut:
    """Records severity, factors and approval, and computes the recommendation (shown with its reasons)."""
    require_runner(actor, "认定情节")
    row = await load_case(session, case_id, lock=True)
    check_if_match(if_match, row.version)
    if row.state not in rules.ACTIVE_STATES:
        raise DomainError("case_not_active", "案件已作出决定或已结案，不能重新认定", state=row.state)
    persons = await person_rows(session, case_id)
    ladder = ctx.resources.ladder
    today = ctx.clock.today()
    person_ids = [p.person_id for p in persons]
    found = repeat_offence(
        await prior_decisions(session, case_id, row.unit_code, person_ids),
        case_id=case_id,
        unit_code=row.unit_code,
        person_ids=person_ids,
        on=today,
    )
    factors: list[AppliedFactor] = [found] if found else []
    factors += [AppliedFactor(f.code, note=f.note or "") for f in body.factors]
    recommendation = recommend(ladder, body.severity, factors)
    shares = attribute(body.approval, [PersonConcerned(p.person_id, p.name, p.role) for p in persons])
    stored = {
        "ladder": recommendation.ladder,
        "severity": recommendation.severity,
        "base_step": recommendation.base_step,
        "step": recommendation.step,
        "unit_sanctions": list(recommendation.unit_sanctions),
        "persons": {
            r.person_id: {
                "share": r.share,
                "reason": r.reason,
                "sanctions": list(person_sanctions(ladder, recommendation, r.share)),
            }
            for r in shares
        },
        "factors": [{"code": f.code, "automatic": f.automatic, "note": f.note} for f in recommendation.factors],
        "reasons": list(recommendation.reasons),
    }
    values: dict[str, Any] = {
        "severity": body.severity,
        "approval": body.approval,
        "factors": stored["factors"],
        "recommendation": stored,
        "assessed_on": today,
    }
    if body.violations:
        values["violations"] = list(dict.fromkeys(body.violations))
    await touch(session, ctx, case_id, **values)
    before = {"severity": row.severity, "approval": row.approval, "recommendation": row.recommendation}
    await ctx.journal.audit(
        session, actor, "assess", ENTITY, case_id, before=before, after={**values, "assessed_on": today.isoformat()}
    )
    return await get_case(session, ctx, actor, case_id)


def in_catalogue_order(codes: Sequence[str]) -> list[str]:
    return [code for code in SANCTIONS if code in set(codes)]


def departures(
    recommended_unit: Sequence[str],
    recommended_persons: Mapping[str, Sequence[str]],
    unit: Sequence[str],
    persons: Mapping[str, Sequence[str]],
    reason: str | None,
) -> dict[str, Any] | None:
    """Every departure from the recommendation (unit and each person), or None; a departure without
    a written reason is a 422 (责任追究办法 第四条; seed 004 第二十八条)."""
    found: dict[str, Any] = {}
    unit_departure = check_departure(recommended_unit, unit, reason)  # type: ignore[arg-type]
    if unit_departure:
        found["unit"] = {"added": list(unit_departure.added), "removed": list(unit_departure.removed)}
    for person_id in sorted(set(recommended_persons) | set(persons)):
        departure = check_departure(recommended_persons.get(person_id, ()), persons.get(person_id, ()), reason)  # type: ignore[arg-type]
        if departure:
            found.setdefault("persons", {})[person_id] = {
                "added": list(departure.added),
                "removed": list(departure.removed),
            }
    if not found:
        return None
    return {"reason": (reason or "").strip(), **found}


async def decide(
    session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str, body: DecisionIn, if_match: str | None
) -> CaseOut:
    """The written decision (处理决定): refused (409 ``hearing_incomplete``) until every person
    concerned has a statement or waiver; emits ``accountability.decision_issued``; a unit
    sanction of 责令整改 issues a rectification order."""
    require_runner(actor, "作出追究决定")
    row = await load_case(session, case_id, lock=True)
    check_if_match(if_match, row.version, required=True)
    persons = await person_rows(session, case_id)
    target = rules.transition(
        row.state,
        "decide",
        persons=[PersonConcerned(p.person_id, p.name, p.role) for p in persons],
        hearing=[rules.HearingRecord(p.person_id, p.statement_kind) for p in persons if p.statement_kind],
    )
    if row.recommendation is None:
        raise DomainError("assessment_missing", "尚未认定情节，不能作出决定", "请先提交情节认定（assessment）")
    recommended = row.recommendation
    recommended_persons = {pid: v["sanctions"] for pid, v in recommended["persons"].items()}
    concerned = {p.person_id for p in persons}
    chosen_persons = dict(body.person_sanctions) if body.person_sanctions is not None else recommended_persons
    strangers = sorted(set(chosen_persons) - concerned)
    if strangers:
        raise InvalidInput("person_not_concerned", "处理对象不是本案当事人", "、".join(strangers))
    chosen_unit = list(body.unit_sanctions) if body.unit_sanctions is not None else recommended["unit_sanctions"]
    departure = departures(
        recommended["unit_sanctions"], recommended_persons, chosen_unit, chosen_persons, body.departure_reason
    )
    notified_on = day_of(ctx, body.notified_on)
    last = appeal_last_day(notified_on, ctx.calendar)
    basis = body.basis or "；".join(
        [*(VIOLATIONS[v].source for v in row.violations), f"{ctx.resources.ladder.title}（{recommended['severity']}）"]
    )
    decision = DecisionOut(
        facts=body.facts,
        basis=basis,
        unit_sanctions=in_catalogue_order(chosen_unit),  # type: ignore[arg-type]
        person_sanctions={pid: in_catalogue_order(s) for pid, s in chosen_persons.items() if pid in concerned},  # type: ignore[misc]
        departure=departure,
        decided_on=notified_on,
        notified_on=notified_on,
        appeal_last_day=last.day,
        appeal_last_day_provisional=last.provisional,
    )
    await touch(
        session,
        ctx,
        case_id,
        state=target,
        decision=decision.model_dump(mode="json"),
        decided_on=notified_on,
        notified_on=notified_on,
        appeal_last_day=last.day,
    )
    await ctx.journal.audit(
        session, actor, "decide", ENTITY, case_id, before={"state": row.state}, after=decision.model_dump(mode="json")
    )
    await emit_decision(session, ctx, actor, case_id, row.unit_code, decision, [p.person_id for p in persons])
    if "rectification_order" in decision.unit_sanctions:
        await issue_order(
            session,
            ctx,
            actor,
            unit_code=row.unit_code,
            basis="case_decision",
            problems=[body.facts[:2000]],
            source="责任追究办法 第六条(一)",
            case_id=case_id,
            issued_on=notified_on,
        )
    return await get_case(session, ctx, actor, case_id)


async def emit_decision(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    case_id: str,
    unit_code: str,
    decision: DecisionOut,
    person_ids: Sequence[str],
) -> None:
    every = [*decision.unit_sanctions, *(s for sanctions in decision.person_sanctions.values() for s in sanctions)]
    event = AccountabilityDecisionIssued(
        case_id=case_id,
        unit_code=unit_code,
        sanctions=in_catalogue_order(every),
        persons=list(person_ids),
        unit_sanctions=list(decision.unit_sanctions),
        person_sanctions={pid: list(s) for pid, s in decision.person_sanctions.items()},
        decided_on=decision.decided_on,
        appeal_last_day=decision.appeal_last_day,
    )
    await ctx.journal.emit(session, event, subject=case_id, entity_type=ENTITY, actor=actor)
