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
"""

from __future__ import annotations

from services.requests.domain.outcomes import OUTCOMES, RELEASING_OUTCOMES
from shared.domain import DomainError, InvalidInput
from shared.vocabulary import OutcomeCode

__all__ = [
    "ACTIONS",
    "LAPSE_OUTCOMES",
    "REVIEW_OPINIONS",
    "STATES",
    "TRANSITIONS",
    "allowed_actions",
    "transition",
]

STATES: tuple[str, ...] = (
    "submitted",
    "registered",
    "correction_requested",
    "in_progress",
    "consulting",
    "fee_pending",
    "review",
    "replied",
    "archived",
    "withdrawn",
)

# 保密审查 opinions: 同意公开 / 不予公开 / 需报审 (refer to the secrecy office or a superior).
REVIEW_OPINIONS: tuple[str, ...] = ("disclose", "withhold", "refer")

# The outcome each system conclusion replies with.
LAPSE_OUTCOMES: dict[str, OutcomeCode] = {
    "lapse-correction": "other.correction_lapsed",  # 条例 第三十条: 无正当理由逾期不补正
    "lapse-fee": "other.fee_unpaid",  # 国办函〔2020〕109号: 逾期未缴费
}

_OPEN_STATES = ("submitted", "registered", "correction_requested", "in_progress", "consulting", "fee_pending", "review")
_HANDLED_STATES = ("in_progress", "consulting", "fee_pending", "review")

TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "register"): "registered",  # 条例 第三十一条: the office confirms receipt
    ("registered", "request-correction"): "correction_requested",  # 条例 第三十条
    ("correction_requested", "receive-correction"): "registered",
    ("correction_requested", "lapse-correction"): "replied",
    ("registered", "assign"): "in_progress",
    **{(state, "assign"): state for state in _HANDLED_STATES},
    **{(state, "extend"): state for state in ("registered", *_HANDLED_STATES)},  # 条例 第三十三条
    ("in_progress", "start-consultation"): "consulting",  # 条例 第三十二条、第三十四条
    ("consulting", "start-consultation"): "consulting",
    ("consulting", "close-consultation"): "in_progress",  # guarded: stays consulting while others are open
    ("in_progress", "fee-notice"): "fee_pending",  # 条例 第四十二条
    ("fee_pending", "fee-payment"): "in_progress",
    ("fee_pending", "lapse-fee"): "replied",
    ("in_progress", "review"): "review",  # 保密审查 of the draft reply
    ("review", "review"): "review",  # a later opinion, e.g. after a referral
    ("review", "reply"): "replied",  # guarded by the latest opinion
    **{(state, "withdraw"): "withdrawn" for state in _OPEN_STATES},
    ("replied", "archive"): "archived",
}

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(action for _, action in TRANSITIONS))


def allowed_actions(state: str) -> list[str]:
    """The actions the table allows in ``state``, in the table's order (guards not applied)."""
    return [action for (from_state, action) in TRANSITIONS if from_state == state]


def transition(
    state: str,
    action: str,
    *,
    consultations_still_open: int = 0,
    opinion: str | None = None,
    latest_opinion: str | None = None,
    outcome: str | None = None,
) -> str:
    """The state after ``action`` in ``state``, or ``DomainError`` if it is not allowed.

    Guards, by action:
    - ``close-consultation``: ``consultations_still_open`` — consultations still open once this one
      is closed; while any is, the application stays ``consulting``.
    - ``review``: ``opinion`` — the new 保密审查 opinion, one of ``REVIEW_OPINIONS``.
    - ``reply``: ``outcome`` and ``latest_opinion``, the latest 保密审查 opinion on record.
    """
    target = TRANSITIONS.get((state, action))
    if target is None:
        allowed = allowed_actions(state)
        raise DomainError(
            "illegal_transition",
            "当前状态不允许该操作",
            f"状态 {state} 不允许操作 {action}；允许的操作：{'、'.join(allowed) or '无'}",
            current_state=state,
            action=action,
            allowed_actions=allowed,
        )
    if action == "close-consultation" and consultations_still_open > 0:
        return "consulting"
    if action == "review" and opinion not in REVIEW_OPINIONS:
        raise InvalidInput(
            "review_opinion_invalid", "保密审查意见无效", f"opinion 须为 disclose、withhold 或 refer，收到 {opinion!r}"
        )
    if action == "reply":
        _check_reply(outcome, latest_opinion)
    return target


def _check_reply(outcome: str | None, latest_opinion: str | None) -> None:
    if outcome is None or outcome not in OUTCOMES:
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
