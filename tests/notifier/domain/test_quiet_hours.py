"""Quiet hours for SMS: held until the window ends, in Asia/Shanghai time, across midnight."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifier.domain.quiet_hours import LOCAL_TZ, held_until, parse_quiet_hours
from shared.domain import InvalidInput

NIGHT = parse_quiet_hours("22:00-07:00")


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=LOCAL_TZ)


def test_an_sms_at_23_00_waits_until_07_00_next_morning() -> None:
    assert held_until(_local(12, 23), NIGHT) == _local(13, 7)


def test_an_sms_after_midnight_waits_until_07_00_the_same_morning() -> None:
    assert held_until(_local(13, 2, 30), NIGHT) == _local(13, 7)


def test_an_sms_in_the_day_goes_at_once_and_the_window_end_is_not_quiet() -> None:
    assert held_until(_local(12, 12), NIGHT) is None
    assert held_until(_local(12, 7), NIGHT) is None
    assert held_until(_local(12, 22), NIGHT) == _local(13, 7)


def test_the_window_is_read_in_shanghai_time_whatever_the_clocks_zone() -> None:
    # 15:30 UTC is 23:30 in Shanghai
    assert held_until(datetime(2026, 10, 12, 15, 30, tzinfo=UTC), NIGHT) == _local(13, 7)


def test_a_window_within_one_day_and_an_empty_window() -> None:
    lunch = parse_quiet_hours("12:00-14:00")
    assert held_until(_local(12, 13), lunch) == _local(12, 14)
    assert held_until(_local(12, 15), lunch) is None
    assert held_until(_local(12, 3), parse_quiet_hours("00:00-00:00")) is None
    assert held_until(_local(12, 3), None) is None


@pytest.mark.parametrize("text", ["22:00", "24:00-07:00", "22-07", "22:00-7:00"])
def test_a_malformed_window_setting_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_quiet_hours(text)
    assert caught.value.code == "quiet_hours_invalid"


@given(st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)))
def test_a_held_sms_is_released_outside_the_window_within_a_day(now: datetime) -> None:
    release = held_until(now, NIGHT)
    if release is None:
        assert not NIGHT.contains(now.astimezone(LOCAL_TZ).time())
    else:
        assert release > now
        assert (release - now).total_seconds() <= 9 * 3600
        assert release.astimezone(LOCAL_TZ).time() == time(7, 0)
        assert not NIGHT.contains(release.astimezone(LOCAL_TZ).time())
