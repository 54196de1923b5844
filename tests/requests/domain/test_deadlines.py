"""The statutory clock (DESIGN §4–§5) on the real 2026 State Council arrangement.

2026: 元旦 01-01..03 (调休上班 01-04), 春节 02-15..23 (调休上班 02-14, 02-28), 清明节 04-04..06,
劳动节 05-01..05 (调休上班 05-09), 端午节 06-19..21, 中秋节 09-25..27, 国庆节 10-01..07
(调休上班 09-20, 10-10). 2027 is not known to chinesecalendar 1.11.0.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.requests.domain.deadlines import (
    ClockFact,
    CorrectionReceived,
    CorrectionRequested,
    Deadline,
    Extended,
    PauseEnded,
    PauseStarted,
    Received,
    compute_deadline,
    due_soon_mark,
    is_overdue,
    working_days_left,
)
from services.requests.domain.limits import (
    consultation_due,
    correction_lapse_on,
    correction_notice_due,
    extension_allowed,
    fee_payment_due,
)
from services.requests.domain.rules import RuleSet, rule_set
from shared.calendar import WorkingDayCalendar
from shared.domain import DomainError

CALENDAR = WorkingDayCalendar()
NATIONAL = rule_set("national_2019")
LOCAL = rule_set("local_15_15")
D = date
END_OF_2026 = D(2026, 12, 31)


def due(facts: list[ClockFact], today: date = END_OF_2026, rules: RuleSet = NATIONAL) -> Deadline:
    return compute_deadline(rules, CALENDAR, facts, today=today)


def test_the_2026_calendar_is_the_one_these_tests_assume() -> None:
    arrangement = CALENDAR.arrangement(2026)
    assert arrangement is not None
    assert arrangement.holidays[D(2026, 10, 1)] == "国庆节" and arrangement.holidays[D(2026, 4, 6)] == "清明节"
    assert sorted(arrangement.makeup_workdays) == [
        D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)
    ]  # fmt: skip
    assert not CALENDAR.is_known(2027)


# -- the reply period (条例 第三十三条) ---------------------------------------------------------


def test_reply_is_due_20_working_days_after_receipt_the_day_of_receipt_not_counted() -> None:
    deadline = due([Received(D(2026, 3, 2))])  # a Monday
    assert (deadline.start, deadline.due_on) == (D(2026, 3, 2), D(2026, 3, 30))
    assert deadline.running and not deadline.provisional and deadline.paused_by == ()
    assert [p.kind for p in deadline.periods] == ["reply_period"]
    assert deadline.periods[0].working_days == 20 and deadline.periods[0].counted


def test_reply_is_due_20_working_days_after_receipt_skipping_national_day() -> None:
    deadline = due([Received(D(2026, 9, 10))])
    assert deadline.due_on == D(2026, 10, 14)
    holidays = [(d.day, d.name) for d in deadline.skipped if d.kind == "holiday"]
    assert holidays == [(D(2026, 9, 25), "中秋节"), (D(2026, 9, 26), "中秋节"), (D(2026, 9, 27), "中秋节")] + [
        (D(2026, 10, day), "国庆节") for day in range(1, 8)
    ]
    assert deadline.makeup_workdays == ((D(2026, 9, 20), "国庆节调休上班"), (D(2026, 10, 10), "国庆节调休上班"))


def test_reply_period_counts_the_spring_festival_makeup_saturdays_as_working_days() -> None:
    deadline = due([Received(D(2026, 2, 10))])
    assert deadline.due_on == D(2026, 3, 16)
    assert deadline.makeup_workdays == ((D(2026, 2, 14), "春节调休上班"), (D(2026, 2, 28), "春节调休上班"))
    assert sum(1 for d in deadline.skipped if d.name == "春节") == 9


def test_local_rule_set_replies_within_15_working_days() -> None:
    deadline = due([Received(D(2026, 3, 2))], rules=LOCAL)
    assert (deadline.rule_set, deadline.due_on) == ("local_15_15", D(2026, 3, 23))


def test_due_date_reaching_an_unknown_year_is_provisional_and_counted_on_weekends_only() -> None:
    deadline = due([Received(D(2026, 12, 10))], today=D(2026, 12, 10))
    # 2027-01-01 counts as a working day until 2027 is loaded.
    assert (deadline.due_on, deadline.provisional) == (D(2027, 1, 7), True)


def test_no_receipt_yet_means_no_clock() -> None:
    deadline = due([])
    assert (deadline.start, deadline.due_on, deadline.running, deadline.periods) == (None, None, False, ())


# -- extension (条例 第三十三条) ----------------------------------------------------------------


def test_extension_adds_its_working_days_to_the_current_due_date_skipping_qingming() -> None:
    deadline = due([Received(D(2026, 3, 2)), Extended(20, D(2026, 3, 20), "需调取档案", "王主任")])
    assert deadline.due_on == D(2026, 4, 28)  # 2026-03-30 + 20 working days, 04-06 清明节 skipped
    extension = deadline.periods[-1]
    assert (extension.kind, extension.start, extension.end, extension.working_days, extension.counted) == (
        "extension", D(2026, 3, 20), D(2026, 4, 28), 20, True
    )  # fmt: skip
    assert "需调取档案" in extension.note and "王主任" in extension.note


def test_extension_is_allowed_once_by_1_to_20_working_days() -> None:
    facts: list[ClockFact] = [Received(D(2026, 3, 2))]
    extension_allowed(NATIONAL, facts, 20)
    extension_allowed(NATIONAL, facts, 1)
    for days in (0, 21, -5):
        with pytest.raises(DomainError) as raised:
            extension_allowed(NATIONAL, facts, days)
        assert raised.value.code == "extension_days_invalid"


def test_a_second_extension_is_refused() -> None:
    facts: list[ClockFact] = [Received(D(2026, 3, 2)), Extended(5, D(2026, 3, 20), "信息量大", "王主任")]
    with pytest.raises(DomainError) as raised:
        extension_allowed(NATIONAL, facts, 5)
    assert raised.value.code == "extension_already_granted"


def test_local_rule_set_extends_by_at_most_15_working_days() -> None:
    extension_allowed(LOCAL, [Received(D(2026, 3, 2))], 15)
    with pytest.raises(DomainError, match="extension_days_invalid"):
        extension_allowed(LOCAL, [Received(D(2026, 3, 2))], 16)


def test_an_extension_needs_a_reason_and_an_approver() -> None:
    with pytest.raises(DomainError, match="extension_reason_required"):
        Extended(10, D(2026, 3, 20), "  ", "王主任")
    with pytest.raises(DomainError, match="extension_approver_required"):
        Extended(10, D(2026, 3, 20), "信息量大", "")


# -- pauses: consultation (第三十二条), fee (第四十二条), suspension ------------------------------


def test_consultation_excludes_the_working_days_after_its_first_day_up_to_and_including_its_last() -> None:
    deadline = due(
        [
            Received(D(2026, 3, 2)),
            PauseStarted("c1", "consultation", D(2026, 3, 10)),
            PauseEnded("c1", D(2026, 3, 12)),
        ]
    )
    assert deadline.due_on == D(2026, 4, 1)  # 03-11 and 03-12 excluded: 2026-03-30 + 2
    consultation = deadline.periods[1]
    assert (consultation.kind, consultation.working_days, consultation.counted) == ("consultation", 2, False)
    assert "第三十二条" in consultation.note


def test_overlapping_pauses_exclude_each_working_day_once() -> None:
    deadline = due(
        [
            Received(D(2026, 3, 2)),
            PauseStarted("c1", "consultation", D(2026, 3, 10)),
            PauseStarted("c2", "consultation", D(2026, 3, 12)),
            PauseEnded("c1", D(2026, 3, 13)),
            PauseEnded("c2", D(2026, 3, 17)),
        ]
    )
    # (03-10, 03-17]: 03-11, 12, 13, 16, 17 — five working days, not 3 + 3.
    assert deadline.due_on == D(2026, 4, 7)  # 2026-03-30 + 5, 04-06 清明节 skipped
    assert [p.working_days for p in deadline.periods if p.kind == "consultation"] == [3, 2]
    assert "只扣除一次" in deadline.periods[2].note


def test_an_open_fee_pause_counts_as_if_it_ended_today_and_stops_the_clock() -> None:
    facts: list[ClockFact] = [Received(D(2026, 3, 2)), PauseStarted("fee", "fee", D(2026, 3, 10))]
    deadline = due(facts, today=D(2026, 3, 12))
    assert (deadline.due_on, deadline.running, deadline.paused_by) == (D(2026, 4, 1), False, ("fee",))
    assert deadline.periods[1].end is None and "尚未结束" in deadline.periods[1].note
    assert due(facts, today=D(2026, 3, 13)).due_on == D(2026, 4, 2)  # moves on day by day


def test_a_pause_that_starts_on_the_due_date_does_not_move_it() -> None:
    deadline = due(
        [
            Received(D(2026, 3, 2)),
            PauseStarted("s", "suspension", D(2026, 3, 30)),
            PauseEnded("s", D(2026, 4, 3)),
        ]
    )
    assert deadline.due_on == D(2026, 3, 30)
    assert deadline.periods[1].working_days == 0 and "届满之后" in deadline.periods[1].note


def test_a_pause_that_starts_the_day_before_the_due_date_leaves_one_working_day_after_it() -> None:
    deadline = due(
        [
            Received(D(2026, 3, 2)),
            PauseStarted("c1", "consultation", D(2026, 3, 27)),
            PauseEnded("c1", D(2026, 4, 2)),
        ]
    )
    assert deadline.due_on == D(2026, 4, 3)


# -- correction 补正 (条例 第三十条) -------------------------------------------------------------


def test_awaiting_a_correction_stops_the_clock_with_no_due_date() -> None:
    deadline = due([Received(D(2026, 3, 2)), CorrectionRequested(D(2026, 3, 5))], today=D(2026, 3, 9))
    assert (deadline.due_on, deadline.running, deadline.start) == (None, False, D(2026, 3, 2))
    wait = deadline.periods[-1]
    assert (wait.kind, wait.start, wait.end, wait.working_days) == ("correction_wait", D(2026, 3, 5), None, 2)


def test_corrected_application_restarts_the_full_period_from_the_day_it_arrives() -> None:
    deadline = due([Received(D(2026, 3, 2)), CorrectionRequested(D(2026, 3, 5)), CorrectionReceived(D(2026, 3, 16))])
    assert (deadline.start, deadline.due_on) == (D(2026, 3, 16), D(2026, 4, 14))
    assert [(p.kind, p.working_days, p.counted) for p in deadline.periods] == [
        ("reply_period", 3, False),  # 03-03..03-05 used, then void
        ("correction_wait", 7, False),
        ("restart", 20, True),
    ]


def test_pauses_and_extensions_before_a_correction_no_longer_move_the_due_date_but_the_extension_counts_once() -> None:
    facts: list[ClockFact] = [
        Received(D(2026, 3, 2)),
        PauseStarted("c1", "consultation", D(2026, 3, 3)),
        PauseEnded("c1", D(2026, 3, 4)),
        Extended(10, D(2026, 3, 4), "信息量大", "王主任"),
        CorrectionRequested(D(2026, 3, 5)),
        CorrectionReceived(D(2026, 3, 16)),
    ]
    deadline = due(facts)
    assert deadline.due_on == D(2026, 4, 14)
    extension = next(p for p in deadline.periods if p.kind == "extension")
    assert not extension.counted and "仍计为已延长一次" in extension.note
    with pytest.raises(DomainError, match="extension_already_granted"):
        extension_allowed(NATIONAL, facts, 5)


def test_facts_count_in_the_order_of_their_dates_not_of_the_list() -> None:
    ordered: list[ClockFact] = [
        Received(D(2026, 3, 2)),
        PauseStarted("c1", "consultation", D(2026, 3, 10)),
        PauseEnded("c1", D(2026, 3, 12)),
        Extended(5, D(2026, 3, 20), "信息量大", "王主任"),
    ]
    assert due(list(reversed(ordered))) == due(ordered)


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        ([CorrectionRequested(D(2026, 3, 1)), Received(D(2026, 3, 2))], "clock_fact_before_receipt"),
        ([Received(D(2026, 3, 2)), Received(D(2026, 3, 3))], "already_received"),
        ([Received(D(2026, 3, 2)), CorrectionReceived(D(2026, 3, 3))], "correction_not_requested"),
        (
            [Received(D(2026, 3, 2)), CorrectionRequested(D(2026, 3, 3)), CorrectionRequested(D(2026, 3, 4))],
            "correction_already_requested",
        ),
        ([Received(D(2026, 3, 2)), PauseEnded("c1", D(2026, 3, 3))], "pause_not_open"),
        (
            [
                Received(D(2026, 3, 2)),
                PauseStarted("c1", "consultation", D(2026, 3, 3)),
                PauseStarted("c1", "consultation", D(2026, 3, 4)),
            ],
            "pause_already_open",
        ),
    ],
)
def test_an_impossible_clock_history_is_refused(facts: list[ClockFact], code: str) -> None:
    with pytest.raises(DomainError) as raised:
        due(facts)
    assert raised.value.code == code


# -- days left, overdue, reminders -----------------------------------------------------------


def test_working_days_left_is_zero_on_the_due_day_and_negative_once_overdue() -> None:
    due_on = D(2026, 3, 30)  # a Monday
    assert working_days_left(CALENDAR, due_on, D(2026, 3, 27)) == 1
    assert working_days_left(CALENDAR, due_on, D(2026, 3, 28)) == 1  # Saturday: Monday still ahead
    assert working_days_left(CALENDAR, due_on, due_on) == 0
    assert working_days_left(CALENDAR, due_on, D(2026, 3, 31)) == -1
    assert working_days_left(CALENDAR, due_on, D(2026, 4, 7)) == -5  # 04-06 清明节 not counted


def test_working_days_left_is_minus_one_on_the_weekend_after_a_friday_due_date() -> None:
    assert working_days_left(CALENDAR, D(2026, 3, 27), D(2026, 3, 28)) == -1


def test_overdue_only_after_the_due_day_ends() -> None:
    assert not is_overdue(D(2026, 3, 30), D(2026, 3, 30))
    assert is_overdue(D(2026, 3, 30), D(2026, 3, 31))


def test_due_soon_marks_are_reached_on_the_working_days_with_5_3_and_1_left() -> None:
    due_on = D(2026, 3, 30)
    marks = {day: due_soon_mark(NATIONAL, CALENDAR, due_on, day) for day in (D(2026, 3, d) for d in range(20, 31))}
    assert {day: mark for day, mark in marks.items() if mark} == {
        D(2026, 3, 23): 5,
        D(2026, 3, 25): 3,
        D(2026, 3, 27): 1,
    }


def test_due_soon_mark_is_not_reached_again_on_the_weekend_after_it() -> None:
    assert due_soon_mark(NATIONAL, CALENDAR, D(2026, 3, 30), D(2026, 3, 28)) is None  # Saturday, 1 left


# -- the other periods ------------------------------------------------------------------------


def test_correction_notice_is_due_7_working_days_after_receipt_across_national_day() -> None:
    assert correction_notice_due(NATIONAL, CALENDAR, D(2026, 9, 28)) == D(2026, 10, 13)  # 10-10 调休上班 counts


def test_correction_lapses_after_the_period_the_office_set_skipping_labour_day() -> None:
    assert correction_lapse_on(CALENDAR, D(2026, 4, 30), 10) == D(2026, 5, 18)  # 05-09 调休上班 counts
    with pytest.raises(DomainError, match="correction_period_invalid"):
        correction_lapse_on(CALENDAR, D(2026, 4, 30), 0)


def test_fee_is_due_20_working_days_after_the_notice_skipping_dragon_boat_festival() -> None:
    assert fee_payment_due(NATIONAL, CALENDAR, D(2026, 6, 10)) == D(2026, 7, 9)


def test_third_party_answers_within_15_working_days_skipping_qingming() -> None:
    assert consultation_due(NATIONAL, CALENDAR, D(2026, 4, 1)) == D(2026, 4, 23)


# -- properties --------------------------------------------------------------------------------

RECEIPT_DAYS = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 10, 31))


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[ClockFact], date]:
    received = draw(RECEIPT_DAYS)
    facts: list[ClockFact] = [Received(received)]
    for i in range(draw(st.integers(0, 3))):
        start = received + timedelta(days=draw(st.integers(0, 40)))
        facts.append(PauseStarted(f"p{i}", draw(st.sampled_from(["consultation", "fee", "suspension"])), start))
        facts.append(PauseEnded(f"p{i}", start + timedelta(days=draw(st.integers(0, 20)))))
    if draw(st.booleans()):
        granted = received + timedelta(days=draw(st.integers(0, 25)))
        facts.append(Extended(draw(st.integers(1, 20)), granted, "理由", "王主任"))
    return facts, received


@settings(max_examples=200, deadline=None)
@given(histories())
def test_working_days_from_start_to_due_are_the_counted_plus_the_excluded_ones(
    history: tuple[list[ClockFact], date],
) -> None:
    facts, received = history
    deadline = due(facts)
    assert deadline.due_on is not None and deadline.start == received
    counted = sum(p.working_days for p in deadline.periods if p.counted)
    excluded = sum(p.working_days for p in deadline.periods if p.kind in ("consultation", "fee", "suspension"))
    assert CALENDAR.working_days_between(received, deadline.due_on) == counted + excluded
    assert CALENDAR.is_working_day(deadline.due_on)


@settings(max_examples=200, deadline=None)
@given(RECEIPT_DAYS, st.integers(0, 20))
def test_without_pauses_the_due_date_is_reply_plus_extension_working_days_after_receipt(
    received: date, extension: int
) -> None:
    facts: list[ClockFact] = [Received(received)]
    if extension:
        facts.append(Extended(extension, received, "理由", "王主任"))
    expected = CALENDAR.add_working_days(received, 20 + extension).day
    assert due(facts).due_on == expected


@settings(max_examples=200, deadline=None)
@given(histories(), st.integers(0, 60), st.integers(0, 20))
def test_a_further_pause_never_brings_the_due_date_earlier(
    history: tuple[list[ClockFact], date], offset: int, length: int
) -> None:
    facts, received = history
    start = received + timedelta(days=offset)
    more = [*facts, PauseStarted("extra", "suspension", start), PauseEnded("extra", start + timedelta(days=length))]
    assert due(more).due_on >= due(facts).due_on  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(RECEIPT_DAYS.filter(CALENDAR.is_working_day), st.integers(-30, 30))
def test_working_days_left_is_zero_only_on_the_due_day_and_negative_exactly_when_overdue(
    due_on: date, shift: int
) -> None:
    today = due_on + timedelta(days=shift)
    left = working_days_left(CALENDAR, due_on, today)
    assert (left < 0) == is_overdue(due_on, today)
    assert (left == 0) == (today == due_on)
