"""Reading (issue 12 §4): a unit's sheet with every entry, its evidence, vetoes and late findings;
the sheets a caller may see; the self-check gap per indicator; the league table of a category."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.domain.scoring import (
    SELF,
    IndicatorScore,
    SheetScore,
    assessment_gaps,
    ranked_leaf_points,
    score_sheet,
    score_tree,
)
from services.scoring.domain.sheets import allowed_actions
from services.scoring.models import schemes, sheet_entries, sheet_vetoes, sheets
from services.scoring.schemas.schemes import LeagueOut, LeagueRow, ShortfallOut
from services.scoring.schemas.sheets import (
    FindingOut,
    GapOut,
    GapsOut,
    IndicatorScoreOut,
    SheetOut,
    SheetSummary,
)
from services.scoring.service.common import (
    entries_by_sheet,
    entry_of_row,
    load_scheme_row,
    load_sheet_row,
    no_such,
    num,
    parsed,
)
from services.scoring.service.findings import late_findings
from services.scoring.service.scores import active_vetoes, category_sheets, ranked_measures, score_whole_category
from services.scoring.service.sheets import entry_out, veto_out
from shared.auth import Principal
from shared.db import stored_utc
from shared.errors import forbidden
from shared.pagination import Page, SortKey, paginate
from shared.reference import units


def _tree(score: IndicatorScore, own: dict[str, Decimal]) -> IndicatorScoreOut:
    return IndicatorScoreOut(
        code=score.code,
        name=score.name,
        level=score.level,
        max_points=float(score.max_points),
        points=float(score.points),
        assessed=score.assessed,
        self_points=float(own[score.code]) if score.code in own else None,
        children=[_tree(child, own) for child in score.children],
    )


def _shortfalls(items: Any) -> list[ShortfallOut]:
    return [
        ShortfallOut(
            code=s["code"] if isinstance(s, dict) else s.code,
            name=s["name"] if isinstance(s, dict) else s.name,
            points=float(s["points"] if isinstance(s, dict) else s.points),
            max_points=float(s["max_points"] if isinstance(s, dict) else s.max_points),
            threshold=float(s["threshold"] if isinstance(s, dict) else s.threshold),
        )
        for s in items
    ]


def finding_out(row: Any) -> FindingOut:
    values = {name: row._mapping[name] for name in FindingOut.model_fields if name in row._mapping}
    values["received_at"] = stored_utc(row.received_at)
    return FindingOut(**values)


async def get_sheet(session: AsyncSession, actor: Principal, sheet_id: str) -> SheetOut:
    sheet = await load_sheet_row(session, actor, sheet_id)
    scheme_row = await load_scheme_row(session, None, sheet.scheme_id)
    scheme = parsed(scheme_row)
    category = scheme.category(sheet.category)
    rows = (
        await session.execute(
            select(sheet_entries).where(sheet_entries.c.sheet_id == sheet_id).order_by(sheet_entries.c.seq)
        )
    ).all()
    entries = [entry_of_row(r) for r in rows]
    others = await ranked_measures(session, category, await category_sheets(session, scheme_row.id, category.code))
    ranked = ranked_leaf_points(category, others).get(sheet.unit_code, {})
    veto_rows = (
        await session.execute(
            select(sheet_vetoes).where(sheet_vetoes.c.sheet_id == sheet_id).order_by(sheet_vetoes.c.created_at)
        )
    ).all()
    described = {v.code: v.description for v in scheme.vetoes}
    in_force = [v.code for v in veto_rows if v.voided_at is None]
    score = score_sheet(scheme, category, sheet.unit_code, entries, in_force, ranked)
    own = {s.code: s.points for top in score_tree(category, entries, SELF) for s in top.walk()}
    final = sheet.state == "finalized"
    actions = [
        a
        for a in allowed_actions(sheet.state, actor.roles)
        if a != "finalize" and (a != "self_assess" or actor.is_staff_of(sheet.unit_code))
    ]
    unit = await units.get(session, sheet.unit_code)
    return SheetOut(
        id=sheet.id,
        scheme_id=sheet.scheme_id,
        year=scheme.year,
        unit_code=sheet.unit_code,
        unit_name=unit.name if unit else None,
        category=sheet.category,
        state=sheet.state,
        version=sheet.version,
        final=final,
        total=num(sheet.total) if final else float(score.total),
        graded_on=num(sheet.graded_on) if final else float(score.graded_on),  # type: ignore[arg-type]
        grade=sheet.grade if final else score.grade,
        rank=sheet.rank if final else None,
        vetoes=list(sheet.vetoes or []) if final else list(score.vetoes),
        shortfalls=_shortfalls(sheet.shortfalls or []) if final else _shortfalls(score.shortfalls),
        allowed_actions=actions,
        indicators=[_tree(top, own) for top in score.indicators],
        entries=[entry_out(r) for r in rows],
        veto_findings=[veto_out(v, described.get(v.code, v.code)) for v in veto_rows],
        late_findings=[finding_out(f) for f in await late_findings(session, [sheet_id])],
    )


def sheet_summary(row: Any, year: int) -> SheetSummary:
    return SheetSummary(
        id=row.id,
        scheme_id=row.scheme_id,
        year=year,
        unit_code=row.unit_code,
        category=row.category,
        state=row.state,
        version=row.version,
        total=num(row.total),
        grade=row.grade,
        rank=row.rank,
    )


async def list_sheets(
    session: AsyncSession,
    actor: Principal,
    *,
    scheme_id: str | None,
    unit_code: str | None,
    state: str | None,
    limit: int,
    cursor: str | None,
) -> Page[SheetSummary]:
    statement = select(sheets, schemes.c.year).join(schemes, schemes.c.id == sheets.c.scheme_id)
    if scheme_id is not None:
        statement = statement.where(sheets.c.scheme_id == scheme_id)
    if unit_code is not None:
        statement = statement.where(sheets.c.unit_code == unit_code)
    if state is not None:
        statement = statement.where(sheets.c.state == state)
    if not actor.sees_all_units:
        mine = sorted(actor.unit_codes) if actor.has_role("handler", "unit_admin") else []
        statement = statement.where(sheets.c.unit_code.in_(mine))
    page = await paginate(
        session,
        statement,
        [SortKey(schemes.c.year, descending=True), SortKey(sheets.c.id)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(lambda r: sheet_summary(r, r.year))


async def gaps(session: AsyncSession, actor: Principal, sheet_id: str) -> GapsOut:
    """自查与考核的差异 per indicator (考核办法 第七条(二)(四)): the unit's figure minus the assessors'."""
    sheet = await load_sheet_row(session, actor, sheet_id)
    scheme = parsed(await load_scheme_row(session, None, sheet.scheme_id))
    category = scheme.category(sheet.category)
    entries = (await entries_by_sheet(session, [sheet_id]))[sheet_id]
    return GapsOut(
        sheet_id=sheet_id,
        unit_code=sheet.unit_code,
        gaps=[
            GapOut(
                code=g.code,
                name=g.name,
                self_points=float(g.self_points),
                assessed_points=float(g.assessed_points),
                difference=float(g.difference),
            )
            for g in assessment_gaps(category, entries)
        ],
    )


def league_row(sheet: Any, score: SheetScore, unit_name: str | None, *, final: bool) -> LeagueRow:
    if final:
        return LeagueRow(
            sheet_id=sheet.id,
            unit_code=sheet.unit_code,
            unit_name=unit_name,
            state=sheet.state,
            total=float(sheet.total),
            graded_on=float(sheet.graded_on),
            grade=sheet.grade,
            rank=sheet.rank,
            vetoes=list(sheet.vetoes or []),
            shortfalls=_shortfalls(sheet.shortfalls or []),
        )
    return LeagueRow(
        sheet_id=sheet.id,
        unit_code=sheet.unit_code,
        unit_name=unit_name,
        state=sheet.state,
        total=float(score.total),
        graded_on=float(score.graded_on),
        grade=score.grade,
        rank=score.rank,
        vetoes=list(score.vetoes),
        shortfalls=_shortfalls(score.shortfalls),
    )


async def league(session: AsyncSession, actor: Principal, scheme_id: str, category_code: str) -> LeagueOut:
    """The category's league table (total, grade, rank): of record once finalized — then any
    signed-in caller may read it (考核结果通报) — provisional before, for the unit-wide roles only."""
    scheme_row = await load_scheme_row(session, actor, scheme_id)
    scheme = parsed(scheme_row)
    category = scheme.category(category_code)
    rows = await category_sheets(session, scheme_id, category.code)
    if not rows:
        raise no_such("评分表", f"{scheme_id}/{category.code}")
    scores = await score_whole_category(session, scheme, category, rows)
    if not scores.final and not actor.sees_all_units:
        raise forbidden("考核结果审定前，排名只对考核人员和政务公开主管部门开放")
    names = {u.unit_code: u.name for u in await units.in_category(session, include_inactive=True)}
    ordered = sorted(rows, key=lambda r: (scores.scores[r.unit_code].rank or 0, r.unit_code))
    return LeagueOut(
        scheme_id=scheme_id,
        year=scheme.year,
        category=category.code,
        category_name=category.name,
        final=scores.final,
        rows=[league_row(r, scores.scores[r.unit_code], names.get(r.unit_code), final=scores.final) for r in ordered],
    )


__all__ = ["active_vetoes", "finding_out", "gaps", "get_sheet", "league", "league_row", "list_sheets"]
