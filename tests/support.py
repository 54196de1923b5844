"""What the suite stands on: test settings, and databases built by real migrations once per session
and handed to each test empty.

The shared mechanism and the bus are tested on the foundation tables alone (``FOUNDATION``,
migrated by ``tests/foundation_schema``, the same step every service's first revision runs); a
service's tests use that service's own migrations (e.g. ``tests/requests/conftest.py``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from shared.migrations import foundation_tables, upgrade
from shared.runtime import ServiceSpec
from shared.settings import Settings
from tests.infra import PG_HOST, PG_USER, pg_url, require_postgres

T = TypeVar("T")

# The foundation tables on a MetaData of the tests' own, and the one revision that creates them.
FOUNDATION = foundation_tables()
FOUNDATION_VERSIONS = Path(__file__).parent / "foundation_schema"


def make_settings(**overrides: object) -> Settings:
    """Settings for tests: fast polling and short retry delays, nothing read from the environment
    that could make two machines disagree."""
    values: dict[str, object] = {
        "env": "test",
        "bus_url": f"memory://{uuid.uuid4().hex}",
        "outbox_poll_seconds": 0.05,
        "outbox_backoff_max_seconds": 0.5,
        "outbox_lease_seconds": 10,
        "bus_max_attempts": 4,
        "bus_retry_base_seconds": 0.2,
        "bus_retry_factor": 2.0,
        "bus_prefetch": 16,
        "log_json": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def pg_test_database(purpose: str) -> str:
    """``gongkai_test_<purpose>``; ``GONGKAI_TEST_DB_SUFFIX`` keeps two suites running at once on
    one machine (say, a developer's and a helper's) out of each other's databases."""
    return f"gongkai_test_{purpose}{os.environ.get('GONGKAI_TEST_DB_SUFFIX', '')}"


# The PostgreSQL databases this session made: dropped when it ends (tests/conftest.py).
CREATED_DATABASES: set[str] = set()


async def recreate_pg_database(name: str) -> str:
    """Drops and creates a PostgreSQL database for this test session; returns its asyncpg URL."""
    connection = await asyncpg.connect(host=PG_HOST, user=PG_USER, database="postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    CREATED_DATABASES.add(name)
    return pg_url(name)


async def drop_created_databases() -> list[str]:
    """Drops the databases :func:`recreate_pg_database` made in this session."""
    if not CREATED_DATABASES:
        return []
    connection = await asyncpg.connect(host=PG_HOST, user=PG_USER, database="postgres")
    try:
        for name in sorted(CREATED_DATABASES):
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
    dropped = sorted(CREATED_DATABASES)
    CREATED_DATABASES.clear()
    return dropped


def in_thread(function: Callable[..., T], *args: object) -> T:
    """Runs blocking work that starts its own event loop (Alembic's env) off the test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def migrate(spec: ServiceSpec[Any], url: str) -> None:
    """A service's migrations up to head on ``url``, from a test's event loop."""
    in_thread(upgrade, spec.name, url, spec.versions_dir, spec.tables.metadata)


def migrate_foundation(url: str) -> None:
    in_thread(upgrade, "foundation", url, FOUNDATION_VERSIONS, FOUNDATION.metadata)


class MigratedDatabase:
    """A schema built once per test session on each backend: copied from a template file on
    SQLite, truncated after each test on PostgreSQL (``gongkai_test_<purpose>``)."""

    def __init__(self, purpose: str, build: Callable[[str], None]) -> None:
        self.purpose = purpose
        self.build = build
        self._sqlite_template: Path | None = None
        self._pg_url: str | None = None

    @asynccontextmanager
    async def fresh(self, backend: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> AsyncIterator[str]:
        """The URL of an empty, migrated database on ``backend`` ("sqlite" or "postgres")."""
        if backend == "sqlite":
            target = tmp_path / f"{self.purpose}.sqlite3"
            shutil.copy(self._sqlite(tmp_path_factory), target)
            yield f"sqlite+aiosqlite:///{target}"
            return
        yield self._postgres()
        await self._truncate_postgres()

    def _sqlite(self, tmp_path_factory: pytest.TempPathFactory) -> Path:
        if self._sqlite_template is None:
            path = tmp_path_factory.mktemp(f"template-{self.purpose}") / f"{self.purpose}.sqlite3"
            self.build(f"sqlite+aiosqlite:///{path}")
            self._sqlite_template = path
        return self._sqlite_template

    def _postgres(self) -> str:
        require_postgres()
        if self._pg_url is None:
            url = in_thread(asyncio.run, recreate_pg_database(pg_test_database(self.purpose)))
            self.build(url)
            self._pg_url = url
        return self._pg_url

    async def _truncate_postgres(self) -> None:
        connection = await asyncpg.connect(host=PG_HOST, user=PG_USER, database=pg_test_database(self.purpose))
        try:
            tables = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
            names = ", ".join(f'"{row["tablename"]}"' for row in tables)
            await connection.execute(f"TRUNCATE {names} RESTART IDENTITY")
        finally:
            await connection.close()


def database_fixture(database: MigratedDatabase) -> Callable[..., AsyncIterator[str]]:
    """A ``database_url`` fixture: ``database``, empty, on SQLite and on PostgreSQL in turn."""

    @pytest.fixture(params=["sqlite", "postgres"])
    async def database_url(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
    ) -> AsyncIterator[str]:
        async with database.fresh(request.param, tmp_path_factory, tmp_path) as url:
            yield url

    return database_url
