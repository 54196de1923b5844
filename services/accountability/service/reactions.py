"""What the consumed events do (DESIGN §3, issue 14 §1): the pure decision is
``domain.reactions.react``; this carries it out in the inbox transaction with the same use cases the
API calls — open a case or append a finding to the unit's active case of the same violation, and
issue rectification orders. Redelivery is absorbed by the inbox; two replicas racing on two events
of one unit are kept to one active case by ``uq_cases_active_unit_violation`` (the loser appends to
the winner's case)."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.config import Ctx
from services.accountability.domain.reactions import (
    ActiveCase,
    AppendFinding,
    Ignore,
    OpenCase,
    OrderRectification,
    react,
)
from services.accountability.service import cases as case_uses
from services.accountability.service.cases import NewCase, NewFinding
from services.accountability.service.orders import issue_order
from shared.events import CloudEvent
from shared.inbox import handling
from shared.journal import SYSTEM

log = logging.getLogger("gongkai.accountability.reactions")


async def react_to_events(session: AsyncSession, ctx: Ctx, events: Sequence[CloudEvent]) -> dict[str, list[str]]:
    """Applies the reactions to events, set-wise (a consumed batch, or one event); returns what was
    done, by event id (for logs and tests).

    One read of the units' active cases; each event decided against them and the cases the events
    before it open (a unit's first event opens its case, the others append to it); then one
    multi-row insert each for the cases (with their audit entries and ``case_opened`` events), the
    findings (with theirs) and the persons concerned. Rectification orders, rare, one by one."""
    decoded = [
        (event, event.parsed_data().model_dump(mode="json")) for event in events
    ]  # malformed: retried, then dead-lettered
    # In unit order: batches racing to open one unit's case insert in the same order, never deadlock.
    decoded.sort(key=lambda item: str(item[1].get("unit_code") or ""))
    active: dict[str, list[ActiveCase]] = defaultdict(list)
    for row in await case_uses.active_cases(session, *{str(data.get("unit_code") or "") for _, data in decoded}):
        active[row.unit_code].append(ActiveCase(row.id, row.unit_code, frozenset(row.violations), row.state))
    to_open: list[NewCase] = []
    found: list[NewFinding] = []
    persons: list[tuple[str, str, str, str, str | None]] = []
    orders: list[tuple[CloudEvent, OrderRectification, str | None]] = []
    done: dict[str, list[str]] = {}
    for event, data in decoded:
        done[event.id] = []
        case_id: str | None = None
        for reaction in react(event.type, data, active[str(data.get("unit_code") or "")]):
            if isinstance(reaction, OpenCase):
                case_id = str(uuid.uuid4())
                to_open.append(NewCase(case_id, reaction.unit_code, [reaction.violation], trigger=event))
                opened = ActiveCase(case_id, reaction.unit_code, frozenset({reaction.violation}), "open")
                active[reaction.unit_code].append(opened)
                done[event.id].append(f"opened:{case_id}")
            elif isinstance(reaction, AppendFinding):
                # Findings are a collection of their own: appending one does not move the case's
                # version (its ETag guards its state and assessment), so concurrent batches of one
                # unit's events never wait on the case row.
                case_id = reaction.case_id
                done[event.id].append(f"appended:{case_id}")
            if isinstance(reaction, OpenCase | AppendFinding):
                assert case_id is not None
                finding = reaction.finding
                found.append(NewFinding(case_id, reaction.violation, finding.text, finding.source, finding.ref, event))
                # The event names a person by account only (request.overdue: handler_id): the id stands for the name.
                persons += [(case_id, pid, pid, role, None) for pid, role in finding.persons]
            elif isinstance(reaction, OrderRectification):
                orders.append((event, reaction, case_id if reaction.with_case else None))
            elif isinstance(reaction, Ignore):
                log.info("event %s (%s) ignored: %s", event.id, event.type, reaction.reason)
                done[event.id].append("ignored")
    inserted = await case_uses.open_cases(session, ctx, SYSTEM, to_open)
    # A case another replica's event of the unit opened meanwhile takes what this batch meant for its own.
    moved = {
        case.id: await _active_case_of(session, case.unit_code, case.violations[0])
        for case in to_open
        if case.id not in inserted
    }
    if moved:
        found = [dataclasses.replace(f, case_id=moved.get(f.case_id, f.case_id)) for f in found]
        persons = [(moved.get(p[0], p[0]), *p[1:]) for p in persons]
        orders = [(e, r, moved.get(c, c) if c else c) for e, r, c in orders]
        for steps in done.values():
            steps[:] = [_moved_step(step, moved) for step in steps]
    await case_uses.add_finding_rows(session, ctx, SYSTEM, found)
    await case_uses.add_person_rows(session, ctx, persons)
    for event, order, case_id in orders:
        with handling(event):
            order_id = await issue_order(
                session,
                ctx,
                SYSTEM,
                unit_code=order.unit_code,
                basis=order.basis,
                problems=order.problems,
                source=order.source,
                case_id=case_id,
                trigger_event_id=event.id,
            )
        done[event.id].append(f"ordered:{order_id}")
    return done


def _moved_step(step: str, moved: dict[str, str]) -> str:
    kind, _, case_id = step.partition(":")
    return f"appended:{moved[case_id]}" if kind == "opened" and case_id in moved else step


async def _active_case_of(session: AsyncSession, unit_code: str, violation: str) -> str:
    for row in await case_uses.active_cases(session, unit_code):
        if violation in row.violations:
            return str(row.id)
    raise RuntimeError(f"no active {violation} case of {unit_code} after a conflicting insert")  # retried by the bus
