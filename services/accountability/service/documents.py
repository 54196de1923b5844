"""Documents rendered from what is stored: the decision letter (.docx) and the year's .xlsx —
rendered off the event loop."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.accountability.schemas.reports import AnnualCountsOut
from services.accountability.service.access import load_readable_case
from services.accountability.service.export_xlsx import render_year_xlsx
from services.accountability.service.letter import render_decision_letter
from services.accountability.service.reports import export_rows
from shared.auth import Principal
from shared.domain import DomainError
from shared.reference import units


async def decision_letter(session: AsyncSession, actor: Principal, case_id: str) -> bytes:
    row, persons = await load_readable_case(session, actor, case_id)
    if row.decision is None:
        raise DomainError(
            "case_not_decided", "案件尚未作出决定，没有处理决定书", f"案件状态：{row.state}", state=row.state
        )
    unit = await units.get(session, row.unit_code)
    return await run_in_threadpool(render_decision_letter, row, persons, unit.name if unit else None)


async def year_xlsx(session: AsyncSession, counts: AnnualCountsOut) -> bytes:
    """``counts`` was computed (and its scope checked) by ``reports.counts_for_year``."""
    case_rows, order_rows = await export_rows(session, counts.year, counts.unit_code)
    return await run_in_threadpool(render_year_xlsx, counts, case_rows, order_rows)
