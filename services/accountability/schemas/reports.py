"""Response models of the reading side: the year's counts and a unit's record."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.accountability.schemas.examples import EXAMPLES


class AnnualCountsOut(BaseModel):
    """责任追究情况 of the annual report: decisions in force, per violation (cases) and sanction (单位次、人次)."""

    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["AnnualCountsOut"]})

    year: int
    unit_code: str | None = None
    cases: int
    revoked: int
    persons: int
    by_violation: dict[str, int]
    by_sanction: dict[str, int]
    rectification_orders: int
    rectification_overdue: int


class UnitYearOut(BaseModel):
    year: int
    cases_opened: int
    cases_decided: int
    revoked: int
    by_violation: dict[str, int]
    by_sanction: dict[str, int]
    rectification_orders: int
    rectification_overdue: int


class UnitRecordOut(BaseModel):
    unit_code: str
    unit_name: str | None = None
    years: list[UnitYearOut]
