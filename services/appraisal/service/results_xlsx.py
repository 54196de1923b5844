"""A campaign's results as .xlsx (评议结果表): one row per unit with its score, rating and the figures
of each method, then a sheet of the problems. Free text is written as text, never as a formula (a
cell starting with = + - @ is forced to a string), and control characters never reach it (refused
at intake)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font

from services.appraisal.schemas.results import ResultsOut
from shared.vocabulary import APPRAISAL_METHOD_LABELS, APPRAISAL_RESULT_STATUS_LABELS, SATISFACTION_RATING_LABELS

FORMULA_STARTS = ("=", "+", "-", "@")


def _put(sheet: Any, row: int, column: int, value: Any) -> Cell:
    cell: Cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with
    else:
        cell.value = value
    return cell


def results_workbook(title: str, results: ResultsOut, methods: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "评议结果"
    _put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    header = ["序号", "单位代码", "单位名称", "状态", "有效答卷", "综合得分", "评议等次"]
    for method in methods:
        label = APPRAISAL_METHOD_LABELS[method]
        header += [f"{label}得分", f"{label}满意率", f"{label}满意", f"{label}基本满意", f"{label}不满意"]
    header.append("问题数")
    for column, text in enumerate(header, start=1):
        _put(sheet, 3, column, text).font = Font(bold=True)
    for index, unit in enumerate(results.items, start=1):
        row = 3 + index
        values: list[Any] = [
            index,
            unit.unit_code,
            unit.unit_name or "",
            APPRAISAL_RESULT_STATUS_LABELS[unit.status],
            unit.responses,
            float(unit.score) if unit.score is not None else "",
            SATISFACTION_RATING_LABELS[unit.rating] if unit.rating else "",
        ]
        by_method = {m.method: m for m in unit.methods}
        for method in methods:
            m = by_method.get(method)
            if m is None:
                values += ["", "", "", "", ""]
                continue
            values += [
                float(m.score),
                float(m.satisfaction_rate) if m.satisfaction_rate is not None else "",
                *(
                    (m.counts.satisfied, m.counts.basically_satisfied, m.counts.unsatisfied)
                    if m.counts
                    else ("", "", "")
                ),
            ]
        values.append(len(unit.problems))
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
    sheet.column_dimensions["C"].width = 28
    found = book.create_sheet("问题清单")
    for column, text in enumerate(["单位代码", "单位名称", "序号", "问题", "提及次数", "整改情况"], start=1):
        _put(found, 1, column, text).font = Font(bold=True)
    row = 2
    for unit in results.items:
        for position, problem in enumerate(unit.problems, start=1):
            values = [
                unit.unit_code,
                unit.unit_name or "",
                position,
                problem.text,
                problem.mentions,
                problem.rectification or "",
            ]
            for column, value in enumerate(values, start=1):
                _put(found, row, column, value).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    found.column_dimensions["D"].width = 60
    found.column_dimensions["F"].width = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
