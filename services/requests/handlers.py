"""Event consumers of the requests service: the one table of the event types it handles.

It reacts to nothing yet: it is the source of most events (DESIGN §1, §3); each reaction arrives with the issue that
builds it.

A handler is ``async def on_<event>(ctx: EventContext, event: CloudEvent) -> None``. It runs inside
the inbox transaction (``shared.inbox``: deduplicated, committed with the inbox row) and calls the
same use cases a router calls: ``await <noun>.<use_case>(ctx.session, ctx.runtime, …)``; it never
commits. A handler that raises is retried, then dead-lettered.
"""

from collections.abc import Mapping

from shared.inbox import EventHandler

HANDLERS: Mapping[str, EventHandler] = {}
