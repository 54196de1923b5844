"""Request and response models of cases (责任追究案件, DESIGN §8)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.accountability.schemas.common import UNIT_CODE_PATTERN, Strict
from services.accountability.schemas.examples import CASE_EXAMPLE, EXAMPLES
from shared.labels import ActionLink, action_links
from shared.vocabulary import (
    CASE_ACTION_LABELS,
    Approval,
    CaseState,
    FactorCode,
    PersonRole,
    ResponsibilityShare,
    SanctionCode,
    Severity,
    ViolationCode,
)

PersonId = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description="the person's account (sub)")


class PersonIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["PersonIn"]})

    person_id: str = PersonId
    name: str = Field(min_length=1, max_length=200, description="姓名")
    role: PersonRole = Field(description="当事人身份 (seed 004 第二十七条(三))")
    title: str | None = Field(None, max_length=200, description="职务")


class CaseCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["CaseCreate"]})

    unit_code: str = Field(pattern=UNIT_CODE_PATTERN, description="被追究单位")
    violations: list[ViolationCode] = Field(min_length=1, max_length=12, description="违规情形 (第五条)")
    title: str | None = Field(None, max_length=300)
    facts: str = Field(min_length=1, max_length=10_000, description="发现的问题 / what was found")
    persons: list[PersonIn] = Field(default_factory=list, max_length=100)


class FindingIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["FindingIn"]})

    violation: ViolationCode
    text: str = Field(min_length=1, max_length=10_000)
    source: str | None = Field(None, max_length=100, description="依据条款")


class StatementIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["StatementIn"]})

    person_id: str = PersonId
    kind: Literal["statement", "waiver"] = Field(description="陈述申辩 / 书面放弃")
    text: str | None = Field(None, max_length=20_000, description="陈述申辩内容 (a waiver may leave it empty)")
    on: date | None = None


class FactorIn(Strict):
    code: FactorCode
    note: str | None = Field(None, max_length=1000)


class AssessmentIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["AssessmentIn"]})

    severity: Severity = Field(description="情节")
    factors: list[FactorIn] = Field(
        default_factory=list, max_length=20, description="从轻 (第八条) / 从重 (第九条) 情形"
    )
    approval: Approval = Field(description="审批情况 — decides who answers for it (seed 004 第二十七条(三))")
    violations: list[ViolationCode] | None = Field(None, min_length=1, max_length=12, description="replaces the case's")


class DecisionIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["DecisionIn"]})

    facts: str = Field(min_length=1, max_length=20_000, description="违规事实")
    basis: str | None = Field(
        None, max_length=2000, description="依据 (default: the articles of the violations and ladder)"
    )
    unit_sanctions: list[SanctionCode] | None = Field(None, max_length=7, description="default: the recommendation")
    person_sanctions: dict[str, list[SanctionCode]] | None = Field(
        None, description="person id → sanctions; default: the recommendation"
    )
    departure_reason: str | None = Field(
        None, max_length=5000, description="书面理由, required when departing from the recommendation"
    )
    notified_on: date | None = Field(None, description="送达日: the appeal window counts from it (default today)")


class FactorOut(BaseModel):
    code: FactorCode
    automatic: bool = False
    note: str = ""


class PersonRecommendation(BaseModel):
    share: ResponsibilityShare
    reason: str
    sanctions: list[SanctionCode]


class RecommendationOut(BaseModel):
    ladder: str
    severity: Severity
    base_step: int
    step: int
    unit_sanctions: list[SanctionCode]
    persons: dict[str, PersonRecommendation]
    factors: list[FactorOut]
    reasons: list[str]


class DecisionOut(BaseModel):
    facts: str
    basis: str
    unit_sanctions: list[SanctionCode]
    person_sanctions: dict[str, list[SanctionCode]]
    departure: dict[str, object] | None = None
    decided_on: date
    notified_on: date
    appeal_last_day: date
    appeal_last_day_provisional: bool = False


class PersonOut(BaseModel):
    person_id: str
    name: str
    role: PersonRole
    title: str | None = None
    statement_kind: Literal["statement", "waiver"] | None = None
    statement_text: str | None = None
    statement_on: date | None = None


class FindingOut(BaseModel):
    seq: int
    violation: ViolationCode
    text: str
    source: str
    ref: str | None = None
    event_id: str | None = None
    event_type: str | None = None
    found_on: date
    created_by: str


class CaseOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CASE_EXAMPLE]})

    id: str
    unit_code: str
    unit_name: str | None = None
    state: CaseState
    title: str
    violations: list[ViolationCode]
    opened_via: Literal["manual", "event"]
    trigger_event_id: str | None = None
    opened_on: date
    severity: Severity | None = None
    approval: Approval | None = None
    factors: list[FactorOut]
    recommendation: RecommendationOut | None = None
    assessed_on: date | None = None
    decision: DecisionOut | None = None
    revoked: bool
    closed_on: date | None = None
    allowed_actions: list[ActionLink] = Field(
        description="可执行的操作（按钮）：照 method href 调用，带 If-Match；复核决定在申诉上作出（POST /api/v1/appeals/{id}/decide），不在此列"
    )
    persons: list[PersonOut]
    findings: list[FindingOut] = Field(default_factory=list)
    trigger_events: list[str] = Field(default_factory=list, description="ids of the events that opened or extended it")
    version: int
    created_at: datetime
    updated_at: datetime

    @field_validator("allowed_actions", mode="before")
    @classmethod
    def _links(cls, actions: list[object], info: ValidationInfo) -> list[object]:
        case = info.data.get("id")
        # decide-appeal is taken on the appeal (/api/v1/appeals/{id}/decide), not on the case.
        return action_links(
            actions,
            CASE_ACTION_LABELS,
            lambda action: None if action == "decide-appeal" else f"/api/v1/cases/{case}/{action}",
        )


class CaseSummary(BaseModel):
    id: str
    unit_code: str
    state: CaseState
    title: str
    violations: list[ViolationCode]
    opened_via: Literal["manual", "event"]
    opened_on: date
    severity: Severity | None = None
    decided_on: date | None = None
    revoked: bool
    version: int


class EvidenceOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["EvidenceOut"]})

    id: str
    case_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    description: str | None = None
    created_by: str
    created_at: datetime
