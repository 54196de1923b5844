"""Per-request context carried through logs and into events.

The request id of the HTTP call (or of the event being handled) is the ``correlationid`` of every
event the work emits, so one citizen's click can be followed across all five services.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("gongkai_request_id", default=None)
causation_id_var: ContextVar[str | None] = ContextVar("gongkai_causation_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def current_causation_id() -> str | None:
    return causation_id_var.get()
