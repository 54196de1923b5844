"""The delivery state machine (投递, DESIGN §9; issue 15 §4) with exponential backoff and jitter.

::

    pending ──sent──────────────▶ sent
       │  ╲──failed (attempts < max)──▶ failed ──(due again)──▶ attempt ──▶ sent / failed / dead
       ╰──failed (attempts = max, or permanent)──▶ dead ──▶ notification.failed (data below)
    failed / dead / sent ──resend by hand──▶ pending (a fresh round of attempts)

A postponement (open circuit breaker, SMS quiet hours) is not an attempt: it moves
``next_attempt_at`` and counts nothing. The delay after the k-th failed attempt is
``min(cap, base × factor^(k−1))`` shortened by up to ``jitter`` of itself, drawn from the random
source passed in — so replicas retrying one endpoint spread out, and tests stay deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from shared.domain import DomainError, InvalidInput
from shared.vocabulary import DeliveryStatus, NotificationChannel

__all__ = [
    "ERROR_MAX_LENGTH",
    "Delivery",
    "RetryPolicy",
    "attempt_failed",
    "attempt_succeeded",
    "backoff_delay",
    "failure_event_data",
    "is_due",
    "is_permanent_failure",
    "postpone",
    "resend",
]

ERROR_MAX_LENGTH = 500  # what the delivery log keeps of an error message
MIN_DELAY_SECONDS = 0.001
Random = Callable[[], float]  # a source of floats in [0, 1), e.g. random.Random(seed).random


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a delivery is tried (configured per deployment)."""

    max_attempts: int = 6
    base: timedelta = timedelta(seconds=30)
    factor: float = 3.0
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.5  # up to this fraction of each delay is taken off at random

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base <= timedelta(0) or self.cap < self.base or self.factor < 1:
            raise InvalidInput(
                "retry_policy_invalid",
                "重试策略无效",
                "须 max_attempts ≥ 1、base > 0、cap ≥ base、factor ≥ 1",
            )
        if not 0 <= self.jitter <= 1:
            raise InvalidInput("retry_policy_invalid", "重试策略无效", "jitter 须在 0 与 1 之间")


@dataclass(frozen=True)
class Delivery:
    """One delivery's state as the delivery log records it."""

    status: DeliveryStatus = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None  # pending/failed: not before then; None: at once
    last_error: str | None = None
    response_code: int | None = None  # HTTP status or SMTP reply code of the last attempt
    sent_at: datetime | None = None


def backoff_delay(failed_attempts: int, policy: RetryPolicy, random: Random) -> timedelta:
    """The wait after the ``failed_attempts``-th failure: exponential, capped, with jitter."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts counts from 1")
    draw = random()
    if not 0 <= draw < 1:
        raise ValueError(f"the random source gave {draw}, not a float in [0, 1)")
    cap = policy.cap.total_seconds()
    seconds = policy.base.total_seconds()
    for _ in range(failed_attempts - 1):  # multiplied step by step so a long run never overflows
        seconds *= policy.factor
        if seconds >= cap:
            break
    seconds = min(seconds, cap)
    # Never zero (jitter 1 and a draw near 1 would round to it): a retry is always a little later.
    return timedelta(seconds=max(seconds * (1 - policy.jitter * draw), MIN_DELAY_SECONDS))


def is_due(delivery: Delivery, now: datetime) -> bool:
    """Whether a worker may claim the delivery now."""
    return delivery.status in ("pending", "failed") and (
        delivery.next_attempt_at is None or delivery.next_attempt_at <= now
    )


def attempt_succeeded(delivery: Delivery, *, now: datetime, response_code: int | None = None) -> Delivery:
    _in_flight(delivery)
    return replace(
        delivery,
        status="sent",
        attempts=delivery.attempts + 1,
        next_attempt_at=None,
        response_code=response_code,
        sent_at=now,
    )


def attempt_failed(
    delivery: Delivery,
    *,
    now: datetime,
    error: str,
    policy: RetryPolicy,
    random: Random,
    response_code: int | None = None,
    permanent: bool = False,
) -> Delivery:
    """``failed`` with the next attempt scheduled, or ``dead`` when attempts are spent or the
    failure is permanent (retrying cannot help: see :func:`is_permanent_failure`)."""
    _in_flight(delivery)
    attempts = delivery.attempts + 1
    error = error[:ERROR_MAX_LENGTH]
    if permanent or attempts >= policy.max_attempts:
        return replace(
            delivery,
            status="dead",
            attempts=attempts,
            next_attempt_at=None,
            last_error=error,
            response_code=response_code,
        )
    return replace(
        delivery,
        status="failed",
        attempts=attempts,
        next_attempt_at=now + backoff_delay(attempts, policy, random),
        last_error=error,
        response_code=response_code,
    )


def postpone(delivery: Delivery, until: datetime) -> Delivery:
    """Holds a delivery until ``until`` without counting an attempt (breaker open, quiet hours)."""
    _in_flight(delivery)
    return replace(delivery, next_attempt_at=until)


def resend(delivery: Delivery, *, now: datetime) -> Delivery:
    """Resend by hand (手动重发): a fresh round of attempts, at once."""
    if delivery.status == "pending":
        raise DomainError("delivery_already_pending", "该通知正在等待发送", "无需重发")
    return replace(delivery, status="pending", attempts=0, next_attempt_at=now, sent_at=None)


def is_permanent_failure(channel: NotificationChannel, response_code: int | None) -> bool:
    """A failure that retrying cannot cure.

    HTTP (webhook, SMS gateway): a 4xx — the request itself is refused — except 408, 425 and 429,
    which say "later". SMTP (email): a 5xx reply (RFC 5321 §4.2.1: permanent negative completion,
    e.g. 550 mailbox unavailable); 4xx replies are transient. No code (a timeout, a refused
    connection) is always transient.
    """
    if response_code is None or channel == "inbox":
        return False
    if channel == "email":
        return 500 <= response_code < 600
    return 400 <= response_code < 500 and response_code not in (408, 425, 429)


def failure_event_data(
    delivery: Delivery, *, notification_id: str, channel: NotificationChannel, recipient: str, event_type: str
) -> dict[str, Any] | None:
    """The data of ``notification.failed`` for a delivery that went ``dead``.

    None for a delivery that is not dead, and for one that was itself telling of a failure: a dead
    ``notification.failed`` notice must not raise another, or a broken channel would loop forever.
    """
    if delivery.status != "dead" or event_type == "notification.failed":
        return None
    return {
        "notification_id": notification_id,
        "channel": channel,
        "recipient": recipient,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error or "",
    }


def _in_flight(delivery: Delivery) -> None:
    if delivery.status not in ("pending", "failed"):
        raise DomainError(
            "delivery_not_in_flight",
            "该通知不在待发送状态",
            f"状态为 {delivery.status}：已发送或已停止重试的通知只能手动重发",
        )
