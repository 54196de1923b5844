"""A circuit breaker per webhook endpoint or gateway (熔断, issue 15 §5), over timestamps passed in.

::

    closed ──N consecutive failures──▶ open ──cool-down passed: one trial admitted──▶ half_open
    half_open ──trial succeeds──▶ closed          half_open ──trial fails──▶ open (cool-down anew)

While open, deliveries to the endpoint are postponed to :func:`retry_at` without spending an
attempt (``delivery.postpone``): an endpoint that is down does not burn every delivery's retries.
In half_open one trial is in flight at a time; if its outcome never comes back (the worker died),
another is admitted after a further cool-down.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shared.domain import InvalidInput
from shared.vocabulary import CircuitState

__all__ = ["Breaker", "BreakerPolicy", "admit", "record_failure", "record_success", "retry_at"]


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int = 5
    cool_down: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.cool_down <= timedelta(0):
            raise InvalidInput("breaker_policy_invalid", "熔断策略无效", "须 failure_threshold ≥ 1、cool_down > 0")


@dataclass(frozen=True)
class Breaker:
    state: CircuitState = "closed"
    consecutive_failures: int = 0
    opened_at: datetime | None = None  # open: since when
    trial_started_at: datetime | None = None  # half_open: the trial in flight


def admit(breaker: Breaker, now: datetime, policy: BreakerPolicy) -> tuple[bool, Breaker]:
    """Whether a call may go to the endpoint now, and the breaker after the decision."""
    if breaker.state == "closed":
        return True, breaker
    if breaker.state == "open":
        assert breaker.opened_at is not None
        if now < breaker.opened_at + policy.cool_down:
            return False, breaker
        return True, replace(breaker, state="half_open", trial_started_at=now)
    assert breaker.trial_started_at is not None
    if now < breaker.trial_started_at + policy.cool_down:
        return False, breaker  # a trial is in flight
    return True, replace(breaker, trial_started_at=now)  # the last trial was lost: try again


def record_success(breaker: Breaker) -> Breaker:
    return replace(breaker, state="closed", consecutive_failures=0, opened_at=None, trial_started_at=None)


def record_failure(breaker: Breaker, now: datetime, policy: BreakerPolicy) -> Breaker:
    if breaker.state == "half_open":
        return Breaker("open", breaker.consecutive_failures + 1, opened_at=now)
    if breaker.state == "open":
        # A call admitted before the breaker opened, failing late: counted, the cool-down unchanged.
        return replace(breaker, consecutive_failures=breaker.consecutive_failures + 1)
    failures = breaker.consecutive_failures + 1
    if failures >= policy.failure_threshold:
        return Breaker("open", failures, opened_at=now)
    return replace(breaker, consecutive_failures=failures)


def retry_at(breaker: Breaker, policy: BreakerPolicy) -> datetime | None:
    """When a refused call should come back; None when the breaker refuses nothing."""
    if breaker.state == "open" and breaker.opened_at is not None:
        return breaker.opened_at + policy.cool_down
    if breaker.state == "half_open" and breaker.trial_started_at is not None:
        return breaker.trial_started_at + policy.cool_down
    return None
