"""Event consumers of the notifier service: the one table of the event types it handles.

It reacts to nearly every event (DESIGN §1, §3): every type of the catalogue but the reference data
goes to :func:`on_event`, which calls the same use case for all (``service.notify.notify_event``):
the routing (``routing.yaml`` + the deployment's override) decides who hears of it, webhook endpoints
subscribe to event types of their own, and the digest's ledger follows the applications' events —
so the queue is bound to all of them, and a type nobody is told of costs one inbox row.
It also keeps the replica of units and the calendar (``shared.reference``).

A handler runs inside the inbox transaction (``shared.inbox``: deduplicated, committed with the
inbox row) and never commits. A handler that raises is retried, then dead-lettered.
"""

from collections.abc import Mapping

from services.notifier.service.notify import notify_event
from shared.events import EVENT_TYPES, CloudEvent
from shared.inbox import EventContext, EventHandler
from shared.reference import REFERENCE_HANDLERS


async def on_event(ctx: EventContext, event: CloudEvent) -> None:
    await notify_event(ctx.session, ctx.runtime, event)


HANDLERS: Mapping[str, EventHandler] = {
    # unit.upserted, calendar.updated: the replica of the unit directory and the calendar.
    **REFERENCE_HANDLERS,
    **{event_type: on_event for event_type in sorted(EVENT_TYPES) if event_type not in REFERENCE_HANDLERS},
}
