"""Scoring what is stored: a category's sheets through the domain's rules (``domain.scoring``), for
the league table, the sheet view, finalization and the .xlsx results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.domain.scheme import Category, Ranked, Scheme
from services.scoring.domain.scoring import Entry, SheetScore, score_category
from services.scoring.models import sheet_entries, sheet_vetoes, sheets
from services.scoring.service.common import ENTRY_SCORING_COLUMNS, entries_by_sheet, entry_of


@dataclass(frozen=True)
class CategoryScores:
    sheets: list[Any]  # the sheet rows, by unit
    scores: dict[str, SheetScore]  # unit code → its score (ranked)
    entries: dict[str, list[Entry]]  # sheet id → active entries

    @property
    def final(self) -> bool:
        return bool(self.sheets) and all(s.state == "finalized" for s in self.sheets)


async def category_sheets(session: AsyncSession, scheme_id: str, category: str, *, lock: bool = False) -> list[Any]:
    statement = (
        select(sheets)
        .where(sheets.c.scheme_id == scheme_id, sheets.c.category == category)
        .order_by(sheets.c.unit_code)
    )
    if lock:
        statement = statement.with_for_update()
    return list((await session.execute(statement)).all())


async def active_vetoes(session: AsyncSession, sheet_ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    ids = list(sheet_ids)
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(sheet_vetoes.c.sheet_id, sheet_vetoes.c.code).where(
                sheet_vetoes.c.sheet_id.in_(ids[start : start + 1000]), sheet_vetoes.c.voided_at.is_(None)
            )
        )
        for row in rows:
            found[row.sheet_id].append(row.code)
    return found


async def score_whole_category(
    session: AsyncSession, scheme: Scheme, category: Category, rows: Sequence[Any]
) -> CategoryScores:
    """Every unit of the category scored and ranked from the stored entries (ties share a rank)."""
    by_sheet = await entries_by_sheet(session, [r.id for r in rows])
    vetoes = await active_vetoes(session, [r.id for r in rows])
    unit_of = {r.id: r.unit_code for r in rows}
    scored = score_category(
        scheme,
        category,
        {unit_of[sheet_id]: entries for sheet_id, entries in by_sheet.items() if unit_of[sheet_id] in category.units},
        {unit_of[sheet_id]: codes for sheet_id, codes in vetoes.items()},
    )
    return CategoryScores(list(rows), {s.unit_code: s for s in scored}, by_sheet)


async def ranked_measures(session: AsyncSession, category: Category, rows: Sequence[Any]) -> dict[str, list[Entry]]:
    """unit → its active entries on the category's ranked leaves (what one sheet's view needs from
    the others to score a ranked leaf)."""
    codes = [leaf.code for leaf in category.leaves() if isinstance(leaf.rule, Ranked)]
    unit_of = {r.id: r.unit_code for r in rows}
    found: dict[str, list[Entry]] = {r.unit_code: [] for r in rows}
    if not codes:
        return found
    result = await session.execute(
        select(*ENTRY_SCORING_COLUMNS)
        .where(
            sheet_entries.c.sheet_id.in_(list(unit_of)),
            sheet_entries.c.indicator.in_(codes),
            sheet_entries.c.voided_at.is_(None),
        )
        .order_by(sheet_entries.c.seq)
    )
    for row in result:
        found[unit_of[row.sheet_id]].append(entry_of(row))
    return found
