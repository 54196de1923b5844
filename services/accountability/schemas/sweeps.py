"""Models of the deadline sweep run by hand."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from services.accountability.schemas.common import Strict
from services.accountability.schemas.examples import EXAMPLES


class SweepIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["SweepIn"]})

    today: date | None = None


class SweepOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["SweepOut"]})

    today: date
    rectification_overdue_emitted: int
    appeal_reminders: int
