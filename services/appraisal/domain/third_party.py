"""Third-party assessment scores (第三方评估, 社会评议办法 第七条(三)), imported per unit.

The assessor delivers a table: unit, score (0–100, at most two decimals) and optionally remarks
(评估意见, gathered with the problems). An import is all rows valid or none: every faulty row is
reported at once (``third_party_scores_invalid`` with ``errors``: row, field, message), so the
office fixes the file in one go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from services.appraisal.domain.campaigns import CampaignDefinition
from services.appraisal.domain.text import free_text_error, normalise_line_breaks
from shared.domain import InvalidInput

__all__ = ["MAX_REMARKS_LENGTH", "ThirdPartyRow", "ThirdPartyScore", "validate_third_party_scores"]

MAX_REMARKS_LENGTH = 2000


@dataclass(frozen=True)
class ThirdPartyRow:
    """A row as read from CSV/XLSX: cells as they came (text, number or empty)."""

    row: int  # the spreadsheet's row number, for messages
    unit_code: object
    score: object
    remarks: object = None


@dataclass(frozen=True)
class ThirdPartyScore:
    unit_code: str
    score: Decimal
    remarks: str = ""


def validate_third_party_scores(
    campaign: CampaignDefinition, rows: Sequence[ThirdPartyRow]
) -> tuple[ThirdPartyScore, ...]:
    if not rows:
        raise InvalidInput("third_party_scores_empty", "导入文件中没有评估分数")
    errors: list[dict[str, object]] = []
    scores: list[ThirdPartyScore] = []
    seen: dict[str, int] = {}

    def fail(row: ThirdPartyRow, field_name: str, message: str) -> None:
        errors.append({"row": row.row, "field": field_name, "message": message})

    for row in rows:
        unit = str(row.unit_code).strip() if row.unit_code is not None else ""
        if unit not in campaign.target_units:
            fail(row, "unit_code", f"单位编码 {unit or '（空）'} 不在本次评议范围内")
        elif unit in seen:
            fail(row, "unit_code", f"单位 {unit} 与第{seen[unit]}行重复")
        else:
            seen[unit] = row.row
        score = _score(row.score)
        if score is None:
            fail(row, "score", f"分数 {row.score!r} 须为0至100之间、最多两位小数的数")
        remarks = normalise_line_breaks(str(row.remarks)) if row.remarks is not None else ""
        problem = free_text_error(remarks, MAX_REMARKS_LENGTH)
        if problem is not None:
            fail(row, "remarks", problem[1])
        if score is not None and problem is None:
            scores.append(ThirdPartyScore(unit, score, remarks))
    if errors:
        raise InvalidInput(
            "third_party_scores_invalid",
            "第三方评估分数有误，未导入任何一行",
            "；".join(f"第{e['row']}行：{e['message']}" for e in errors),
            errors=errors,
        )
    return tuple(scores)


def _score(cell: object) -> Decimal | None:
    if isinstance(cell, bool) or cell is None:
        return None
    try:
        # A float cell (XLSX) goes through its shortest repr: 87.5 stays 87.5, not 87.5000000000001.
        value = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(str(cell).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        return None
    return value
