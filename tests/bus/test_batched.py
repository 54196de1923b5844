"""Set-wise consumption: a batched handler takes a batch's new events at once, and the RabbitMQ
consumer acknowledges in delivery order, a run at a time."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence

import aio_pika
import pytest

from shared.bus import Bus, queue_name
from shared.bus.memory import MemoryBus
from shared.bus.rabbitmq import QUORUM
from shared.events import CloudEvent
from shared.inbox import Batched, EventContext
from tests.bus.harness import (
    effect_counts,
    ensure_effects_table,
    fresh_service_name,
    record_effect,
    replica,
    unit_event,
    wait_for_effects,
    write_events,
)
from tests.infra import AMQP_URL
from tests.support import make_settings


async def test_a_batched_handler_takes_the_new_events_at_once_and_a_failure_is_replayed_alone(
    database_url: str,
) -> None:
    name = fresh_service_name()
    calls: list[list[str]] = []
    poison: set[str] = set()

    async def apply(ctx: EventContext, events: Sequence[CloudEvent]) -> None:
        calls.append([e.id for e in events])
        for event in events:
            if event.id in poison:
                raise RuntimeError("cannot apply")
            await record_effect(ctx, event)

    settings = make_settings()
    runtime = replica(name, database_url, settings, MemoryBus(settings.bus_url), handler=Batched(apply))
    await ensure_effects_table(runtime)
    try:
        first = [unit_event(i, name) for i in range(3)]
        assert await runtime.consumer(first) == [None] * 3
        assert [sorted(c) for c in calls] == [sorted(e.id for e in first)], "one call for the batch"

        # A redelivered event is not handed over again; the new ones come in one call.
        calls.clear()
        second = [unit_event(i, name) for i in range(3, 6)]
        assert await runtime.consumer([first[0], *second]) == [None] * 4
        assert [sorted(c) for c in calls] == [sorted(e.id for e in second)]

        # One event the handler cannot apply: the batch is rolled back, then each event applied
        # in its own transaction — only that one fails.
        calls.clear()
        third = [unit_event(i, name) for i in range(6, 10)]
        poison.add(third[1].id)
        results = await runtime.consumer(third)
        assert [r is None for r in results] == [True, False, True, True]
        assert len(calls) == 1 + len(third)
        counts = await effect_counts(runtime)
        assert counts == {e.id: 1 for e in [*first, *second, *third] if e.id not in poison}
    finally:
        await runtime.stop()


async def test_every_message_is_acknowledged_when_batches_finish_out_of_order(
    database_url: str, bus_url: str, bus: Bus, cleanup_queues: list[str]
) -> None:
    if not bus_url.startswith("amqp"):
        pytest.skip("acknowledgements are RabbitMQ's")
    name = fresh_service_name()
    cleanup_queues.append(name)
    settings = make_settings(bus_batch_size=8, bus_consumer_concurrency=4, bus_prefetch=32)

    async def uneven(ctx: EventContext, event: CloudEvent) -> None:
        # Batches end in another order than they began: acks wait for the earlier deliveries.
        await asyncio.sleep(random.random() * 0.01)
        await record_effect(ctx, event)

    runtime = replica(name, database_url, settings, bus, handler=uneven)
    await ensure_effects_table(runtime)
    events = [unit_event(i, name) for i in range(300)]
    try:
        await runtime.start_consuming()
        await write_events(runtime, events)
        runtime.start_background()
        counts = await wait_for_effects(runtime, len(events))
        assert counts == {e.id: 1 for e in events}
        # The last run's ack leaves just after its commit.
        acks = runtime._subscription.acks  # type: ignore[union-attr]
        for _ in range(100):
            if not acks._waiting:
                break
            await asyncio.sleep(0.05)
    finally:
        await runtime.stop()  # closing the channel would hand back whatever was left unacknowledged
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name(name), durable=True, passive=True, arguments=QUORUM)
        assert queue.declaration_result.message_count == 0, "a message was never acknowledged"
    finally:
        await connection.close()
