"""Closing and publishing a campaign (社会评议办法 第六条(三)–(五), 第八条, 第九条).

Closing (``open`` → ``closed``, by the office or by the close sweep once ``closes_at`` has passed)
counts the answers with one GROUP BY per table, computes every unit's result (``domain.results``)
and gathers its problems (``domain.problems``); the office then edits the problems. Third-party
scores imported while closed recompute the results (the problems of units whose list the office
has not touched yet are gathered again). Publishing (``closed`` → ``published``) emits
``appraisal.result_published`` for every rated unit and ``appraisal.unit_unsatisfied`` for each
不满意 one, with its problems — once: publishing a published campaign changes nothing.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.domain import campaigns as rules
from services.appraisal.domain.campaigns import CampaignDefinition
from services.appraisal.domain.problems import Remark, gather_problems
from services.appraisal.domain.publication import publication_events
from services.appraisal.domain.results import Tallies, UnitResult, compute_results
from services.appraisal.models import (
    campaign_results,
    campaigns,
    problems,
    response_ratings,
    response_remarks,
    third_party_scores,
)
from services.appraisal.models import responses as responses_table
from services.appraisal.schemas.campaigns import CampaignOut
from services.appraisal.service.campaigns import campaign_out, definition_of, load_campaign
from services.appraisal.service.responses import RATING_OF_CODE
from shared.auth import Principal
from shared.etags import check_if_match
from shared.events import AppraisalResultPublished, AppraisalUnitUnsatisfied, EventData
from shared.journal import SYSTEM


async def _tallies(session: AsyncSession, campaign_id: str) -> Tallies:
    r = response_ratings.c
    rating_rows = await session.execute(
        select(r.unit_code, r.method, r.question, r.rating, func.count())
        .where(r.campaign_id == campaign_id)
        .group_by(r.unit_code, r.method, r.question, r.rating)
    )
    s = responses_table.c
    response_rows = await session.execute(
        select(s.unit_code, s.method, func.count()).where(s.campaign_id == campaign_id).group_by(s.unit_code, s.method)
    )
    return Tallies.from_rows(
        ((u, m, q, RATING_OF_CODE[code], n) for u, m, q, code, n in rating_rows.all()),
        ((u, m, n) for u, m, n in response_rows.all()),
    )


async def _remarks(session: AsyncSession, campaign_id: str) -> list[Remark]:
    m = response_remarks.c
    rows = await session.execute(
        select(m.unit_code, m.method, m.text).where(m.campaign_id == campaign_id).order_by(m.response_id, m.question)
    )
    remarks = [Remark(u, method, t) for u, method, t in rows.all()]
    t = third_party_scores.c
    assessed = await session.execute(
        select(t.unit_code, t.remarks).where(t.campaign_id == campaign_id).order_by(t.unit_code)
    )
    remarks += [Remark(u, "third_party", text) for u, text in assessed.all() if text.strip()]
    return remarks


def _methods_json(result: UnitResult) -> list[dict[str, Any]]:
    return [
        {
            "method": m.method,
            "responses": m.responses,
            "counts": None
            if m.counts is None
            else {
                "satisfied": m.counts.satisfied,
                "basically_satisfied": m.counts.basically_satisfied,
                "unsatisfied": m.counts.unsatisfied,
            },
            "satisfaction_rate": None if m.satisfaction_rate is None else str(m.satisfaction_rate),
            "score": str(m.score),
        }
        for m in result.methods
    ]


async def compute_and_store(session: AsyncSession, ctx: Ctx, campaign_id: str, definition: CampaignDefinition) -> None:
    """Every target unit's result from what is stored now; problems gathered for the units whose
    list the office has not edited."""
    tallies = await _tallies(session, campaign_id)
    t = third_party_scores.c
    scores = {
        u: Decimal(str(s))
        for u, s in (await session.execute(select(t.unit_code, t.score).where(t.campaign_id == campaign_id))).all()
    }
    results = compute_results(definition, tallies, scores)
    edited = set(
        (
            await session.scalars(
                select(campaign_results.c.unit_code).where(
                    campaign_results.c.campaign_id == campaign_id, campaign_results.c.problems_edited.is_(True)
                )
            )
        ).all()
    )
    now = ctx.clock.now()
    await session.execute(delete(campaign_results).where(campaign_results.c.campaign_id == campaign_id))
    await session.execute(
        campaign_results.insert(),
        [
            {
                "campaign_id": campaign_id,
                "unit_code": r.unit_code,
                "position": position,
                "status": r.status,
                "responses": r.responses,
                "score": r.score,
                "rating": r.rating,
                "effective_weights": {m: str(w) for m, w in r.effective_weights.items()},
                "methods": _methods_json(r),
                "problems_edited": r.unit_code in edited,
                "computed_at": now,
            }
            for position, r in enumerate(results)
        ],
    )
    gathered = gather_problems(await _remarks(session, campaign_id))
    fresh = [u for u in definition.target_units if u not in edited]
    await session.execute(
        delete(problems).where(problems.c.campaign_id == campaign_id, problems.c.unit_code.in_(fresh))
    )
    rows = [
        {
            "id": str(uuid.uuid4()),
            "campaign_id": campaign_id,
            "unit_code": unit,
            "position": position,
            "text": problem.text,
            "mentions": problem.mentions,
            "methods": list(problem.methods),
            "version": 1,
        }
        for unit in fresh
        for position, problem in enumerate(gathered.get(unit, ()))
    ]
    if rows:
        await session.execute(problems.insert(), rows)


async def close_campaign(
    session: AsyncSession, ctx: Ctx, actor: Principal, campaign_id: str, if_match: str | None, *, required: bool = True
) -> CampaignOut:
    """open → closed (第六条(三) 汇总评议结果): results computed, problems gathered, no event yet."""
    # FOR UPDATE waits for the responses in flight (FOR KEY SHARE) to commit; later ones find it closed.
    row = await load_campaign(session, campaign_id, actor=actor, lock=True)
    check_if_match(if_match, row.version, required=required)
    target = rules.transition(row.state, "close")
    now = ctx.clock.now()
    await session.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id)
        .values(state=target, version=row.version + 1, updated_at=now, closed_at=now)
    )
    await compute_and_store(session, ctx, campaign_id, definition_of(row))
    await ctx.journal.audit(
        session, actor, "campaign.closed", "campaign", campaign_id, before={"state": row.state}, after={"state": target}
    )
    return campaign_out((await session.execute(select(campaigns).where(campaigns.c.id == campaign_id))).one())


def _unit_result(row: Any) -> UnitResult:
    return UnitResult(
        unit_code=row.unit_code,
        status=row.status,
        responses=row.responses,
        methods=(),
        effective_weights={},
        score=Decimal(str(row.score)) if row.score is not None else None,
        rating=row.rating,
    )


async def publish_campaign(
    session: AsyncSession, ctx: Ctx, actor: Principal, campaign_id: str, if_match: str | None
) -> CampaignOut:
    """closed → published (第六条(四)(五)), emitting the results once; a published campaign is
    returned as it is (no event, no audit entry), whatever ``If-Match`` says."""
    row = await load_campaign(session, campaign_id, actor=actor, lock=True)
    if row.state == "published":
        return campaign_out(row)
    check_if_match(if_match, row.version, required=True)
    target = rules.transition(row.state, "publish")
    result_rows = (
        await session.execute(
            select(campaign_results)
            .where(campaign_results.c.campaign_id == campaign_id)
            .order_by(campaign_results.c.position)
        )
    ).all()
    problem_rows = (
        await session.execute(
            select(problems.c.unit_code, problems.c.text)
            .where(problems.c.campaign_id == campaign_id)
            .order_by(problems.c.unit_code, problems.c.position)
        )
    ).all()
    texts: dict[str, list[str]] = {}
    for unit, text in problem_rows:
        texts.setdefault(unit, []).append(text)
    announced = publication_events(campaign_id, row.year, [_unit_result(r) for r in result_rows], texts)
    events: list[tuple[EventData, str]] = [
        (AppraisalResultPublished(**e.__dict__), campaign_id) for e in announced.results
    ]
    events += [
        (AppraisalUnitUnsatisfied(**{**e.__dict__, "problems": list(e.problems)}), campaign_id)
        for e in announced.unsatisfied
    ]
    now = ctx.clock.now()
    await session.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id)
        .values(state=target, version=row.version + 1, updated_at=now, published_at=now)
    )
    await ctx.journal.audit(
        session,
        actor,
        "campaign.published",
        "campaign",
        campaign_id,
        before={"state": row.state},
        after={"state": target, "rated": len(announced.results), "unsatisfied": len(announced.unsatisfied)},
    )
    await ctx.journal.emit_many(session, events, entity_type="campaign", actor=actor)
    return campaign_out((await session.execute(select(campaigns).where(campaigns.c.id == campaign_id))).one())


async def close_due_campaigns(session: AsyncSession, ctx: Ctx, *, limit: int = 10) -> list[str]:
    """The close sweep's batch: open campaigns whose closing time has passed, claimed with SKIP
    LOCKED so two replicas never close one twice (the state change is the stamp)."""
    query = (
        select(campaigns.c.id)
        .where(campaigns.c.state == "open", campaigns.c.closes_at <= ctx.clock.now())
        .order_by(campaigns.c.closes_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    closed = []
    for campaign_id in (await session.scalars(query)).all():
        await close_campaign(session, ctx, SYSTEM, campaign_id, None, required=False)
        closed.append(campaign_id)
    return closed
