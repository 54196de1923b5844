"""The whole scheme's results as .xlsx, laid out like seed 003's score table (考核评分表, 附件2/3) —
the office's working format: one worksheet per category; the indicator tree down the left as merged
cells (一级 / 二级 / 三级指标, 分值); a column per unit; then 总分, 等次, 排名, 一票否决, 明显短板."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.domain.scheme import Category, Indicator, Scheme
from services.scoring.domain.scoring import IndicatorScore
from services.scoring.service.common import load_scheme_row, parsed, require
from services.scoring.service.scores import category_sheets, score_whole_category
from shared.auth import UNIT_WIDE_ROLES, Principal
from shared.reference import units
from shared.vocabulary import GRADE_LABELS

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEVEL_NAMES = ("一级指标", "二级指标", "三级指标", "四级指标", "五级指标")

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BOLD = Font(bold=True)


def _depth(node: Indicator) -> int:
    return 1 + max((_depth(c) for c in node.children), default=0)


def _leaf_paths(node: Indicator, path: tuple[Indicator, ...] = ()) -> Iterator[tuple[Indicator, ...]]:
    here = (*path, node)
    if node.is_leaf:
        yield here
        return
    for child in node.children:
        yield from _leaf_paths(child, here)


def _cell(ws: Worksheet, row: int, column: int, value: object, *, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    cell.alignment = _CENTER
    cell.border = _BORDER
    if bold:
        cell.font = _BOLD


def _merge(ws: Worksheet, top: int, left: int, bottom: int, right: int) -> None:
    if (top, left) != (bottom, right):
        ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)


def _points(tree: tuple[IndicatorScore, ...]) -> dict[str, float]:
    return {s.code: float(s.points) for top in tree for s in top.walk()}


def _write_category(
    ws: Worksheet, scheme: Scheme, category: Category, columns: list[tuple[str, str]], scores: dict[str, object]
) -> None:
    depth = max(_depth(top) for top in category.indicators)
    first_unit = depth + 2
    last = first_unit + len(columns) - 1
    _cell(ws, 1, 1, f"{scheme.name} {category.name}考核评分表", bold=True)
    _merge(ws, 1, 1, 1, max(last, depth + 1))
    for level in range(depth):
        _cell(ws, 2, level + 1, LEVEL_NAMES[level] if level < len(LEVEL_NAMES) else f"{level + 1}级指标", bold=True)
    _cell(ws, 2, depth + 1, "分值", bold=True)
    for i, (_, name) in enumerate(columns):
        _cell(ws, 2, first_unit + i, name, bold=True)
    points = {unit: _points(score.indicators) for unit, score in scores.items()}  # type: ignore[attr-defined]
    paths = [p for top in category.indicators for p in _leaf_paths(top)]
    row = 3
    spans: dict[str, list[int]] = {}
    for path in paths:
        for level, node in enumerate(path):
            spans.setdefault(node.code, [row, row, level])[1] = row
        leaf = path[-1]
        _cell(ws, row, len(path), leaf.name)
        _merge(ws, row, len(path), row, depth)
        _cell(ws, row, depth + 1, float(leaf.max_points))
        for i, (unit, _) in enumerate(columns):
            _cell(ws, row, first_unit + i, points.get(unit, {}).get(leaf.code))
        row += 1
    for top in category.indicators:
        for node in top.walk():
            if node.is_leaf:
                continue
            start, end, level = spans[node.code]
            _cell(ws, start, level + 1, f"{node.name}（{float(node.max_points):g}分）")
            _merge(ws, start, level + 1, end, level + 1)
    footer = [
        ("总分", lambda s: float(s.total)),
        ("等次", lambda s: GRADE_LABELS[s.grade]),
        ("排名", lambda s: s.rank),
        ("一票否决", lambda s: "、".join(s.vetoes) or "—"),
        ("明显短板", lambda s: "、".join(f.name for f in s.shortfalls) or "—"),
    ]
    for label, value in footer:
        _cell(ws, row, 1, label, bold=True)
        _merge(ws, row, 1, row, depth + 1)
        for i, (unit, _) in enumerate(columns):
            score = scores.get(unit)
            _cell(ws, row, first_unit + i, value(score) if score is not None else None)
        row += 1
    for column in range(1, last + 1):
        ws.column_dimensions[get_column_letter(column)].width = 22 if column <= depth else 10
    ws.freeze_panes = ws.cell(row=3, column=first_unit)


async def render_results_xlsx(session: AsyncSession, actor: Principal, scheme_id: str) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the scheme's results: of record where finalized, provisional else."""
    require(actor, tuple(sorted(UNIT_WIDE_ROLES)), "导出考核结果")
    scheme_row = await load_scheme_row(session, actor, scheme_id)
    scheme = parsed(scheme_row)
    names = {u.unit_code: u.name for u in await units.in_category(session, include_inactive=True)}
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for category in scheme.categories:
        ws = workbook.create_sheet(title=category.code[:31])
        rows = await category_sheets(session, scheme_id, category.code)
        scored = (await score_whole_category(session, scheme, category, rows)).scores if rows else {}
        columns = [(unit, names.get(unit, unit)) for unit in category.units]
        _write_category(ws, scheme, category, columns, dict(scored))
    buffer = BytesIO()
    workbook.save(buffer)
    return f"{scheme.year}-scheme-results.xlsx", buffer.getvalue()
