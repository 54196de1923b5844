"""The time limits around the reply period, each a rule with its source: extension, correction,
consultation, fee, reasons (条例 第三十五条), deferral, confirming receipt (第三十一条), the 保密审查
opinion and the report of a refusal (seed 001). ``deadlines`` computes the reply's due date; the
functions here decide whether a step may be taken now and when a side period ends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from services.requests.domain.facts import ClockFact, CorrectionRequested, Deferred, Extended, PauseStarted, Received
from services.requests.domain.rules import RuleSet
from shared.calendar import WorkingDayCalendar
from shared.domain import DomainError, InvalidInput

__all__ = [
    "consultation_due",
    "correction_lapse_on",
    "correction_notice_allowed",
    "correction_notice_due",
    "deferral_allowed",
    "extension_allowed",
    "fee_notice_allowed",
    "fee_payment_due",
    "reasons_due",
    "reasons_request_allowed",
    "report_up_due",
    "review_opinion_due",
    "unconfirmed_cutoff",
]


def _not_after_due(code: str, title: str, due_on: date | None, on: date) -> None:
    if due_on is not None and on > due_on:
        raise DomainError(code, title, f"答复期限为 {due_on.isoformat()}", due_on=due_on.isoformat())


def extension_allowed(rules: RuleSet, facts: Sequence[ClockFact], working_days: int) -> None:
    """Raise ``DomainError`` unless an extension by ``working_days`` may be granted now.

    条例 第三十三条: the reply period may be extended once, by at most 20 working days (the rule set's
    maximum). An extension granted before a correction restarted the period still counts.
    """
    if (
        isinstance(working_days, bool)
        or not isinstance(working_days, int)
        or not (1 <= working_days <= rules.extension_max_working_days)
    ):
        raise InvalidInput(
            "extension_days_invalid",
            f"延长期限须为1至{rules.extension_max_working_days}个工作日",
            f"working_days={working_days!r}",
            max_working_days=rules.extension_max_working_days,
        )
    earlier = [fact for fact in facts if isinstance(fact, Extended)]
    if earlier:
        raise DomainError(
            "extension_already_granted",
            "答复期限只能延长一次",
            f"已于{earlier[0].on.isoformat()}延长{earlier[0].working_days}个工作日",
        )
    deferred = next((fact for fact in facts if isinstance(fact, Deferred)), None)
    if deferred is not None:
        # 条例 第三十五条: the deferred due date replaces the 第三十三条 period; extending that is moot.
        raise DomainError(
            "already_deferred", "已确定延迟答复期限，不再延长", f"已确定延迟至{deferred.due_on.isoformat()}"
        )


def correction_notice_due(rules: RuleSet, calendar: WorkingDayCalendar, received_on: date) -> date:
    """The last day to send the correction notice. 条例 第三十条: 一次性告知 within 7 working days of receipt."""
    return calendar.add_working_days(received_on, rules.correction_notice_working_days).day


def correction_lapse_on(calendar: WorkingDayCalendar, requested_on: date, allowed_working_days: int) -> date:
    """The last day the corrected application may arrive. The office sets the period in its notice
    (条例 第三十条 "合理的补正期限"); once this day has ended without a correction the application is
    concluded ``other.correction_lapsed`` (无正当理由逾期不补正)."""
    if isinstance(allowed_working_days, bool) or not isinstance(allowed_working_days, int) or allowed_working_days < 1:
        raise InvalidInput("correction_period_invalid", "补正期限须至少为1个工作日", f"{allowed_working_days!r}")
    return calendar.add_working_days(requested_on, allowed_working_days).day


def fee_payment_due(rules: RuleSet, calendar: WorkingDayCalendar, notified_on: date) -> date:
    """The last day to pay. 国办函〔2020〕109号: unpaid within 20 working days of the fee notice, the
    application is concluded ``other.fee_unpaid`` (逾期未缴费)."""
    return calendar.add_working_days(notified_on, rules.fee_payment_working_days).day


def consultation_due(rules: RuleSet, calendar: WorkingDayCalendar, started_on: date) -> date:
    """The last day for the consulted party to answer. 条例 第三十二条: the third party gives its
    opinion within 15 working days of the request; no answer is taken up by the office's decision."""
    return calendar.add_working_days(started_on, rules.consultation_working_days).day


def correction_notice_allowed(
    rules: RuleSet, calendar: WorkingDayCalendar, facts: Sequence[ClockFact], on: date
) -> None:
    """条例 第三十条: 一次性告知 — one notice of everything to correct, within 7 working days of
    receipt, whatever the internal state before the reply. A second notice is a 409 naming the first."""
    first = next((f for f in facts if isinstance(f, CorrectionRequested)), None)
    if first is not None:
        raise DomainError(
            "correction_already_requested",
            "补正通知应一次性告知，每件申请只能发出一次（条例第三十条）",
            f"已于{first.on.isoformat()}发出补正通知",
            first_notice_on=first.on.isoformat(),
        )
    received = next((f.on for f in facts if isinstance(f, Received)), None)
    if received is None:
        raise DomainError("not_received", "尚未确认收到申请，不能通知补正")
    notice_due = correction_notice_due(rules, calendar, received)
    if on > notice_due:
        raise DomainError(
            "correction_notice_late",
            "补正通知须在收到申请之日起7个工作日内一次性发出（条例第三十条）",
            f"最迟 {notice_due}",
            notice_due_on=notice_due.isoformat(),
        )


