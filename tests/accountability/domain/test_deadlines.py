"""Accountability deadlines on the real State Council arrangement (shared.calendar, built in to 2026).

2026: 中秋节 09-25..27, 国庆节 10-01..07 (调休上班 09-20 Sunday, 10-10 Saturday). 2027 is not known.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.accountability.domain.deadlines import (
    appeal_decision_due,
    appeal_last_day,
    appeal_reminder_on,
    check_appeal_in_time,
    escalate,
    is_overdue,
    rectification_due,
)
from shared.calendar import WorkingDayCalendar
from shared.domain import DomainError, InvalidInput

CALENDAR = WorkingDayCalendar()
NOTICE = date(2026, 9, 29)


def test_the_appeal_window_over_national_day_ends_on_2026_10_12_counting_the_make_up_saturday() -> None:
    # 09-30 (1), 国庆节 10-01..07, 10-08 (2), 10-09 (3), 10-10 调休上班 (4), 10-11 Sunday, 10-12 (5).
    last = appeal_last_day(NOTICE, CALENDAR)
    assert last.day == date(2026, 10, 12)
    assert not last.provisional
    assert check_appeal_in_time(NOTICE, date(2026, 10, 12), CALENDAR).day == date(2026, 10, 12)


def test_an_appeal_after_the_last_day_is_refused_naming_the_last_day() -> None:
    with pytest.raises(DomainError) as raised:
        check_appeal_in_time(NOTICE, date(2026, 10, 13), CALENDAR)
    assert raised.value.status == 409
    assert raised.value.code == "appeal_too_late"
    assert raised.value.extensions["last_day"] == "2026-10-12"
    assert "2026-10-12" in (raised.value.detail or "")


def test_an_appeal_on_the_day_of_notice_is_in_time_and_one_before_it_is_invalid() -> None:
    assert check_appeal_in_time(NOTICE, NOTICE, CALENDAR).day == date(2026, 10, 12)
    with pytest.raises(InvalidInput) as raised:
        check_appeal_in_time(NOTICE, NOTICE - timedelta(days=1), CALENDAR)
    assert raised.value.code == "appeal_before_notice"


def test_a_rectification_order_is_due_20_working_days_after_issue() -> None:
    # March 2026 has no holiday: Monday 03-02 + 4 weeks.
    assert rectification_due(date(2026, 3, 2), CALENDAR).day == date(2026, 3, 30)


def test_a_rectification_order_over_national_day_skips_the_holiday_and_counts_the_make_up_day() -> None:
    assert rectification_due(NOTICE, CALENDAR).day == date(2026, 11, 2)


def test_a_rectification_due_in_an_unknown_year_is_provisional() -> None:
    due = rectification_due(date(2026, 12, 20), CALENDAR)
    assert due.day.year == 2027
    assert due.provisional


def test_an_appeal_is_decided_within_20_calendar_days() -> None:
    due = appeal_decision_due(date(2026, 3, 3), CALENDAR)
    assert due.day == date(2026, 3, 23)
    assert appeal_reminder_on(date(2026, 3, 3), CALENDAR) == date(2026, 3, 20)


def test_an_appeal_decision_day_on_a_sunday_moves_to_the_next_working_day() -> None:
    # 09-21 + 20 = 10-11, a Sunday (the day after the 10-10 make-up Saturday).
    assert appeal_decision_due(date(2026, 9, 21), CALENDAR).day == date(2026, 10, 12)


def test_an_appeal_decision_day_in_the_national_day_holiday_moves_past_it() -> None:
    # 09-14 + 20 = 10-04, 国庆节.
    due = appeal_decision_due(date(2026, 9, 14), CALENDAR)
    assert due.day == date(2026, 10, 8)
    assert appeal_reminder_on(date(2026, 9, 14), CALENDAR) == date(2026, 10, 5)


def test_an_order_is_overdue_from_the_day_after_its_due_day() -> None:
    assert not is_overdue(date(2026, 3, 30), date(2026, 3, 30))
    assert is_overdue(date(2026, 3, 30), date(2026, 3, 31))


def test_the_first_overdue_schedules_an_interview_of_the_units_leaders() -> None:
    step = escalate(1, "appraisal_failed", date(2026, 3, 31), CALENDAR)
    assert step.sanction == "interview"
    assert step.of_leaders and step.scheduled
    assert step.violation is None
    assert "考核办法 第十一条" in step.reason
    assert step.next_due.day == date(2026, 4, 29)  # 清明节 04-04..06 skipped


def test_the_second_overdue_recommends_public_criticism() -> None:
    step = escalate(2, "public_appraisal", date(2026, 4, 30), CALENDAR)
    assert step.sanction == "public_criticism"
    assert not step.scheduled and not step.of_leaders
    assert step.violation == "obstructing_oversight"
    assert "社会评议办法 第九条" in step.reason
    assert escalate(3, "public_appraisal", date(2026, 6, 1), CALENDAR).sanction == "public_criticism"


def test_an_escalation_needs_an_overdue_order() -> None:
    with pytest.raises(InvalidInput) as raised:
        escalate(0, "case_decision", date(2026, 3, 31), CALENDAR)
    assert raised.value.code == "overdue_count_invalid"


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 20)))
def test_the_appeal_window_is_always_five_working_days_and_closes_the_day_after(received: date) -> None:
    last = check_appeal_in_time(received, received, CALENDAR).day
    assert CALENDAR.working_days_between(received, last) == 5
    assert CALENDAR.is_working_day(last)
    with pytest.raises(DomainError):
        check_appeal_in_time(received, last + timedelta(days=1), CALENDAR)


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 11, 1)))
def test_an_appeal_decision_day_is_a_working_day_at_least_20_days_on(filed: date) -> None:
    due = appeal_decision_due(filed, CALENDAR).day
    assert due >= filed + timedelta(days=20)
    assert CALENDAR.is_working_day(due)
    assert all(not CALENDAR.is_working_day(filed + timedelta(days=d)) for d in range(20, (due - filed).days))
