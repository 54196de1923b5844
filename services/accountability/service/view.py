"""A case, an order, an appeal as the API shows them, built from the rows as read."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.domain.cases import allowed_actions
from services.accountability.models import case_findings
from services.accountability.schemas.appeals import AppealOut
from services.accountability.schemas.cases import CaseOut, CaseSummary, FindingOut, PersonOut
from services.accountability.schemas.orders import OrderOut
from shared.db import stored_utc
from shared.reference import units


def person_out(row: Any) -> PersonOut:
    return PersonOut(
        person_id=row.person_id,
        name=row.name,
        role=row.role,
        title=row.title,
        statement_kind=row.statement_kind,
        statement_text=row.statement_text,
        statement_on=row.statement_on,
    )


async def finding_rows(session: AsyncSession, case_id: str) -> list[Any]:
    statement = select(case_findings).where(case_findings.c.case_id == case_id).order_by(case_findings.c.seq)
    return list((await session.execute(statement)).all())


async def case_out(session: AsyncSession, row: Any, persons: list[Any]) -> CaseOut:
    findings = await finding_rows(session, row.id)
    unit = await units.get(session, row.unit_code)
    return CaseOut(
        id=row.id,
        unit_code=row.unit_code,
        unit_name=unit.name if unit else None,
        state=row.state,
        title=row.title,
        violations=row.violations,
        opened_via=row.opened_via,
        trigger_event_id=row.trigger_event_id,
        opened_on=row.opened_on,
        severity=row.severity,
        approval=row.approval,
        factors=row.factors,
        recommendation=row.recommendation,
        assessed_on=row.assessed_on,
        decision=row.decision,
        revoked=row.revoked,
        closed_on=row.closed_on,
        allowed_actions=allowed_actions(row.state),
        persons=[person_out(p) for p in persons],
        findings=[FindingOut(**{k: f._mapping[k] for k in FindingOut.model_fields}) for f in findings],
        trigger_events=[f.event_id for f in findings if f.event_id],
        version=row.version,
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
    )


def case_summary(row: Any) -> CaseSummary:
    return CaseSummary(**{k: row._mapping[k] for k in CaseSummary.model_fields})


def order_out(row: Any, today: date) -> OrderOut:
    values = {k: row._mapping[k] for k in OrderOut.model_fields if k not in ("overdue", "created_at", "updated_at")}
    return OrderOut(
        **values,
        overdue=row.state == "open" and today > row.due_on,
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
    )


def appeal_out(row: Any, today: date) -> AppealOut:
    values = {k: row._mapping[k] for k in AppealOut.model_fields if k not in ("overdue", "created_at", "updated_at")}
    return AppealOut(
        **values,
        overdue=row.result is None and today > row.decision_due_on,
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
    )
