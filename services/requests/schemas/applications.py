"""Request and response models of the applications API (依申请公开, DESIGN §5)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.requests.domain.fees import FeeMethod
from services.requests.domain.rules import RULE_SETS
from services.requests.domain.states import LAPSE_OUTCOMES
from services.requests.schemas.examples import (
    APPLICATION_EXAMPLE,
    CONSULTATION_EXAMPLE,
    CREATE_EXAMPLES,
    EXAMPLES,
    REVIEW_RECORD_EXAMPLE,
    TRACK_EXAMPLE,
)
from services.requests.schemas.timeline import ActionOut
from services.requests.schemas.timeline import TimelineEntry as TimelineEntry  # the API imports it from here
from shared.vocabulary import (
    ApplicantType,
    ApplicationState,
    Channel,
    ConsultationKind,
    DeliveryFormat,
    DeliveryMethod,
    IdType,
    OutcomeCode,
    ReviewKind,
    ReviewOpinion,
    ReviewResult,
)

# The longest extension any rule set allows (条例 第三十三条: 20 working days); the application's own
# rule set may allow fewer (a 422 names its maximum).
MAX_EXTENSION_WORKING_DAYS = max(r.extension_max_working_days for r in RULE_SETS.values())


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
    model_config = ConfigDict(json_schema_extra={"examples": CREATE_EXAMPLES})

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
    id_number: str | None = Field(description="masked (11************1234) for every role but the handling unit's")
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
    method: str = Field(description="计收方式 (labels: fee_method)")
    pages: int | None
    nth_in_month: int | None
    amount: int = Field(description="金额，单位：元 / amount in yuan (元)", examples=[100])
    notified_on: date
    due_on: date = Field(description="unpaid after this day → other.fee_unpaid")
    paid_on: date | None
    # 国办函〔2020〕109号: what the notice states, and when the applicant received it.
    basis: str | None = Field(None, description="收费依据")
    standard: str | None = Field(None, description="收费标准 (as applied to this application)")
    how_to_pay: str | None = Field(None, description="缴费方式")
    delivered_on: date | None = Field(
        None, description="申请人收到通知之日: the 20 working days to pay run from the next day"
    )


class ReasonsOut(BaseModel):
    """条例 第三十五条: the request for the applicant's reasons."""

    requested_on: date
    due_on: date = Field(description="the period the office set; unanswered by then, the clock resumes")
    note: str
    answered_on: date | None
    answer: str | None
    lapsed_on: date | None


class PublicInterestOut(BaseModel):
    """条例 第三十二条: disclosed over a third party's objection."""

    reason: str
    third_party_notified_on: date


class ReportUpOut(BaseModel):
    """Seed 001: a withheld.* decision reported in writing to the office one level up."""

    due_on: date
    reported_on: date | None
    overdue: bool


class ApplicationOut(BaseModel):
    """An application. ``allowed_actions`` lists what may be done now, each with its URL; every
    action answers with the application and its new ``ETag`` — except the sub-resources
    (consultations, review records), which answer with themselves (201 + ``Location``) and carry
    the application's new ETag in the ``ETag`` header."""

    model_config = ConfigDict(json_schema_extra={"examples": [APPLICATION_EXAMPLE]})

    id: str
    tracking_no: str
    unit_code: str
    channel: Channel
    applicant: ApplicantOut
    description: str
    purpose: str | None
    delivery: DeliveryOut
    source_ref: str | None
    state: ApplicationState
    rule_set: str
    received_on: date | None
    due_on: date | None
    due_on_provisional: bool
    provisional_note: str | None = Field(
        None, description="why the due date is provisional, in words (its year's holidays not loaded yet)"
    )
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
    possible_duplicate_of: str | None = Field(
        None, description="条例 第三十六条(六): id of an earlier answered application alike in applicant and content"
    )
    reasons: ReasonsOut | None = None
    public_interest: PublicInterestOut | None = None
    review_due_on: date | None = Field(None, description="保密审查 opinion due (seed 001 第十条; a reminder)")
    review_overdue: bool = False
    report_up: ReportUpOut | None = None
    allowed_actions: list[ActionOut] = Field(
        description="what may be done now (the system's lapses and used-up limits left out)"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class CreatedApplication(ApplicationOut):
    model_config = ConfigDict(json_schema_extra={"examples": [{**APPLICATION_EXAMPLE, "query_code": "K7QM3XWDHP"}]})

    query_code: str = Field(
        description="查询码 — shown only here, once: with tracking_no it lets the applicant follow the application"
    )


class OnDay(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["OnDay"]})

    on: date | None = Field(
        None, description="the day the step happened (default: today on the service clock; never in the future)"
    )


class CorrectionRequestIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["CorrectionRequestIn"]})

    allowed_working_days: int = Field(
        15, ge=1, le=60, description="补正期限: working days the applicant has to correct"
    )
    note: str = Field(min_length=1, max_length=2000, description="需要补正的事项 (条例 第三十条: 一次性告知)")


class AssignIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["AssignIn"]})

    handler_id: str = Field(min_length=1, max_length=200)
    handler_name: str = Field(min_length=1, max_length=200)


class ConsultationIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ConsultationIn"]})

    party: str = Field(min_length=1, max_length=200, description="被征求意见的第三方或机关")
    kind: ConsultationKind = Field(description="征求意见对象: third_party 第三方 / agency 其他行政机关")


class ConsultationCloseIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ConsultationCloseIn"]})

    opinion: str | None = Field(None, max_length=5000)
    objects: bool | None = Field(None, description="the third party does not agree to disclosure (条例 第三十二条)")


class ConsultationOut(BaseModel):
    """A consultation — the sub-resource itself, not the application (a 201 answers with what it
    created); the application's new version is in the ``ETag`` header, for the next action."""

    model_config = ConfigDict(json_schema_extra={"examples": [CONSULTATION_EXAMPLE]})

    id: str
    party: str
    kind: ConsultationKind
    started_on: date
    due_on: date
    closed_on: date | None
    opinion: str | None
    closed_by: Literal["answer", "lapse"] | None = Field(None, description="lapse: unanswered in 15 working days")
    deemed_consent: bool | None = Field(None, description="an agency's silence is consent (条例 第三十四条)")
    objects: bool | None = None


class ExtendIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ExtendIn"]})

    working_days: int = Field(
        ge=1,
        le=MAX_EXTENSION_WORKING_DAYS,
        description=f"延长的工作日数：不超过所适用规则的上限（条例 第三十三条：{MAX_EXTENSION_WORKING_DAYS}）",
    )
    reason: str = Field(min_length=1, max_length=2000)
    approver: str = Field(min_length=1, max_length=200)


class FeeNoticeIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["FeeNoticeIn"]})

    method: FeeMethod
    pages: int | None = Field(None, ge=0, le=1_000_000)
    how_to_pay: str | None = Field(None, min_length=1, max_length=2000, description="缴费方式 (国办函〔2020〕109号)")
    delivered_on: date | None = Field(
        None, description="the day the applicant received the notice (default: the notice day, electronic delivery)"
    )


class ReasonsRequestIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReasonsRequestIn"]})

    allowed_working_days: int = Field(15, ge=1, le=60, description="说明理由的期限 the office sets (条例 第三十五条)")
    note: str = Field(min_length=1, max_length=2000, description="why the number or frequency is unreasonable")


class ReasonsIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReasonsIn"]})

    answer: str = Field(min_length=1, max_length=5000, description="申请人说明的理由")


class DeferIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["DeferIn"]})

    due_on: date = Field(description="延迟答复的期限 (条例 第三十五条; no statutory cap)")
    reason: str = Field(min_length=1, max_length=2000)


class ReportUpIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReportUpIn"]})

    to: str = Field(min_length=1, max_length=200, description="上一级政务公开工作主管部门")
    note: str | None = Field(None, max_length=2000)


class PublicInterestIn(Strict):
    reason: str = Field(min_length=1, max_length=2000, description="不公开可能对公共利益造成重大影响的理由")
    third_party_notified_on: date = Field(description="书面告知第三方之日")


class ReviewIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReviewIn"]})

    opinion: ReviewOpinion = Field(description="保密审查意见: disclose 同意公开 / withhold 不予公开 / refer 需报审")
    reviewer: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(None, max_length=2000)


class ReplyIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReplyIn"]})

    outcome: OutcomeCode
    legal_basis: str = Field(min_length=1, max_length=2000, description="法律依据")
    text: str = Field(min_length=1, max_length=20_000, description="答复内容")
    public_interest: PublicInterestIn | None = Field(
        None, description="条例 第三十二条: disclosing over a third party's objection"
    )

    @field_validator("outcome")
    @classmethod
    def _not_a_lapse(cls, value: str) -> str:
        # other.correction_lapsed / other.fee_unpaid are the system's conclusions, never a clerk's reply.
        if value in LAPSE_OUTCOMES.values():
            raise ValueError("逾期不补正、逾期未缴费的办结由系统在期限届满后作出")
        return value


class WithdrawIn(OnDay):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["WithdrawIn"]})

    reason: str | None = Field(None, max_length=2000)


class ReviewRecordIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReviewRecordIn"]})

    kind: ReviewKind
    after_review: bool = Field(False, description="litigation filed after an administrative review (复议后起诉)")
    filed_on: date
    result: ReviewResult = "pending"
    decided_on: date | None = None


class ReviewRecordPatch(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ReviewRecordPatch"]})

    result: ReviewResult
    decided_on: date | None = None


class ReviewRecordOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REVIEW_RECORD_EXAMPLE]})

    id: str
    application_id: str
    kind: ReviewKind
    after_review: bool
    filed_on: date
    result: ReviewResult
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


class ObligationOut(BaseModel):
    kind: str = Field(description="confirm_receipt / consultation / reasons / fee_payment / review_opinion / report_up")
    start: date
    due_on: date
    done_on: date | None
    status: str = Field(description="pending / done / lapsed / overdue")
    blocks_reply: bool
    note: str


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
    deferred: bool = Field(False, description="due_on is a deferred due date the office set (条例 第三十五条)")
    provisional_note: str | None = Field(None, description="why the due date is provisional, in words")
    obligations: list[ObligationOut] = Field(
        default_factory=list, description="the side periods: receipt, consultations, reasons, fee, 保密审查, report-up"
    )


class TrackOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TRACK_EXAMPLE]})

    tracking_no: str
    unit_code: str
    state: ApplicationState
    received_on: date | None
    due_on: date | None
    due_on_provisional: bool
    outcome: str | None
    replied_on: date | None
    reply_text: str | None
