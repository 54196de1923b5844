"""Reading results: the office's and the units' view, and the public summary for the annual report.

Who sees what (issue 13 §6): the office (and the unit-wide roles) every unit's results once the
campaign is closed; a unit's own staff their unit's result once it is published; the public the
summary (第八条: 社会评议情况列入年度报告) once published. Anything else is a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.models import campaign_results, problems, reference, responses
from services.appraisal.schemas.results import (
    MethodResultOut,
    ProblemOut,
    RatingCountsOut,
    ResultsOut,
    SummaryOut,
    SummaryUnitOut,
    UnitResultOut,
)
from services.appraisal.service.campaigns import load_campaign
from shared.auth import Principal
from shared.db import stored_utc
from shared.errors import not_found
from shared.vocabulary import SATISFACTION_RATING_LABELS


def problem_out(row: Row[Any]) -> ProblemOut:
    return ProblemOut(
        id=row.id,
        text=row.text,
        mentions=row.mentions,
        methods=row.methods,
        rectification=row.rectification,
        rectified_at=stored_utc(row.rectified_at) if row.rectified_at else None,
        version=row.version,
    )


async def unit_names(session: AsyncSession, codes: list[str]) -> dict[str, str]:
    table = reference.units
    rows = await session.execute(select(table.c.unit_code, table.c.name).where(table.c.unit_code.in_(codes)))
    return {code: name for code, name in rows.all()}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _result_out(row: Row[Any], name: str | None, unit_problems: list[ProblemOut]) -> UnitResultOut:
    return UnitResultOut(
        unit_code=row.unit_code,
        unit_name=name,
        status=row.status,
        responses=row.responses,
        score=_decimal(row.score),
        rating=row.rating,
        rating_label=SATISFACTION_RATING_LABELS.get(row.rating) if row.rating else None,
        effective_weights={m: Decimal(w) for m, w in row.effective_weights.items()},
        methods=[
            MethodResultOut(
                method=m["method"],
                responses=m["responses"],
                counts=RatingCountsOut(**m["counts"]) if m["counts"] else None,
                satisfaction_rate=_decimal(m["satisfaction_rate"]),
                score=Decimal(m["score"]),
            )
            for m in row.methods
        ],
        problems=unit_problems,
    )


def visible_units(actor: Principal, state: str, units: list[str]) -> list[str]:
    """The units whose results ``actor`` may read in a campaign of ``state``."""
    if state not in ("closed", "published"):
        return []
    if actor.sees_all_units:
        return units
    if state != "published":
        return []
    return [u for u in units if actor.is_staff_of(u)]


async def get_results(
    session: AsyncSession, actor: Principal, campaign_id: str, unit_code: str | None = None
) -> ResultsOut:
    campaign = await load_campaign(session, campaign_id, actor=actor)
    units = [u for u in visible_units(actor, campaign.state, list(campaign.target_units)) if unit_code in (None, u)]
    if not units:
        raise not_found("评议结果", "结果尚未产生、尚未公布，或无权查看")
    result_rows = (
        await session.execute(
            select(campaign_results)
            .where(campaign_results.c.campaign_id == campaign_id, campaign_results.c.unit_code.in_(units))
            .order_by(campaign_results.c.position)
        )
    ).all()
    problem_rows = (
        await session.execute(
            select(problems)
            .where(problems.c.campaign_id == campaign_id, problems.c.unit_code.in_(units))
            .order_by(problems.c.unit_code, problems.c.position)
        )
    ).all()
    by_unit: dict[str, list[ProblemOut]] = {}
    for p in problem_rows:
        by_unit.setdefault(p.unit_code, []).append(problem_out(p))
    names = await unit_names(session, units)
    return ResultsOut(
        campaign_id=campaign_id,
        state=campaign.state,
        items=[_result_out(r, names.get(r.unit_code), by_unit.get(r.unit_code, [])) for r in result_rows],
    )


async def public_summary(session: AsyncSession, campaign_id: str) -> SummaryOut:
    campaign = await load_campaign(session, campaign_id, public=True)
    if campaign.state != "published":
        raise not_found("评议结果", "评议结果尚未公布")
    rows = (
        await session.execute(
            select(campaign_results)
            .where(campaign_results.c.campaign_id == campaign_id)
            .order_by(campaign_results.c.position)
        )
    ).all()
    problem_counts = dict(
        (
            await session.execute(
                select(problems.c.unit_code, func.count())
                .where(problems.c.campaign_id == campaign_id)
                .group_by(problems.c.unit_code)
            )
        ).all()
    )
    total = await session.scalar(select(func.count()).where(responses.c.campaign_id == campaign_id)) or 0
    names = await unit_names(session, [r.unit_code for r in rows])
    ratings = {"satisfied": 0, "basically_satisfied": 0, "unsatisfied": 0}
    for r in rows:
        if r.rating in ratings:
            ratings[r.rating] += 1
    return SummaryOut(
        campaign_id=campaign_id,
        year=campaign.year,
        name=campaign.name,
        published_at=stored_utc(campaign.published_at),
        responses=total,
        units_rated=sum(1 for r in rows if r.status == "rated"),
        units_insufficient=sum(1 for r in rows if r.status == "insufficient"),
        ratings=RatingCountsOut(**ratings),
        units=[
            SummaryUnitOut(
                unit_code=r.unit_code,
                unit_name=names.get(r.unit_code),
                status=r.status,
                score=_decimal(r.score),
                rating=r.rating,
                rating_label=SATISFACTION_RATING_LABELS.get(r.rating) if r.rating else None,
                problems=problem_counts.get(r.unit_code, 0),
            )
            for r in rows
        ],
    )
