"""Request and response models of the applications API (依申请公开, DESIGN §5)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.requests.domain.fees import FeeMethod
from services.requests.domain.states import LAPSE_OUTCOMES
from shared.vocabulary import ApplicantType, Channel, OutcomeCode, ReviewKind, ReviewResult

IdType = Literal[
    "resident_id", "passport", "hk_macao_permit", "taiwan_permit", "business_license", "social_credit_code", "other"
]
DeliveryFormat = Literal["paper", "electronic", "other"]
DeliveryMethod = Literal["post", "email", "pickup", "fax", "online", "other"]
ReviewOpinion = Literal["disclose", "withhold", "refer"]


# NUL cannot be stored in PostgreSQL text, and a lone surrogate cannot be encoded as UTF-8: both
# would fail at the database (a 500). Nobody types them; they are rejected as bad input (422).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Text query and path parameters of the API: no control characters (NUL would be a 500 in PostgreSQL).
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: object) -> object:
        if isinstance(value, str) and UNSTORABLE.search(value):
            raise ValueError("不能包含 NUL 字符或无效的 Unicode 字符")
        return value


REGULATION_IN_FORCE = datetime(2019, 5, 14, 16, 0, tzinfo=UTC)  # 2019-05-15 00:00 Asia/Shanghai
SHANGHAI_OFFSET = timezone(timedelta(hours=8))  # naive received_at is Shanghai wall time (no DST)


class ApplicantIn(Strict):
    type: ApplicantType = Field(description="申请人类型 / applicant type (the report's columns)")
    name: str = Field(min_length=1, max_length=200, description="姓名或名称")
    id_type: IdType | None = Field(None, description="证件类型")
    id_number: str | None = Field(
        None, min_length=1, max_length=64, description="证件号码 (encrypted at rest, shown masked)"
    )
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9+\-() ]{3,40}$", description="联系电话")
    email: str | None = Field(None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="电子邮箱")
    address: str | None = Field(None, max_length=500, description="通信地址")
    organization: str | None = Field(None, max_length=200, description="法人或其他组织名称 (legal persons)")


class DeliveryIn(Strict):
    format: DeliveryFormat = Field(description="信息的指定提供载体形式 / format wanted")
    method: DeliveryMethod = Field(description="获取信息的方式 / how to deliver")


class ApplicationCreate(Strict):
    unit_code: str = Field(min_length=1, max_length=64, description="受理单位代码")
    channel: Channel = Field(description="申请渠道 (Art. 31 receipt rules depend on it)")
    applicant: ApplicantIn
    description: str = Field(
        min_length=1, max_length=10_000, description="所需政府信息的名称、文号或便于查询的其他特征性描述"
    )
    purpose: str | None = Field(None, max_length=2000, description="用途 (optional)")
    delivery: DeliveryIn
    received_at: datetime | None = Field(
        None,
        description="收到时间 — staff recording a paper application; never in the future, "
        "never before 2019-05-15 (the 2019 条例 the rule sets implement took effect that day)",
    )

    @field_validator("received_at")
    @classmethod
    def _not_before_the_regulation(cls, value: datetime | None) -> datetime | None:
        # Earlier receipts were governed by the 2008 条例 (other limits): the rule sets here would
        # show a clerk wrong dates. Also keeps absurd years (0001-01-01+14:00) from overflowing.
        if value is not None:
            aware = value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI_OFFSET)
            if aware < REGULATION_IN_FORCE:
                raise ValueError("收到时间不能早于2019年5月15日（现行条例施行之日）")
        return value


class ApplicantOut(BaseModel):
    type: str
    name: str
    id_type: str | None
    id_number: str | None = Field(description="masked (1101**********1234) for every role but the handling unit's")
    phone: str | None
    email: str | None
    address: str | None
    organization: str | None


class DeliveryOut(BaseModel):
    format: str
    method: str


class HandlerOut(BaseModel):
    id: str
    name: str | None


class FeeOut(BaseModel):
    method: str
    pages: int | None
    nth_in_month: int | None
    amount: int = Field(description="元 / yuan")
    notified_on: date
    due_on: date = Field(description="unpaid after this day → other.fee_unpaid")
    paid_on: date | None


class ApplicationOut(BaseModel):
    id: str
    tracking_no: str
    unit_code: str
    channel: str
    applicant: ApplicantOut
    description: str
    purpose: str | None
    delivery: DeliveryOut
    source_ref: str | None
    state: str
    rule_set: str
    received_on: date | None
    due_on: date | None
    due_on_provisional: bool
    clock_running: bool
    overdue: bool
    overdue_since: date | None = Field(description="the first day past the due date")
    working_days_left: int | None
    handler: HandlerOut | None
    correction_lapse_on: date | None
    fee: FeeOut | None
    outcome: str | None
    legal_basis: str | None
    reply_text: str | None
    replied_on: date | None
    on_time: bool | None
    concluded_on: date | None
    archived_on: date | None
    allowed_actions: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class CreatedApplication(ApplicationOut):
    query_code: str = Field(
        description="查询码 — shown only here, once: with tracking_no it lets the applicant follow the application"
    )


class OnDay(Strict):
    on: date | None = Field(
        None, description="the day the step happened (default: today on the service clock; never in the future)"
    )


class CorrectionRequestIn(OnDay):
    allowed_working_days: int = Field(
        15, ge=1, le=60, description="补正期限: working days the applicant has to correct"
    )
    note: str = Field(min_length=1, max_length=2000, description="需要补正的事项 (条例 第三十条: 一次性告知)")


class AssignIn(OnDay):
    handler_id: str = Field(min_length=1, max_length=200)
    handler_name: str = Field(min_length=1, max_length=200)


class ConsultationIn(OnDay):
    party: str = Field(min_length=1, max_length=200, description="被征求意见的第三方或机关")
    kind: Literal["third_party", "agency"]


class ConsultationCloseIn(OnDay):
    opinion: str | None = Field(None, max_length=5000)


class ConsultationOut(BaseModel):
    id: str
    party: str
    kind: str
    started_on: date
    due_on: date
    closed_on: date | None
    opinion: str | None


class ExtendIn(OnDay):
    working_days: int = Field(ge=1, le=60)
    reason: str = Field(min_length=1, max_length=2000)
    approver: str = Field(min_length=1, max_length=200)


class FeeNoticeIn(OnDay):
    method: FeeMethod
    pages: int | None = Field(None, ge=0, le=1_000_000)


class ReviewIn(OnDay):
    opinion: ReviewOpinion = Field(description="保密审查意见: disclose 同意公开 / withhold 不予公开 / refer 需报审")
    reviewer: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(None, max_length=2000)


class ReplyIn(OnDay):
    outcome: OutcomeCode
    legal_basis: str = Field(min_length=1, max_length=2000, description="法律依据")
    text: str = Field(min_length=1, max_length=20_000, description="答复内容")

    @field_validator("outcome")
    @classmethod
    def _not_a_lapse(cls, value: str) -> str:
        # other.correction_lapsed / other.fee_unpaid are the system's conclusions, never a clerk's reply.
        if value in LAPSE_OUTCOMES.values():
            raise ValueError("逾期不补正、逾期未缴费的办结由系统在期限届满后作出")
        return value


class WithdrawIn(OnDay):
    reason: str | None = Field(None, max_length=2000)


class ReviewRecordIn(Strict):
    kind: ReviewKind
    after_review: bool = Field(False, description="litigation filed after an administrative review (复议后起诉)")
    filed_on: date
    result: ReviewResult = "pending"
    decided_on: date | None = None


class ReviewRecordPatch(Strict):
    result: ReviewResult
    decided_on: date | None = None


class ReviewRecordOut(BaseModel):
    id: str
    application_id: str
    kind: str
    after_review: bool
    filed_on: date
    result: str
    decided_on: date | None
    version: int


class PeriodOut(BaseModel):
    kind: str
    start: date
    end: date | None
    working_days: int
    counted: bool
    note: str


class SkippedDayOut(BaseModel):
    day: date
    name: str
    kind: str


class DeadlineOut(BaseModel):
    rule_set: str
    rule_set_title: str
    start: date | None
    due_on: date | None
    provisional: bool
    running: bool
    paused_by: list[str]
    working_days_left: int | None
    periods: list[PeriodOut]
    skipped: list[SkippedDayOut] = Field(description="非工作日 passed over, with names (国庆节, 周末 …)")
    makeup_workdays: list[SkippedDayOut] = Field(description="调休上班 days counted as working days")


class TimelineEntry(BaseModel):
    at: datetime
    actor: str
    actor_name: str | None
    action: str
    before: dict | list | None
    after: dict | list | None


class TrackOut(BaseModel):
    tracking_no: str
    unit_code: str
    state: str
    received_on: date | None
    due_on: date | None
    due_on_provisional: bool
    outcome: str | None
    replied_on: date | None
    reply_text: str | None
