"""The outbox relay's bookkeeping, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from shared.bus import PublishItem
from shared.bus.memory import MemoryBus
from tests.bus.harness import (
    ensure_effects_table,
    fresh_service_name,
    replica,
    unit_event,
    unsent_count,
    write_events,
)
from tests.support import make_settings


class RefusingBus(MemoryBus):
    """A broker that nacks every publish."""

    async def publish(self, items: Sequence[PublishItem]) -> list[BaseException | None]:
        return [ConnectionError("broker refused")] * len(items)


async def test_a_failed_publish_keeps_the_row_and_backs_off(database_url: str) -> None:
    settings = make_settings()
    runtime = replica(fresh_service_name(), database_url, settings, RefusingBus(settings.bus_url))
    try:
        await write_events(runtime, [unit_event(1)])
        assert await runtime.relay.relay_once() == 0
        outbox = runtime.tables.outbox
        async with runtime.sessions() as session:
            row = (await session.execute(select(outbox))).one()
        assert row.sent_at is None and row.attempts == 1 and row.claimed_by is None
        assert "broker refused" in row.last_error
        assert row.available_at > row.created_at, "the next try waits"
        assert await runtime.relay.relay_once() == 0, "not claimable again before its back-off ends"
    finally:
        await runtime.stop()


async def test_rows_claimed_by_a_relay_that_died_are_claimed_again_after_their_lease(database_url: str) -> None:
    settings = make_settings(outbox_lease_seconds=0.2)
    bus = MemoryBus(settings.bus_url)
    runtime = replica(fresh_service_name(), database_url, settings, bus)
    try:
        await write_events(runtime, [unit_event(i) for i in range(3)])
        claimed = await runtime.relay._claim()  # a relay claims, then "dies" before publishing
        assert len(claimed) == 3
        assert await runtime.relay.relay_once() == 0, "leased rows are not taken while the lease holds"
        await asyncio.sleep(0.3)
        assert await runtime.relay.relay_once() == 3
        assert await unsent_count(runtime) == 0
    finally:
        await runtime.stop()


async def test_housekeeping_counts_pending_rows_and_purges_only_rows_sent_long_ago(database_url: str) -> None:
    settings = make_settings()
    runtime = replica(fresh_service_name(), database_url, settings, MemoryBus(settings.bus_url))
    try:
        await write_events(runtime, [unit_event(i) for i in range(5)])
        assert await runtime.relay.pending_count() == 5
        assert await runtime.relay.relay_once() == 5
        await write_events(runtime, [unit_event(10)])
        assert await runtime.relay.purge_sent(timedelta(days=1)) == 0, "recently sent rows are kept"
        assert await runtime.relay.purge_sent(timedelta(0)) == 5
        assert await runtime.relay.pending_count() == 1, "an unsent row is never purged"
    finally:
        await runtime.stop()


async def test_the_inbox_forgets_only_events_received_before_its_retention(database_url: str) -> None:
    settings = make_settings()
    runtime = replica(fresh_service_name(), database_url, settings, MemoryBus(settings.bus_url))
    try:
        await ensure_effects_table(runtime)
        assert await runtime.consumer([unit_event(1), unit_event(2)]) == [None, None]
        assert await runtime.consumer.purge(timedelta(days=30)) == 0, "recent events are kept"
        assert await runtime.consumer.purge(timedelta(0)) == 2
    finally:
        await runtime.stop()
