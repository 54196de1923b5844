"""The event backbone's guarantees (DESIGN §3), on both transports and both databases."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from shared.bus import Bus, RetryPolicy, each
from shared.bus.memory import MemoryBus
from shared.events import CloudEvent
from shared.inbox import EventContext
from tests.bus.harness import (
    ensure_effects_table,
    event_type_of,
    fresh_service_name,
    record_effect,
    replica,
    unit_event,
    wait_for_effects,
    wait_until_all_sent,
    write_events,
)
from tests.support import make_settings


async def test_two_relays_and_two_consumers_apply_every_event_exactly_once(
    database_url: str, bus: Bus, cleanup_queues: list[str]
) -> None:
    name = fresh_service_name()
    cleanup_queues.append(name)
    settings = make_settings(outbox_batch_size=50)
    first, second = replica(name, database_url, settings, bus), replica(name, database_url, settings, bus)
    await ensure_effects_table(first)
    try:
        await first.start_consuming()
        await second.start_consuming()
        events = [unit_event(i, name) for i in range(1000)]
        await write_events(first, events)
        first.start_background()
        second.start_background()
        counts = await wait_for_effects(first, len(events))
        assert len(counts) == len(events), "some events were never applied"
        assert set(counts.values()) == {1}, "an event was applied more than once"
        assert set(counts) == {e.id for e in events}
        assert await wait_until_all_sent(first) == 0
    finally:
        await first.stop()
        await second.stop()


async def test_failing_handler_is_retried_with_growing_delay_then_dead_lettered_and_replayable(
    database_url: str, bus: Bus, cleanup_queues: list[str]
) -> None:
    name = fresh_service_name()
    cleanup_queues.append(name)
    settings = make_settings()  # 4 attempts, delays 0.2 s, 0.4 s, 0.8 s
    attempts: list[float] = []
    healed = asyncio.Event()

    async def flaky(ctx: EventContext, event: CloudEvent) -> None:
        attempts.append(time.monotonic())
        if not healed.is_set():
            raise RuntimeError("downstream is down")
        await record_effect(ctx, event)

    runtime = replica(name, database_url, settings, bus, handler=flaky)
    await ensure_effects_table(runtime)
    try:
        await runtime.start_consuming()
        runtime.start_background()
        poison = unit_event(1, name)
        await write_events(runtime, [poison])

        letters = []
        for _ in range(100):
            letters = await bus.dead_letters(name)
            if letters:
                break
            await asyncio.sleep(0.1)
        assert [letter.event_id for letter in letters] == [poison.id]
        assert letters[0].attempts == settings.bus_max_attempts
        assert "downstream is down" in (letters[0].last_error or "")
        assert len(attempts) == settings.bus_max_attempts
        gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
        assert all(later > earlier for earlier, later in zip(gaps, gaps[1:], strict=False)), gaps
        assert gaps[0] >= 0.2 * 0.9

        # Listing does not consume: the letter is still there.
        assert [letter.event_id for letter in await bus.dead_letters(name)] == [poison.id]

        healed.set()
        assert await bus.replay_dead_letters(name) == 1
        counts = await wait_for_effects(runtime, 1, timeout=10)
        assert counts == {poison.id: 1}
        assert await bus.dead_letters(name) == []
    finally:
        await runtime.stop()


async def test_replay_of_selected_dead_letters_leaves_the_others(bus: Bus, cleanup_queues: list[str]) -> None:
    name = fresh_service_name()
    cleanup_queues.append(name)
    settings = make_settings(bus_max_attempts=1)
    seen: list[str] = []

    async def always_fails(event: CloudEvent) -> None:
        seen.append(event.id)
        raise RuntimeError("no")

    subscription = await bus.subscribe(
        name, [event_type_of(name)], each(always_fails), policy=RetryPolicy(max_attempts=settings.bus_max_attempts)
    )
    try:
        events = [unit_event(i, name) for i in range(3)]
        assert await bus.publish([(e.id, e.type, e.to_json_bytes()) for e in events]) == [None] * 3
        for _ in range(100):
            if len(await bus.dead_letters(name)) == 3:
                break
            await asyncio.sleep(0.05)
        assert await bus.replay_dead_letters(name, [events[1].id]) == 1
        for _ in range(100):
            if seen.count(events[1].id) == 2 and len(await bus.dead_letters(name)) == 3:
                break
            await asyncio.sleep(0.05)
        assert Counter(seen) == {events[0].id: 1, events[1].id: 2, events[2].id: 1}
    finally:
        await subscription.close()


async def test_undecodable_message_goes_straight_to_the_dead_letters(bus: Bus, cleanup_queues: list[str]) -> None:
    name = fresh_service_name()
    cleanup_queues.append(name)

    handled: list[CloudEvent] = []

    async def handler(event: CloudEvent) -> None:
        handled.append(event)

    subscription = await bus.subscribe(name, [event_type_of(name)], each(handler), policy=RetryPolicy(max_attempts=5))
    try:
        await bus.publish([("00000000-0000-4000-8000-000000000001", event_type_of(name), b"{not json")])
        letters = []
        for _ in range(100):
            letters = await bus.dead_letters(name)
            if letters:
                break
            await asyncio.sleep(0.05)
        assert len(letters) == 1 and letters[0].attempts == 1
        assert letters[0].last_error and letters[0].last_error.startswith("InvalidEvent")
        assert handled == []
    finally:
        await subscription.close()


class SimulatedCrash(Exception):
    """Stands for the process dying between the handler's commit and the ack."""


