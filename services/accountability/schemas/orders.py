"""Request and response models of rectification orders (责令整改)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.accountability.schemas.common import UNIT_CODE_PATTERN, Strict
from services.accountability.schemas.examples import EXAMPLES, ORDER_EXAMPLE
from shared.vocabulary import RectificationBasis, RectificationOrderState

OrderState = RectificationOrderState  # the API and the use cases import it from here


class OrderCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["OrderCreate"]})

    unit_code: str = Field(pattern=UNIT_CODE_PATTERN)
    problems: list[str] = Field(min_length=1, max_length=200, description="问题清单")
    basis: RectificationBasis = "case_decision"
    case_id: str | None = Field(None, max_length=36)
    issued_on: date | None = Field(None, description="通知日 (default today)")


class ReportIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReportIn"]})

    text: str = Field(min_length=1, max_length=50_000, description="书面整改报告")
    on: date | None = None


class ReviewIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReviewIn"]})

    note: str | None = Field(None, max_length=10_000, description="审核意见 (required to return a report)")
    on: date | None = None


class OrderOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ORDER_EXAMPLE]})

    id: str
    case_id: str | None = None
    unit_code: str
    basis: RectificationBasis
    source: str
    problems: list[str]
    trigger_event_id: str | None = None
    state: OrderState
    issued_on: date
    due_on: date
    due_on_provisional: bool
    overdue: bool
    report_text: str | None = None
    report_submitted_on: date | None = None
    review_note: str | None = None
    reviewed_on: date | None = None
    returned_count: int
    overdue_count: int
    escalations: list[dict[str, Any]]
    version: int
    created_at: datetime
    updated_at: datetime
