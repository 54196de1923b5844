"""The bus interface both transports implement, and the delivery decision they share.

Topology (DESIGN §3): one topic exchange ``gongkai.events``, routing key = event type; each
consuming service one queue ``gongkai.<service>``; a handler that raises is retried after a
growing delay, and after ``max_attempts`` failures the message lands in ``gongkai.<service>.dead``,
from where it can be listed and replayed.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from shared.events import CloudEvent, InvalidEvent
from shared.observability import BUS_CONNECTED, EVENTS_CONSUMED

log = logging.getLogger("gongkai.bus")

EXCHANGE = "gongkai.events"

# (event id, event type, CloudEvent JSON body)
PublishItem = tuple[str, str, bytes]
MessageHandler = Callable[[CloudEvent], Awaitable[None]]
# Consumers take events in batches (one inbox transaction per batch is what makes a consumer fast)
# and answer one result per event: None = applied, an exception = that event failed.
BatchHandler = Callable[[Sequence[CloudEvent]], Awaitable[Sequence[BaseException | None]]]
T = TypeVar("T")


def each(handler: MessageHandler) -> BatchHandler:
    """Adapts a one-event-at-a-time handler to the batch interface."""

    async def batch(events: Sequence[CloudEvent]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for event in events:
            try:
                await handler(event)
                results.append(None)
            except Exception as exc:
                results.append(exc)
        return results

    return batch


async def next_batch(
    queue: asyncio.Queue[T],
    max_size: int,
    linger_seconds: float = 0.005,
    max_linger_seconds: float = 0.05,
) -> list[T]:
    """Waits for one item, then takes what else is ready, pausing ``linger_seconds`` for more as
    long as each pause brings some (up to ``max_linger_seconds`` in all): a lone event waits one
    short pause, a stream of them fills the batch — one transaction for many events, where the
    fixed cost of a transaction (a handful of round trips) would otherwise be paid every few."""
    batch = [await queue.get()]
    deadline = asyncio.get_running_loop().time() + max_linger_seconds
    while len(batch) < max_size:
        try:
            batch.append(queue.get_nowait())
            continue
        except asyncio.QueueEmpty:
            pass
        if asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(linger_seconds)
        if queue.empty():
            break
    return batch


class BatchTaker(Generic[T]):
    """The workers of one subscription take their batches in turn: while one gathers, the others
    wait for it (or handle theirs), so arrivals fill one batch instead of being split among every
    idle worker."""

    def __init__(self, queue: asyncio.Queue[T], max_size: int) -> None:
        self.queue = queue
        self.max_size = max_size
        self._turn = asyncio.Lock()

    async def take(self) -> list[T]:
        async with self._turn:
            return await next_batch(self.queue, self.max_size)


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


def dead_letter_event(body: bytes) -> dict[str, Any] | str:
    """A parked message's body as an operator sees it: the CloudEvent's JSON, or its text when the
    message was not JSON at all (such a message is dead-lettered at once)."""
    try:
        event: dict[str, Any] = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")
    return event


@dataclass(frozen=True)
class Decision:
    action: str  # "ack" | "retry" | "dead"
    failures: int = 0
    delay: float = 0.0
    error: str | None = None


async def decide(
    service: str, handler: BatchHandler, deliveries: Sequence[tuple[bytes, int]], policy: RetryPolicy
) -> list[Decision]:
    """Runs the handler on a batch of deliveries — (body, failures so far) — and says what to do
    with each message."""
    decisions: list[Decision | None] = [None] * len(deliveries)
    events: list[CloudEvent] = []
    positions: list[int] = []
    for position, (body, failures) in enumerate(deliveries):
        try:
            events.append(CloudEvent.from_json_bytes(body))
            positions.append(position)
        except InvalidEvent as exc:
            # A message that is not a CloudEvent will never parse: retrying only delays the alarm.
            EVENTS_CONSUMED.labels(service, "invalid", "dead").inc()
            log.error("undecodable message dead-lettered", extra={"service": service, "error": str(exc)})
            decisions[position] = Decision("dead", failures + 1, error=f"InvalidEvent: {exc}")
    if events:
        try:
            results: Sequence[BaseException | None] = await handler(events)
        except Exception as exc:  # the whole batch failed; each event is retried on its own count
            results = [exc] * len(events)
        for position, event, result in zip(positions, events, results, strict=True):
            decisions[position] = _decision(service, event, deliveries[position][1], result, policy)
    return [d for d in decisions if d is not None]


def _decision(
    service: str, event: CloudEvent, failures_so_far: int, error: BaseException | None, policy: RetryPolicy
) -> Decision:
    if error is None:
        return Decision("ack", failures_so_far)
    failures = failures_so_far + 1
    text = f"{type(error).__name__}: {error}"[:2000]
    context = {"service": service, "event_id": event.id, "type": event.type, "attempts": failures, "error": text}
    if failures >= policy.max_attempts:
        EVENTS_CONSUMED.labels(service, event.type, "dead").inc()
        log.error("event dead-lettered", extra=context)
        return Decision("dead", failures, error=text)
    EVENTS_CONSUMED.labels(service, event.type, "retried").inc()
    log.warning("event handler failed; will retry", extra=context)
    return Decision("retry", failures, delay=policy.delay_after(failures), error=text)


class Subscription(abc.ABC):
    @abc.abstractmethod
    async def close(self) -> None:
        """Stops consuming; messages in flight go back to the queue unacknowledged."""


class Bus(abc.ABC):
    """One interface over the in-process transport and RabbitMQ."""

    # True when what the bus holds dies with the process (the in-process transport): publishers
    # then hand recently sent events over again on start (see OutboxRelay.resend_recent).
    volatile: bool = False

    def __init__(self) -> None:
        self._connected_listeners: list[Callable[[], None]] = []
        self._reachable: bool | None = None  # unknown until the first attempt

    def on_connected(self, listener: Callable[[], None]) -> None:
        """Calls ``listener`` each time the connection to the broker is established again after
        it was missing (e.g. the relay makes the rows it backed off during an outage due at once)."""
        self._connected_listeners.append(listener)

    def _announce_connected(self) -> None:
        BUS_CONNECTED.set(1)
        if self._reachable is False:
            log.warning("message broker reachable again; the outboxes drain")
        self._reachable = True
        for listener in self._connected_listeners:
            listener()

    def _announce_lost(self, reason: object) -> None:
        """Once per outage (every failed reconnect attempt reports it again)."""
        BUS_CONNECTED.set(0)
        if self._reachable is not False:
            log.warning("message broker unreachable; writes continue into the outboxes: %s", reason)
        self._reachable = False

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
        handler: BatchHandler,
        *,
        policy: RetryPolicy,
        prefetch: int = 256,
        batch_size: int = 64,
        concurrency: int = 4,
    ) -> Subscription:
        """Declares the service's queue bound to ``event_types`` and consumes it with
        ``concurrency`` workers, each handing the handler up to ``batch_size`` events at a time.
        Several subscriptions to one service compete for its messages."""

    @abc.abstractmethod
    async def dead_letters(self, service: str, *, limit: int = 1000) -> list[DeadLetter]: ...

    @abc.abstractmethod
    async def replay_dead_letters(self, service: str, event_ids: Sequence[str] | None = None) -> int:
        """Moves dead letters (all, or those with the given event ids) back to the service's queue
        with a fresh attempt count; returns how many."""
