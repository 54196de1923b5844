"""Request and response models of appeals (复核、申诉, seed 004 第二十九条)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.accountability.schemas.common import Strict
from services.accountability.schemas.examples import APPEAL_EXAMPLE, EXAMPLES
from shared.vocabulary import AppealResult, SanctionCode


class AppealIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["AppealIn"]})

    reason: str = Field(min_length=1, max_length=20_000, description="申诉理由")
    appellant: str | None = Field(None, max_length=200, description="a person concerned (default: the caller)")
    filed_on: date | None = Field(None, description="提出日 (default today)")


class AppealDecisionIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["AppealDecisionIn"]})

    result: AppealResult
    reason: str = Field(min_length=1, max_length=20_000, description="复核意见")
    unit_sanctions: list[SanctionCode] | None = Field(None, max_length=7, description="for ``changed``")
    person_sanctions: dict[str, list[SanctionCode]] | None = Field(None, description="for ``changed``")
    on: date | None = None


class AppealOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [APPEAL_EXAMPLE]})

    id: str
    case_id: str
    unit_code: str
    appellant: str
    reason: str
    filed_on: date
    decision_due_on: date
    reminder_on: date
    reminded: bool
    result: AppealResult | None = None
    result_reason: str | None = None
    decided_on: date | None = None
    overdue: bool
    version: int
    created_at: datetime
    updated_at: datetime
