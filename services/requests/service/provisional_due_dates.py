"""The statutory clock of an application, stored: its clock facts in ``application_clock_facts``,
replayed through ``domain.deadlines`` into the due date kept on the application row.

Every use case that changes the clock appends a fact and calls :func:`refresh_deadline` in the
same transaction, so the stored due date never disagrees with the history that explains it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.domain.deadlines import (
    ClockFact,
    CorrectionReceived,
    CorrectionRequested,
    Deadline,
    Deferred,
    Extended,
    PauseEnded,
    PauseStarted,
    Received,
    compute_deadline,
)
from services.requests.domain.rules import rule_set
from services.requests.models import application_clock_facts, applications
from shared.calendar import WorkingDayCalendar

_KINDS: dict[type, str] = {
    Received: "received",
    CorrectionRequested: "correction_requested",
    CorrectionReceived: "correction_received",
    PauseStarted: "pause_started",
    PauseEnded: "pause_ended",
    Extended: "extended",
    Deferred: "deferred",
}


def _fact(row: Any) -> ClockFact:
    match row.kind:
        case "received":
            return Received(row.on)
        case "correction_requested":
            return CorrectionRequested(row.on)
        case "correction_received":
            return CorrectionReceived(row.on)
        case "pause_started":
            return PauseStarted(row.ref, row.pause_kind, row.on, row.until, row.detail)
        case "pause_ended":
            return PauseEnded(row.ref, row.on, row.detail or "ended")
        case "extended":
            return Extended(row.working_days, row.on, row.reason or "", row.approver or "")
        case "deferred":
            return Deferred(row.on, row.until, row.reason or "")
    raise ValueError(f"unknown clock fact kind {row.kind!r}")


async def load_facts(session: AsyncSession, application_id: str) -> list[ClockFact]:
    rows = (
        await session.execute(
            select(application_clock_facts)
            .where(application_clock_facts.c.application_id == application_id)
            .order_by(application_clock_facts.c.seq)
        )
    ).all()
    return [_fact(row) for row in rows]


async def add_fact(session: AsyncSession, application_id: str, fact: ClockFact) -> None:
    values: dict[str, Any] = {"application_id": application_id, "kind": _KINDS[type(fact)], "on": fact.on}
    if isinstance(fact, PauseStarted):
        values.update(ref=fact.ref, pause_kind=fact.kind, until=fact.until, detail=fact.party)
    elif isinstance(fact, PauseEnded):
        values.update(ref=fact.ref, detail=fact.cause)
    elif isinstance(fact, Extended):
        values.update(working_days=fact.working_days, reason=fact.reason, approver=fact.approver)
    elif isinstance(fact, Deferred):
        values.update(until=fact.due_on, reason=fact.reason)
    empty = {"ref": None, "pause_kind": None, "working_days": None, "reason": None, "approver": None}
    values = {**empty, "until": None, "detail": None, **values}
    await session.execute(application_clock_facts.insert(), values)  # one compiled INSERT for every kind


def deadline_of(rule_set_name: str, calendar: WorkingDayCalendar, facts: Sequence[ClockFact], today: date) -> Deadline:
    return compute_deadline(rule_set(rule_set_name), calendar, facts, today=today)


async def refresh_deadline(
    session: AsyncSession, application_id: str, rule_set_name: str, calendar: WorkingDayCalendar, today: date
) -> Deadline:
    """Recomputes the due date from the stored facts and writes it onto the application."""
    deadline = deadline_of(rule_set_name, calendar, await load_facts(session, application_id), today)
    await session.execute(
        update(applications)
        .where(applications.c.id == application_id)
        .values(due_on=deadline.due_on, due_on_provisional=deadline.provisional, clock_running=deadline.running)
    )
    return deadline


async def recompute_provisional(
    session: AsyncSession, calendar: WorkingDayCalendar, year: int, today: date
) -> list[tuple[str, date | None, date | None]]:
    """Every open application whose provisional due date reaches into ``year``, recomputed with the
    calendar that now knows it. Returns (id, old due date, new due date) for each of them."""
    rows = (
        await session.execute(
            select(applications.c.id, applications.c.rule_set, applications.c.due_on).where(
                applications.c.due_on_provisional.is_(True),
                applications.c.concluded_on.is_(None),
                applications.c.due_on >= date(year, 1, 1),
            )
        )
    ).all()
    recomputed = []
    for row in rows:
        deadline = await refresh_deadline(session, row.id, row.rule_set, calendar, today)
        recomputed.append((row.id, row.due_on, deadline.due_on))
    return recomputed
