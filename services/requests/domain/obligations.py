"""The side periods of an application, each explaining itself beside the reply's due date
(``GET /requests/{id}/deadline`` → ``obligations``): confirming receipt, a consultation's answer, the
applicant's reasons, paying a fee, the 保密审查 opinion, reporting a refusal up. Pure: plain dates in,
:class:`Obligation` out; ``today`` decides only the status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "Obligation",
    "ObligationKind",
    "ObligationStatus",
    "confirm_receipt",
    "consultation_answer",
    "fee_payment",
    "reasons_answer",
    "report_up",
    "review_opinion",
]

ObligationKind = Literal["confirm_receipt", "consultation", "reasons", "fee_payment", "review_opinion", "report_up"]
# pending: still running; done: met (on ``done_on``); lapsed: ran out and ended by itself (the
# consequence is the rule's, not a fault); overdue: ran out unmet — someone is late.
ObligationStatus = Literal["pending", "done", "lapsed", "overdue"]


@dataclass(frozen=True)
class Obligation:
    kind: ObligationKind
    start: date  # the day the period was counted from (not counted itself)
    due_on: date  # the last day
    done_on: date | None
    status: ObligationStatus
    blocks_reply: bool  # False: a reminder, the reply may go out regardless
    note: str  # Chinese, with the rule's source


def _status(due_on: date, done_on: date | None, today: date, *, lapses: bool) -> ObligationStatus:
    if done_on is not None:
        return "done"
    if today <= due_on:
        return "pending"
    return "lapsed" if lapses else "overdue"


def confirm_receipt(submitted_on: date, due_on: date, confirmed_on: date | None, today: date) -> Obligation:
    """条例 第三十一条(二)(三): received on the day the office confirms it — confirm without delay."""
    note = (
        f"以平常信函、互联网或传真等方式提交的申请，以双方确认之日为收到申请之日（条例第三十一条）；"
        f"应于{due_on.isoformat()}前确认收到，逾期未确认的，通知政务公开工作机构（request.unconfirmed）"
    )
    return Obligation(
        "confirm_receipt",
        submitted_on,
        due_on,
        confirmed_on,
        _status(due_on, confirmed_on, today, lapses=False),
        False,
        note,
    )


def consultation_answer(
    party: str, kind: str, started_on: date, due_on: date, closed_on: date | None, lapsed: bool, today: date
) -> Obligation:
    """条例 第三十二条、第三十四条: the consulted party answers within 15 working days; silent, the
    consultation ends by itself at the end of them (an agency's silence is consent)."""
    who = "被征求意见机关" if kind == "agency" else "第三方"
    note = f"征求{who}（{party}）意见，应自征求意见之日起15个工作日内提出意见（条例第三十二条、第三十四条）"
    if lapsed or (closed_on is None and today > due_on):
        note += (
            "；逾期未提出意见，视为同意公开（条例第三十四条）"
            if kind == "agency"
            else "；逾期未提出意见，由行政机关依照条例第三十二条决定"
        )
        return Obligation("consultation", started_on, due_on, None, "lapsed", False, note)
    return Obligation(
        "consultation", started_on, due_on, closed_on, _status(due_on, closed_on, today, lapses=True), False, note
    )


def reasons_answer(requested_on: date, due_on: date, answered_on: date | None, today: date) -> Obligation:
    """条例 第三十五条: the applicant states their reasons within the period the office set."""
    note = (
        f"申请数量、频次明显超过合理范围，要求申请人于{due_on.isoformat()}前说明理由（条例第三十五条）；"
        "期间答复期限暂停计算，逾期未说明的，期限届满即恢复计算"
    )
    return Obligation(
        "reasons", requested_on, due_on, answered_on, _status(due_on, answered_on, today, lapses=True), True, note
    )


def fee_payment(delivered_on: date, due_on: date, paid_on: date | None, today: date) -> Obligation:
    """国办函〔2020〕109号: paid within 20 working days of the applicant receiving the notice, or the
    application is concluded ``other.fee_unpaid``."""
    note = (
        f"申请人自收到收费通知之日起20个工作日内缴费（国办函〔2020〕109号），收到通知之日为{delivered_on.isoformat()}；"
        "逾期未缴费的，视为放弃申请，按逾期未缴费办结"
    )
    return Obligation(
        "fee_payment", delivered_on, due_on, paid_on, _status(due_on, paid_on, today, lapses=True), True, note
    )


def review_opinion(requested_on: date, due_on: date, opined_on: date | None, today: date) -> Obligation:
    """Seed 001 保密审查制度 第十条: the opinion within 15 working days of the request — a reminder."""
    note = "负责保密审查的机构接到信息审查申请后，应在15个工作日内提出审查确认的意见（保密审查制度第十条）；提醒事项，不阻止答复"
    return Obligation(
        "review_opinion", requested_on, due_on, opined_on, _status(due_on, opined_on, today, lapses=False), False, note
    )


def report_up(decided_on: date, due_on: date, reported_on: date | None, today: date) -> Obligation:
    """Seed 001 政府信息主动公开工作制度 七: a decision not to disclose is reported in writing to the
    office one level up within 5 working days of the decision."""
    note = "决定不予公开政府信息的，应当于作出决定之日起5个工作日内书面报告上一级政务公开工作主管部门（政府信息主动公开工作制度七）"
    return Obligation(
        "report_up", decided_on, due_on, reported_on, _status(due_on, reported_on, today, lapses=False), False, note
    )
