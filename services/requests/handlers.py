"""Event consumers of the requests service: the one table of the event types it handles.

It will react to: nothing: it is the source of most events (DESIGN §1, §3); each reaction arrives with the issue that
builds it. A handler runs inside the inbox transaction (``shared.inbox``).
"""

from collections.abc import Mapping

from shared.inbox import EventHandler

HANDLERS: Mapping[str, EventHandler] = {}
