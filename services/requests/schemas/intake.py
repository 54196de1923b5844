"""Request and response models of the 12345 hotline and provincial-platform intake (DESIGN §9):
``/api/v1/integrations/…`` and the units' side, ``/api/v1/hotline/workorders/…``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

from services.requests.schemas.applications import ApplicantIn, DeliveryIn, Strict
from services.requests.schemas.examples import (
    PROVINCIAL_ACCEPTED_EXAMPLE,
    WORKORDER_ACCEPTED_EXAMPLE,
    WORKORDER_EXAMPLE,
)
from shared.vocabulary import ApplicationState

WORKORDER_NO_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
WorkOrderCategory = Literal["disclosure_request", "complaint", "consultation", "other"]


class WorkOrderIn(BaseModel):
    """A 12345 work order (12345工单). Only the documented fields are kept: unknown top-level fields
    are dropped (their names in :attr:`dropped_fields`, counted by the service) — the hotline adds
    fields faster than we do, and one of them was a caller's identity number (issue 8)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    _dropped_fields: tuple[str, ...] = PrivateAttr(default=())

    workorder_no: str = Field(pattern=WORKORDER_NO_PATTERN, description="工单编号 (the hotline's; the idempotency key)")
    category: WorkOrderCategory = Field(
        description="disclosure_request 信息公开申请 / complaint 投诉 / consultation 咨询 / other"
    )
    unit_code: str = Field(min_length=1, max_length=64, description="承办单位代码")
    content: str = Field(min_length=1, max_length=10_000, description="诉求内容")
    received_at: AwareDatetime = Field(description="热线受理时间 (with offset; never in the future)")
    due_at: AwareDatetime = Field(description="办理时限 — the unit must answer before it; after received_at")
    applicant: ApplicantIn | None = Field(None, description="申请人 (disclosure_request: required)")
    description: str | None = Field(
        None, min_length=1, max_length=10_000, description="所需信息描述 (default: content)"
    )
    purpose: str | None = Field(None, max_length=2000)
    delivery: DeliveryIn | None = Field(None, description="提供形式与方式 (disclosure_request: required)")

    @model_validator(mode="wrap")
    @classmethod
    def _note_unknown_fields(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> WorkOrderIn:
        order: WorkOrderIn = handler(data)
        if isinstance(data, dict):
            order._dropped_fields = tuple(sorted(str(k) for k in data if k not in cls.model_fields))
        return order

    @property
    def dropped_fields(self) -> tuple[str, ...]:
        """The unknown top-level fields the order came with (dropped, not stored)."""
        return self._dropped_fields

    @model_validator(mode="after")
    def _disclosure_fields(self) -> WorkOrderIn:
        if self.category == "disclosure_request":
            missing = [name for name in ("applicant", "delivery") if getattr(self, name) is None]
            if missing:
                raise ValueError(f"信息公开申请类工单须提供 {', '.join(missing)}")
        return self

    def canonical(self) -> dict[str, Any]:
        """The order as compared for repeats: times in UTC, keys sorted by json.dumps."""
        document = self.model_dump(mode="json", exclude_none=True)
        document["received_at"] = self.received_at.astimezone(UTC).isoformat()
        document["due_at"] = self.due_at.astimezone(UTC).isoformat()
        return document


class ProvincialApplicationIn(Strict):
    """An application from the provincial platform (省级政务服务平台): ``POST /requests`` without
    ``channel`` (always ``provincial``), plus ``provincial_id`` (→ ``source_ref``)."""

    provincial_id: str = Field(pattern=WORKORDER_NO_PATTERN, description="省级平台申请编号 (the idempotency key)")
    unit_code: str = Field(min_length=1, max_length=64)
    applicant: ApplicantIn
    description: str = Field(min_length=1, max_length=10_000)
    purpose: str | None = Field(None, max_length=2000)
    delivery: DeliveryIn
    received_at: AwareDatetime | None = Field(None, description="提交到省级平台的时间 (never in the future)")


class IntakeApplication(BaseModel):
    id: str
    tracking_no: str
    state: ApplicationState
    query_code: str | None = Field(
        description="查询码: only in the first (201) response — pass it to the citizen with tracking_no; null on a repeat"
    )


class WorkOrderAccepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [WORKORDER_ACCEPTED_EXAMPLE]})

    workorder_no: str
    category: str
    unit_code: str
    repeated: bool = Field(description="true: this number was already received; nothing was done again")
    application: IntakeApplication | None = Field(None, description="the application a disclosure_request became")


class ProvincialAccepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PROVINCIAL_ACCEPTED_EXAMPLE]})

    provincial_id: str
    repeated: bool
    application: IntakeApplication


class AnswerIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"answer": "已联系市民，告知成本监审报告已于市发改委网站公开，市民表示满意。"}]}
    )

    answer: str = Field(min_length=1, max_length=10_000, description="办理结果 / the unit's answer to the hotline")


class WorkOrderOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [WORKORDER_EXAMPLE]})

    workorder_no: str
    category: str
    unit_code: str
    content: str
    received_at: datetime
    due_at: datetime
    answered_at: datetime | None
    answer: str | None
    answered_on_time: bool | None = Field(description="null while unanswered")
    overdue: bool = Field(description="unanswered and past due_at")
    unanswered_emitted: bool
    application_id: str | None
    tracking_no: str | None
    payload: dict[str, Any] = Field(
        description="the order as received: its documented fields only, identity-like values masked"
    )
