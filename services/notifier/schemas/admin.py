"""Response models of the notifier's admin actions: ``/api/v1/admin/notifier``."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from services.notifier.schemas.examples import EXAMPLES


class DispatchResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["DispatchResult"]})

    claimed: int


class DigestResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["DigestResult"]})

    day: date | None
    units: int
    deliveries: int
