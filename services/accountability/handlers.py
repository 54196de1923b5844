"""Event consumers of the accountability service: the one table of the event types it handles
(DESIGN §1, §3; issue 14 §1).

- ``request.overdue`` → case ``application_mishandled`` (or a finding on the unit's active one)
- ``hotline.complaint_received`` about disclosure work → case ``complaint_mishandled``
- ``scoring.grade_failed`` → case ``appraisal_failed`` + rectification order
- ``scoring.sheet_finalized`` with shortfalls → rectification order without a case
- ``appraisal.unit_unsatisfied`` → rectification order for the published problems
- ``accountability.rectification_overdue`` (its own, from the deadline sweep) → escalation (约谈,
  then 通报批评 recommended)
- ``unit.upserted``, ``calendar.updated`` → the replica of units and the calendar (``shared.reference``)

A handler runs inside the inbox transaction (deduplicated, committed with the inbox row) and calls
the same use cases a router calls; it never commits. The reactions take a consumed batch's events
in one call (``shared.inbox.Batched``). A handler that raises is retried, then
dead-lettered.
"""

from collections.abc import Mapping, Sequence

from services.accountability.service import orders, reactions
from shared.events import CloudEvent
from shared.inbox import Batched, EventContext, EventHandler
from shared.reference import REFERENCE_HANDLERS


async def on_reaction_events(ctx: EventContext, events: Sequence[CloudEvent]) -> None:
    await reactions.react_to_events(ctx.session, ctx.runtime, events)


# A consumed batch's events of these types in one call: cases and findings written set-wise.
on_reaction_event = Batched(on_reaction_events)


async def on_rectification_overdue(ctx: EventContext, event: CloudEvent) -> None:
    await orders.escalate_overdue(ctx.session, ctx.runtime, event)


HANDLERS: Mapping[str, EventHandler] = {
    **REFERENCE_HANDLERS,
    "request.overdue": on_reaction_event,
    "hotline.complaint_received": on_reaction_event,
    "scoring.grade_failed": on_reaction_event,
    "scoring.sheet_finalized": on_reaction_event,
    "appraisal.unit_unsatisfied": on_reaction_event,
    "accountability.rectification_overdue": on_rectification_overdue,
}
