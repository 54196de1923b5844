"""Event consumers of the accountability service: the one table of the event types it handles.

It will react to: request.overdue, scoring.grade_failed, appraisal.unit_unsatisfied, hotline.complaint_received, unit.*, calendar.updated (DESIGN §1, §3); each reaction arrives with the issue that
builds it. A handler runs inside the inbox transaction (``shared.inbox``).
"""

from collections.abc import Mapping

from shared.inbox import EventHandler

HANDLERS: Mapping[str, EventHandler] = {}