def fee_notice_allowed(due_on: date | None, on: date) -> None:
    """国办函〔2020〕109号: the fee notice goes out within the reply period — after the due date it is
    refused (409); the due date as the clock says on the day of the notice."""
    _not_after_due("fee_notice_after_due", "收费通知须在答复期限内发出（国办函〔2020〕109号）", due_on, on)


def reasons_request_allowed(facts: Sequence[ClockFact], due_on: date | None, on: date) -> None:
    """条例 第三十五条: the office may ask the applicant to state the reasons for applications whose
    number or frequency clearly exceeds a reasonable range — once per application, within the
    reply period (a request after the due date would hide lateness)."""
    earlier = next((f for f in facts if isinstance(f, PauseStarted) and f.kind == "reasons"), None)
    if earlier is not None:
        raise DomainError(
            "reasons_already_requested", "已要求申请人说明理由", f"已于{earlier.on.isoformat()}要求说明理由"
        )
    _not_after_due("reasons_after_due", "要求说明理由须在答复期限内提出（条例第三十五条）", due_on, on)


def reasons_due(calendar: WorkingDayCalendar, requested_on: date, working_days: int) -> date:
    """The last day for the applicant's reasons: the period the office sets (条例 第三十五条 sets
    none); unanswered by its end, the request lapses and the clock resumes."""
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise InvalidInput("reasons_period_invalid", "说明理由的期限须至少为1个工作日", f"{working_days!r}")
    return calendar.add_working_days(requested_on, working_days).day


def deferral_allowed(
    facts: Sequence[ClockFact], reasons_answered: bool, due_on: date | None, deferred: Deferred
) -> None:
    """条例 第三十五条: "申请理由合理，但是无法在本条例第三十三条规定的期限内答复申请人的，可以确定
    延迟答复的合理期限" — only once the applicant has stated reasons the office finds reasonable,
    within the current period, to a date later than it; once. No statutory cap."""
    if not reasons_answered:
        raise DomainError("reasons_not_stated", "申请人说明理由后方可确定延迟答复期限（条例第三十五条）")
    earlier = next((f for f in facts if isinstance(f, Deferred)), None)
    if earlier is not None:
        raise DomainError(
            "already_deferred", "已确定延迟答复期限", f"已于{earlier.on.isoformat()}确定至{earlier.due_on.isoformat()}"
        )
    if due_on is None:
        raise DomainError("clock_stopped", "答复期限停止计算期间不能确定延迟答复期限")
    _not_after_due("deferral_after_due", "答复期限届满后不能再确定延迟答复期限", due_on, deferred.on)
    if deferred.due_on <= due_on:
        raise InvalidInput(
            "deferral_not_later",
            "延迟答复的期限须晚于现行答复期限",
            f"现行答复期限为 {due_on.isoformat()}",
            due_on=due_on.isoformat(),
        )


def review_opinion_due(rules: RuleSet, calendar: WorkingDayCalendar, requested_on: date) -> date:
    """Seed 001 保密审查制度 第十条: "接到信息审查申请后，应在15个工作日内提出审查确认的意见" —
    a reminder to the reviewing body, not a block on the reply."""
    return calendar.add_working_days(requested_on, rules.review_opinion_working_days).day


def report_up_due(rules: RuleSet, calendar: WorkingDayCalendar, decided_on: date) -> date:
    """Seed 001 政府信息主动公开工作制度 七: "决定不予公开政府信息的，应当于作出决定之日起5个工作日内
    书面报告上一级政务公开工作主管部门" — an obligation with its own due date."""
    return calendar.add_working_days(decided_on, rules.report_up_working_days).day


def unconfirmed_cutoff(calendar: WorkingDayCalendar, today: date, working_days: int) -> date:
    """条例 第三十一条(二)(三): mail, online, fax (and 12345, provincial) applications are received on
    the day the office confirms them, so confirming must not wait. An application submitted on day
    S is "unconfirmed too long" once more than ``working_days`` working days have passed: today is
    after the ``working_days``-th working day after S. Returns the last submission day S for which
    that is so today (every earlier day is too)."""
    if working_days < 0:
        raise InvalidInput("unconfirmed_period_invalid", "确认收到的期限不能为负", f"{working_days!r}")
    day = today - timedelta(days=1)
    while calendar.add_working_days(day, working_days).day >= today:
        day -= timedelta(days=1)
    return day
