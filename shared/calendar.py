"""The working-day calendar (工作日历) of the State Council's holiday arrangement (DESIGN §4).

Statutory limits of 政府信息公开条例 are counted in working days (工作日): Monday to Friday, minus the
public holidays (法定节假日), plus the weekend days made working days by 调休 (调休上班). Each year's
arrangement is published by the General Office of the State Council (国务院办公厅关于…部分节假日安排的
通知), usually in November for the next year.

Built-in years come from the ``chinesecalendar`` package; an administrator loads further years. A
year in neither is counted on weekends only and every answer that reaches into it is marked
provisional, to be recomputed once the year is loaded. No question about any date ever raises,
except arithmetic that would leave the range of ``datetime.date``.

Everything is pure and synchronous: per-year tables are built lazily and replaced whole, so the
calendar can be shared by coroutines without locking.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

import chinese_calendar

__all__ = [
    "CalendarError",
    "NonWorkingDay",
    "WorkingDayCalendar",
    "WorkingDayResult",
    "YearArrangement",
]

# chinesecalendar names holidays in English; the deadline explanations show them in Chinese.
HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    # 2015: 中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日, a one-off holiday.
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
WEEKEND_NAME = "周末"
MAKEUP_SUFFIX = "调休上班"

_SATURDAY = 5


class CalendarError(ValueError):
    """Invalid input to ``load_year``, or arithmetic past ``date.max`` / before ``date.min``."""


@dataclass(frozen=True)
class NonWorkingDay:
    """A day that is not a working day: a public holiday (法定节假日) or an ordinary weekend (周末)."""

    day: date
    name: str  # "国庆节", "春节", … or "周末"
    kind: Literal["holiday", "weekend"]


@dataclass(frozen=True)
class YearArrangement:
    """One year's State Council arrangement (国务院办公厅关于…部分节假日安排的通知)."""

    year: int
    holidays: dict[date, str]  # day → Chinese name
    makeup_workdays: dict[date, str]  # 调休上班: weekend days that are working days → e.g. "国庆节调休上班"
    source: Literal["builtin", "loaded"]


@dataclass(frozen=True)
class WorkingDayResult:
    """The answer of ``add_working_days``, able to explain itself."""

    day: date
    # True when any year crossed (start excluded, result included) is not known: the answer was
    # counted on weekends only and must be recomputed when that year is loaded.
    provisional: bool
    skipped: tuple[NonWorkingDay, ...]  # the non-working days passed over, in calendar order


@dataclass(frozen=True)
class _YearTable:
    """One year precomputed for arithmetic: day ordinals, sorted, so ranges are two bisections."""

    working: tuple[int, ...]
    non_working: tuple[int, ...]
    reasons: dict[int, NonWorkingDay]
    known: bool


