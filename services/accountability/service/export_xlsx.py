"""The year's 责任追究情况 as an .xlsx: the counts per violation and sanction, the cases and the
rectification orders, one sheet each. Built with openpyxl."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from services.accountability.schemas.reports import AnnualCountsOut
from shared.vocabulary import (
    CASE_STATE_LABELS,
    RECTIFICATION_BASIS_LABELS,
    SANCTION_LABELS,
    SEVERITY_LABELS,
    VIOLATION_LABELS,
)

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ORDER_STATES = {"open": "整改中", "submitted": "已报送整改报告", "accepted": "整改已验收"}


def _labels(codes: list[str], labels: dict[str, str]) -> str:
    return "、".join(labels.get(c, c) for c in codes)


def render_year_xlsx(counts: AnnualCountsOut, case_rows: list[Any], order_rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "责任追究情况"
    bold = Font(bold=True)
    sheet.append(
        [f"{counts.year}年度政务公开工作责任追究情况" + (f"（{counts.unit_code}）" if counts.unit_code else "")]
    )
    sheet["A1"].font = bold
    sheet.append(["作出决定（件）", counts.cases])
    sheet.append(["被撤销的决定（件）", counts.revoked])
    sheet.append(["被追究责任人员（人）", counts.persons])
    sheet.append(["责令整改通知（件）", counts.rectification_orders])
    sheet.append(["逾期未整改（件）", counts.rectification_overdue])
    sheet.append([])
    sheet.append(["违规情形", "件数"])
    for code, n in counts.by_violation.items():
        sheet.append([VIOLATION_LABELS[code], n])
    sheet.append([])
    sheet.append(["追究方式", "单位次、人次"])
    for code, n in counts.by_sanction.items():
        sheet.append([SANCTION_LABELS[code], n])
    sheet.column_dimensions["A"].width = 40

    sheet = book.create_sheet("案件")
    sheet.append(
        ["案件编号", "单位代码", "案由", "违规情形", "状态", "立案日期", "情节", "决定日期", "单位追究方式", "已撤销"]
    )
    for row in case_rows:
        decision = row.decision or {}
        sheet.append(
            [
                row.id,
                row.unit_code,
                row.title,
                _labels(row.violations, VIOLATION_LABELS),
                CASE_STATE_LABELS.get(row.state, row.state),
                row.opened_on,
                SEVERITY_LABELS.get(row.severity or "", ""),
                row.decided_on,
                _labels(decision.get("unit_sanctions", []), SANCTION_LABELS),
                "是" if row.revoked else "否",
            ]
        )

    sheet = book.create_sheet("整改")
    sheet.append(["通知编号", "单位代码", "案件编号", "依据", "问题", "状态", "通知日期", "整改期限", "逾期次数"])
    for row in order_rows:
        sheet.append(
            [
                row.id,
                row.unit_code,
                row.case_id or "",
                RECTIFICATION_BASIS_LABELS.get(row.basis, row.basis),
                "；".join(row.problems),
                _ORDER_STATES.get(row.state, row.state),
                row.issued_on,
                row.due_on,
                row.overdue_count,
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
