"""Events reach the notifier through the real bus on both transports — the in-process bus with SQLite
(the embedded mode) and RabbitMQ with PostgreSQL — and are sent by its dispatcher to a real SMTP
server: the right mail, once, even for an event published twice (DESIGN §3, §9; issue 15 §4)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import pytest

from services.notifier.app import SPEC
from services.notifier.config import build_resources
from shared.bus import create_bus
from shared.clock import Clock
from shared.events import RequestOverdue, UnitUpserted
from shared.runtime import ServiceRuntime
from tests.bus.harness import delete_test_queues
from tests.infra import AMQP_URL, require_rabbitmq
from tests.notifier.support import CONTACTS, UNIT, WORKDAY_MORNING, notifier_settings, smtp_server
from tests.reference.support import eventually, replicated
from tests.reference.test_delivery import publisher_spec
from tests.support import MigratedDatabase, make_settings, migrate, migrate_foundation

NOTIFIER_DB = MigratedDatabase("notifier_bus", lambda url: migrate(SPEC, url))
PUBLISHER_DB = MigratedDatabase("notifier_bus_publisher", migrate_foundation)


@pytest.mark.parametrize("transport", ["memory", "rabbitmq"])
async def test_an_event_published_twice_is_mailed_once_through_the_bus(
    transport: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    backend = "sqlite" if transport == "memory" else "postgres"
    if transport == "rabbitmq":
        require_rabbitmq()
    bus_url = AMQP_URL if transport == "rabbitmq" else f"memory://{uuid.uuid4().hex}"
    tag = uuid.uuid4().hex[:8]
    settings = make_settings(bus_url=bus_url)
    bus = create_bus(bus_url)
    await bus.start()
    clock = Clock()
    clock.set(WORKDAY_MORNING)
    with smtp_server() as (mail, port):
        async with (
            NOTIFIER_DB.fresh(backend, tmp_path_factory, tmp_path) as notifier_url,
            PUBLISHER_DB.fresh(backend, tmp_path_factory, tmp_path) as publisher_url,
        ):
            own = notifier_settings(smtp_port=port, office_phones="")
            spec = replace(SPEC, name=f"notifier_{tag}", resources=partial(build_resources, own=own))
            notifier = ServiceRuntime(spec, settings, clock=clock, bus=bus, database_url=notifier_url)
            publisher = ServiceRuntime(
                publisher_spec(f"pub_{tag}"), settings, clock=clock, bus=bus, database_url=publisher_url
            )
            try:
                await notifier.run_startup_hooks()
                await notifier.start_consuming()
                notifier.start_background()
                publisher.start_background()
                async with publisher.transaction() as session:
                    await publisher.journal.emit(
                        session,
                        UnitUpserted(
                            unit_code=UNIT,
                            name="邯郸市财政局",
                            kind="department",
                            parent_code=None,
                            region="130402",
                            contacts=CONTACTS,
                            version=1,
                        ),
                        subject=UNIT,
                        entity_type="unit",
                    )
                assert await eventually(lambda: replicated(notifier, UNIT), lambda unit: unit is not None)
                overdue = RequestOverdue(
                    request_id=f"r-{tag}", tracking_no="YSQ-2026-000042", unit_code=UNIT, due_on=date(2026, 3, 30)
                )
                async with publisher.transaction() as session:
                    sent = await publisher.journal.emit(
                        session, overdue, subject=overdue.request_id, entity_type="request"
                    )
                # Published a second time (a relay whose confirm was lost publishes again).
                assert await bus.publish([(sent.id, sent.type, sent.to_json_bytes())]) == [None]
                deadline = asyncio.get_running_loop().time() + 20
                while len(mail.messages) < 2 and asyncio.get_running_loop().time() < deadline:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)  # a duplicate would have arrived by now
                assert sorted(m["To"] for m in mail.messages) == ["office@gov.cn", "wang@czj.gov.cn"]
                assert all("YSQ-2026-000042" in str(m["Subject"]) for m in mail.messages)
            finally:
                await publisher.stop()
                await notifier.stop()
                await bus.close()
                if transport == "rabbitmq":
                    await delete_test_queues(spec.name)
