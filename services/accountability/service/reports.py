"""Reading over many cases: the year's counts per violation and sanction (the annual report's
责任追究情况, ``domain.report``), a unit's record over the years, and the .xlsx export."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.domain.report import DecidedCase, annual_counts
from services.accountability.models import cases, rectification_orders
from services.accountability.schemas.reports import AnnualCountsOut, UnitRecordOut, UnitYearOut
from services.accountability.service.access import runs_cases
from shared.auth import Principal
from shared.errors import ProblemError, forbidden
from shared.reference import units


def check_scope(actor: Principal, unit_code: str | None) -> None:
    """Inspectors, the office and admins: any unit or all; a unit's staff: their own unit only."""
    if runs_cases(actor):
        return
    if unit_code is None:
        raise forbidden("单位工作人员只能查看本单位的责任追究情况（请指定 unit_code）")
    if not actor.is_staff_of(unit_code):
        raise forbidden("只能查看本单位的责任追究情况")


def _decided(row: Any) -> DecidedCase:
    decision = row.decision or {}
    return DecidedCase(
        case_id=row.id,
        decided_on=row.decided_on,
        violations=tuple(row.violations),
        unit_sanctions=tuple(decision.get("unit_sanctions", ())),
        person_sanctions={pid: tuple(s) for pid, s in (decision.get("person_sanctions") or {}).items()},
        revoked=bool(row.revoked),
    )


def _year_of(column: Any, year: int) -> Any:
    return func.extract("year", column) == year


async def _decided_rows(session: AsyncSession, unit_code: str | None, year: int | None = None) -> list[Any]:
    conditions = [cases.c.decided_on.is_not(None)]
    if unit_code:
        conditions.append(cases.c.unit_code == unit_code)
    if year is not None:
        conditions.append(_year_of(cases.c.decided_on, year))
    statement = select(cases.c.id, cases.c.decided_on, cases.c.violations, cases.c.decision, cases.c.revoked)
    return list((await session.execute(statement.where(*conditions))).all())


async def _order_counts(session: AsyncSession, unit_code: str | None, year: int) -> tuple[int, int]:
    o = rectification_orders
    conditions = [_year_of(o.c.issued_on, year)]
    if unit_code:
        conditions.append(o.c.unit_code == unit_code)
    row = (
        await session.execute(
            select(func.count(), func.count().filter(o.c.overdue_count > 0)).select_from(o).where(*conditions)
        )
    ).one()
    return int(row[0]), int(row[1])


async def counts_for_year(
    session: AsyncSession, actor: Principal, year: int, unit_code: str | None = None
) -> AnnualCountsOut:
    check_scope(actor, unit_code)
    if not 2000 <= year <= 2100:
        raise ProblemError(422, "year_invalid", "年度无效", "2000–2100")
    counted = annual_counts([_decided(r) for r in await _decided_rows(session, unit_code, year)], year)
    orders, overdue = await _order_counts(session, unit_code, year)
    return AnnualCountsOut(
        year=year,
        unit_code=unit_code,
        cases=counted.cases,
        revoked=counted.revoked,
        persons=counted.persons,
        by_violation=counted.by_violation,
        by_sanction=counted.by_sanction,
        rectification_orders=orders,
        rectification_overdue=overdue,
    )


async def unit_record(session: AsyncSession, actor: Principal, unit_code: str) -> UnitRecordOut:
    """The unit's record year by year: cases opened and decided, their violations and sanctions, orders."""
    check_scope(actor, unit_code)
    opened: dict[int, int] = defaultdict(int)
    for (day,) in (await session.execute(select(cases.c.opened_on).where(cases.c.unit_code == unit_code))).all():
        opened[day.year] += 1
    decided = [_decided(r) for r in await _decided_rows(session, unit_code)]
    o = rectification_orders
    orders: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    statement = select(o.c.issued_on, o.c.overdue_count).where(o.c.unit_code == unit_code)
    for issued_on, overdue_count in (await session.execute(statement)).all():
        orders[issued_on.year][0] += 1
        orders[issued_on.year][1] += 1 if overdue_count else 0
    years = sorted(set(opened) | {d.decided_on.year for d in decided} | set(orders))
    out = []
    for year in years:
        counted = annual_counts(decided, year)
        out.append(
            UnitYearOut(
                year=year,
                cases_opened=opened.get(year, 0),
                cases_decided=counted.cases + counted.revoked,
                revoked=counted.revoked,
                by_violation={k: v for k, v in counted.by_violation.items() if v},
                by_sanction={k: v for k, v in counted.by_sanction.items() if v},
                rectification_orders=orders[year][0] if year in orders else 0,
                rectification_overdue=orders[year][1] if year in orders else 0,
            )
        )
    unit = await units.get(session, unit_code)
    return UnitRecordOut(unit_code=unit_code, unit_name=unit.name if unit else None, years=out)


async def export_rows(session: AsyncSession, year: int, unit_code: str | None) -> tuple[list[Any], list[Any]]:
    """The year's cases (opened or decided in it) and orders (issued in it), for the .xlsx."""
    case_conditions = [(_year_of(cases.c.opened_on, year)) | (_year_of(cases.c.decided_on, year))]
    o = rectification_orders
    order_conditions = [_year_of(o.c.issued_on, year)]
    if unit_code:
        case_conditions.append(cases.c.unit_code == unit_code)
        order_conditions.append(o.c.unit_code == unit_code)
    case_rows = (
        await session.execute(select(cases).where(*case_conditions).order_by(cases.c.opened_on, cases.c.id))
    ).all()
    order_rows = (await session.execute(select(o).where(*order_conditions).order_by(o.c.issued_on, o.c.id))).all()
    return list(case_rows), list(order_rows)
