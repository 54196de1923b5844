"""Annual report (政府信息公开工作年度报告) statistics: tables 三 and 四 of the national form
(国办公开办函〔2021〕30号), DESIGN §5 "Annual report".

Scope
-----
* a unit: the applications (and review/litigation records) whose ``unit_code`` is that code —
  whether or not the unit has a row in ``units``;
* a region roll-up: every unit whose ``units.region`` *starts with* the given 行政区划 prefix.
  Codes are hierarchical, so ``"1304"`` covers ``"130402"``, ``"130402001"`` …, and ``"130402"``
  covers its towns' 9-/12-digit codes. Applications of a ``unit_code`` without a row in
  ``units`` have no region and so cannot be rolled up by region (they still appear in their own
  unit's report).

Table 三 (收到和处理政府信息公开申请情况), for year Y (S = Y-01-01, E = Y-12-31), counting each
application in the column of its ``applicant_type``:

* only *registered* applications count: ``received_on`` NULL (never registered, e.g. withdrawn
  while ``submitted``) is not counted in any row, in any year;
* ``received`` (本年新收): ``S <= received_on <= E``;
* ``carried_over_from_last_year`` (上年结转): ``received_on < S`` and (``concluded_on`` NULL or
  ``concluded_on >= S``);
* concluded in Y (本年度办理结果): ``S <= concluded_on <= E``; its row is its ``outcome``; a
  withdrawal (``outcome`` NULL, ``concluded_on`` = the withdrawal date) counts as
  ``other.other`` (:data:`WITHDRAWAL_REPORT_OUTCOME`). ``concluded_total`` (总计) is the sum of
  the outcome rows;
* ``carried_over_to_next_year`` (结转下年度继续办理): ``received_on <= E`` and (``concluded_on`` NULL
  or ``concluded_on > E``).

Since a registered application is concluded no earlier than it is received (the state machine
guarantees ``concluded_on >= received_on``), every application falls in exactly one of the
cases received-before-Y/received-in-Y/received-after-Y × concluded-before-Y/in-Y/after-Y-or-open,
and ``received + carried_over_from_last_year = concluded_total + carried_over_to_next_year``
holds per column by construction (tests/requests/test_annual_report.py checks it on generated
data).

Table 四 (政府信息公开行政复议、行政诉讼情况), from ``review_records`` (scoped by their own
``unit_code``):

* a record with ``S <= decided_on <= E`` counts under its ``result`` (upheld 结果维持 / corrected
  结果纠正 / other 其他结果);
* a record filed on or before E and not decided by E (``decided_on`` NULL or ``> E``) counts as
  ``pending`` (尚未审结) — in every year end it is still open at;
* columns: ``administrative_review`` (行政复议); ``litigation_direct`` (行政诉讼 · 未经复议直接起诉:
  kind litigation, not ``after_review``); ``litigation_after_review`` (复议后起诉: kind litigation,
  ``after_review``); each with ``total`` = upheld + corrected + other + pending.

Both tables are one set-based ``GROUP BY`` statement each (a single pass over the year's
relevant rows); no application is ever loaded into Python.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.domain.outcomes import APPLICANT_TYPES, OUTCOMES, WITHDRAWAL_REPORT_OUTCOME, report_row
from services.requests.models import applications, review_records, units
from shared.validation_messages import invalid_choice
from shared.vocabulary import (
    OUTCOME_LABELS,
    REPORT_COLUMN_LABELS,
    REPORT_ROW_LABELS,
    REPORT_TABLE4_COLUMN_LABELS,
    REPORT_TABLE4_RESULT_LABELS,
)

__all__ = [
    "COLUMNS",
    "ROWS",
    "TABLE4_COLUMNS",
    "TABLE4_RESULTS",
    "AnnualReport",
    "ReportScope",
    "annual_report",
    "table3_statement",
    "table4_statement",
]

logger = logging.getLogger(__name__)

# Table 三: its rows in the order of the form, and its columns (申请人情况 + 总计).
ROWS: tuple[str, ...] = (
    "received",
    "carried_over_from_last_year",
    *OUTCOMES,
    "concluded_total",
    "carried_over_to_next_year",
)
COLUMNS: tuple[str, ...] = (*APPLICANT_TYPES, "total")

# Table 四.
TABLE4_COLUMNS: tuple[str, ...] = ("administrative_review", "litigation_direct", "litigation_after_review")
TABLE4_RESULTS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")


@dataclass(frozen=True)
class ReportScope:
    """Exactly one of ``unit_code`` (a unit) or ``region`` (a 行政区划 code prefix)."""

    unit_code: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        if (self.unit_code is None) == (self.region is None):
            raise ValueError("a report scope is exactly one of unit_code or region")


@dataclass
class AnnualReport:
    year: int
    scope: ReportScope
    subject: str  # who the report is about, for the title of the form (unit name or region)
    table3: dict[str, dict[str, int]] = field(default_factory=dict)
    table4: dict[str, dict[str, int]] = field(default_factory=dict)

    def balanced(self) -> bool:
        rows = self.table3
        return all(
            rows["received"][c] + rows["carried_over_from_last_year"][c]
            == rows["concluded_total"][c] + rows["carried_over_to_next_year"][c]
            for c in COLUMNS
        )

    def to_dict(self) -> dict[str, Any]:
        """The fixed JSON shape of DESIGN §5."""
        body: dict[str, Any] = {"year": self.year}
        if self.scope.unit_code is not None:
            body["unit_code"] = self.scope.unit_code
        else:
            body["region"] = self.scope.region
        body["table3"] = {"rows": {row: dict(self.table3[row]) for row in ROWS}}
        body["table4"] = {column: dict(self.table4[column]) for column in TABLE4_COLUMNS}
        body["labels"] = REPORT_LABELS
        return body


# The Chinese labels beside the codes of the JSON report (the rows and columns of the national form).
REPORT_LABELS: dict[str, dict[str, str]] = {
    "table3_rows": {
        row: REPORT_ROW_LABELS.get(row) or f"三、本年度办理结果 — {OUTCOME_LABELS[row][1]} — {OUTCOME_LABELS[row][0]}"
        for row in ROWS
    },
    "table3_columns": dict(REPORT_COLUMN_LABELS),
    "table4_columns": dict(REPORT_TABLE4_COLUMN_LABELS),
    "table4_results": dict(REPORT_TABLE4_RESULT_LABELS),
}
# How many unit codes a 422 for an unknown one names.
_NAMED_UNITS = 50


async def _check_unit_known(session: AsyncSession, unit_code: str) -> None:
    """An unknown ``unit_code`` is a 422 naming the known ones, not an all-zero report. Known: in the
    directory, or with applications or review records of its own (a unit removed from the directory
    still has its report)."""
    for column in (units.c.unit_code, applications.c.unit_code, review_records.c.unit_code):
        if await session.scalar(select(column).where(column == unit_code).limit(1)) is not None:
            return
    known = (
        await session.execute(select(units.c.unit_code, units.c.name).order_by(units.c.unit_code).limit(_NAMED_UNITS))
    ).all()
    raise invalid_choice("query.unit_code", "单位代码", unit_code, {row.unit_code: row.name for row in known})


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _unit_filter(unit_column: Any, scope: ReportScope) -> Any:
    if scope.unit_code is not None:
        return unit_column == scope.unit_code
    # Region roll-up: the units whose 行政区划 code starts with the prefix (a semi-join).
    return unit_column.in_(select(units.c.unit_code).where(units.c.region.startswith(scope.region, autoescape=True)))


def _count_if(condition: Any) -> Any:
    # SUM(CASE …) rather than FILTER: the same SQL on PostgreSQL and SQLite.
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def table3_statement(year: int, scope: ReportScope) -> Select[Any]:
    """Table 三 as one pass: rows grouped by applicant type and outcome-if-concluded-in-Y, with
    the received / carried-over counts as conditional sums."""
    start, end = _year_bounds(year)
    a = applications.c
    concluded_in_year = and_(a.concluded_on >= start, a.concluded_on <= end)
    concluded_row = case(
        (concluded_in_year, func.coalesce(a.outcome, literal(WITHDRAWAL_REPORT_OUTCOME))), else_=None
    ).label("concluded_row")
    return (
        select(
            a.applicant_type.label("applicant_type"),
            concluded_row,
            # Given the WHERE below (received_on <= E, open or concluded_on >= S):
            _count_if(a.received_on >= start).label("received"),
            _count_if(a.received_on < start).label("carried_from"),
            _count_if(or_(a.concluded_on.is_(None), a.concluded_on > end)).label("carried_to"),
            func.count().label("n"),
        )
        .where(
            a.received_on.is_not(None),
            a.received_on <= end,
            or_(a.concluded_on.is_(None), a.concluded_on >= start),
            _unit_filter(a.unit_code, scope),
        )
        .group_by(a.applicant_type, concluded_row)
    )


def table4_statement(year: int, scope: ReportScope) -> Select[Any]:
    """Table 四 as one pass: records grouped by kind, after_review and their bucket for Y."""
    start, end = _year_bounds(year)
    r = review_records.c
    bucket = case(
        (and_(r.decided_on >= start, r.decided_on <= end), r.result),
        else_=literal("pending"),  # the WHERE leaves only decided-in-Y or open-at-E records
    ).label("bucket")
    return (
        select(r.kind, r.after_review, bucket, func.count().label("n"))
        .where(
            r.filed_on <= end,
            or_(r.decided_on.is_(None), r.decided_on >= start),
            _unit_filter(r.unit_code, scope),
        )
        .group_by(r.kind, r.after_review, bucket)
    )


async def _subject(session: AsyncSession, scope: ReportScope) -> str:
    if scope.unit_code is not None:
        name = (
            await session.execute(select(units.c.name).where(units.c.unit_code == scope.unit_code))
        ).scalar_one_or_none()
        return name or scope.unit_code
    return f"行政区划 {scope.region}"


async def annual_report(session: AsyncSession, year: int, scope: ReportScope) -> AnnualReport:
    """Tables 三 and 四 of ``scope`` for ``year`` (see the module docstring for the rules)."""
    if scope.unit_code is not None:
        await _check_unit_known(session, scope.unit_code)
    table3 = {row: dict.fromkeys(COLUMNS, 0) for row in ROWS}
    for row in (await session.execute(table3_statement(year, scope))).all():
        column = row.applicant_type
        if column not in APPLICANT_TYPES:  # validated on input; never expected
            logger.warning("annual report: unknown applicant type %r counted as other_org", column)
            column = "other_org"
        counts = ((table3["received"], row.received), (table3["carried_over_from_last_year"], row.carried_from))
        counts += ((table3["carried_over_to_next_year"], row.carried_to),)
        if row.concluded_row is not None:
            outcome = report_row(row.concluded_row)  # 条例 第三十五条's code counts in its row
            if outcome not in OUTCOMES:  # validated on reply; never expected
                logger.warning("annual report: unknown outcome %r counted as %s", outcome, WITHDRAWAL_REPORT_OUTCOME)
                outcome = WITHDRAWAL_REPORT_OUTCOME
            counts += ((table3[outcome], row.n), (table3["concluded_total"], row.n))
        for target, n in counts:
            target[column] += int(n)
            target["total"] += int(n)

    table4 = {column: dict.fromkeys(TABLE4_RESULTS, 0) for column in TABLE4_COLUMNS}
    for row in (await session.execute(table4_statement(year, scope))).all():
        if row.kind == "administrative_review":
            column = "administrative_review"
        elif row.kind == "litigation":
            column = "litigation_after_review" if row.after_review else "litigation_direct"
        else:
            logger.warning("annual report: unknown review record kind %r ignored", row.kind)
            continue
        result = row.bucket if row.bucket in ("upheld", "corrected", "other", "pending") else "other"
        table4[column][result] += int(row.n)
        table4[column]["total"] += int(row.n)

    return AnnualReport(year, scope, await _subject(session, scope), table3, table4)
