"""The bus interface both transports implement, and the delivery decision they share.

Topology (DESIGN §3): one topic exchange ``gongkai.events``, routing key = event type; each
consuming service one queue ``gongkai.<service>``; a handler that raises is retried after a
growing delay, and after ``max_attempts`` failures the message lands in ``gongkai.<service>.dead``,
from where it can be listed and replayed.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.events import CloudEvent, InvalidEvent
from shared.observability import EVENTS_CONSUMED

log = logging.getLogger("gongkai.bus")

EXCHANGE = "gongkai.events"

# (event id, event type, CloudEvent JSON body)
PublishItem = tuple[str, str, bytes]
MessageHandler = Callable[[CloudEvent], Awaitable[None]]


def queue_name(service: str) -> str:
    return f"gongkai.{service}"


def dead_queue_name(service: str) -> str:
    return f"gongkai.{service}.dead"


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt k (1-based) that fails waits ``base_seconds * factor ** (k - 1)`` before the next;
    the ``max_attempts``-th failure dead-letters the message."""

    max_attempts: int = 5
    base_seconds: float = 5.0
    factor: float = 3.0

    def delay_after(self, failures: int) -> float:
        return self.base_seconds * self.factor ** (failures - 1)

    def delays(self) -> list[float]:
        return [self.delay_after(k) for k in range(1, self.max_attempts)]


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    type: str
    attempts: int
    last_error: str | None
    died_at: datetime | None
    event: dict[str, Any] | str = field(repr=False)


@dataclass(frozen=True)
class Decision:
    action: str  # "ack" | "retry" | "dead"
    failures: int = 0
    delay: float = 0.0
    error: str | None = None


async def decide(
    service: str, handler: MessageHandler, body: bytes, failures_so_far: int, policy: RetryPolicy
) -> Decision:
    """Runs the handler on one delivery and says what to do with the message."""
    try:
        event = CloudEvent.from_json_bytes(body)
    except InvalidEvent as exc:
        # A message that is not a CloudEvent will never parse: retrying it only delays the alarm.
        EVENTS_CONSUMED.labels(service, "invalid", "dead").inc()
        log.error("undecodable message dead-lettered", extra={"service": service, "error": str(exc)})
        return Decision("dead", failures_so_far + 1, error=f"InvalidEvent: {exc}")
    try:
        await handler(event)
    except Exception as exc:  # any failure of the handler is retried; the inbox rolled back
        failures = failures_so_far + 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if failures >= policy.max_attempts:
            EVENTS_CONSUMED.labels(service, event.type, "dead").inc()
            log.error(
                "event dead-lettered",
                extra={"service": service, "event_id": event.id, "type": event.type, "attempts": failures, "error": error},
            )
            return Decision("dead", failures, error=error)
        EVENTS_CONSUMED.labels(service, event.type, "retried").inc()
        log.warning(
            "event handler failed; will retry",
            extra={"service": service, "event_id": event.id, "type": event.type, "attempts": failures, "error": error},
        )
        return Decision("retry", failures, delay=policy.delay_after(failures), error=error)
    return Decision("ack", failures_so_far)


class Subscription(abc.ABC):
    @abc.abstractmethod
    async def close(self) -> None:
        """Stops consuming; messages in flight go back to the queue unacknowledged."""


class Bus(abc.ABC):
    """One interface over the in-process transport and RabbitMQ."""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raises when the broker cannot be reached."""

    @abc.abstractmethod
    async def publish(self, items: Sequence[PublishItem]) -> list[BaseException | None]:
        """Publishes persistently with confirms; one result per item (None = confirmed)."""

    @abc.abstractmethod
    async def subscribe(
        self,
        service: str,
        event_types: Sequence[str],
        handler: MessageHandler,
        *,
        policy: RetryPolicy,
        prefetch: int = 64,
    ) -> Subscription:
        """Declares the service's queue bound to ``event_types`` and consumes it. Several
        subscriptions to one service compete for its messages."""

    @abc.abstractmethod
    async def dead_letters(self, service: str, *, limit: int = 1000) -> list[DeadLetter]: ...

    @abc.abstractmethod
    async def replay_dead_letters(self, service: str, event_ids: Sequence[str] | None = None) -> int:
        """Moves dead letters (all, or those with the given event ids) back to the service's queue
        with a fresh attempt count; returns how many."""
