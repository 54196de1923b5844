"""Event consumers of the notifier service: the one table of the event types it handles.

It will react to: nearly every event (DESIGN §1, §3); each reaction arrives with the issue that
builds it. A handler runs inside the inbox transaction (``shared.inbox``).
"""

from collections.abc import Mapping

from shared.inbox import EventHandler

HANDLERS: Mapping[str, EventHandler] = {}