def _builtin_arrangements() -> dict[int, YearArrangement]:
    # The package's dicts rather than its functions: the functions raise NotImplementedError for a
    # year they do not know, the dicts simply lack it.
    holidays: dict[int, dict[date, str]] = {}
    makeup: dict[int, dict[date, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        holidays.setdefault(day.year, {})[day] = HOLIDAY_NAMES_ZH.get(name, name)
    for day, name in chinese_calendar.workdays.items():
        makeup.setdefault(day.year, {})[day] = HOLIDAY_NAMES_ZH.get(name, name) + MAKEUP_SUFFIX
    return {
        year: YearArrangement(
            year=year,
            holidays=dict(sorted(holidays.get(year, {}).items())),
            makeup_workdays=dict(sorted(makeup.get(year, {}).items())),
            source="builtin",
        )
        for year in sorted(holidays.keys() | makeup.keys())
    }


_BUILTIN: dict[int, YearArrangement] = _builtin_arrangements()


def _days_of(year: int) -> Iterable[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        if day == date.max:
            return
        day += timedelta(days=1)


def _build_table(year: int, holidays: Mapping[date, str], makeup: Mapping[date, str], *, known: bool) -> _YearTable:
    working: list[int] = []
    reasons: dict[int, NonWorkingDay] = {}
    for day in _days_of(year):
        ordinal = day.toordinal()
        if day in makeup:
            working.append(ordinal)
        elif day in holidays:
            reasons[ordinal] = NonWorkingDay(day, holidays[day], "holiday")
        elif day.weekday() >= _SATURDAY:
            reasons[ordinal] = NonWorkingDay(day, WEEKEND_NAME, "weekend")
        else:
            working.append(ordinal)
    return _YearTable(tuple(working), tuple(reasons), reasons, known)


@lru_cache(maxsize=64)
def _weekends_only(year: int) -> _YearTable:
    """A year nobody has published an arrangement for: weekends only, provisional."""
    return _build_table(year, {}, {}, known=False)


def _validate_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not date.min.year <= year <= date.max.year:
        raise CalendarError(f"year must be an integer in {date.min.year}..{date.max.year}, got {year!r}")
    return year


def _validate_days(year: int, days: Mapping[date, str], what: str) -> dict[date, str]:
    checked: dict[date, str] = {}
    for day, name in days.items():
        # datetime is a subclass of date; a timestamp here is a caller's mistake, not a day.
        if isinstance(day, datetime) or not isinstance(day, date):
            raise CalendarError(f"{what}: {day!r} is not a date")
        if day.year != year:
            raise CalendarError(f"{what}: {day.isoformat()} is not in {year}")
        if not isinstance(name, str) or not name.strip():
            raise CalendarError(f"{what}: {day.isoformat()} needs a non-empty name")
        checked[day] = name.strip()
    return dict(sorted(checked.items()))


class WorkingDayCalendar:
    """Working-day arithmetic over the built-in and loaded holiday arrangements.

    "N working days from D" is the N-th working day after D: the day of receipt is not counted
    (DESIGN §4; 条例 第三十三条 counts the reply period from the day after receipt).
    """

    def __init__(self, builtin_years: Iterable[int] | None = None) -> None:
        if builtin_years is None:
            years = set(_BUILTIN)
        else:
            years = set(builtin_years)
            unknown = years - _BUILTIN.keys()
            if unknown:
                raise CalendarError(f"chinesecalendar has no arrangement for {sorted(unknown)}")
        self._arrangements: dict[int, YearArrangement] = {year: _BUILTIN[year] for year in years}
        self._tables: dict[int, _YearTable] = {}

    # -- arrangements ------------------------------------------------------------------------

    def load_year(self, year: int, holidays: Mapping[date, str], makeup_workdays: Mapping[date, str]) -> None:
        """Load (or replace) a year's arrangement; a loaded year takes precedence over the built-in one."""
        year = _validate_year(year)
        checked_holidays = _validate_days(year, holidays, "holidays")
        checked_makeup = _validate_days(year, makeup_workdays, "makeup_workdays")
        both = checked_holidays.keys() & checked_makeup.keys()
        if both:
            raise CalendarError(
                f"days both holiday and make-up working day: {', '.join(d.isoformat() for d in sorted(both))}"
            )
        weekdays = [d for d in checked_makeup if d.weekday() < _SATURDAY]
        if weekdays:
            # 调休上班 only ever turns a Saturday or Sunday into a working day.
            raise CalendarError(
                f"make-up working days must fall on a weekend: {', '.join(d.isoformat() for d in weekdays)}"
            )
        arrangement = YearArrangement(year, checked_holidays, checked_makeup, "loaded")
        # Replace whole objects, never mutate: a reader in another coroutine sees old or new, not half.
        self._arrangements = {**self._arrangements, year: arrangement}
        self._tables = {y: t for y, t in self._tables.items() if y != year}

    def known_years(self) -> set[int]:
        return set(self._arrangements)

    def is_known(self, year: int) -> bool:
        return year in self._arrangements

    def arrangement(self, year: int) -> YearArrangement | None:
        found = self._arrangements.get(year)
        if found is None:
            return None
        # Copies: the dataclass is frozen but its dicts are not, and the calendar's must not change.
        return YearArrangement(found.year, dict(found.holidays), dict(found.makeup_workdays), found.source)

    # -- single days ------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return day.toordinal() not in self._table(day.year).reasons

    def non_working_reason(self, day: date) -> NonWorkingDay | None:
        return self._table(day.year).reasons.get(day.toordinal())

    def makeup_workday_name(self, day: date) -> str | None:
        """The name of a 调休上班 day ("国庆节调休上班"), for deadline explanations; None otherwise."""
        found = self._arrangements.get(day.year)
        return found.makeup_workdays.get(day) if found else None

    # -- arithmetic -------------------------------------------------------------------------

    def add_working_days(self, start: date, n: int) -> WorkingDayResult:
        """The n-th working day after ``start`` (n > 0), before it (n < 0), or ``start`` (n == 0)."""
        if n == 0:
            return WorkingDayResult(start, False, ())
        start_ordinal = start.toordinal()
        if n > 0:
            result = self._forward(start_ordinal, n)
            low, high = start_ordinal, result  # days crossed: (start, result]
        else:
            result = self._backward(start_ordinal, -n)
            low, high = result - 1, start_ordinal - 1  # days crossed: [result, start)
        first_year, last_year = date.fromordinal(low + 1).year, date.fromordinal(high).year
        provisional = any(not self.is_known(year) for year in range(first_year, last_year + 1))
        return WorkingDayResult(date.fromordinal(result), provisional, tuple(self._non_working(low, high)))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (minus those in (end, start]) when end < start."""
        low, high = start.toordinal(), end.toordinal()
        if high < low:
            return -self.working_days_between(end, start)
        return (high - low) - sum(1 for _ in self._non_working(low, high))

    def non_working_days(self, start: date, end: date) -> list[NonWorkingDay]:
        """The non-working days in (start, end], in calendar order; empty when end <= start."""
        return list(self._non_working(start.toordinal(), end.toordinal()))

    # -- internals --------------------------------------------------------------------------

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is not None:
            return table
        found = self._arrangements.get(year)
        if found is None:
            return _weekends_only(year)
        table = _build_table(year, found.holidays, found.makeup_workdays, known=True)
        self._tables[year] = table
        return table

    def _forward(self, start_ordinal: int, n: int) -> int:
        # Working days are a subset of calendar days: cheap refusal before walking the years.
        if n > date.max.toordinal() - start_ordinal:
            raise CalendarError(f"{n} working days after {date.fromordinal(start_ordinal)} is past {date.max}")
        year, after, remaining = date.fromordinal(start_ordinal).year, start_ordinal, n
        while year <= date.max.year:
            working = self._table(year).working
            index = bisect_right(working, after)
            available = len(working) - index
            if remaining <= available:
                return working[index + remaining - 1]
            remaining -= available
            year, after = year + 1, 0
        raise CalendarError(f"{n} working days after {date.fromordinal(start_ordinal)} is past {date.max}")

    def _backward(self, start_ordinal: int, n: int) -> int:
        if n > start_ordinal - date.min.toordinal():
            raise CalendarError(f"{n} working days before {date.fromordinal(start_ordinal)} is before {date.min}")
        year, before, remaining = date.fromordinal(start_ordinal).year, start_ordinal, n
        while year >= date.min.year:
            working = self._table(year).working
            available = bisect_left(working, before)
            if remaining <= available:
                return working[available - remaining]
            remaining -= available
            year, before = year - 1, date.max.toordinal() + 1
        raise CalendarError(f"{n} working days before {date.fromordinal(start_ordinal)} is before {date.min}")

    def _non_working(self, low: int, high: int) -> Iterable[NonWorkingDay]:
        """Non-working days with ordinals in (low, high]."""
        if high <= low:
            return
        for year in range(date.fromordinal(low + 1).year, date.fromordinal(high).year + 1):
            table = self._table(year)
            ordinals = table.non_working
            for ordinal in ordinals[bisect_right(ordinals, low) : bisect_right(ordinals, high)]:
                yield table.reasons[ordinal]
