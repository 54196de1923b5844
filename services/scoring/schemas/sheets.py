"""Pydantic models of ``/api/v1/sheets``: a unit's score sheet (考核评分表) with its entries,
vetoes and late findings, the self-check gaps, and the inputs that write them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.scoring.schemas.examples import ENTRY_EXAMPLE, EXAMPLES, SHEET_EXAMPLE, VETO_EXAMPLE
from services.scoring.schemas.schemes import ShortfallOut
from shared.labels import ActionLink, action_links
from shared.vocabulary import (
    SHEET_ACTION_LABELS,
    AutoSource,
    CheckMethod,
    EntrySource,
    FindingStatus,
    Grade,
    SheetState,
)

PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
CODE = r"^[A-Za-z0-9_.\-]{1,64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntryIn(Strict):
    """One finding on a leaf indicator. Give exactly one of ``occurrences`` (deduct, all_or_nothing,
    bonus — with ``participant``), ``ratio`` (proportional), ``measure`` (ranked) or ``points`` (the
    figure itself, replacing the rule's)."""

    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["EntryIn"]})

    indicator: str = Field(pattern=CODE, description="末级指标编号, e.g. A3.2.1")
    source: Literal["assessor", "self"] | None = Field(
        None, description="assessor (考核小组) or self (单位自查); default from the caller's role"
    )
    occurrences: int | None = Field(None, ge=1, le=100000)
    participant: str | None = Field(None, pattern=CODE, description="bonus: principal / other …")
    ratio: Decimal | None = Field(None, ge=0, le=1, max_digits=8, decimal_places=6)
    measure: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    points: Decimal | None = Field(None, ge=0, le=1000, max_digits=8, decimal_places=4)
    method: CheckMethod | None = Field(None, description="考核方式; default the indicator's first")
    on: date | None = Field(None, description="the day of the check or finding; default today")
    evidence: str | None = Field(None, max_length=4000, pattern=PLAIN_TEXT, description="印证材料说明")


class VoidIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["VoidIn"]})

    reason: str = Field(min_length=2, max_length=2000, pattern=PLAIN_TEXT, description="作废理由（如申诉成立）")


class VetoIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["VetoIn"]})

    code: str = Field(pattern=CODE, description="the scheme's veto condition code")
    evidence: str = Field(min_length=2, max_length=4000, pattern=PLAIN_TEXT)


class AttachmentOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_EXAMPLE["attachments"][0]]})

    id: str
    filename: str
    content_type: str
    size: int


class Author(BaseModel):
    sub: str
    name: str


class EntryOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_EXAMPLE]})

    id: str
    sheet_id: str
    indicator: str
    source: EntrySource
    occurrences: int | None = None
    participant: str | None = None
    ratio: float | None = None
    measure: float | None = None
    points: float | None = None
    method: CheckMethod | None = None
    on: date
    evidence: str | None = None
    attachments: list[AttachmentOut]
    author: Author
    event_id: str | None = Field(None, description="system entries: the event applied")
    event_type: str | None = None
    ref_kind: str | None = Field(None, description="request / workorder / campaign")
    ref_id: str | None = None
    voided: bool
    voided_at: datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None
    created_at: datetime


class VetoOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [VETO_EXAMPLE]})

    id: str
    sheet_id: str
    code: str
    description: str
    evidence: str
    author: Author
    created_at: datetime
    voided: bool
    voided_at: datetime | None = None
    void_reason: str | None = None


class FindingOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    auto_source: AutoSource
    unit_code: str
    on: date
    ref_kind: str
    ref_id: str
    evidence: str
    status: FindingStatus
    scheme_id: str | None = None
    sheet_id: str | None = None
    entry_id: str | None = None
    received_at: datetime


class IndicatorScoreOut(BaseModel):
    code: str
    name: str
    level: int
    max_points: float
    points: float
    assessed: bool
    self_points: float | None = Field(None, description="单位自查 figure (leaves and parents)")
    children: list[IndicatorScoreOut] = []


class SheetSummary(BaseModel):
    id: str
    scheme_id: str
    year: int
    unit_code: str
    category: str
    state: SheetState
    version: int
    total: float | None = None
    grade: Grade | None = None
    rank: int | None = None


class SheetOut(SheetSummary):
    model_config = ConfigDict(json_schema_extra={"examples": [SHEET_EXAMPLE]})

    unit_name: str | None = None
    final: bool = Field(description="true once finalized: total, grade and rank are the figures of record")
    graded_on: float
    vetoes: list[str] = Field(description="veto codes in force")
    shortfalls: list[ShortfallOut]
    allowed_actions: list[ActionLink] = Field(description="可执行的操作（按钮）：照 method href 调用，带 If-Match")
    indicators: list[IndicatorScoreOut]
    entries: list[EntryOut]
    veto_findings: list[VetoOut]
    late_findings: list[FindingOut] = Field(description="events that arrived after finalization: kept, never applied")

    @field_validator("allowed_actions", mode="before")
    @classmethod
    def _links(cls, actions: list[object], info: ValidationInfo) -> list[object]:
        sheet, scheme, category = (info.data.get(k) for k in ("id", "scheme_id", "category"))
        paths = {
            "self_assess": f"/api/v1/sheets/{sheet}/self-assess",
            "review": f"/api/v1/sheets/{sheet}/review",
            "finalize": f"/api/v1/schemes/{scheme}/categories/{category}/finalize",  # the whole category
        }
        return action_links(actions, SHEET_ACTION_LABELS, paths.get)


class GapOut(BaseModel):
    code: str
    name: str
    self_points: float
    assessed_points: float
    difference: float = Field(description="自查 − 考核")


class GapsOut(BaseModel):
    sheet_id: str
    unit_code: str
    gaps: list[GapOut]
