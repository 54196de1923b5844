"""Scoring's reactions through the real bus on both transports (DESIGN §3): ``request.overdue``
written by a publisher's use case (outbox) reaches the scoring service's queue and lands once on
the bound indicator — in the embedded mode (in-process bus, SQLite) and on RabbitMQ + PostgreSQL.
The publisher stands in for the requests service, as in tests/reference/test_delivery.py."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.scoring.app import SPEC
from services.scoring.models import sheet_entries, sheets
from services.scoring.service import schemes
from shared.app import build_app
from shared.auth import Principal
from shared.bus import create_bus
from shared.clock import Clock
from shared.runtime import ServiceRuntime
from shared.settings import SERVICE_NAMES
from tests.bus.harness import delete_test_queues
from tests.foundation import serving
from tests.infra import AMQP_URL, require_rabbitmq
from tests.reference.support import eventually
from tests.reference.test_delivery import publisher_spec
from tests.scoring.helpers import example_document, overdue
from tests.support import MigratedDatabase, make_settings, migrate_foundation

OFFICE = Principal(sub="office", name="考核办", roles=frozenset({"office"}), unit_codes=frozenset())
PUBLISHER_DATABASE = MigratedDatabase("scoring_publisher", migrate_foundation)


async def system_entries(scoring: ServiceRuntime[Any], unit: str) -> list[str]:
    async with scoring.sessions() as session:
        rows = await session.execute(
            select(sheet_entries.c.event_id)
            .join(sheets, sheets.c.id == sheet_entries.c.sheet_id)
            .where(sheets.c.unit_code == unit, sheet_entries.c.source == "system")
        )
        return sorted(r.event_id for r in rows)


async def scenario(publisher: ServiceRuntime[Any], scoring: ServiceRuntime[Any]) -> None:
    async with scoring.transaction() as session:
        draft = await schemes.create_scheme(session, scoring, OFFICE, example_document())
    async with scoring.transaction() as session:
        await schemes.publish_scheme(session, scoring, OFFICE, draft.id, f'"{draft.version}"')
    unit = "A0" + str(uuid.uuid4().int % 9 + 1)
    events = [overdue(unit, n=n) for n in range(1, 4)]
    for event in events:
        async with publisher.transaction() as session:
            await publisher.outbox.add(session, event)
    # The first published again, as a broker redelivers: applied once.
    await publisher.bus.publish([(events[0].id, events[0].type, events[0].to_json_bytes())])
    want = sorted(e.id for e in events)
    assert await eventually(lambda: system_entries(scoring, unit), lambda v: v == want) == want


async def test_embedded_mode_applies_request_overdue_once(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the embedded mode runs on SQLite")
    urls = {f"{name}_database_url": f"sqlite+aiosqlite:///{tmp_path / f'{name}.sqlite3'}" for name in SERVICE_NAMES}
    urls["scoring_database_url"] = database_url
    app = build_app([publisher_spec("requests"), SPEC], make_settings(**urls), migrate_on_start=True)
    async with serving(app):
        runtimes = app.state.runtimes
        await scenario(runtimes["requests"], runtimes["scoring"])


async def test_rabbitmq_and_postgresql_apply_request_overdue_once(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("RabbitMQ is run with PostgreSQL")
    require_rabbitmq()
    tag = uuid.uuid4().hex[:8]
    settings = make_settings(bus_url=AMQP_URL)
    bus = create_bus(AMQP_URL)
    await bus.start()
    async with PUBLISHER_DATABASE.fresh("postgres", tmp_path_factory, tmp_path) as publisher_url:
        # A queue of its own (gongkai.scoring_<tag>), bound to the same event types.
        scoring = ServiceRuntime(
            replace(SPEC, name=f"scoring_{tag}"), settings, clock=Clock(), bus=bus, database_url=database_url
        )
        publisher = ServiceRuntime(
            publisher_spec(f"pub_{tag}"), settings, clock=Clock(), bus=bus, database_url=publisher_url
        )
        try:
            await scoring.run_startup_hooks()
            await scoring.start_consuming()
            publisher.start_background()
            await scenario(publisher, scoring)
        finally:
            await publisher.stop()
            await scoring.stop()
            await bus.close()
            await delete_test_queues(scoring.spec.name)
