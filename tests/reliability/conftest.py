"""Reliability tests run on the real PostgreSQL (and RabbitMQ where a broker is involved), behind
TCP proxies the tests own: the machine's shared servers are never stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.requests.app import SPEC
from tests.support import MigratedDatabase, migrate

_REQUESTS_DB = MigratedDatabase("reliability", lambda url: migrate(SPEC, url))


@pytest.fixture
async def pg_url(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> AsyncIterator[str]:
    """The requests service's schema on PostgreSQL, empty (its foundation tables serve the relay
    tests too)."""
    async with _REQUESTS_DB.fresh("postgres", tmp_path_factory, tmp_path) as url:
        yield url
