"""Consulting a third party or another agency (条例 第三十二条、第三十四条): the time they take does
not count — each consultation is a pause of the application's clock. The consulted party answers
within 15 working days; unanswered at their end the consultation ends by itself (``lapse``, the
sweep's): an agency's silence is consent (第三十四条), a third party's leaves the decision to the
office (第三十二条). A third party's objection is recorded on closing (``objects``); disclosing
over it needs the public-interest reason and the written notice (actions.reply)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain import limits
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
from shared.journal import SYSTEM


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
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "party": party,
        "kind": kind,
        "closed_on": None,
        "opinion": None,
        "closed_by": None,
        "deemed_consent": None,
        "objects": None,
    }

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "start-consultation")
        due = limits.consultation_due(rule_set(step.row.rule_set), ctx.calendar, step.on)
        values.update(application_id=step.row.id, started_on=step.on, due_on=due)
        await session.execute(consultations.insert().values(**values))
        # It ends by itself at the end of the 15 working days (``until``), recorded or not.
        await step.add_fact(PauseStarted(values["id"], "consultation", step.on, until=due, party=kind))

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
    objects: bool | None = None,
    *,
    lapse: bool = False,
) -> tuple[ConsultationOut, int]:
    """Ends a consultation — answered (``opinion``, and for a third party whether it ``objects`` to
    disclosure), or, with ``lapse`` (the system), unanswered at the end of its 15 working days;
    returns it and the application's new version (the route's ``ETag``)."""
    closed: dict[str, Any] = {}
    action = "lapse-consultation" if lapse else "close-consultation"

    async def body(step: Step) -> None:
        # The state first: closing a consultation of an archived application is an illegal
        # transition (409), whatever the consultation id says.
        transition(step.row.state, action)
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
        if lapse:
            if step.today <= current.due_on:
                raise DomainError("consultation_running", "征求意见期限尚未届满", f"期限为 {current.due_on}")
            step.on = current.due_on  # it ended by itself on its last day; the clock resumes the next
        elif step.on < current.started_on:
            raise InvalidInput("on_before_start_invalid", "结束日期不能早于开始日期")
        end = min(step.on, current.due_on)  # an answer after the 15 days came after the lapse
        late = step.on > current.due_on
        still_open = await session.scalar(
            select(func.count())
            .select_from(consultations)
            .where(
                consultations.c.application_id == step.row.id,
                consultations.c.closed_on.is_(None),
                consultations.c.id != consultation_id,
            )
        )
        step.state = transition(step.row.state, action, consultations_still_open=still_open or 0)
        lapsed = lapse or late
        change = {
            "closed_on": step.on,
            "opinion": opinion,
            "closed_by": "lapse" if lapse else "answer",
            # 条例 第三十四条: an agency silent for its 15 working days agrees.
            "deemed_consent": True if (lapse and current.kind == "agency") else None,
            "objects": objects if current.kind == "third_party" else None,
        }
        await session.execute(update(consultations).where(consultations.c.id == consultation_id).values(**change))
        closed.update(current._mapping, **change)
        await step.add_fact(PauseEnded(consultation_id, end, "lapsed" if lapsed else "ended"))

    if lapse:
        out = await perform(session, ctx, SYSTEM, application_id, action, None, None, body, system=True)
    else:
        out = await perform(session, ctx, actor, application_id, action, if_match, on, body)
    return _out(closed), out.version


async def lapse_consultation(session: AsyncSession, ctx: Ctx, application_id: str, consultation_id: str) -> None:
    """The sweep ends a consultation unanswered at the end of its 15 working days."""
    await close_consultation(session, ctx, SYSTEM, application_id, consultation_id, None, None, None, lapse=True)
