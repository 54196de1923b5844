"""The circuit breaker per endpoint: opens after N failures, half-opens after a cool-down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.domain.breaker import (
    Breaker,
    BreakerPolicy,
    admit,
    record_failure,
    record_success,
    retry_at,
)
from shared.domain import InvalidInput

T0 = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
POLICY = BreakerPolicy(failure_threshold=3, cool_down=timedelta(seconds=60))


def _open_at(moment: datetime) -> Breaker:
    breaker = Breaker()
    for _ in range(3):
        breaker = record_failure(breaker, moment, POLICY)
    return breaker


def test_the_breaker_opens_after_the_configured_consecutive_failures() -> None:
    breaker = record_failure(record_failure(Breaker(), T0, POLICY), T0, POLICY)
    assert breaker.state == "closed"
    assert admit(breaker, T0, POLICY)[0]
    breaker = record_failure(breaker, T0, POLICY)
    assert (breaker.state, breaker.opened_at) == ("open", T0)
    assert admit(breaker, T0 + timedelta(seconds=59), POLICY) == (False, breaker)
    assert retry_at(breaker, POLICY) == T0 + timedelta(seconds=60)


def test_a_success_between_failures_resets_the_count() -> None:
    breaker = record_failure(record_failure(Breaker(), T0, POLICY), T0, POLICY)
    breaker = record_failure(record_success(breaker), T0, POLICY)
    assert (breaker.state, breaker.consecutive_failures) == ("closed", 1)


def test_after_the_cool_down_one_trial_goes_through_and_its_success_closes_the_breaker() -> None:
    later = T0 + timedelta(seconds=60)
    allowed, breaker = admit(_open_at(T0), later, POLICY)
    assert allowed and breaker.state == "half_open"
    assert admit(breaker, later + timedelta(seconds=1), POLICY) == (False, breaker)  # one trial at a time
    assert record_success(breaker) == Breaker()
    assert retry_at(Breaker(), POLICY) is None


def test_a_failed_trial_opens_the_breaker_for_a_new_cool_down() -> None:
    later = T0 + timedelta(seconds=90)
    _, trial = admit(_open_at(T0), later, POLICY)
    breaker = record_failure(trial, later, POLICY)
    assert (breaker.state, breaker.opened_at) == ("open", later)
    assert not admit(breaker, later + timedelta(seconds=30), POLICY)[0]


def test_a_lost_trial_lets_another_through_after_a_further_cool_down() -> None:
    _, trial = admit(_open_at(T0), T0 + timedelta(seconds=60), POLICY)
    allowed, again = admit(trial, T0 + timedelta(seconds=120), POLICY)
    assert allowed and again.trial_started_at == T0 + timedelta(seconds=120)


def test_a_late_failure_while_open_does_not_extend_the_cool_down() -> None:
    breaker = record_failure(_open_at(T0), T0 + timedelta(seconds=30), POLICY)
    assert breaker.opened_at == T0 and breaker.consecutive_failures == 4


def test_a_policy_without_threshold_or_cool_down_is_refused() -> None:
    with pytest.raises(InvalidInput):
        BreakerPolicy(failure_threshold=0)
    with pytest.raises(InvalidInput):
        BreakerPolicy(cool_down=timedelta(0))
