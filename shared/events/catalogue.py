"""The event catalogue v1 (DESIGN §3): one model per event type, registered by its ``TYPE``.

The fields here are the minimum a type promises; publishers may add more (``extra="allow"``) and
consumers must tolerate them. A breaking change gets a new type with a version suffix
(``request.overdue.v2``), published beside the old one: declare a new model, never edit a
published one incompatibly.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.vocabulary import (
    ApplicantType,
    Channel,
    ContactRole,
    NotificationChannel,
    OutcomeCode,
    ReviewKind,
    ReviewResult,
    UnitKind,
)

# Value sets fixed by DESIGN §1–§9, defined once in shared.vocabulary.
Outcome = OutcomeCode

EVENT_TYPES: dict[str, type[EventData]] = {}


class EventData(BaseModel):
    """The ``data`` of an event. A subclass that sets ``TYPE`` is registered in ``EVENT_TYPES``."""

    model_config = ConfigDict(extra="allow")

    TYPE: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        event_type = cls.__dict__.get("TYPE")
        if event_type is None:
            return
        if event_type in EVENT_TYPES:
            raise TypeError(f"event type {event_type!r} is already registered by {EVENT_TYPES[event_type].__name__}")
        EVENT_TYPES[event_type] = cls


# -- nested objects ------------------------------------------------------------------------------


class UnitContact(BaseModel):
    """A unit's contact person (联系人): its 政务公开 liaison, its leaders, or someone else."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1)
    # Added after v1, so optional (DESIGN §3: additive only): a contact published without one is
    # "other" — never mistaken for a leader.
    role: ContactRole = "other"
    title: str | None = None
    phone: str | None = None
    email: str | None = None


class CalendarDay(BaseModel):
    """One named day of a holiday arrangement: a holiday (节假日) or a make-up working day (调休上班)."""

    model_config = ConfigDict(extra="allow")

    day: date
    name: str = Field(min_length=1)


class ApplicantContact(BaseModel):
    """Only the phone and e-mail the applicant chose for delivery (送达方式).

    Anything else is dropped (``extra="ignore"``): events carry no more personal data than
    delivery needs (DESIGN §3).
    """

    model_config = ConfigDict(extra="ignore")

    phone: str | None = None
    email: str | None = None


# -- requests: units and calendar ----------------------------------------------------------------


class UnitUpserted(EventData):
    """A unit (单位) of the directory was created or changed — or deactivated (merged, abolished):
    a unit is never deleted, because scores and cases keep pointing at it (``active: false``).

    ``active`` and ``version`` were added after v1 and are optional, so an event published before
    them (still in an outbox, a retry queue or a dead-letter queue) keeps validating (DESIGN §3:
    additive changes only; a required field would have needed ``unit.upserted.v2``). ``version`` is
    the owner's row version (+1 per change): replicas order upserts by it (``shared.reference``),
    and order an event without one by its ``time``.
    """

    TYPE: ClassVar[str] = "unit.upserted"

    unit_code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    kind: UnitKind
    parent_code: str | None = None  # None for a top unit
    region: str
    contacts: list[UnitContact]
    active: bool = True
    version: int | None = Field(default=None, ge=1)


class CalendarUpdated(EventData):
    """A year's holiday arrangement (节假日安排) was loaded or replaced; deadlines in it may move."""

    TYPE: ClassVar[str] = "calendar.updated"

    year: int
    holidays: list[CalendarDay]
    makeup_workdays: list[CalendarDay]
    # The owner's version of the year (+1 per change), optional like ``UnitUpserted.version`` and
    # for the same reason; replicas order a year's updates by it, else by the event's ``time``.
    version: int | None = Field(default=None, ge=1)


# -- requests: disclosure applications (依申请公开) -----------------------------------------------


class RequestRegistered(EventData):
    """A disclosure application (政府信息公开申请) was received (收到申请, 条例 第三十一条) and its reply
    period started."""

    TYPE: ClassVar[str] = "request.registered"

    request_id: str
    tracking_no: str
    unit_code: str
    channel: Channel
    applicant_type: ApplicantType
    received_on: date
    due_on: date
    source_ref: str | None = None  # the 12345 work-order number, for 12345 requests only