async def test_redelivery_after_a_crash_between_commit_and_ack_applies_once(
    database_url: str, bus: Bus, cleanup_queues: list[str]
) -> None:
    # The consumer fails *after* the inbox transaction committed and before the ack, so the
    # broker delivers again. test_crash.py does the same by killing a real process.

    name = fresh_service_name()
    cleanup_queues.append(name)
    settings = make_settings()
    runtime = replica(name, database_url, settings, bus)
    await ensure_effects_table(runtime)
    crashed: set[str] = set()

    async def commit_then_crash(event: CloudEvent) -> None:
        [error] = await runtime.consumer([event])
        assert error is None
        if event.id not in crashed:
            crashed.add(event.id)
            raise SimulatedCrash(event.id)

    subscription = await bus.subscribe(
        name, [event_type_of(name)], each(commit_then_crash), policy=RetryPolicy(3, 0.1, 1)
    )
    try:
        runtime.start_background()
        events = [unit_event(i, name) for i in range(50)]
        await write_events(runtime, events)
        for _ in range(100):
            if len(crashed) == len(events):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # every redelivery has arrived by now (retry delay 0.1 s)
        counts = await wait_for_effects(runtime, len(events))
        assert crashed == {e.id for e in events}, "every event should have 'crashed' once"
        assert counts == {e.id: 1 for e in events}
        assert await bus.dead_letters(name) == []
    finally:
        await subscription.close()
        await runtime.stop()


@pytest.mark.parametrize("bus_url", ["memory"], indirect=True)
async def test_memory_bus_keeps_unacked_messages_when_a_consumer_stops(bus: Bus) -> None:
    name = "stopper"
    started = asyncio.Event()
    release = asyncio.Event()
    handled: list[str] = []

    async def slow(event: CloudEvent) -> None:
        started.set()
        await release.wait()
        handled.append(event.id)

    first = await bus.subscribe(name, [event_type_of(name)], each(slow), policy=RetryPolicy(), concurrency=1)
    event = unit_event(1, name)
    await bus.publish([(event.id, event.type, event.to_json_bytes())])
    await started.wait()
    await first.close()

    async def quick(e: CloudEvent) -> None:
        handled.append(e.id)

    second = await bus.subscribe(name, [event_type_of(name)], each(quick), policy=RetryPolicy())
    for _ in range(50):
        if handled:
            break
        await asyncio.sleep(0.02)
    await second.close()
    assert handled == [event.id]


async def test_in_process_bus_hands_events_over_again_after_the_process_died(database_url: str) -> None:
    # The first "process" relays events into in-process queues where they wait for a retry (its
    # handler fails), then dies; the second starts with empty queues and still applies every event
    # exactly once.
    name = fresh_service_name()
    settings = make_settings(bus_retry_base_seconds=60)

    async def fails(_ctx: EventContext, _event: CloudEvent) -> None:
        raise RuntimeError("not today")

    first_bus = MemoryBus(f"memory://{name}-first")
    first = replica(name, database_url, settings, first_bus, handler=fails)
    await ensure_effects_table(first)
    events = [unit_event(i, name) for i in range(30)]
    await first.start_consuming()
    await write_events(first, events)
    first.start_background()
    assert await wait_until_all_sent(first) == 0, "the outbox handed everything to the doomed queues"
    await first.stop()
    await first_bus.close()

    second_bus = MemoryBus(f"memory://{name}-second")
    second = replica(name, database_url, settings, second_bus)
    try:
        await second.start_consuming()
        second.start_background()
        counts = await wait_for_effects(second, len(events), timeout=30)
        assert counts == {e.id: 1 for e in events}
    finally:
        await second.stop()
