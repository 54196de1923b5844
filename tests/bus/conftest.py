"""Transport fixtures: every bus test runs on the in-process bus and on the real RabbitMQ."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest

from shared.bus import Bus, create_bus
from tests.infra import AMQP_URL, require_rabbitmq


@pytest.fixture(params=["memory", "rabbitmq"])
def bus_url(request: pytest.FixtureRequest) -> str:
    if request.param == "rabbitmq":
        require_rabbitmq()
        return AMQP_URL
    return f"memory://{uuid.uuid4().hex}"


@pytest.fixture
async def bus(bus_url: str) -> AsyncIterator[Bus]:
    the_bus = create_bus(bus_url)
    await the_bus.start()
    yield the_bus
    await the_bus.close()


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


@pytest.fixture
async def cleanup_queues(bus_url: str) -> AsyncIterator[list[str]]:
    services: list[str] = []
    yield services
    if bus_url.startswith("amqp"):
        for service in services:
            await delete_test_queues(service)