class RequestCorrectionRequested(EventData):
    """The applicant was asked to correct the application (补正, 条例 第三十条); the reply period stops."""

    TYPE: ClassVar[str] = "request.correction_requested"

    request_id: str
    unit_code: str
    on: date


class RequestCorrectionReceived(EventData):
    """The corrected application arrived (补正); the reply period restarts in full (条例 第三十条)."""

    TYPE: ClassVar[str] = "request.correction_received"

    request_id: str
    unit_code: str
    on: date


class RequestExtended(EventData):
    """The reply period was extended (延期答复, 条例 第三十三条第二款) to a new due date."""

    TYPE: ClassVar[str] = "request.extended"

    request_id: str
    unit_code: str
    due_on: date


class RequestDueSoon(EventData):
    """A reminder (到期提醒): an application's reply is due in a few working days."""

    TYPE: ClassVar[str] = "request.due_soon"

    request_id: str
    tracking_no: str
    unit_code: str
    due_on: date
    working_days_left: int = Field(ge=0)


class RequestOverdue(EventData):
    """An application was not answered by the end of its due day (逾期未答复, 条例 第三十三条)."""

    TYPE: ClassVar[str] = "request.overdue"

    request_id: str
    tracking_no: str
    unit_code: str
    handler_id: str | None = None  # None while nobody has been assigned
    due_on: date
    source_ref: str | None = None


class RequestReplied(EventData):
    """The office replied to an application (答复) with one outcome of the annual-report table."""

    TYPE: ClassVar[str] = "request.replied"

    request_id: str
    tracking_no: str
    unit_code: str
    outcome: Outcome
    replied_on: date
    on_time: bool
    source_ref: str | None = None
    applicant_contact: ApplicantContact


class RequestUnconfirmed(EventData):
    """An application submitted by mail, online, fax, 12345 or the provincial platform has waited
    longer than the office's setting (default 1 working day) for its receipt to be confirmed
    (条例 第三十一条: received on the day the office confirms it)."""

    TYPE: ClassVar[str] = "request.unconfirmed"

    request_id: str
    tracking_no: str
    unit_code: str
    channel: Channel
    submitted_at: AwareDatetime


class RequestReportUpDueSoon(EventData):
    """A decision not to disclose (withheld.*) must be reported in writing to the office one level
    up within 5 working days (seed 001 政府信息主动公开工作制度 七), and the report is due soon."""

    TYPE: ClassVar[str] = "request.report_up_due_soon"

    request_id: str
    tracking_no: str
    unit_code: str
    due_on: date
    working_days_left: int = Field(ge=0)


class RequestReportUpOverdue(EventData):
    """A decision not to disclose was not reported up by the end of its due day (seed 001)."""

    TYPE: ClassVar[str] = "request.report_up_overdue"

    request_id: str
    tracking_no: str
    unit_code: str
    handler_id: str | None = None
    due_on: date


class RequestReviewDecided(EventData):
    """An administrative review (行政复议) or lawsuit (行政诉讼) about an application was decided."""

    TYPE: ClassVar[str] = "request.review_decided"

    request_id: str
    unit_code: str
    kind: ReviewKind
    result: ReviewResult


# -- requests: the 12345 hotline (12345政务服务便民热线) ---------------------------------------------


class HotlineComplaintReceived(EventData):
    """A 12345 work order of the complaint category (投诉) arrived about a unit."""

    TYPE: ClassVar[str] = "hotline.complaint_received"

    workorder_no: str
    unit_code: str
    content: str
    received_at: AwareDatetime


class HotlineWorkorderUnanswered(EventData):
    """A 12345 work order was not answered by its due time (未按要求及时回应)."""

    TYPE: ClassVar[str] = "hotline.workorder_unanswered"

    workorder_no: str
    unit_code: str
    due_at: AwareDatetime


# -- scoring: appraisal (考核) -------------------------------------------------------------------


class ScoringShortfall(BaseModel):
    """明显短板 (考核方案 四(一)): a first-level indicator scored under the scheme's share of its maximum."""

    code: str
    name: str
    points: float
    max_points: float
    threshold: float


