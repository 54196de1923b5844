"""Finalizing a category (审定, 考核办法 第八条(五); issue 12 §2): every sheet of the category
scored, graded and ranked together (ties share a rank), vetoes applied, shortfalls found; the
figures of record stored on each sheet; ``scoring.sheet_finalized`` (with ``shortfalls[]``) for
every sheet and ``scoring.grade_failed`` (with the reasons) for each ``fail`` — all in the caller's
transaction. Set-based: one read of the category's entries, one executemany update, one outbox
insert, one audit insert, whatever the number of units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.config import Ctx
from services.scoring.domain.scheme import Scheme
from services.scoring.domain.scoring import SheetScore
from services.scoring.models import sheets
from services.scoring.schemas.schemes import FinalizeOut
from services.scoring.service.common import OFFICE, load_scheme_row, no_such, parsed, require, text
from services.scoring.service.reads import league_row
from services.scoring.service.scores import category_sheets, score_whole_category
from shared.auth import Principal
from shared.domain import DomainError
from shared.etags import check_if_match
from shared.events import EventData, ScoringGradeFailed
from shared.events.catalogue import ScoringSheetFinalized, ScoringShortfall
from shared.vocabulary import GRADE_LABELS


def _shortfalls(score: SheetScore) -> list[dict[str, Any]]:
    return [
        {
            "code": s.code,
            "name": s.name,
            "points": float(s.points),
            "max_points": float(s.max_points),
            "threshold": float(s.threshold),
        }
        for s in score.shortfalls
    ]


def fail_reasons(scheme: Scheme, score: SheetScore) -> tuple[list[str], list[str]]:
    """(veto descriptions, every reason in words) of a ``fail``."""
    described = {v.code: v.description for v in scheme.vetoes}
    vetoes = [described.get(code, code) for code in score.vetoes]
    reasons = [f"一票否决：{text}" for text in vetoes]
    pass_mark = next(b.min_points for b in scheme.grade_bands if b.grade == "pass")
    if score.graded_on < pass_mark:
        reasons.append(f"得分 {score.graded_on} 低于{GRADE_LABELS['pass']}线 {pass_mark} 分")
    return vetoes, reasons


async def finalize_category(
    session: AsyncSession, ctx: Ctx, actor: Principal, scheme_id: str, category_code: str, if_match: str | None
) -> FinalizeOut:
    require(actor, OFFICE, "审定考核结果")
    scheme_row = await load_scheme_row(session, actor, scheme_id, lock=True)
    check_if_match(if_match, scheme_row.version)
    if scheme_row.state != "published":
        raise DomainError("scheme_not_published", "考核方案未发布或已关闭", f"方案状态为 {scheme_row.state}")
    scheme = parsed(scheme_row)
    category = scheme.category(category_code)
    rows = await category_sheets(session, scheme_id, category.code, lock=True)
    if not rows:
        raise no_such("评分表", f"{scheme_id}/{category.code}")
    if all(r.state == "finalized" for r in rows):
        raise DomainError("category_already_finalized", "该类别已审定", f"类别 {category.code} 的评分表均已审定")
    waiting = [r.unit_code for r in rows if r.state != "reviewed"]
    if waiting:
        raise DomainError(
            "sheets_not_reviewed",
            "尚有评分表未完成评分",
            f"类别 {category.code} 有 {len(waiting)} 张评分表尚未评分：{', '.join(waiting[:20])}",
            units=waiting,
        )
    scores = await score_whole_category(session, scheme, category, rows)
    now = ctx.clock.now()
    params = []
    events: list[tuple[EventData, str]] = []
    failed = []
    for row in rows:
        score = scores.scores[row.unit_code]
        shortfalls = _shortfalls(score)
        params.append(
            {
                "b_id": row.id,
                "b_total": text(score.total),
                "b_graded_on": text(score.graded_on),
                "b_grade": score.grade,
                "b_rank": score.rank,
                "b_vetoes": list(score.vetoes),
                "b_shortfalls": shortfalls,
                "b_version": row.version + 1,
            }
        )
        events.append(
            (
                ScoringSheetFinalized(
                    scheme_id=scheme_id,
                    year=scheme.year,
                    unit_code=row.unit_code,
                    total=float(score.total),
                    grade=score.grade,
                    rank=score.rank or 1,
                    category=category.code,
                    sheet_id=row.id,
                    shortfalls=[ScoringShortfall(**s) for s in shortfalls],
                ),
                row.id,
            )
        )
        if score.grade == "fail":
            failed.append(row.unit_code)
            vetoes, reasons = fail_reasons(scheme, score)
            events.append(
                (
                    ScoringGradeFailed(
                        scheme_id=scheme_id,
                        year=scheme.year,
                        unit_code=row.unit_code,
                        total=float(score.total),
                        veto_reasons=vetoes,
                        reasons=reasons,
                        sheet_id=row.id,
                    ),
                    row.id,
                )
            )
    statement = (
        update(sheets)
        .where(sheets.c.id == bindparam("b_id"))
        .values(
            state="finalized",
            total=bindparam("b_total"),
            graded_on=bindparam("b_graded_on"),
            grade=bindparam("b_grade"),
            rank=bindparam("b_rank"),
            vetoes=bindparam("b_vetoes"),
            shortfalls=bindparam("b_shortfalls"),
            version=bindparam("b_version"),
            finalized_at=now,
            updated_at=now,
        )
    )
    for start in range(0, len(params), 1000):
        await session.execute(statement, params[start : start + 1000])
    # The sheet's timeline carries its events (journal), and the category's decision one audit entry.
    await ctx.journal.emit_many(session, events, entity_type="sheet", actor=actor)
    await ctx.journal.audit(
        session,
        actor,
        "finalize_category",
        "scheme",
        scheme_id,
        after={"category": category.code, "sheets": len(rows), "failed": failed},
    )
    ordered = sorted(rows, key=lambda r: (scores.scores[r.unit_code].rank or 0, r.unit_code))
    return FinalizeOut(
        scheme_id=scheme_id,
        category=category.code,
        finalized=len(rows),
        failed=failed,
        rows=[
            league_row(r, scores.scores[r.unit_code], None, final=False).model_copy(update={"state": "finalized"})
            for r in ordered
        ],
    )
