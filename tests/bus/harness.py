"""A throwaway service for exercising the event backbone end to end.

It runs the real machinery (``ServiceRuntime``: outbox, relay, bus, inbox) on a database of the
foundation tables alone (``tests.support.FOUNDATION``), with one handler whose effect is a row in
``test_effects`` — so "applied exactly once" is a query: every event id appears there exactly once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import aio_pika
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from shared.bus import Bus
from shared.clock import Clock
from shared.events import CloudEvent, UnitUpserted, new_event
from shared.inbox import EventContext
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import Settings
from tests.infra import AMQP_URL
from tests.support import FOUNDATION, FOUNDATION_VERSIONS

EFFECTS_METADATA = MetaData()
effects = Table(
    "test_effects",
    EFFECTS_METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),  # not unique: a duplicate must be countable
    Column("replica", String(50), nullable=False),
)


def event_type_of(service: str) -> str:
    """Each test service consumes a type of its own, so a suite running beside it on the same
    broker (whose events also go through gongkai.events) cannot leak into its queues."""
    return f"test.{service}"


def unit_event(i: int, service: str | None = None) -> CloudEvent:
    """A real unit.upserted body; with ``service``, under that test service's own type."""
    data = UnitUpserted(
        unit_code=f"U{i:06d}", name=f"测试单位{i}", kind="department", parent_code=None, region="130400", contacts=[]
    )
    event = new_event(data, source="gongkai/test", subject=data.unit_code, time=datetime.now(UTC))
    return event.model_copy(update={"type": event_type_of(service)}) if service else event


async def record_effect(ctx: EventContext, event: CloudEvent) -> None:
    await ctx.session.execute(effects.insert().values(event_id=event.id, replica=ctx.service))


def fresh_service_name() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def replica(
    name: str,
    database_url: str,
    settings: Settings,
    bus: Bus,
    handler: Callable[[EventContext, CloudEvent], Awaitable[None]] = record_effect,
) -> ServiceRuntime:
    """One replica of the test service ``name``: its queue is ``gongkai.<name>``."""
    spec = ServiceSpec(
        name=name,
        title="test",
        description="test",
        tables=FOUNDATION,
        versions_dir=FOUNDATION_VERSIONS,
        path_prefixes=(),
        handlers={event_type_of(name): handler},
    )
    return ServiceRuntime(spec, settings, clock=Clock(), bus=bus, database_url=database_url)


async def ensure_effects_table(runtime: ServiceRuntime) -> None:
    async with runtime.engine.begin() as connection:
        await connection.run_sync(EFFECTS_METADATA.create_all)


async def write_events(runtime: ServiceRuntime, events: list[CloudEvent], batch: int = 200) -> None:
    for start in range(0, len(events), batch):
        async with runtime.sessions.begin() as session:
            await runtime.outbox.add(session, *events[start : start + batch])


async def effect_counts(runtime: ServiceRuntime) -> dict[str, int]:
    async with runtime.sessions() as session:
        rows = (await session.execute(select(effects.c.event_id, func.count()).group_by(effects.c.event_id))).all()
    return {event_id: count for event_id, count in rows}


async def wait_for_effects(runtime: ServiceRuntime, expected: int, timeout: float = 60.0) -> dict[str, int]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        counts = await effect_counts(runtime)
        if len(counts) >= expected or asyncio.get_running_loop().time() > deadline:
            return counts
        await asyncio.sleep(0.1)


async def unsent_count(runtime: ServiceRuntime) -> int:
    outbox = runtime.tables.outbox
    async with runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))) or 0


async def wait_until_all_sent(runtime: ServiceRuntime, timeout: float = 10.0) -> int:
    """Unsent outbox rows once the relays caught up (a relay marks a batch sent after the
    broker confirmed it, which can be after consumers already applied it)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (remaining := await unsent_count(runtime)) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    return remaining


RETRY_STEPS_MS = (100, 200, 400, 800, 1600, 5000, 15000, 45000, 135000)


async def delete_test_queues(service: str) -> None:
    """Removes a test service's queues from the shared RabbitMQ."""
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        names = [f"gongkai.{service}", f"gongkai.{service}.dead"]
        # Every delay step the suite's retry policies use (tests' settings, the defaults, 0.1 s).
        names += [f"gongkai.{service}.retry.{ms}ms" for ms in RETRY_STEPS_MS]
        for name in names:
            await channel.queue_delete(name)
    finally:
        await connection.close()
