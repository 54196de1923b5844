"""The working-day calendar (DESIGN §4), on the real State Council arrangements of chinesecalendar 1.11.0."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.calendar import CalendarError, NonWorkingDay, WorkingDayCalendar

CALENDAR = WorkingDayCalendar()

# A TEST FIXTURE, not the official 2027 notice (which is not published when this is written):
# plausible days for 元旦 and 春节 (Chinese New Year 2027 falls on 6 February) with one make-up Saturday.
FIXTURE_2027_HOLIDAYS = {
    date(2027, 1, 1): "元旦",
    date(2027, 1, 2): "元旦",
    date(2027, 1, 3): "元旦",
    **{date(2027, 2, d): "春节" for d in range(5, 13)},
}
FIXTURE_2027_MAKEUP = {date(2027, 2, 20): "春节调休上班"}


def names(days: tuple[NonWorkingDay, ...] | list[NonWorkingDay]) -> list[tuple[str, str]]:
    return [(d.day.isoformat(), d.name) for d in days]


def test_day_of_receipt_is_not_counted() -> None:
    # DESIGN §4: N working days from D is the N-th working day after D.
    assert CALENDAR.add_working_days(date(2026, 3, 2), 1).day == date(2026, 3, 3)
    assert CALENDAR.add_working_days(date(2026, 3, 6), 1).day == date(2026, 3, 9)  # Friday → Monday


def test_zero_working_days_is_the_start_day_itself() -> None:
    result = CALENDAR.add_working_days(date(2026, 10, 3), 0)
    assert (result.day, result.provisional, result.skipped) == (date(2026, 10, 3), False, ())


def test_reply_period_over_national_day_skips_holidays_and_counts_makeup_saturday() -> None:
    # 条例 第三十三条: 20 working days. Mid-Autumn 9-25..27 and National Day 10-01..07 are holidays;
    # Saturday 10-10 is a 国庆节 make-up working day and counts.
    result = CALENDAR.add_working_days(date(2026, 9, 25), 20)
    assert result.day == date(2026, 10, 29)
    assert result.provisional is False
    assert names(result.skipped) == [
        ("2026-09-26", "中秋节"),
        ("2026-09-27", "中秋节"),
        *[(f"2026-10-0{d}", "国庆节") for d in range(1, 8)],
        ("2026-10-11", "周末"),
        ("2026-10-17", "周末"),
        ("2026-10-18", "周末"),
        ("2026-10-24", "周末"),
        ("2026-10-25", "周末"),
    ]
    assert all(d.kind == "holiday" for d in result.skipped[:9])
    assert CALENDAR.is_working_day(date(2026, 10, 10))
    assert CALENDAR.makeup_workday_name(date(2026, 10, 10)) == "国庆节调休上班"


def test_spring_festival_2026_holidays_are_skipped_and_its_makeup_days_count() -> None:
    # 2026: 春节 02-15..23, make-up working days Saturday 02-14 and Saturday 02-28.
    for d in range(15, 24):
        assert CALENDAR.non_working_reason(date(2026, 2, d)) == NonWorkingDay(date(2026, 2, d), "春节", "holiday")
    assert CALENDAR.is_working_day(date(2026, 2, 14))
    assert CALENDAR.is_working_day(date(2026, 2, 28))
    assert CALENDAR.non_working_reason(date(2026, 2, 14)) is None
    assert CALENDAR.add_working_days(date(2026, 2, 13), 1).day == date(2026, 2, 14)
    assert CALENDAR.add_working_days(date(2026, 2, 13), 2).day == date(2026, 2, 24)
    # (02-13, 02-28]: 02-14, 02-24..27, 02-28.
    assert CALENDAR.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert names(CALENDAR.non_working_days(date(2026, 2, 13), date(2026, 2, 24))) == [
        (f"2026-02-{d}", "春节") for d in range(15, 24)
    ]


def test_2015_victory_day_holiday_has_its_chinese_name() -> None:
    assert CALENDAR.non_working_reason(date(2015, 9, 3)) == NonWorkingDay(date(2015, 9, 3), "抗战胜利纪念日", "holiday")
    assert CALENDAR.makeup_workday_name(date(2015, 9, 6)) == "抗战胜利纪念日调休上班"


def test_ordinary_weekend_is_named_weekend() -> None:
    assert CALENDAR.non_working_reason(date(2026, 3, 7)) == NonWorkingDay(date(2026, 3, 7), "周末", "weekend")
    assert CALENDAR.non_working_reason(date(2026, 3, 9)) is None


def test_unloaded_year_is_counted_on_weekends_only_and_provisional_until_loaded() -> None:
    calendar = WorkingDayCalendar()
    assert not calendar.is_known(2027)
    provisional = calendar.add_working_days(date(2026, 12, 20), 20)
    assert (provisional.day, provisional.provisional) == (date(2027, 1, 15), True)
    assert {d.kind for d in provisional.skipped} == {"weekend"}

    calendar.load_year(2027, FIXTURE_2027_HOLIDAYS, FIXTURE_2027_MAKEUP)

    exact = calendar.add_working_days(date(2026, 12, 20), 20)
    assert (exact.day, exact.provisional) == (date(2027, 1, 18), False)  # Friday 01-01 is 元旦 now
    assert ("2027-01-01", "元旦") in names(exact.skipped)
    assert calendar.is_working_day(date(2027, 2, 20))
    assert calendar.arrangement(2027).source == "loaded"
    assert 2027 in calendar.known_years()


def test_answer_within_a_known_year_is_not_provisional_even_if_start_year_is_unknown() -> None:
    # Only the days crossed count: (start, result].
    assert CALENDAR.add_working_days(date(2003, 12, 31), 1).provisional is False
    assert CALENDAR.add_working_days(date(2026, 12, 31), 1).provisional is True


@pytest.mark.parametrize(
    "start", [date(1, 1, 1), date(1990, 6, 1), date(2003, 12, 1), date(2040, 1, 1), date(9999, 1, 4)]
)
def test_year_outside_known_years_never_raises_and_is_provisional(start: date) -> None:
    result = CALENDAR.add_working_days(start, 20)
    assert result.provisional is True
    assert all(d.kind == "weekend" for d in result.skipped)
    assert CALENDAR.working_days_between(start, result.day) == 20
    assert CALENDAR.arrangement(start.year) is None
    CALENDAR.is_working_day(start)
    CALENDAR.non_working_reason(start)


def test_counting_across_many_unknown_years_never_raises() -> None:
    assert CALENDAR.working_days_between(date(2026, 1, 1), date(2040, 12, 31)) > 0
    assert CALENDAR.non_working_days(date(2039, 12, 29), date(2040, 1, 2))[0].kind == "weekend"


def test_counting_backwards_gives_the_nth_working_day_before() -> None:
    # Before Friday 10-09: 10-08, then (over National Day) 09-30, 09-29.
    result = CALENDAR.add_working_days(date(2026, 10, 9), -3)
    assert (result.day, result.provisional) == (date(2026, 9, 29), False)
    assert names(result.skipped) == [(f"2026-10-0{d}", "国庆节") for d in range(1, 8)]


def test_counting_backwards_skips_the_days_passed_over() -> None:
    # 10-08 is the first working day after National Day; the one before it is 09-30.
    result = CALENDAR.add_working_days(date(2026, 10, 8), -1)
    assert result.day == date(2026, 9, 30)
    assert names(result.skipped) == [(f"2026-10-0{d}", "国庆节") for d in range(1, 8)]


def test_working_days_between_is_negative_when_end_is_before_start() -> None:
    assert CALENDAR.working_days_between(date(2026, 10, 29), date(2026, 9, 25)) == -20
    assert CALENDAR.working_days_between(date(2026, 9, 25), date(2026, 9, 25)) == 0
    assert CALENDAR.non_working_days(date(2026, 10, 8), date(2026, 9, 30)) == []


def test_loaded_year_overrides_builtin_year() -> None:
    calendar = WorkingDayCalendar()
    assert calendar.arrangement(2026).source == "builtin"
    assert not calendar.is_working_day(date(2026, 10, 1))
    calendar.load_year(2026, {date(2026, 10, 12): "国庆节"}, {})
    assert calendar.arrangement(2026).source == "loaded"
    assert calendar.is_working_day(date(2026, 10, 1))
    assert calendar.non_working_reason(date(2026, 10, 12)) == NonWorkingDay(date(2026, 10, 12), "国庆节", "holiday")


def test_builtin_years_can_be_restricted() -> None:
    calendar = WorkingDayCalendar(builtin_years=[2025])
    assert calendar.known_years() == {2025}
    assert calendar.add_working_days(date(2026, 9, 25), 20).provisional is True


def test_builtin_year_the_package_does_not_know_is_refused() -> None:
    with pytest.raises(CalendarError):
        WorkingDayCalendar(builtin_years=[2030])


def test_arrangement_is_a_copy_that_cannot_change_the_calendar() -> None:
    calendar = WorkingDayCalendar()
    calendar.arrangement(2026).holidays.clear()
    assert not calendar.is_working_day(date(2026, 10, 1))


@pytest.mark.parametrize(
    ("holidays", "makeup", "reason"),
    [
        ({date(2026, 1, 1): "元旦"}, {}, "holiday in another year"),
        ({}, {date(2026, 12, 26): "元旦调休上班"}, "make-up day in another year"),
        ({date(2027, 1, 2): "元旦"}, {date(2027, 1, 2): "元旦调休上班"}, "day in both maps"),
        ({}, {date(2027, 2, 22): "春节调休上班"}, "make-up day on a Monday"),
        ({date(2027, 1, 1): "  "}, {}, "blank name"),
        ({date(2027, 1, 1): None}, {}, "name not a string"),
        ({datetime(2027, 1, 1, 0, 0): "元旦"}, {}, "datetime instead of date"),
        ({"2027-01-01": "元旦"}, {}, "string instead of date"),
    ],
)
def test_load_year_rejects_invalid_arrangement(holidays: dict, makeup: dict, reason: str) -> None:
    calendar = WorkingDayCalendar()
    with pytest.raises(CalendarError):
        calendar.load_year(2027, holidays, makeup)
    assert not calendar.is_known(2027), reason


@pytest.mark.parametrize("year", [0, 10000, True, "2027"])
def test_load_year_rejects_year_outside_date_range(year: object) -> None:
    with pytest.raises(CalendarError):
        WorkingDayCalendar().load_year(year, {}, {})  # type: ignore[arg-type]


def test_arithmetic_past_date_range_raises_calendar_error() -> None:
    with pytest.raises(CalendarError):
        CALENDAR.add_working_days(date(9999, 12, 1), 30)
    with pytest.raises(CalendarError):
        CALENDAR.add_working_days(date(1, 1, 10), -30)
    with pytest.raises(CalendarError):
        CALENDAR.add_working_days(date(2026, 1, 1), 10**9)


# -- properties ------------------------------------------------------------------------------

starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
counts = st.integers(min_value=0, max_value=200)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=counts)
def test_property_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    result = CALENDAR.add_working_days(start, n)
    assert CALENDAR.working_days_between(start, result.day) == n
    assert n == 0 or CALENDAR.is_working_day(result.day)
    assert result.provisional == (result.day.year >= 2027 and n > 0)
    assert len(result.skipped) == (result.day - start).days - n


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=200))
def test_property_adding_then_subtracting_lands_on_last_working_day_not_after_start(start: date, n: int) -> None:
    # The n working days after start are w1 < … < wn; n back from wn is the working day before w1,
    # i.e. the latest working day on or before start (start itself when it is a working day).
    back = CALENDAR.add_working_days(CALENDAR.add_working_days(start, n).day, -n).day
    assert back <= start
    assert CALENDAR.is_working_day(back)
    assert CALENDAR.working_days_between(back, start) == 0
