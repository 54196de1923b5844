"""Response models of the notifier's admin actions: ``/api/v1/admin/notifier``."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class DispatchResult(BaseModel):
    claimed: int


class DigestResult(BaseModel):
    day: date | None
    units: int
    deliveries: int
