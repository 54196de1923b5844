"""The in-process transport (``memory://[name]``) of the embedded mode and of fast tests.

It keeps the broker's contract: routing by event type to each bound service queue, competing
consumers, retry with growing delay, a dead-letter list, replay, and in-flight messages returned
to the queue when a consumer stops. Queues live in process memory; what they held when the process
died is handed over again from the publishers' outboxes on the next start (``volatile``), and the
consumers' inboxes drop what was already applied.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from shared.bus.base import (
    BatchHandler,
    BatchTaker,
    Bus,
    DeadLetter,
    PublishItem,
    RetryPolicy,
    Subscription,
    dead_letter_event,
    decide,
)


@dataclass(frozen=True)
class _Delivery:
    event_id: str
    type: str
    body: bytes
    failures: int = 0


class _Queue:
    def __init__(self) -> None:
        self.bindings: set[str] = set()
        self.ready: asyncio.Queue[_Delivery] = asyncio.Queue()
        self.dead: list[DeadLetter] = []
        self.dead_bodies: dict[str, _Delivery] = {}
        self.timers: set[asyncio.TimerHandle] = set()


class _Broker:
    def __init__(self) -> None:
        self.queues: dict[str, _Queue] = {}

    def queue(self, service: str) -> _Queue:
        return self.queues.setdefault(service, _Queue())


_BROKERS: dict[str, _Broker] = {}


class MemoryBus(Bus):
    volatile = True

    def __init__(self, url: str = "memory://") -> None:
        super().__init__()
        # Every MemoryBus with the same URL in one process shares one broker, as relays and
        # consumers share one RabbitMQ.
        self.broker = _BROKERS.setdefault(url, _Broker())
        self.subscriptions: list[_MemorySubscription] = []

    async def start(self) -> None:
        self._announce_connected()

    async def close(self) -> None:
        for subscription in list(self.subscriptions):
            await subscription.close()

    async def ping(self) -> None:
        return None

    async def publish(self, items: Sequence[PublishItem]) -> list[BaseException | None]:
        for event_id, event_type, body in items:
            for queue in self.broker.queues.values():
                if event_type in queue.bindings:
                    queue.ready.put_nowait(_Delivery(event_id, event_type, body))
        return [None] * len(items)

    async def subscribe(
        self,
        service: str,
        event_types: Sequence[str],
        handler: BatchHandler,
        *,
        policy: RetryPolicy,
        prefetch: int = 256,  # noqa: ARG002 - the interface's; in-process delivery needs no window
        batch_size: int = 64,
        concurrency: int = 4,
    ) -> Subscription:
        queue = self.broker.queue(service)
        queue.bindings.update(event_types)
        subscription = _MemorySubscription(self, service, queue, handler, policy, batch_size, concurrency)
        self.subscriptions.append(subscription)
        return subscription

    async def dead_letters(self, service: str, *, limit: int = 1000) -> list[DeadLetter]:
        return list(self.broker.queue(service).dead[:limit])

    async def replay_dead_letters(self, service: str, event_ids: Sequence[str] | None = None) -> int:
        queue = self.broker.queue(service)
        wanted = set(event_ids) if event_ids is not None else None
        keep: list[DeadLetter] = []
        replayed = 0
        for letter in queue.dead:
            if wanted is None or letter.event_id in wanted:
                delivery = queue.dead_bodies.pop(letter.event_id)
                queue.ready.put_nowait(replace(delivery, failures=0))
                replayed += 1
            else:
                keep.append(letter)
        queue.dead[:] = keep
        return replayed


class _MemorySubscription(Subscription):
    def __init__(
        self,
        bus: MemoryBus,
        service: str,
        queue: _Queue,
        handler: BatchHandler,
        policy: RetryPolicy,
        batch_size: int,
        concurrency: int,
    ) -> None:
        self.bus = bus
        self.service = service
        self.queue = queue
        self.handler = handler
        self.policy = policy
        self.batches = BatchTaker(queue.ready, batch_size)
        self.workers = [asyncio.create_task(self._work()) for _ in range(concurrency)]

    async def _work(self) -> None:
        while True:
            batch = await self.batches.take()
            try:
                decisions = await decide(self.service, self.handler, [(d.body, d.failures) for d in batch], self.policy)
            except asyncio.CancelledError:
                # Stopped before the ack: the messages go back, as unacked AMQP deliveries do.
                for delivery in batch:
                    self.queue.ready.put_nowait(delivery)
                raise
            for delivery, decision in zip(batch, decisions, strict=True):
                if decision.action == "retry":
                    self._retry_later(replace(delivery, failures=decision.failures), decision.delay)
                elif decision.action == "dead":
                    self._park(delivery, decision.failures, decision.error)

    def _retry_later(self, delivery: _Delivery, delay: float) -> None:
        handle: asyncio.TimerHandle

        def requeue() -> None:
            self.queue.timers.discard(handle)
            self.queue.ready.put_nowait(delivery)

        handle = asyncio.get_running_loop().call_later(delay, requeue)
        self.queue.timers.add(handle)

    def _park(self, delivery: _Delivery, failures: int, error: str | None) -> None:
        self.queue.dead_bodies[delivery.event_id] = delivery
        self.queue.dead.append(
            DeadLetter(
                event_id=delivery.event_id,
                type=delivery.type,
                attempts=failures,
                last_error=error,
                died_at=datetime.now(UTC),
                event=dead_letter_event(delivery.body),
            )
        )

    async def close(self) -> None:
        for worker in self.workers:
            worker.cancel()
        for worker in self.workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self.workers = []
        if self in self.bus.subscriptions:
            self.bus.subscriptions.remove(self)
