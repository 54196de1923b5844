"""The reactions through the real bus on both transports (issue 14 "events through the real bus"):
the embedded mode (in-process bus, SQLite, one app) and RabbitMQ with PostgreSQL. A publisher
stands in for requests and scoring; the accountability service consumes, opens or appends, orders
rectification, and escalates its own overdue orders through the bus as well."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.accountability.app import SPEC
from services.accountability.service.sweeps import sweep_deadlines
from services.embedded import spec_of
from shared.app import build_app
from shared.bus import Bus, create_bus
from shared.clock import Clock
from shared.events import RequestOverdue, ScoringGradeFailed, UnitContact
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import SERVICE_NAMES
from tests.accountability.support import at, eventually
from tests.bus.harness import delete_test_queues
from tests.foundation import serving
from tests.infra import AMQP_URL, require_rabbitmq
from tests.reference.support import unit_data
from tests.support import FOUNDATION, FOUNDATION_VERSIONS, MigratedDatabase, make_settings, migrate, migrate_foundation

ACCOUNTABILITY_PG = MigratedDatabase("acc_bus", lambda url: migrate(SPEC, url))
PUBLISHER_PG = MigratedDatabase("acc_bus_publisher", migrate_foundation)
LEADERS = [UnitContact(name="李局长", role="principal_leader"), UnitContact(name="赵副局长", role="leader_in_charge")]


def publisher_spec(name: str) -> ServiceSpec[None]:
    """Stands in for the requests and scoring services: a journal and an outbox on the foundation tables."""
    return ServiceSpec(
        name=name,
        title="publisher",
        description="publisher",
        tables=FOUNDATION,
        versions_dir=FOUNDATION_VERSIONS,
        path_prefixes=(),
    )


async def emit(publisher: ServiceRuntime[Any], data: Any, subject: str) -> Any:
    async with publisher.transaction() as session:
        return await publisher.journal.emit(session, data, subject=subject, entity_type="x")


async def rows(runtime: ServiceRuntime[Any], table: str, unit_codes: set[str]) -> list[Any]:
    t = runtime.tables.metadata.tables[table]
    async with runtime.sessions() as session:
        return list((await session.execute(select(t).where(t.c.unit_code.in_(sorted(unit_codes))))).all())


async def scenario(publisher: ServiceRuntime[Any], consumer: ServiceRuntime[Any], bus: Bus) -> None:
    tag = uuid.uuid4().hex[:6]
    a_unit, b_unit = f"A{tag}", f"B{tag}"
    await emit(publisher, unit_data(a_unit, "市教育局", version=1, contacts=LEADERS), a_unit)
    overdue = [
        await emit(
            publisher,
            RequestOverdue(
                request_id=f"r{n}", tracking_no=f"T{n}", unit_code=unit, handler_id=f"h{n}", due_on=date(2026, 10, 29)
            ),
            f"r{n}",
        )
        for n, unit in enumerate([a_unit, a_unit, b_unit])
    ]
    failed = await emit(
        publisher,
        ScoringGradeFailed(scheme_id="s", year=2026, unit_code=a_unit, total=60.0, veto_reasons=["泄密"]),
        a_unit,
    )
    # Redelivery: the first overdue event published again by hand, same id.
    await bus.publish([(overdue[0].id, overdue[0].type, overdue[0].to_json_bytes())])

    def done(found: list[Any]) -> bool:
        return len(found) == 3

    cases = await eventually(lambda: rows(consumer, "cases", {a_unit, b_unit}), done)
    assert sorted((c.unit_code, c.primary_violation) for c in cases) == [
        (a_unit, "application_mishandled"),
        (a_unit, "appraisal_failed"),
        (b_unit, "application_mishandled"),
    ]
    findings_table = consumer.tables.metadata.tables["case_findings"]
    wanted = [e.id for e in [*overdue, failed]]
    async with consumer.sessions() as session:
        findings = (await session.execute(select(findings_table).where(findings_table.c.event_id.in_(wanted)))).all()
    assert sorted(f.event_id for f in findings) == sorted(wanted)  # each applied once, the duplicate absorbed
    a_case = next(c for c in cases if c.unit_code == a_unit and c.primary_violation == "application_mishandled")
    assert sorted(f.event_id for f in findings if f.case_id == a_case.id) == sorted([overdue[0].id, overdue[1].id])
    [order] = await rows(consumer, "rectification_orders", {a_unit})
    assert order.trigger_event_id == failed.id and order.case_id is not None

    # The leaders come from the unit replica: its unit.upserted may be applied after the cases (events
    # arrive in batches, in no promised order), so wait until it stands before the order runs late.
    await eventually(lambda: rows(consumer, "ref_units", {a_unit}), lambda found: len(found) == 1)
    # The order runs past its due day: the sweep emits rectification_overdue, the service consumes
    # it from the bus and schedules the interview with the unit's leaders.
    consumer.clock.set(at(order.due_on), frozen=True)
    consumer.clock.advance(days=1)
    assert (await sweep_deadlines(consumer)).rectification_overdue_emitted >= 1

    async def escalations() -> list[Any]:
        return [o.escalations for o in await rows(consumer, "rectification_orders", {a_unit})]

    [escalated] = await eventually(escalations, lambda found: bool(found and found[0]))
    assert escalated[0]["sanction"] == "interview"
    assert [leader["name"] for leader in escalated[0]["leaders"]] == ["李局长", "赵副局长"]


async def test_embedded_mode_delivers_the_reactions(tmp_path: Path) -> None:
    urls = {f"{name}_database_url": f"sqlite+aiosqlite:///{tmp_path / f'{name}.sqlite3'}" for name in SERVICE_NAMES}
    settings = make_settings(run_background_jobs=False, **urls)
    app = build_app([publisher_spec("requests"), spec_of("accountability")], settings, migrate_on_start=True)
    async with serving(app):
        runtimes = app.state.runtimes
        await scenario(runtimes["requests"], runtimes["accountability"], runtimes["requests"].bus)


@pytest.fixture
async def postgres_urls(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    async with (
        ACCOUNTABILITY_PG.fresh("postgres", tmp_path_factory, tmp_path) as consumer,
        PUBLISHER_PG.fresh("postgres", tmp_path_factory, tmp_path) as publisher,
    ):
        yield consumer, publisher


async def test_rabbitmq_and_postgresql_deliver_the_reactions(postgres_urls: tuple[str, str]) -> None:
    require_rabbitmq()
    consumer_url, publisher_url = postgres_urls
    tag = uuid.uuid4().hex[:8]
    settings = make_settings(bus_url=AMQP_URL, run_background_jobs=False)
    bus = create_bus(AMQP_URL)
    await bus.start()
    # A queue of its own (gongkai.accountability_<tag>): nothing else on the broker shares it.
    consumer = ServiceRuntime(
        replace(SPEC, name=f"accountability_{tag}"), settings, clock=Clock(), bus=bus, database_url=consumer_url
    )
    publisher = ServiceRuntime(
        publisher_spec(f"pub_{tag}"), settings, clock=Clock(), bus=bus, database_url=publisher_url
    )
    try:
        await consumer.run_startup_hooks()
        await consumer.start_consuming()
        consumer.start_background()
        publisher.start_background()
        await scenario(publisher, consumer, bus)
    finally:
        for runtime in (publisher, consumer):
            await runtime.stop()
        await bus.close()
        await delete_test_queues(consumer.spec.name)
