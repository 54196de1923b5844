"""The score sheet's workflow (考核评分表): who may take each step, which entries each state accepts,
and the assessment-notice rule of seed 003 三(二). Pure: the caller passes the date and the roles.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from services.scoring.domain.scheme import Category
from shared.domain import DomainError
from shared.vocabulary import SHEET_ACTION_LABELS, SHEET_STATE_LABELS, CheckMethod, EntrySource, SheetState

SheetAction = Literal["self_assess", "review", "finalize"]

# 考核方案 三(二): 考核小组提前15天向被考核单位发出考核通知 — calendar days (天, not 工作日).
NOTICE_LEAD_DAYS = 15
# Entries that need the unit's evidence (印证材料, examined on site: 现场考核) wait for the notice period.
ON_SITE_METHODS: frozenset[CheckMethod] = frozenset({"evidence"})


@dataclass(frozen=True)
class Step:
    source: SheetState
    target: SheetState
    roles: frozenset[str]


# 考核办法 第八条: (三) 被考核单位…开展自查 → (四)(五) 考核组…核查、提出考核等次意见 → 报本级政府审定
# (the office approves). Roles are those of shared.auth.
SHEET_STEPS: Mapping[SheetAction, Step] = {
    "self_assess": Step("open", "self_assessed", frozenset({"handler", "unit_admin"})),
    "review": Step("self_assessed", "reviewed", frozenset({"assessor", "office"})),
    "finalize": Step("reviewed", "finalized", frozenset({"office"})),
}

# Which entries a sheet accepts in each state: the unit writes its 自查 until it submits it; the
# assessors write until they submit their review; after finalization nothing changes the sheet.
ENTRY_STATES: Mapping[EntrySource, frozenset[SheetState]] = {
    "self": frozenset({"open"}),
    "assessor": frozenset({"open", "self_assessed"}),
    "system": frozenset({"open", "self_assessed", "reviewed"}),
}


def allowed_actions(state: SheetState, roles: Collection[str]) -> list[SheetAction]:
    """The steps a holder of ``roles`` may take on a sheet in ``state`` (for the API's links)."""
    return [a for a, s in SHEET_STEPS.items() if s.source == state and not s.roles.isdisjoint(roles)]


def may_take(action: SheetAction, roles: Collection[str]) -> bool:
    """Whether the roles may take the step at all (the API answers 403 otherwise)."""
    return not SHEET_STEPS[action].roles.isdisjoint(roles)


def advance(state: SheetState, action: SheetAction) -> SheetState:
    """The state after ``action``, or a 409 ``sheet_transition_invalid`` naming what is allowed."""
    step = SHEET_STEPS[action]
    if step.source != state:
        raise DomainError(
            "sheet_transition_invalid",
            "评分表当前状态不允许此操作",
            f"评分表为“{SHEET_STATE_LABELS[state]}”，{SHEET_ACTION_LABELS[action]}只能在“{SHEET_STATE_LABELS[step.source]}”时进行",
            current_state=state,
            allowed_actions=[a for a, s in SHEET_STEPS.items() if s.source == state],
        )
    return step.target


def system_entry_is_late(state: SheetState) -> bool:
    """An event for a finalized sheet never changes it: it is kept as a late finding (迟到的发现)."""
    return state not in ENTRY_STATES["system"]


def check_entry_allowed(state: SheetState, source: EntrySource) -> None:
    """409 when the sheet's state no longer (or not yet) takes entries from ``source``."""
    if state not in ENTRY_STATES[source]:
        raise DomainError(
            "sheet_closed_for_entries",
            "评分表当前状态不接受此类记录",
            f"评分表为“{SHEET_STATE_LABELS[state]}”，不再接受{'单位自查' if source == 'self' else '考核'}记录",
            current_state=state,
        )


def on_site_checks_open_on(category: Category) -> date | None:
    """The first day on-site checks may be recorded for the category; None while no notice is sent."""
    if category.notice_date is None:
        return None
    return category.notice_date + timedelta(days=NOTICE_LEAD_DAYS)


def check_notice_period(category: Category, method: CheckMethod, on: date) -> None:
    """考核方案 三(二): an on-site check entry dated before notice + 15 days is a 409."""
    if method not in ON_SITE_METHODS:
        return
    opens = on_site_checks_open_on(category)
    if opens is None:
        raise DomainError(
            "assessment_notice_not_sent",
            "尚未发出考核通知",
            f"类别 {category.code} 尚未发出考核通知，不能进行现场考核",
            category=category.code,
        )
    if on < opens:
        raise DomainError(
            "on_site_check_too_early",
            "考核通知发出未满15天",
            f"考核通知于 {category.notice_date} 发出，现场考核最早于 {opens} 进行",
            category=category.code,
            opens_on=opens.isoformat(),
        )
