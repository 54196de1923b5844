"""Issue 7, items 3 and 4: RabbitMQ goes away (a proxy the test owns stops) and comes back.
While it is away the service stays ready — writes land in the outbox — and says so in /readyz, a
metric and the log; when it returns, the backlog is published at once instead of each row waiting
out its own back-off."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from services.requests.app import create_app
from shared.bus import create_bus
from shared.outbox import utcnow
from shared.runtime import ServiceRuntime
from tests.bus.harness import fresh_service_name, replica, unit_event, unsent_count, write_events
from tests.foundation import serving
from tests.infra import require_rabbitmq
from tests.reliability.proxy import TcpProxy
from tests.reliability.servers import UNIT
from tests.support import make_settings


@pytest.fixture
async def broker_proxy() -> AsyncIterator[TcpProxy]:
    require_rabbitmq()
    proxy = TcpProxy(5672)
    await proxy.start()
    yield proxy
    if proxy.server is not None and proxy.server.is_serving():
        await proxy.stop()


def bus_gauge(metrics: str) -> float:
    line = next(line for line in metrics.splitlines() if line.startswith("gongkai_bus_connected "))
    return float(line.split()[1])


async def test_readiness_holds_through_a_broker_outage_and_reports_it(
    pg_url: str, broker_proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.requests.helpers import Api

    settings = make_settings(requests_database_url=pg_url, bus_url=f"amqp://guest:guest@127.0.0.1:{broker_proxy.port}/")
    app = create_app(settings)
    async with serving(app) as client:
        office = Api(app, settings, client).auth("office", sub="office-1")
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["bus"] == "ok"

        with caplog.at_level(logging.WARNING):
            await broker_proxy.stop()
            await asyncio.sleep(0.3)  # the connection notices it lost the broker
            during = await client.get("/readyz")
            written = await client.put("/api/v1/units/U001", json=UNIT, headers=office)
            metrics = (await client.get("/metrics")).text

        assert during.status_code == 200, "the database answers: still ready"
        assert during.json()["checks"]["database:requests"] == "ok"
        assert during.json()["checks"]["bus"] != "ok"
        assert bus_gauge(metrics) == 0
        assert any("message broker" in record.getMessage() for record in caplog.records)
        assert written.status_code == 201, "the write waits in the outbox"
        runtime: ServiceRuntime = app.state.runtimes["requests"]
        assert await unsent_count(runtime) >= 1

        await broker_proxy.start()
        for _ in range(100):
            if (await client.get("/readyz")).json()["checks"]["bus"] == "ok" and not await unsent_count(runtime):
                break
            await asyncio.sleep(0.1)
        assert (await client.get("/readyz")).json()["checks"]["bus"] == "ok"
        assert bus_gauge((await client.get("/metrics")).text) == 1
        assert await unsent_count(runtime) == 0, "the outbox drained once the broker was back"


async def test_the_backlog_of_an_outage_is_published_at_once_when_the_broker_returns(
    pg_url: str, broker_proxy: TcpProxy
) -> None:
    total = 1000
    # Production back-off (up to 60 s a row): what used to make the drain take as long as the
    # longest remaining wait.
    settings = make_settings(outbox_backoff_max_seconds=60.0, outbox_batch_size=500, outbox_poll_seconds=0.5)
    bus = create_bus(f"amqp://guest:guest@127.0.0.1:{broker_proxy.port}/")
    await bus.start()
    producer = replica(fresh_service_name(), pg_url, settings, bus)  # no queue: only the relay matters
    try:
        producer.start_background()
        await broker_proxy.stop()
        await write_events(producer, [unit_event(i) for i in range(total)])
        outbox = producer.tables.outbox
        # Let the rows fail a few times, until some are due only seconds from now.
        for _ in range(200):
            async with producer.sessions() as session:
                latest = await session.scalar(select(func.max(outbox.c.available_at)).where(outbox.c.sent_at.is_(None)))
            if latest is not None and (latest.replace(tzinfo=latest.tzinfo or UTC) - utcnow()).total_seconds() > 4:
                break
            await asyncio.sleep(0.1)
        backed_off = (latest.replace(tzinfo=latest.tzinfo or UTC) - datetime.now(UTC)).total_seconds()
        assert await unsent_count(producer) == total

        await broker_proxy.start()
        returned = time.perf_counter()
        while await unsent_count(producer) and time.perf_counter() - returned < 30:
            await asyncio.sleep(0.02)
        drained = time.perf_counter() - returned
        print(
            f"\nbroker outage: {total} rows backed off up to {backed_off:.1f} s; all published {drained:.2f} s after its return"
        )
        assert await unsent_count(producer) == 0
        # Generous: the robust connection retries every second; the rows' own back-off was longer.
        assert drained < backed_off
    finally:
        await producer.stop()
        await bus.close()
