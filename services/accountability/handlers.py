"""Event consumers of the accountability service: the one table of the event types it handles.

It will react to: request.overdue, scoring.grade_failed, appraisal.unit_unsatisfied, hotline.complaint_received (DESIGN §1, §3); each reaction arrives with the issue that
builds it. It already keeps the replica of units and the calendar (``shared.reference``).

A handler is ``async def on_<event>(ctx: EventContext, event: CloudEvent) -> None``. It runs inside
the inbox transaction (``shared.inbox``: deduplicated, committed with the inbox row) and calls the
same use cases a router calls: ``await <noun>.<use_case>(ctx.session, ctx.runtime, …)``; it never
commits. A handler that raises is retried, then dead-lettered.
"""

from collections.abc import Mapping

from shared.inbox import EventHandler
from shared.reference import REFERENCE_HANDLERS

HANDLERS: Mapping[str, EventHandler] = {
    # unit.upserted, calendar.updated: the replica of the unit directory and the calendar.
    **REFERENCE_HANDLERS,
}
