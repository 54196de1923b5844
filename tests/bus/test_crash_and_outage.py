"""Killing things (DESIGN §3): a broker outage under the relay, a consumer killed before its ack."""

from __future__ import annotations

import asyncio
import contextlib
import sys

import pytest

from shared.bus import create_bus
from tests.bus.harness import (
    delete_test_queues,
    effect_counts,
    ensure_effects_table,
    event_type_of,
    fresh_service_name,
    replica,
    unit_event,
    unsent_count,
    wait_for_effects,
    wait_until_all_sent,
    write_events,
)
from tests.infra import AMQP_URL, require_rabbitmq
from tests.reliability.proxy import TcpProxy
from tests.support import make_settings


@pytest.fixture
def rabbitmq() -> None:
    require_rabbitmq()


@pytest.mark.usefixtures("rabbitmq")
async def test_events_written_while_rabbitmq_is_unreachable_are_all_delivered_when_it_returns(
    database_url: str,
) -> None:
    name = fresh_service_name()
    settings = make_settings(outbox_backoff_max_seconds=1.0, outbox_batch_size=200)
    proxy = TcpProxy(5672)
    await proxy.start()
    producer_bus = create_bus(f"amqp://guest:guest@127.0.0.1:{proxy.port}/")
    consumer_bus = create_bus(AMQP_URL)
    await producer_bus.start()
    await consumer_bus.start()
    producer = replica(name, database_url, settings, producer_bus)
    consumer = replica(name, database_url, settings, consumer_bus)
    await ensure_effects_table(producer)
    try:
        await consumer.start_consuming()
        producer.start_background()  # only the producer relays, and only through the proxy

        await proxy.stop()  # RabbitMQ is now unreachable for the relay
        events = [unit_event(i, name) for i in range(1000)]
        await write_events(producer, events)
        await asyncio.sleep(2.0)
        assert await effect_counts(consumer) == {}, "nothing can have been delivered during the outage"
        assert await unsent_count(producer) == len(events), "every event waits in the outbox"

        await proxy.start()  # same port: the broker is back
        counts = await wait_for_effects(consumer, len(events), timeout=90)
        assert len(counts) == len(events), f"lost {len(events) - len(counts)} events"
        assert set(counts.values()) == {1}
        assert await wait_until_all_sent(producer) == 0
    finally:
        await producer.stop()
        await consumer.stop()
        await producer_bus.close()
        await consumer_bus.close()
        with contextlib.suppress(Exception):
            await proxy.stop()
        await delete_test_queues(name)


async def _start_consumer_process(name: str, database_url: str, *flags: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bus.consumer_process",
        name,
        database_url,
        *flags,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    assert line.strip() == b"ready", line
    return process


@pytest.mark.usefixtures("rabbitmq")
async def test_consumer_killed_after_its_effect_but_before_its_ack_applies_the_event_once(
    database_url: str,
) -> None:
    name = fresh_service_name()
    settings = make_settings()
    bus = create_bus(AMQP_URL)
    await bus.start()
    probe = replica(name, database_url, settings, bus)
    await ensure_effects_table(probe)
    try:
        doomed = await _start_consumer_process(name, database_url, "--die-after-commit")
        events = [unit_event(i, name) for i in range(200)]
        assert await bus.publish([(e.id, e.type, e.to_json_bytes()) for e in events]) == [None] * len(events)
        assert await asyncio.wait_for(doomed.wait(), 30) == 17, "the consumer should have been killed"
        applied_before_death = await effect_counts(probe)
        assert len(applied_before_death) >= 1

        survivor = await _start_consumer_process(name, database_url)
        counts = await wait_for_effects(probe, len(events), timeout=60)
        assert survivor.stdin is not None and survivor.stdout is not None
        survivor.stdin.close()
        summary = (await asyncio.wait_for(survivor.stdout.read(), 30)).decode()
        await survivor.wait()

        assert counts == {e.id: 1 for e in events}, "0 lost, 0 duplicated effects"
        duplicates = int(summary.strip().split("=")[1])
        assert duplicates >= len(applied_before_death), "the killed delivery came back and was recognised"
    finally:
        await probe.stop()
        await bus.close()
        await delete_test_queues(name)


@pytest.mark.usefixtures("rabbitmq")
async def test_a_consumer_started_while_rabbitmq_is_unreachable_subscribes_once_it_returns() -> None:
    from shared.bus import RetryPolicy, each

    name = fresh_service_name()
    proxy = TcpProxy(5672)
    await proxy.start()
    await proxy.stop()  # the port is known; nothing listens on it
    consumer_bus = create_bus(f"amqp://guest:guest@127.0.0.1:{proxy.port}/")
    publisher_bus = create_bus(AMQP_URL)
    received: list[str] = []

    async def handler(event) -> None:  # type: ignore[no-untyped-def]
        received.append(event.id)

    try:
        await consumer_bus.start()
        await consumer_bus.subscribe(name, [event_type_of(name)], each(handler), policy=RetryPolicy())
        await proxy.start()  # the broker is reachable from now on
        for _ in range(100):
            if consumer_bus.connection is not None:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.1)
        await publisher_bus.start()
        event = unit_event(1, name)
        assert await publisher_bus.publish([(event.id, event.type, event.to_json_bytes())]) == [None]
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.1)
        assert received == [event.id]
    finally:
        await consumer_bus.close()
        await publisher_bus.close()
        with contextlib.suppress(Exception):
            await proxy.stop()
        await delete_test_queues(name)
