"""Assessment of a case: who answers for it (责任的区分) and the repeat offence found automatically.

- ``attribute``: seed 004 第二十七条(三) — acted without the approval of the leader in charge → the
  handler bears all of it; approved by the leader in charge → that leader; decided collectively by
  the leading group → the principal leader mainly, the other members secondarily. Seed 001 第六条(一)
  says the same in fewer words.
- ``repeat_offence``: 责任追究办法 第九条(四) (一年内出现两次或者两次以上应予追究责任的情形的, 应当从重):
  another case decided for the same unit or one of the same persons within the 365 days up to the
  day this case is assessed aggravates it, automatically and shown as such. A decision revoked on
  appeal (seed 004 第二十九条) was no 应予追究责任的情形 and does not count.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.accountability.domain.ladders import AppliedFactor
from shared.domain import InvalidInput
from shared.vocabulary import Approval, PersonRole, ResponsibilityShare

__all__ = [
    "REPEAT_WINDOW_DAYS",
    "PersonConcerned",
    "PriorDecision",
    "Responsibility",
    "attribute",
    "repeat_offence",
]

# 第九条(四) "一年内": the 365 days before the day of assessment, both ends included.
REPEAT_WINDOW_DAYS = 365

_SOURCE = "seed 004 第二十七条(三)"


@dataclass(frozen=True)
class PersonConcerned:
    """A person concerned in a case (当事人) with the role that decides their responsibility."""

    person_id: str
    name: str
    role: PersonRole


@dataclass(frozen=True)
class Responsibility:
    person_id: str
    share: ResponsibilityShare
    reason: str


def _with_role(persons: Sequence[PersonConcerned], *roles: PersonRole) -> list[PersonConcerned]:
    return [p for p in persons if p.role in roles]


def _missing(code: str, who: str, approval: str) -> InvalidInput:
    return InvalidInput(code, f"无法划分责任：缺少{who}", f"审批情况为“{approval}”，但当事人中没有{who}")


def attribute(approval: Approval, persons: Sequence[PersonConcerned]) -> tuple[Responsibility, ...]:
    """Who answers for the act and how much, from who approved it (seed 004 第二十七条(三))."""
    if approval == "none":
        # 1、未经行政主管领导审核批准而作出的…由直接承办人承担全部责任
        handlers = _with_role(persons, "handler")
        if not handlers:
            raise _missing("handler_missing", "直接承办人", "未经领导审核批准")
        return tuple(Responsibility(p.person_id, "sole", f"未经主管领导审核批准（{_SOURCE}1）") for p in handlers)
    if approval == "leader_in_charge":
        # 2、经行政主管领导审核批准或同意后作出的…由主管领导承担责任
        leaders = _with_role(persons, "leader_in_charge")
        if not leaders:
            raise _missing("leader_in_charge_missing", "主管领导", "经主管领导审核批准")
        return tuple(Responsibility(p.person_id, "sole", f"经主管领导审核批准（{_SOURCE}2）") for p in leaders)
    if approval == "collective":
        # 3、经过领导小组集体讨论决定作出的…由主要领导承担主要责任，小组其他成员承担次要责任
        principals = _with_role(persons, "principal_leader")
        if not principals:
            raise _missing("principal_leader_missing", "主要领导", "经领导小组集体讨论决定")
        # A leader in charge who took part sat in the leading group: one of its other members.
        members = _with_role(persons, "collective_member", "leader_in_charge")
        return tuple(
            [Responsibility(p.person_id, "primary", f"集体讨论决定，主要领导（{_SOURCE}3）") for p in principals]
            + [Responsibility(p.person_id, "secondary", f"集体讨论决定，小组其他成员（{_SOURCE}3）") for p in members]
        )
    raise InvalidInput("approval_invalid", "审批情况无效", f"未知审批情况：{approval}")


@dataclass(frozen=True)
class PriorDecision:
    """Another case's decision, as far as 第九条(四) needs it."""

    case_id: str
    unit_code: str
    decided_on: date
    person_ids: frozenset[str] = field(default_factory=frozenset)
    revoked: bool = False  # revoked on appeal: no longer counts


def repeat_offence(
    priors: Iterable[PriorDecision],
    *,
    case_id: str,
    unit_code: str,
    person_ids: Collection[str],
    on: date,
) -> AppliedFactor | None:
    """The automatic 第九条(四) factor when another decided case falls in the year up to ``on``."""
    earliest = on - timedelta(days=REPEAT_WINDOW_DAYS)
    notes: list[str] = []
    for prior in sorted(priors, key=lambda p: (p.decided_on, p.case_id)):
        if prior.case_id == case_id or prior.revoked or not earliest <= prior.decided_on <= on:
            continue
        if prior.unit_code == unit_code:
            notes.append(f"本单位案件 {prior.case_id} 于 {prior.decided_on.isoformat()} 作出决定")
        else:
            shared = sorted(prior.person_ids & set(person_ids))
            if shared:
                notes.append(
                    f"当事人 {'、'.join(shared)} 的案件 {prior.case_id} 于 {prior.decided_on.isoformat()} 作出决定"
                )
    if not notes:
        return None
    return AppliedFactor("repeat_offence", automatic=True, note="；".join(notes))
