"""Models of the deadline sweep run by hand."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from services.accountability.schemas.common import Strict


class SweepIn(Strict):
    today: date | None = None


class SweepOut(BaseModel):
    today: date
    rectification_overdue_emitted: int
    appeal_reminders: int
