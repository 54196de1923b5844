"""Deadlines of accountability on the working-day calendar (passed in), and rectification escalation.

- Rectification (责令整改): a written report within 20 working days of the notice — 考核办法 第十一条
  (考核结果通报后20个工作日内作出书面整改报告) and 社会评议办法 第九条 (自接到整改通知20个工作日内);
  the order given by a decision (第六条(一)) and for a shortfall (考核方案 四(一) 责令限期整改) name no
  period, and take the same 20 working days.
- Appeal (复核、申诉): within 5 working days of receiving the decision (seed 004 第二十九条: 应在接到处理
  通知后5个工作日内); the day of receipt is not counted (DESIGN §4).
- Appeal decision: seed 004 第二十九条 "应在20日内完成复核" counts 日, not 工作日 — the same article
  counts the filing period in 工作日, so the contrast is deliberate: 20 calendar days after the appeal
  was received. A last day that is not a working day moves to the next working day, as every period
  counted in days does (民事诉讼法 第八十五条: 期间届满的最后一日是法定休假日的，以法定休假日后的第一日
  为期间届满的日期). A reminder goes out 3 calendar days before that day.
- Escalation of an overdue order: the first time → an interview (约谈) of the unit's leaders
  responsible (考核办法 第十一条: 整改后仍达不到要求的，约谈负有责任的领导人员和直接责任人员); the second
  time → 通报批评 recommended (社会评议办法 第九条: 未及时整改或整改不力的…予以通报批评或约谈), under
  the violation 不落实…考核、评议决定要求 (责任追究办法 第五条(十), ``obstructing_oversight``). An
  escalated order stays open with a new due day 20 working days after the escalation, so that a
  second overdue can be seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.calendar import WorkingDayCalendar
from shared.domain import DomainError, InvalidInput
from shared.vocabulary import RECTIFICATION_BASIS_LABELS, RectificationBasis, SanctionCode, ViolationCode

__all__ = [
    "APPEAL_DECISION_DAYS",
    "APPEAL_REMINDER_DAYS",
    "APPEAL_WORKING_DAYS",
    "RECTIFICATION_SOURCES",
    "RECTIFICATION_WORKING_DAYS",
    "Due",
    "Escalation",
    "appeal_decision_due",
    "appeal_last_day",
    "appeal_reminder_on",
    "check_appeal_in_time",
    "escalate",
    "is_overdue",
    "rectification_due",
]

RECTIFICATION_WORKING_DAYS = 20  # 考核办法 第十一条; 社会评议办法 第九条
APPEAL_WORKING_DAYS = 5  # seed 004 第二十九条
APPEAL_DECISION_DAYS = 20  # seed 004 第二十九条: 20 日 (calendar days)
APPEAL_REMINDER_DAYS = 3

RECTIFICATION_SOURCES: dict[str, str] = {
    "appraisal_failed": "考核办法 第十一条",
    "appraisal_shortfall": "考核方案 四(一)",
    "public_appraisal": "社会评议办法 第九条",
    "case_decision": "责任追究办法 第六条(一)、第七条",
}


@dataclass(frozen=True)
class Due:
    """A due day; ``provisional`` when counted into a year whose holidays are not yet known."""

    day: date
    provisional: bool


def rectification_due(issued_on: date, calendar: WorkingDayCalendar) -> Due:
    """The last day for the rectification report: 20 working days after the notice."""
    result = calendar.add_working_days(issued_on, RECTIFICATION_WORKING_DAYS)
    return Due(result.day, result.provisional)


def appeal_last_day(received_on: date, calendar: WorkingDayCalendar) -> Due:
    """The last day to appeal: the 5th working day after the decision was received."""
    result = calendar.add_working_days(received_on, APPEAL_WORKING_DAYS)
    return Due(result.day, result.provisional)


def check_appeal_in_time(received_on: date, filed_on: date, calendar: WorkingDayCalendar) -> Due:
    """The appeal window, or a 409 naming its last day when ``filed_on`` is past it."""
    if filed_on < received_on:
        raise InvalidInput(
            "appeal_before_notice",
            "申诉日期早于收到处理通知的日期",
            f"收到通知：{received_on.isoformat()}，申诉：{filed_on.isoformat()}",
        )
    last = appeal_last_day(received_on, calendar)
    if filed_on > last.day:
        raise DomainError(
            "appeal_too_late",
            "已超过申诉期限",
            f"应在接到处理通知后{APPEAL_WORKING_DAYS}个工作日内提出，最后一日为 {last.day.isoformat()}"
            "（seed 004 第二十九条）",
            last_day=last.day.isoformat(),
        )
    return last


def appeal_decision_due(filed_on: date, calendar: WorkingDayCalendar) -> Due:
    """The day the appeal must be decided by: 20 calendar days, a non-working last day moved on."""
    day = filed_on + timedelta(days=APPEAL_DECISION_DAYS)
    provisional = not calendar.is_known(day.year)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
        provisional = provisional or not calendar.is_known(day.year)
    return Due(day, provisional)


def appeal_reminder_on(filed_on: date, calendar: WorkingDayCalendar) -> date:
    """The day the reminder is due: 3 days before the appeal must be decided."""
    return appeal_decision_due(filed_on, calendar).day - timedelta(days=APPEAL_REMINDER_DAYS)


def is_overdue(due_on: date, today: date) -> bool:
    """An order is overdue from the day after its due day (the due day itself is still in time)."""
    return today > due_on


@dataclass(frozen=True)
class Escalation:
    """What an overdue rectification order leads to, the ``overdue_count``-th time."""

    overdue_count: int
    sanction: SanctionCode
    of_leaders: bool  # aimed at the unit's responsible leaders (约谈), not the unit as such
    scheduled: bool  # True: the office schedules it; False: recommended to the case's decision
    next_due: Due  # the order stays open with this new due day
    reason: str
    # The violation a recommendation is made under (opened or appended as a case), None for an interview.
    violation: ViolationCode | None = None


def escalate(
    overdue_count: int, basis: RectificationBasis, escalated_on: date, calendar: WorkingDayCalendar
) -> Escalation:
    """The escalation of an order found overdue for the ``overdue_count``-th time."""
    if overdue_count < 1:
        raise InvalidInput("overdue_count_invalid", "逾期次数须大于零", f"收到：{overdue_count}")
    what = f"{RECTIFICATION_BASIS_LABELS[basis]}的整改（{RECTIFICATION_SOURCES[basis]}）"
    next_due = rectification_due(escalated_on, calendar)
    if overdue_count == 1:
        # 考核办法 第十一条 / 社会评议办法 第九条: 约谈负有责任的领导人员和直接责任人员.
        return Escalation(
            1,
            "interview",
            of_leaders=True,
            scheduled=True,
            next_due=next_due,
            reason=f"{what}逾期未完成：约谈单位负有责任的领导人员和直接责任人员（考核办法 第十一条、社会评议办法 第九条）",
        )
    # 社会评议办法 第九条: 未及时整改或整改不力的…予以通报批评; 责任追究办法 第五条(十) 不落实考核、评议决定要求.
    return Escalation(
        overdue_count,
        "public_criticism",
        of_leaders=False,
        scheduled=False,
        next_due=next_due,
        reason=f"{what}约谈后仍逾期（第{overdue_count}次）：建议通报批评（社会评议办法 第九条、责任追究办法 第五条(十)）",
        violation="obstructing_oversight",
    )
