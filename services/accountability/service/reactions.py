"""What the consumed events do (DESIGN §3, issue 14 §1): the pure decision is
``domain.reactions.react``; this carries it out in the inbox transaction with the same use cases the
API calls — open a case or append a finding to the unit's active case of the same violation, and
issue rectification orders. Redelivery is absorbed by the inbox; two replicas racing on two events
of one unit are kept to one active case by ``uq_cases_active_unit_violation`` (the loser is retried
and appends)."""

from __future__ import annotations

import logging

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
from services.accountability.service.orders import issue_order
from shared.events import CloudEvent
from shared.journal import SYSTEM

log = logging.getLogger("gongkai.accountability.reactions")


async def react_to_event(session: AsyncSession, ctx: Ctx, event: CloudEvent) -> list[str]:
    """Applies the reactions to one event; returns what was done (for logs and tests)."""
    parsed = event.parsed_data()  # malformed data raises: retried, then dead-lettered with the error
    data = parsed.model_dump(mode="json")
    unit_code = str(data.get("unit_code") or "")
    active = [
        ActiveCase(row.id, row.unit_code, frozenset(row.violations), row.state)
        for row in await case_uses.active_cases(session, unit_code)
    ]
    done: list[str] = []
    case_id: str | None = None
    for reaction in react(event.type, data, active):
        if isinstance(reaction, OpenCase | AppendFinding):
            if isinstance(reaction, OpenCase):
                case_id = await case_uses.open_case(
                    session,
                    ctx,
                    SYSTEM,
                    unit_code=reaction.unit_code,
                    violations=[reaction.violation],
                    trigger_event_id=event.id,
                )
                if case_id is None:  # another replica's event of this unit opened it meanwhile
                    case_id = await _active_case_of(session, reaction.unit_code, reaction.violation)
                    done.append(f"appended:{case_id}")
                else:
                    done.append(f"opened:{case_id}")
            else:
                # Findings are a collection of their own: appending one does not move the case's
                # version (its ETag guards its state and assessment), so concurrent batches of one
                # unit's events never wait on the case row.
                case_id = reaction.case_id
                done.append(f"appended:{case_id}")
            finding = reaction.finding
            await case_uses.add_finding_row(
                session,
                ctx,
                SYSTEM,
                case_id,
                violation=reaction.violation,
                text=finding.text,
                source=finding.source,
                ref=finding.ref,
                event_id=event.id,
                event_type=event.type,
            )
            # The event names a person by account only (request.overdue: handler_id): the id stands for the name.
            await case_uses.add_person_rows(
                session, ctx, case_id, [(pid, pid, role, None) for pid, role in finding.persons]
            )
        elif isinstance(reaction, OrderRectification):
            order_id = await issue_order(
                session,
                ctx,
                SYSTEM,
                unit_code=reaction.unit_code,
                basis=reaction.basis,
                problems=reaction.problems,
                source=reaction.source,
                case_id=case_id if reaction.with_case else None,
                trigger_event_id=event.id,
            )
            done.append(f"ordered:{order_id}")
        elif isinstance(reaction, Ignore):
            log.info("event %s (%s) ignored: %s", event.id, event.type, reaction.reason)
            done.append("ignored")
    return done


async def _active_case_of(session: AsyncSession, unit_code: str, violation: str) -> str:
    for row in await case_uses.active_cases(session, unit_code):
        if violation in row.violations:
            return str(row.id)
    raise RuntimeError(f"no active {violation} case of {unit_code} after a conflicting insert")  # retried by the bus
