"""The delivery state machine: retries with backoff and jitter, dead after the last attempt."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifier.domain.delivery import (
    Delivery,
    RetryPolicy,
    attempt_failed,
    attempt_succeeded,
    backoff_delay,
    failure_event_data,
    is_due,
    is_permanent_failure,
    postpone,
    resend,
)
from shared.domain import DomainError, InvalidInput

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, base=timedelta(seconds=10), factor=3, cap=timedelta(seconds=60), jitter=0.5)


def no_jitter() -> float:
    return 0.0


def test_backoff_grows_exponentially_up_to_the_cap_without_jitter() -> None:
    delays = [backoff_delay(k, POLICY, no_jitter).total_seconds() for k in range(1, 6)]
    assert delays == [10, 30, 60, 60, 60]


def test_jitter_takes_at_most_its_fraction_off_the_delay() -> None:
    assert backoff_delay(2, POLICY, lambda: 0.999999).total_seconds() == pytest.approx(15, abs=0.001)


def test_the_jitter_comes_from_the_random_source_passed_in() -> None:
    first = [backoff_delay(3, POLICY, random.Random(7).random) for _ in range(3)]
    again = [backoff_delay(3, POLICY, random.Random(7).random) for _ in range(3)]
    assert first == again


@given(
    failed=st.integers(min_value=1, max_value=10_000),
    draw=st.floats(min_value=0, max_value=1, exclude_max=True),
    base=st.integers(min_value=1, max_value=600),
    factor=st.floats(min_value=1, max_value=10),
    cap_extra=st.integers(min_value=0, max_value=86_400),
    jitter=st.floats(min_value=0, max_value=1),
)
def test_backoff_never_exceeds_its_cap_nor_falls_below_the_unjittered_share(
    failed: int, draw: float, base: int, factor: float, cap_extra: int, jitter: float
) -> None:
    policy = RetryPolicy(
        max_attempts=3,
        base=timedelta(seconds=base),
        factor=factor,
        cap=timedelta(seconds=base + cap_extra),
        jitter=jitter,
    )
    delay = backoff_delay(failed, policy, lambda: draw)
    assert timedelta(0) < delay <= policy.cap
    assert delay >= policy.base * (1 - jitter) - timedelta(microseconds=1)


def test_a_failure_schedules_the_next_attempt_and_the_last_one_goes_dead() -> None:
    delivery, now = Delivery(), NOW
    for attempt in range(1, 4):
        delivery = attempt_failed(delivery, now=now, error="connection refused", policy=POLICY, random=no_jitter)
        assert (delivery.status, delivery.attempts) == ("failed", attempt)
        assert delivery.next_attempt_at == now + backoff_delay(attempt, POLICY, no_jitter)
        assert not is_due(delivery, now)
        now = delivery.next_attempt_at
        assert is_due(delivery, now)
    delivery = attempt_failed(delivery, now=now, error="connection refused", policy=POLICY, random=no_jitter)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("dead", 4, None)
    assert not is_due(delivery, now + timedelta(days=1))


def test_a_dead_delivery_raises_notification_failed_with_its_attempts_and_last_error() -> None:
    dead = Delivery(status="dead", attempts=4, last_error="550 mailbox unavailable")
    assert failure_event_data(
        dead, notification_id="n-1", channel="email", recipient="contact:U-1:王联络", event_type="request.overdue"
    ) == {
        "notification_id": "n-1",
        "channel": "email",
        "recipient": "contact:U-1:王联络",
        "attempts": 4,
        "last_error": "550 mailbox unavailable",
    }


def test_a_dead_notification_failed_notice_raises_no_further_notice() -> None:
    dead = Delivery(status="dead", attempts=4, last_error="x")
    assert (
        failure_event_data(
            dead, notification_id="n", channel="inbox", recipient="office", event_type="notification.failed"
        )
        is None
    )
    assert (
        failure_event_data(
            Delivery(status="failed"), notification_id="n", channel="inbox", recipient="o", event_type="request.overdue"
        )
        is None
    )


def test_a_success_after_failures_is_sent_with_its_attempts_counted() -> None:
    failed = attempt_failed(Delivery(), now=NOW, error="timeout", policy=POLICY, random=no_jitter)
    sent = attempt_succeeded(failed, now=NOW + timedelta(seconds=10), response_code=202)
    assert (sent.status, sent.attempts, sent.response_code, sent.sent_at) == (
        "sent",
        2,
        202,
        NOW + timedelta(seconds=10),
    )


def test_a_permanent_failure_goes_dead_at_once() -> None:
    dead = attempt_failed(
        Delivery(), now=NOW, error="404", policy=POLICY, random=no_jitter, response_code=404, permanent=True
    )
    assert (dead.status, dead.attempts) == ("dead", 1)


@pytest.mark.parametrize(
    ("channel", "code", "permanent"),
    [
        ("webhook", 400, True),
        ("webhook", 410, True),
        ("webhook", 408, False),
        ("webhook", 429, False),
        ("webhook", 503, False),
        ("sms", 401, True),
        ("email", 550, True),
        ("email", 421, False),
        ("email", None, False),
    ],
)
def test_only_failures_retrying_cannot_cure_are_permanent(channel: str, code: int | None, permanent: bool) -> None:
    assert is_permanent_failure(channel, code) is permanent  # type: ignore[arg-type]


def test_the_error_kept_is_cut_to_the_logs_length() -> None:
    failed = attempt_failed(Delivery(), now=NOW, error="x" * 2000, policy=POLICY, random=no_jitter)
    assert failed.last_error is not None and len(failed.last_error) == 500


def test_a_postponement_moves_the_next_attempt_without_spending_one() -> None:
    held = postpone(Delivery(), NOW + timedelta(hours=9))
    assert (held.status, held.attempts, held.next_attempt_at) == ("pending", 0, NOW + timedelta(hours=9))


def test_resend_by_hand_starts_a_fresh_round_and_is_refused_while_pending() -> None:
    dead = Delivery(status="dead", attempts=4, last_error="x")
    again = resend(dead, now=NOW)
    assert (again.status, again.attempts, again.next_attempt_at) == ("pending", 0, NOW)
    with pytest.raises(DomainError) as caught:
        resend(again, now=NOW)
    assert caught.value.code == "delivery_already_pending"


def test_a_sent_or_dead_delivery_cannot_be_attempted() -> None:
    for status in ("sent", "dead"):
        with pytest.raises(DomainError) as caught:
            attempt_succeeded(Delivery(status=status), now=NOW)  # type: ignore[arg-type]
        assert caught.value.code == "delivery_not_in_flight"


def test_an_incoherent_retry_policy_is_refused() -> None:
    with pytest.raises(InvalidInput):
        RetryPolicy(base=timedelta(minutes=5), cap=timedelta(minutes=1))
    with pytest.raises(InvalidInput):
        RetryPolicy(jitter=1.5)
