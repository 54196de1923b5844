"""Units and the calendar reach every consumer's replica over the bus (issue 10): in the embedded
mode (in-process bus, SQLite, all services in one app) and on the real RabbitMQ and PostgreSQL.

The publisher stands in for the requests service: it writes ``unit.upserted`` and
``calendar.updated`` through its journal and outbox exactly as the requests use cases do (the
requests side of the catch-up, ``republish``, comes with its own tests)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from services.embedded import spec_of
from shared.app import build_app
from shared.bus import Bus, create_bus
from shared.clock import Clock
from shared.events import CloudEvent, EventData
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import SERVICE_NAMES
from tests.bus.harness import delete_test_queues
from tests.foundation import serving
from tests.infra import AMQP_URL, require_rabbitmq
from tests.reference.support import CONSUMERS, SOURCE, applied, calendar_2027, eventually, replicated, unit_data
from tests.support import FOUNDATION, FOUNDATION_VERSIONS, make_settings

NEW_YEAR_EVE = date(2026, 12, 31)


def publisher_spec(name: str) -> ServiceSpec[None]:
    return ServiceSpec(
        name=name,
        title="publisher",
        description="stands in for the requests service",
        tables=FOUNDATION,
        versions_dir=FOUNDATION_VERSIONS,
        path_prefixes=(),
    )


async def emit(publisher: ServiceRuntime[Any], *items: tuple[EventData, str]) -> list[str]:
    """Each event in a transaction of its own, in this order (so the relay publishes them so);
    returns their ids."""
    ids = []
    for data, subject in items:
        async with publisher.transaction() as session:
            ids.append((await publisher.journal.emit(session, data, subject=subject, entity_type="unit")).id)
    return ids


async def names_everywhere(consumers: Sequence[ServiceRuntime[Any]], code: str) -> list[tuple[str, int | None] | None]:
    found = [await replicated(consumer, code) for consumer in consumers]
    return [(unit.name, unit.version) if unit else None for unit in found]


async def replication_scenario(
    publisher: ServiceRuntime[Any], consumers: Sequence[ServiceRuntime[Any]], bus: Bus
) -> None:
    assert len(consumers) == len(CONSUMERS)
    tag = uuid.uuid4().hex[:8]
    in_order, out_of_order, after_poison = f"A{tag}", f"B{tag}", f"C{tag}"

    # A unit created, then renamed.
    await emit(
        publisher,
        (unit_data(in_order, "市教育局", version=1), in_order),
        (unit_data(in_order, "市教育体育局", version=2), in_order),
    )
    # The rename published (so delivered) before the create.
    sent = await emit(
        publisher,
        (unit_data(out_of_order, "市卫健委", version=2), out_of_order),
        (unit_data(out_of_order, "市卫生局", version=1), out_of_order),
    )
    # The 2027 arrangement.
    sent += await emit(publisher, (calendar_2027(), "2027"))

    renamed = [("市教育体育局", 2)] * len(consumers)
    assert await eventually(lambda: names_everywhere(consumers, in_order), lambda v: v == renamed) == renamed
    standing = [("市卫健委", 2)] * len(consumers)
    # The late create and the year are in every inbox: the create came and changed nothing.
    everywhere = [set(sent)] * len(consumers)
    assert await eventually(lambda: applied(consumers, sent), lambda v: v == everywhere) == everywhere
    assert await names_everywhere(consumers, out_of_order) == standing

    # The calendar counts with a year from the commit of the inbox transaction that stored it.
    for consumer in consumers:
        result = consumer.calendar.add_working_days(NEW_YEAR_EVE, 1)
        assert (consumer.spec.name, result.day, result.provisional) == (consumer.spec.name, date(2027, 1, 4), False)

    # Malformed data: dead-lettered with its error in every consumer, and what follows still applies.
    poison = CloudEvent(
        id=str(uuid.uuid4()),
        type="unit.upserted",
        source=SOURCE,
        time=datetime.now(UTC),
        subject=f"P{tag}",
        data={"unit_code": f"P{tag}", "name": "坏数据", "kind": "castle", "region": "330102", "contacts": []},
    )
    async with publisher.transaction() as session:
        await publisher.outbox.add(session, poison)
    await emit(publisher, (unit_data(after_poison, "市档案馆", version=1), after_poison))

    later = [("市档案馆", 1)] * len(consumers)
    assert await eventually(lambda: names_everywhere(consumers, after_poison), lambda v: v == later) == later
    for consumer in consumers:
        letters = await eventually(lambda c=consumer: bus.dead_letters(c.spec.name), bool)
        assert [letter.event_id for letter in letters] == [poison.id]
        assert "kind" in (letters[0].last_error or "")
        assert letters[0].attempts == consumer.settings.bus_max_attempts
        assert await replicated(consumer, f"P{tag}") is None


async def test_embedded_mode_replicates_units_and_calendar_to_every_consumer(tmp_path: Path) -> None:
    urls = {f"{name}_database_url": f"sqlite+aiosqlite:///{tmp_path / f'{name}.sqlite3'}" for name in SERVICE_NAMES}
    settings = make_settings(**urls)
    specs = [publisher_spec("requests"), *(spec_of(name) for name in CONSUMERS)]
    app = build_app(specs, settings, migrate_on_start=True)
    async with serving(app):
        runtimes = app.state.runtimes
        publisher = runtimes["requests"]
        await replication_scenario(publisher, [runtimes[name] for name in CONSUMERS], publisher.bus)


async def test_rabbitmq_and_postgresql_replicate_units_and_calendar_to_every_consumer(
    postgres_consumer_urls: dict[str, str],
) -> None:
    require_rabbitmq()
    tag = uuid.uuid4().hex[:8]
    settings = make_settings(bus_url=AMQP_URL)
    bus = create_bus(AMQP_URL)
    await bus.start()
    # Queues of their own (gongkai.<name>_<tag>), so nothing else on the broker shares them.
    consumers = [
        ServiceRuntime(
            replace(spec_of(name), name=f"{name}_{tag}"),
            settings,
            clock=Clock(),
            bus=bus,
            database_url=postgres_consumer_urls[name],
        )
        for name in CONSUMERS
    ]
    publisher = ServiceRuntime(
        publisher_spec(f"pub_{tag}"), settings, clock=Clock(), bus=bus, database_url=postgres_consumer_urls["publisher"]
    )
    try:
        for consumer in consumers:
            await consumer.run_startup_hooks()
            await consumer.start_consuming()
        publisher.start_background()
        await replication_scenario(publisher, consumers, bus)
    finally:
        for runtime in (publisher, *consumers):
            await runtime.stop()
        await bus.close()
        for consumer in consumers:
            await delete_test_queues(consumer.spec.name)
