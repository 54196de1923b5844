"""The state machine of a disclosure application (DESIGN §5).

submitted → registered → (correction_requested ↔ registered) → in_progress → (consulting |
fee_pending ↔ in_progress) → review (保密审查) → replied → archived; withdrawn from any state before
replied. Actions are the API's ``POST /requests/{id}/<action>``; ``lapse-correction`` and
``lapse-fee`` are the system's conclusions once the applicant let a period run out.

Choices the design left open:

- ``assign`` hands the case to a (new) handler: from ``registered`` it starts the work; in
  ``in_progress``, ``consulting``, ``fee_pending`` and ``review`` it re-assigns without changing
  the state, since a handler may leave mid-case and the clock is not the handler's.
- ``start-consultation`` in ``consulting`` consults a further party; ``close-consultation`` returns to
  ``in_progress`` only once no consultation stays open.
- ``extend`` (延长答复期限) changes no state; it is allowed while the reply period runs or is paused
  (``registered`` up to ``review``), not while awaiting a correction (the restart would void it).
  Whether an extension is lawful is ``deadlines.extension_allowed``.
- ``reply`` with ``other.correction_lapsed`` or ``other.fee_unpaid`` is refused: those conclusions
  are the lapse actions', taken when their period has run out.
- ``request-correction`` (条例 第三十条) is allowed in every state before the reply, within 7
  working days of receipt (``limits.correction_notice_allowed``, once); ``receive-correction``
  returns to where the work stood (:func:`state_after_correction`).
- 条例 第三十五条 adds no state: ``request-reasons`` pauses the clock where the application stands,
  ``receive-reasons`` (or the period's lapse) resumes it, ``defer`` sets a later due date.
- ``request-review`` hands the draft reply to 保密审查 without an opinion yet (its 15 working days
  run from then, seed 001 保密审查制度 第十条); ``review`` records the opinion, from ``in_progress``
  at once or in ``review``.
- ``report-up`` (seed 001) records that a refusal was reported to the office one level up; it
  changes no state and is allowed after a ``withheld.*`` reply.
"""

from __future__ import annotations

from typing import get_args

from services.requests.domain.outcomes import ALL_OUTCOMES, RELEASING_OUTCOMES, UNREASONABLE_VOLUME
from shared.domain import DomainError, InvalidInput, allowed_actions_in, next_state
from shared.vocabulary import ApplicationState, OutcomeCode

__all__ = [
    "ACTIONS",
    "LAPSE_OUTCOMES",
    "REVIEW_OPINIONS",
    "STATES",
    "TRANSITIONS",
    "allowed_actions",
    "state_after_correction",
    "transition",
]

STATES: tuple[str, ...] = get_args(ApplicationState)  # the vocabulary's order

# 保密审查 opinions: 同意公开 / 不予公开 / 需报审 (refer to the secrecy office or a superior).
REVIEW_OPINIONS: tuple[str, ...] = ("disclose", "withhold", "refer")

# The outcome each system conclusion replies with.
LAPSE_OUTCOMES: dict[str, OutcomeCode] = {
    "lapse-correction": "other.correction_lapsed",  # 条例 第三十条: 无正当理由逾期不补正
    "lapse-fee": "other.fee_unpaid",  # 国办函〔2020〕109号: 逾期未缴费
}

_OPEN_STATES = ("submitted", "registered", "correction_requested", "in_progress", "consulting", "fee_pending", "review")
_HANDLED_STATES = ("in_progress", "consulting", "fee_pending", "review")
_BEFORE_REPLY = ("registered", *_HANDLED_STATES)  # received, the reply period running or paused
_REASONS_STATES = ("registered", "in_progress", "consulting", "fee_pending")

TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "register"): "registered",  # 条例 第三十一条: the office confirms receipt
    # 条例 第三十条: within 7 working days of receipt, in any state before the reply.
    **{(state, "request-correction"): "correction_requested" for state in _BEFORE_REPLY},
    ("correction_requested", "receive-correction"): "registered",  # guarded: state_after_correction
    ("correction_requested", "lapse-correction"): "replied",
    ("registered", "assign"): "in_progress",
    **{(state, "assign"): state for state in _HANDLED_STATES},
    **{(state, "extend"): state for state in ("registered", *_HANDLED_STATES)},  # 条例 第三十三条
    ("in_progress", "start-consultation"): "consulting",  # 条例 第三十二条、第三十四条
    ("consulting", "start-consultation"): "consulting",
    ("consulting", "close-consultation"): "in_progress",  # guarded: stays consulting while others are open
    ("correction_requested", "close-consultation"): "correction_requested",
    # 条例 第三十二条、第三十四条: unanswered at the end of its 15 working days (the system's).
    ("consulting", "lapse-consultation"): "in_progress",  # guarded like close-consultation
    ("correction_requested", "lapse-consultation"): "correction_requested",
    ("in_progress", "fee-notice"): "fee_pending",  # 条例 第四十二条
    ("fee_pending", "fee-payment"): "in_progress",
    ("correction_requested", "fee-payment"): "correction_requested",
    ("fee_pending", "lapse-fee"): "replied",
    # 条例 第三十五条: reasons for many or frequent applications; a deferred due date.
    **{(state, "request-reasons"): state for state in _REASONS_STATES},
    **{(state, "receive-reasons"): state for state in (*_REASONS_STATES, "correction_requested", "review")},
    **{(state, "lapse-reasons"): state for state in (*_REASONS_STATES, "correction_requested", "review")},
    **{(state, "defer"): state for state in _BEFORE_REPLY},
    ("in_progress", "request-review"): "review",  # seed 001 保密审查制度 第十条: 15 working days
    ("in_progress", "review"): "review",  # 保密审查 of the draft reply
    ("review", "review"): "review",  # a later opinion, e.g. after a referral
    ("review", "reply"): "replied",  # guarded by the latest opinion
    **{(state, "withdraw"): "withdrawn" for state in _OPEN_STATES},
    ("replied", "archive"): "archived",
    ("replied", "report-up"): "replied",  # seed 001: a refusal reported up within 5 working days
    ("archived", "report-up"): "archived",
}

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(action for _, action in TRANSITIONS))


