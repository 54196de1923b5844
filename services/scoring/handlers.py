"""Event consumers of the scoring service: the one table of the event types it handles.

It will react to: request.overdue, request.review_decided, appraisal.result_published, hotline.workorder_unanswered, unit.*, calendar.updated (DESIGN §1, §3); each reaction arrives with the issue that
builds it. A handler runs inside the inbox transaction (``shared.inbox``).
"""

from collections.abc import Mapping

from shared.inbox import EventHandler

HANDLERS: Mapping[str, EventHandler] = {}
