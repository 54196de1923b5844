"""Publication reaches its consumers through the real bus, each event once (DESIGN §3): on the
in-process bus with SQLite (the embedded mode) and on RabbitMQ with PostgreSQL. A stand-in consumer
(what scoring and accountability bind) records what its inbox applied; publishing twice sends
nothing more. (Units reaching the replica over the bus: tests/reference/test_delivery.py.)"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from services.appraisal.app import SPEC
from shared.app import build_app
from shared.bus import create_bus
from shared.clock import Clock
from shared.events import CloudEvent
from shared.inbox import EventContext
from shared.runtime import ServiceRuntime, ServiceSpec
from tests.appraisal.support import AFTER, Api, all_rated, token
from tests.bus.harness import delete_test_queues
from tests.foundation import serving
from tests.infra import AMQP_URL, require_rabbitmq
from tests.support import FOUNDATION, FOUNDATION_VERSIONS, make_settings, migrate_foundation

TYPES = ("appraisal.result_published", "appraisal.unit_unsatisfied")


async def test_publication_reaches_consumers_once_on_both_transports(database_url: str, tmp_path: Path) -> None:
    postgres = database_url.startswith("postgresql")
    if postgres:
        require_rabbitmq()
    bus_url = AMQP_URL if postgres else f"memory://{uuid.uuid4().hex}"
    tag = uuid.uuid4().hex[:8]
    received: list[CloudEvent] = []

    async def record(_ctx: EventContext, event: CloudEvent) -> None:
        received.append(event)

    consumer_url = f"sqlite+aiosqlite:///{tmp_path / 'consumer.sqlite3'}"
    migrate_foundation(consumer_url)
    consumer_spec: ServiceSpec[None] = ServiceSpec(
        name=f"stand_in_{tag}",
        title="stand-in consumer",
        description="binds the appraisal events as scoring and accountability do",
        tables=FOUNDATION,
        versions_dir=FOUNDATION_VERSIONS,
        path_prefixes=(),
        handlers={t: record for t in TYPES},
    )
    settings = make_settings(appraisal_database_url=database_url, run_background_jobs=False, bus_url=bus_url)
    bus = create_bus(bus_url)
    await bus.start()
    consumer = ServiceRuntime(consumer_spec, settings, clock=Clock(), bus=bus, database_url=consumer_url)
    try:
        await consumer.start_consuming()
        app = build_app([SPEC], settings, bus=bus)
        async with serving(app) as client:
            a = Api(app, settings, client)
            await a.add_units()
            campaign = await a.opened()
            for n in range(2):
                assert (await a.answer(campaign, "EDU", all_rated("satisfied"), token=token(n))).status_code == 201
                reply = await a.answer(
                    campaign, "WATER", all_rated("unsatisfied", text="水费票据不公开"), token=token(n)
                )
                assert reply.status_code == 201
            a.at(AFTER)
            await a.transition(campaign, "close")
            await a.transition(campaign, "publish")
            again = await client.post(f"/api/v1/campaigns/{campaign['id']}/publish", headers=a.office)
            assert again.status_code == 200
            for _ in range(200):
                if len(received) >= 3:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # anything more would have come by now
        kinds = sorted((e.type, e.data["unit_code"]) for e in received)
        assert kinds == [
            ("appraisal.result_published", "EDU"),
            ("appraisal.result_published", "WATER"),
            ("appraisal.unit_unsatisfied", "WATER"),
        ]
        unsatisfied: dict[str, Any] = next(e.data for e in received if e.type == "appraisal.unit_unsatisfied")
        assert unsatisfied["problems"] == ["水费票据不公开"] and unsatisfied["score"] == 0.0
        assert all(e.source == "gongkai/appraisal" and e.subject == campaign["id"] for e in received)
    finally:
        await consumer.stop()
        await bus.close()
        if postgres:
            await delete_test_queues(consumer_spec.name)
