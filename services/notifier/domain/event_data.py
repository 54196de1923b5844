"""Reading the ``data`` of a consumed event: it arrives as JSON, so dates are ISO strings."""

from __future__ import annotations

from datetime import date

from shared.domain import InvalidInput

__all__ = ["event_date"]


def event_date(value: object) -> date:
    """A date field of event data (a ``date`` already, or ``YYYY-MM-DD``)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput("event_date_invalid", "事件中的日期无效", f"{value!r} 不是 YYYY-MM-DD") from exc
