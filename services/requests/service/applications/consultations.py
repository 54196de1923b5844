"""Consulting a third party or another agency (条例 第三十二条、第三十四条): the time they take does
not count — each consultation is a pause of the application's clock."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain import deadlines as clock_rules
from services.requests.domain.deadlines import PauseEnded, PauseStarted
from services.requests.domain.rules import rule_set
from services.requests.domain.states import transition
from services.requests.models import consultations
from services.requests.schemas.applications import ConsultationOut
from services.requests.service.applications.access import load_readable
from services.requests.service.applications.steps import Step, perform
from shared.auth import Principal
from shared.domain import DomainError, InvalidInput
from shared.errors import not_found


def _out(values: Any) -> ConsultationOut:
    return ConsultationOut(**{k: values[k] for k in ConsultationOut.model_fields})


async def list_consultations(
    session: AsyncSession, _ctx: Ctx, principal: Principal, application_id: str
) -> list[ConsultationOut]:
    await load_readable(session, principal, application_id)
    rows = (
        await session.execute(
            select(consultations)
            .where(consultations.c.application_id == application_id)
            .order_by(consultations.c.started_on)
        )
    ).all()
    return [_out(r._mapping) for r in rows]


async def start_consultation(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    party: str,
    kind: str,
) -> tuple[ConsultationOut, int]:
    """Returns the consultation and the application's new version (the route's ``ETag``)."""
    values: dict[str, Any] = {"id": str(uuid.uuid4()), "party": party, "kind": kind, "closed_on": None, "opinion": None}

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "start-consultation")
        values.update(
            application_id=step.row.id,
            started_on=step.on,
            due_on=clock_rules.consultation_due(rule_set(step.row.rule_set), ctx.calendar, step.on),
        )
        await session.execute(consultations.insert().values(**values))
        await step.add_fact(PauseStarted(values["id"], "consultation", step.on))

    out = await perform(session, ctx, actor, application_id, "start-consultation", if_match, on, body)
    return _out(values), out.version


async def close_consultation(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    consultation_id: str,
    if_match: str | None,
    on: date | None,
    opinion: str | None,
) -> tuple[ConsultationOut, int]:
    """Ends a consultation; returns it and the application's new version (the route's ``ETag``)."""
    closed: dict[str, Any] = {}

    async def body(step: Step) -> None:
        # The state first: closing a consultation of an archived application is an illegal
        # transition (409), whatever the consultation id says.
        transition(step.row.state, "close-consultation")
        current = (
            await session.execute(
                select(consultations).where(
                    consultations.c.id == consultation_id, consultations.c.application_id == step.row.id
                )
            )
        ).one_or_none()
        if current is None:
            raise not_found("征求意见记录")
        if current.closed_on is not None:
            raise DomainError("consultation_closed", "该征求意见已结束")
        if step.on < current.started_on:
            raise InvalidInput("on_before_start_invalid", "结束日期不能早于开始日期")
        still_open = await session.scalar(
            select(func.count())
            .select_from(consultations)
            .where(
                consultations.c.application_id == step.row.id,
                consultations.c.closed_on.is_(None),
                consultations.c.id != consultation_id,
            )
        )
        step.state = transition(step.row.state, "close-consultation", consultations_still_open=still_open or 0)
        await session.execute(
            update(consultations)
            .where(consultations.c.id == consultation_id)
            .values(closed_on=step.on, opinion=opinion)
        )
        closed.update(current._mapping, closed_on=step.on, opinion=opinion)
        await step.add_fact(PauseEnded(consultation_id, step.on))

    out = await perform(session, ctx, actor, application_id, "close-consultation", if_match, on, body)
    return _out(closed), out.version