class ScoringSheetFinalized(EventData):
    """A unit's score sheet (考核评分表) was approved: total, grade (等次) and rank are final."""

    TYPE: ClassVar[str] = "scoring.sheet_finalized"

    scheme_id: str
    year: int
    unit_code: str
    total: float
    grade: str
    rank: int = Field(ge=1)
    # Added in issue 12 (additive, DESIGN §3): the category, the sheet, and the shortfalls found.
    category: str | None = None
    sheet_id: str | None = None
    shortfalls: list[ScoringShortfall] = Field(default_factory=list)


class ScoringGradeFailed(EventData):
    """A unit's finalized grade is 不合格 (fail), by points or by a veto (一票否决)."""

    TYPE: ClassVar[str] = "scoring.grade_failed"

    scheme_id: str
    year: int
    unit_code: str
    total: float
    veto_reasons: list[str]  # the vetoes found (一票否决), as the scheme words them
    # Added in issue 12 (additive): every reason in words (points under the pass mark, each veto).
    reasons: list[str] = Field(default_factory=list)
    sheet_id: str | None = None


# -- appraisal: public appraisal (社会评议) --------------------------------------------------------


class AppraisalResultPublished(EventData):
    """A unit's public-appraisal result (社会评议结果) was published when its campaign closed."""

    TYPE: ClassVar[str] = "appraisal.result_published"

    campaign_id: str
    year: int
    unit_code: str
    score: float
    rating: str


class AppraisalUnitUnsatisfied(EventData):
    """A unit was rated unsatisfactory (不满意) in a public-appraisal campaign."""

    TYPE: ClassVar[str] = "appraisal.unit_unsatisfied"

    campaign_id: str
    year: int
    unit_code: str
    score: float
    problems: list[str]


# -- accountability (责任追究) --------------------------------------------------------------------


class AccountabilityCaseOpened(EventData):
    """An accountability case (责任追究案件) was opened against a unit."""

    TYPE: ClassVar[str] = "accountability.case_opened"

    case_id: str
    unit_code: str
    violations: list[str]
    trigger_event_id: str | None = None  # None for a case opened by hand, not by an event


class AccountabilityDecisionIssued(EventData):
    """A case was decided (作出处理决定) with sanctions on the unit and the persons responsible."""

    TYPE: ClassVar[str] = "accountability.decision_issued"

    case_id: str
    unit_code: str
    sanctions: list[str]
    persons: list[str]
    # Added in issue 14 (additive, DESIGN §3): who gets what, and the appeal window.
    unit_sanctions: list[str] = Field(default_factory=list)
    person_sanctions: dict[str, list[str]] = Field(default_factory=dict)  # person id → sanctions
    decided_on: date | None = None
    appeal_last_day: date | None = None


class AccountabilityRectificationOrdered(EventData):
    """A unit was ordered to rectify (责令整改) by a due date."""

    TYPE: ClassVar[str] = "accountability.rectification_ordered"

    case_id: str  # "" for an order without a case (考核方案 四(一) shortfalls, 社会评议办法 第九条)
    unit_code: str
    due_on: date
    # Added in issue 14 (additive, DESIGN §3): the order itself, why, and for which problems.
    order_id: str | None = None
    basis: str | None = None
    problems: list[str] = Field(default_factory=list)


class AccountabilityRectificationOverdue(EventData):
    """A rectification order (整改) passed its due date unfinished (逾期未整改)."""

    TYPE: ClassVar[str] = "accountability.rectification_overdue"

    case_id: str  # "" for an order without a case
    unit_code: str
    due_on: date
    # Added in issue 14 (additive): the order and how many times it has now been overdue.
    order_id: str | None = None
    overdue_count: int = Field(default=1, ge=1)


class AccountabilityAppealDueSoon(EventData):
    """An appeal (申诉, seed 004 第二十九条) not decided three days before its decision is due: whoever
    decides it (纪检监察 or the office) is reminded. Not in DESIGN §3's v1 catalogue: added so the
    reminder reaches someone rather than only the case's timeline."""

    TYPE: ClassVar[str] = "accountability.appeal_due_soon"

    appeal_id: str
    case_id: str
    unit_code: str
    decision_due_on: date


# -- notifier ------------------------------------------------------------------------------------


class NotificationFailed(EventData):
    """A notification (通知) could not be delivered after all its attempts."""

    TYPE: ClassVar[str] = "notification.failed"

    notification_id: str
    channel: NotificationChannel
    recipient: str
    attempts: int = Field(ge=1)
    last_error: str
