"""Transport fixtures: every bus test runs on the in-process bus and on the real RabbitMQ."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from shared.bus import Bus, create_bus
from tests.bus.harness import delete_test_queues
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


@pytest.fixture
async def cleanup_queues(bus_url: str) -> AsyncIterator[list[str]]:
    services: list[str] = []
    yield services
    if bus_url.startswith("amqp"):
        for service in services:
            await delete_test_queues(service)
