"""Fixtures of the reference-data tests: each consuming service's database, migrated by its own
revisions (so the replica tables are the ones ``<name>_0002_reference_data`` creates)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from services.embedded import spec_of
from shared.settings import SERVICE_NAMES
from tests.reference.support import CONSUMERS
from tests.support import MigratedDatabase, migrate, migrate_foundation

DATABASES = {
    name: MigratedDatabase(f"ref_{name}", lambda url, name=name: migrate(spec_of(name), url)) for name in CONSUMERS
}
PUBLISHER_DATABASE = MigratedDatabase("ref_publisher", migrate_foundation)
REQUESTS_DATABASE = MigratedDatabase("ref_requests", lambda url: migrate(spec_of("requests"), url))


@pytest.fixture(params=["sqlite", "postgres"])
async def scoring_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> AsyncIterator[str]:
    """The scoring service's database, empty, on each backend in turn: the replica mechanism is
    the same code in every consumer, so its details are tested on one."""
    async with DATABASES["scoring"].fresh(request.param, tmp_path_factory, tmp_path) as url:
        yield url


@pytest.fixture
async def postgres_consumer_urls(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    """The four consumers' PostgreSQL databases and the publisher's, empty."""
    urls: dict[str, str] = {}
    managers = [(name, DATABASES[name].fresh("postgres", tmp_path_factory, tmp_path)) for name in CONSUMERS]
    managers.append(("publisher", PUBLISHER_DATABASE.fresh("postgres", tmp_path_factory, tmp_path)))
    try:
        for name, manager in managers:
            urls[name] = await manager.__aenter__()
        yield urls
    finally:
        for name, manager in reversed(managers):
            if name in urls:
                await manager.__aexit__(None, None, None)


@pytest.fixture
async def postgres_requests_url(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> AsyncIterator[str]:
    """The real requests service's PostgreSQL database (its own revisions), empty."""
    async with REQUESTS_DATABASE.fresh("postgres", tmp_path_factory, tmp_path) as url:
        yield url


@pytest.fixture
async def embedded_database_urls(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    """The five services' SQLite files as the embedded mode has them once migrated (copies of
    templates built once per session: migrating five databases from nothing takes seconds)."""
    async with AsyncExitStack() as stack:
        yield {
            f"{name}_database_url": await stack.enter_async_context(
                (REQUESTS_DATABASE if name == "requests" else DATABASES[name]).fresh(
                    "sqlite", tmp_path_factory, tmp_path
                )
            )
            for name in SERVICE_NAMES
        }
