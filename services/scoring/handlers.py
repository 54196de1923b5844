"""Event consumers of the scoring service: the one table of the event types it handles.

DESIGN §3: ``request.overdue`` → the indicator bound to ``request_overdue``;
``request.review_decided`` with ``corrected`` → ``review_corrected``;
``hotline.workorder_unanswered`` → ``hotline_unanswered``; ``appraisal.result_published`` →
``public_appraisal``. They run inside the inbox transaction, a consumed batch's events of these
types in one call of the same use case (``service.findings.record_events``): each recorded once,
placed on the sheet of the scheme whose period holds its date, kept until publication, or kept as
a late finding beside a finalized sheet. And the replica of units and the calendar
(``shared.reference``).
"""

from collections.abc import Mapping, Sequence

from services.scoring.domain.findings import EVENT_SOURCES
from services.scoring.service import findings
from shared.events import CloudEvent
from shared.inbox import Batched, EventContext, EventHandler
from shared.reference import REFERENCE_HANDLERS


async def on_bound_events(ctx: EventContext, events: Sequence[CloudEvent]) -> None:
    """request.overdue, request.review_decided, hotline.workorder_unanswered, appraisal.result_published."""
    await findings.record_events(ctx.session, ctx.runtime, events)


on_bound_event = Batched(on_bound_events)

HANDLERS: Mapping[str, EventHandler] = {
    # unit.upserted, calendar.updated: the replica of the unit directory and the calendar.
    **REFERENCE_HANDLERS,
    **dict.fromkeys(EVENT_SOURCES, on_bound_event),
}