def allowed_actions(state: str) -> list[str]:
    """The actions the table allows in ``state``, in the table's order (guards not applied)."""
    return allowed_actions_in(TRANSITIONS, state)


def transition(
    state: str,
    action: str,
    *,
    consultations_still_open: int = 0,
    opinion: str | None = None,
    latest_opinion: str | None = None,
    outcome: str | None = None,
    reasons: str | None = None,
    third_party_objected: bool = False,
    public_interest: bool = False,
) -> str:
    """The state after ``action`` in ``state``, or ``DomainError`` if it is not allowed.

    Guards, by action:
    - ``close-consultation``: ``consultations_still_open`` — consultations still open once this one
      is closed; while any is, the application stays ``consulting``.
    - ``review``: ``opinion`` — the new 保密审查 opinion, one of ``REVIEW_OPINIONS``.
    - ``reply``: ``outcome`` and ``latest_opinion``, the latest 保密审查 opinion on record;
      ``reasons`` — the 条例 第三十五条 request: None, ``pending``, ``answered`` or ``lapsed``;
      ``third_party_objected`` — a consulted third party objected to disclosure, and
      ``public_interest`` — the office recorded why it discloses all the same (条例 第三十二条).
    """
    target = next_state(TRANSITIONS, state, action)
    if action == "close-consultation" and consultations_still_open > 0:
        return "consulting"
    if action == "review" and opinion not in REVIEW_OPINIONS:
        raise InvalidInput(
            "review_opinion_invalid", "保密审查意见无效", f"opinion 须为 disclose、withhold 或 refer，收到 {opinion!r}"
        )
    if action == "reply":
        _check_reply(outcome, latest_opinion)
        _check_art_35(outcome, reasons)
        _check_art_32(outcome, third_party_objected, public_interest)
    return target


def state_after_correction(*, handler_assigned: bool, consultations_open: int, fee_unpaid: bool) -> str:
    """Where the work resumes once the corrected application arrives (条例 第三十条): back to
    ``registered`` if nobody was assigned yet; else to the consultation or fee still open; else to
    ``in_progress`` (a 保密审查 begun before the notice reviews a draft the correction voids)."""
    if not handler_assigned:
        return "registered"
    if consultations_open:
        return "consulting"
    if fee_unpaid:
        return "fee_pending"
    return "in_progress"


def _check_art_35(outcome: str | None, reasons: str | None) -> None:
    # 条例 第三十五条: "行政机关认为申请理由不合理的，告知申请人不予处理" — the conclusion follows a
    # request for reasons, once the applicant has answered or let the period run out.
    if outcome != UNREASONABLE_VOLUME:
        return
    if reasons is None:
        raise DomainError(
            "reasons_not_requested", "以申请理由不合理不予处理前，须先要求申请人说明理由（条例第三十五条）"
        )
    if reasons == "pending":
        raise DomainError("reasons_pending", "申请人说明理由的期限尚未届满（条例第三十五条）")


def _check_art_32(outcome: str | None, objected: bool, public_interest: bool) -> None:
    # 条例 第三十二条: "第三方不同意公开且有合理理由的，行政机关不予公开。行政机关认为不公开可能对公共
    # 利益造成重大影响的，可以决定予以公开，并将决定公开的政府信息内容和理由书面告知第三方。"
    if outcome == "disclosed" and objected and not public_interest:
        raise DomainError(
            "third_party_objection",
            "第三方不同意公开：予以公开须说明公共利益理由并书面告知第三方（条例第三十二条）",
            "public_interest.reason 与 public_interest.third_party_notified_on 为必填",
        )


def _check_reply(outcome: str | None, latest_opinion: str | None) -> None:
    if outcome is None or outcome not in ALL_OUTCOMES:
        raise InvalidInput("outcome_invalid", "答复的办理结果无效", f"{outcome!r}")
    if outcome in LAPSE_OUTCOMES.values():
        raise DomainError("outcome_reserved", "该办理结果只能由逾期不补正或逾期未缴费的办结产生", f"{outcome}")
    # Seed 001 保密审查制度 第三条、第四条: "先审查、后公开"; "未经审查和批准，不得对外公开发布政府信息".
    if latest_opinion is None:
        raise InvalidInput("review_required", "答复前须完成保密审查")
    if latest_opinion == "refer":
        raise DomainError("review_referred", "保密审查意见为需报审，须待后续审查意见后方可答复")
    if outcome in RELEASING_OUTCOMES and latest_opinion != "disclose":
        raise DomainError(
            "disclosure_not_approved",
            "予以公开或部分公开须经保密审查同意公开",
            f"最新保密审查意见为 {latest_opinion}",
        )
