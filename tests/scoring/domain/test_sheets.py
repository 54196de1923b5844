"""The sheet workflow, the entries each state takes, and the 15-day notice rule (考核方案 三(二))."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.scoring.domain.scheme import Scheme
from services.scoring.domain.sheets import (
    advance,
    allowed_actions,
    check_entry_allowed,
    check_notice_period,
    may_take,
    on_site_checks_open_on,
    system_entry_is_late,
)
from shared.domain import DomainError


def test_a_sheet_goes_open_self_assessed_reviewed_finalized() -> None:
    state = advance("open", "self_assess")
    state = advance(state, "review")
    assert advance(state, "finalize") == "finalized"


def test_a_step_out_of_order_is_a_conflict_naming_what_is_allowed() -> None:
    with pytest.raises(DomainError) as caught:
        advance("open", "finalize")
    assert caught.value.status == 409 and caught.value.code == "sheet_transition_invalid"
    assert caught.value.extensions["allowed_actions"] == ["self_assess"]


def test_each_step_belongs_to_its_role() -> None:
    assert may_take("self_assess", {"handler"}) and not may_take("self_assess", {"assessor"})
    assert may_take("review", {"assessor"}) and not may_take("review", {"unit_admin"})
    assert may_take("finalize", {"office"}) and not may_take("finalize", {"assessor"})
    assert allowed_actions("reviewed", {"assessor"}) == []
    assert allowed_actions("reviewed", {"office"}) == ["finalize"]


def test_the_self_check_closes_when_submitted_and_assessors_close_with_their_review() -> None:
    check_entry_allowed("open", "self")
    with pytest.raises(DomainError):
        check_entry_allowed("self_assessed", "self")
    check_entry_allowed("self_assessed", "assessor")
    with pytest.raises(DomainError):
        check_entry_allowed("reviewed", "assessor")


def test_an_event_for_a_finalized_sheet_is_a_late_finding() -> None:
    assert not system_entry_is_late("reviewed")
    assert system_entry_is_late("finalized")


def test_on_site_checks_open_fifteen_days_after_the_notice(district_2023: Scheme) -> None:
    # Notice sent on Friday 2023-11-10; day 14 is 2023-11-24, day 15 is 2023-11-25.
    a = replace(district_2023.category("A"), notice_date=date(2023, 11, 10))
    assert on_site_checks_open_on(a) == date(2023, 11, 25)
    with pytest.raises(DomainError) as caught:
        check_notice_period(a, "evidence", date(2023, 11, 24))
    assert caught.value.code == "on_site_check_too_early" and caught.value.extensions["opens_on"] == "2023-11-25"
    check_notice_period(a, "evidence", date(2023, 11, 25))


def test_online_checks_need_no_notice_period(district_2023: Scheme) -> None:
    a = replace(district_2023.category("A"), notice_date=date(2023, 11, 10))
    check_notice_period(a, "online_check", date(2023, 11, 11))


def test_no_on_site_check_before_any_notice(district_2023: Scheme) -> None:
    with pytest.raises(DomainError) as caught:
        check_notice_period(district_2023.category("A"), "evidence", date(2023, 12, 1))
    assert caught.value.code == "assessment_notice_not_sent"
