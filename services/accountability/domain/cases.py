"""The state machine of an accountability case (DESIGN §8) and the hearing guard on a decision.

open → investigating → hearing → decided → (appealed → decided) → closed.

- ``decide`` is allowed only from ``hearing`` and only once every person concerned has a statement
  (陈述申辩) or a waiver recorded: seed 004 第二十八条 (在作出追究决定前…认真听取有关责任人的陈述和
  申辩), seed 001 第七条 likewise.
- ``appeal`` (复核、申诉, seed 004 第二十九条) reopens a decided case; ``decide-appeal`` upholds,
  changes or revokes the decision and returns to ``decided``. Whether the appeal is in time is
  ``deadlines.check_appeal_in_time``, checked by the use case before the transition.
- ``dismiss`` (不予追究) closes a case that is not yet decided when the investigation finds no
  violation: the design names no such path, but a case opened by an event must be able to end
  without a sanction.
- A case takes new findings while it is ``open``, ``investigating`` or ``hearing`` (``ACTIVE_STATES``):
  an event for its unit and violation is appended to it instead of opening another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from services.accountability.domain.assessment import PersonConcerned
from shared.domain import DomainError, InvalidInput
from shared.vocabulary import CASE_STATE_LABELS, CaseState

__all__ = [
    "ACTIONS",
    "ACTIVE_STATES",
    "STATES",
    "TRANSITIONS",
    "CaseAction",
    "HearingRecord",
    "allowed_actions",
    "missing_statements",
    "transition",
]

CaseAction = Literal["investigate", "start-hearing", "decide", "appeal", "decide-appeal", "close", "dismiss"]
ACTIONS: tuple[str, ...] = get_args(CaseAction)
STATES: tuple[str, ...] = get_args(CaseState)
ACTIVE_STATES: frozenset[str] = frozenset({"open", "investigating", "hearing"})

TRANSITIONS: dict[tuple[str, str], CaseState] = {
    ("open", "investigate"): "investigating",  # 第二十八条: 全面、客观地调查取证
    ("investigating", "start-hearing"): "hearing",  # 听取陈述和申辩
    ("hearing", "decide"): "decided",  # guarded: every person heard or waived
    ("decided", "appeal"): "appealed",  # 第二十九条: 5 working days of the notice
    ("appealed", "decide-appeal"): "decided",  # 第二十九条: 20 日内完成复核
    ("decided", "close"): "closed",
    **{(state, "dismiss"): "closed" for state in ("open", "investigating", "hearing")},
}


@dataclass(frozen=True)
class HearingRecord:
    """A person's statement (陈述申辩) or their written waiver of it (放弃陈述申辩)."""

    person_id: str
    kind: Literal["statement", "waiver"]


def allowed_actions(state: str) -> list[str]:
    return [action for action in ACTIONS if (state, action) in TRANSITIONS]


def missing_statements(
    persons: Iterable[PersonConcerned], records: Iterable[HearingRecord]
) -> tuple[PersonConcerned, ...]:
    """The persons concerned with neither a statement nor a waiver recorded."""
    heard = {record.person_id for record in records}
    return tuple(person for person in persons if person.person_id not in heard)


def transition(
    state: str,
    action: str,
    *,
    persons: Iterable[PersonConcerned] = (),
    hearing: Iterable[HearingRecord] = (),
) -> CaseState:
    """The state after ``action``; ``persons`` and ``hearing`` are needed by ``decide``."""
    if action not in ACTIONS:
        raise InvalidInput("action_invalid", "未知的案件操作", f"可用操作：{', '.join(ACTIONS)}")
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise DomainError(
            "transition_not_allowed",
            "案件当前状态不允许该操作",
            f"案件处于“{CASE_STATE_LABELS.get(state, state)}”，不能执行 {action}",
            state=state,
            action=action,
            allowed_actions=allowed_actions(state),
        )
    if action == "decide":
        missing = missing_statements(persons, hearing)
        if missing:
            # seed 004 第二十八条: no decision before each person concerned was heard or waived it.
            raise DomainError(
                "hearing_incomplete",
                "尚有当事人未陈述申辩或书面放弃，不能作出追究决定",
                f"未陈述申辩：{'、'.join(f'{p.name}（{p.person_id}）' for p in missing)}",
                missing=[p.person_id for p in missing],
            )
    return target
