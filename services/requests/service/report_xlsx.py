"""The annual report as an .xlsx laid out like the national form (国办公开办函〔2021〕30号):
section 三 "收到和处理政府信息公开申请情况" and section 四 "政府信息公开行政复议、行政诉讼情况",
with the form's merged headers and row labels. Built with openpyxl."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.requests.domain.outcomes import APPLICANT_TYPES, OUTCOMES
from services.requests.service.reports import COLUMNS, TABLE4_COLUMNS, TABLE4_RESULTS, AnnualReport

__all__ = ["XLSX_MEDIA_TYPE", "render_annual_report_xlsx", "report_title"]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_BOLD = Font(bold=True)

# Group headings of 三、本年度办理结果, in the form's words (the sub-row labels are OUTCOMES').
_GROUP_HEADINGS = {
    "予以公开": "（一）予以公开",
    "部分公开": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "不予公开": "（三）不予公开",
    "无法提供": "（四）无法提供",
    "不予处理": "（五）不予处理",
    "其他处理": "（六）其他处理",
}
# The form spells out two of the 其他处理 rows in full.
_FORM_LABELS = {
    "other.correction_lapsed": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.fee_unpaid": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
}
_RESULT_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

_T3_LABEL_COLUMNS = 3  # A–C hold the row labels, D–J the seven counts
_T4_WIDTH = 15


def report_title(report: AnnualReport) -> str:
    return f"{report.subject}{report.year}年政府信息公开工作年度报告"


def _cell(ws: Worksheet, row: int, column: int, value: object, *, bold: bool = False, left: bool = False) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    cell.alignment = _LEFT if left else _CENTER
    if bold:
        cell.font = _BOLD


def _merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int, value: object, **style: bool) -> None:
    _cell(ws, r1, c1, value, **style)
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _box(ws: Worksheet, r1: int, c1: int, r2: int, c2: int) -> None:
    for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
        for cell in row:
            cell.border = _BORDER


def _counts(ws: Worksheet, row: int, values: dict[str, int]) -> None:
    for offset, column in enumerate(COLUMNS):
        _cell(ws, row, _T3_LABEL_COLUMNS + 1 + offset, values[column])


def _table3(ws: Worksheet, top: int, report: AnnualReport) -> int:
    rows = report.table3
    _merge(ws, top, 1, top, _T4_WIDTH, "三、收到和处理政府信息公开申请情况", bold=True, left=True)
    h = top + 1
    # Header: the corner, 申请人情况 over the seven columns, 法人或其他组织 over the five.
    _merge(
        ws,
        h,
        1,
        h + 2,
        _T3_LABEL_COLUMNS,
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        bold=True,
    )
    _merge(ws, h, 4, h, 10, "申请人情况", bold=True)
    _merge(ws, h + 1, 4, h + 2, 4, "自然人", bold=True)
    _merge(ws, h + 1, 5, h + 1, 9, "法人或其他组织", bold=True)
    _merge(ws, h + 1, 10, h + 2, 10, "总计", bold=True)
    for offset, label in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")):
        _cell(ws, h + 2, 5 + offset, label, bold=True)
    assert len(APPLICANT_TYPES) == 6  # 自然人 + the five 法人或其他组织 columns

    r = h + 3
    _merge(ws, r, 1, r, 3, "一、本年新收政府信息公开申请数量", left=True)
    _counts(ws, r, rows["received"])
    r += 1
    _merge(ws, r, 1, r, 3, "二、上年结转政府信息公开申请数量", left=True)
    _counts(ws, r, rows["carried_over_from_last_year"])
    r += 1
    results_top = r
    groups: dict[str, list[str]] = {}
    for code, outcome in OUTCOMES.items():
        groups.setdefault(outcome.group, []).append(code)
    for group, codes in groups.items():
        heading = _GROUP_HEADINGS[group]
        if len(codes) == 1 and OUTCOMES[codes[0]].label == group:  # 予以公开, 部分公开: one row
            _merge(ws, r, 2, r, 3, heading, left=True)
            _counts(ws, r, rows[codes[0]])
            r += 1
            continue
        _merge(ws, r, 2, r + len(codes) - 1, 2, heading, left=True)
        for number, code in enumerate(codes, start=1):
            _cell(ws, r, 3, f"{number}.{_FORM_LABELS.get(code, OUTCOMES[code].label)}", left=True)
            _counts(ws, r, rows[code])
            r += 1
    _merge(ws, r, 2, r, 3, "（七）总计", left=True)
    _counts(ws, r, rows["concluded_total"])
    _merge(ws, results_top, 1, r, 1, "三、本年度办理结果")
    r += 1
    _merge(ws, r, 1, r, 3, "四、结转下年度继续办理", left=True)
    _counts(ws, r, rows["carried_over_to_next_year"])
    _box(ws, h, 1, r, 10)
    return r + 1


def _table4(ws: Worksheet, top: int, report: AnnualReport) -> int:
    _merge(ws, top, 1, top, _T4_WIDTH, "四、政府信息公开行政复议、行政诉讼情况", bold=True, left=True)
    h = top + 1
    _merge(ws, h, 1, h, 5, "行政复议", bold=True)
    _merge(ws, h, 6, h, 15, "行政诉讼", bold=True)
    for offset, result in enumerate(TABLE4_RESULTS):
        _merge(ws, h + 1, 1 + offset, h + 2, 1 + offset, _RESULT_LABELS[result], bold=True)
    _merge(ws, h + 1, 6, h + 1, 10, "未经复议直接起诉", bold=True)
    _merge(ws, h + 1, 11, h + 1, 15, "复议后起诉", bold=True)
    for block in range(2):
        for offset, result in enumerate(TABLE4_RESULTS):
            _cell(ws, h + 2, 6 + block * 5 + offset, _RESULT_LABELS[result], bold=True)
    r = h + 3
    for block, column in enumerate(TABLE4_COLUMNS):
        for offset, result in enumerate(TABLE4_RESULTS):
            _cell(ws, r, 1 + block * 5 + offset, report.table4[column][result])
    _box(ws, h, 1, r, 15)
    return r + 1


def render_annual_report_xlsx(report: AnnualReport) -> bytes:
    """The workbook's bytes: one sheet 年度报告 with the title and sections 三 and 四."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "年度报告"
    _merge(ws, 1, 1, 1, _T4_WIDTH, report_title(report), bold=True)
    ws.cell(row=1, column=1).font = Font(bold=True, size=16)
    ws.row_dimensions[1].height = 30
    scope = (
        f"单位代码：{report.scope.unit_code}"
        if report.scope.unit_code
        else f"行政区划（含下级）：{report.scope.region}"
    )
    _merge(ws, 2, 1, 2, _T4_WIDTH, f"{scope}　统计年度：{report.year}年", left=True)
    after3 = _table3(ws, 4, report)
    _table4(ws, after3 + 1, report)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 36
    for column in range(4, _T4_WIDTH + 1):
        ws.column_dimensions[get_column_letter(column)].width = 11
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
