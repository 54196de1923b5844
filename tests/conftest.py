"""Fixtures shared by the whole suite: settings, and real databases built by the real migrations."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest

from services.requests.app import SPEC as REQUESTS_SPEC
from shared.migrations import upgrade
from shared.settings import Settings
from tests.infra import PG_HOST, PG_USER, pg_url, require_postgres

T = TypeVar("T")


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


async def recreate_pg_database(name: str) -> str:
    """Drops and creates a PostgreSQL database for this test session; returns its asyncpg URL."""
    connection = await asyncpg.connect(host=PG_HOST, user=PG_USER, database="postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return pg_url(name)


def in_thread(function: Callable[..., T], *args: object) -> T:
    """Runs blocking work that starts its own event loop (Alembic's env) off the test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def migrate_foundation(url: str) -> None:
    in_thread(upgrade, "requests", url, REQUESTS_SPEC.versions_dir, REQUESTS_SPEC.tables.metadata)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the requests service's real migrations applied, copied per test."""
    path = tmp_path_factory.mktemp("template") / "requests.sqlite3"
    migrate_foundation(f"sqlite+aiosqlite:///{path}")
    return path


_pg_foundation: dict[str, str] = {}


def pg_foundation_url() -> str:
    """The session's PostgreSQL database with the foundation tables, created on first use."""
    require_postgres()
    if "url" not in _pg_foundation:
        url = in_thread(asyncio.run, recreate_pg_database(pg_test_database("foundation")))
        migrate_foundation(url)
        _pg_foundation["url"] = url
    return _pg_foundation["url"]


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database with the foundation tables, empty, on each backend in turn."""
    if request.param == "sqlite":
        target = tmp_path / "db.sqlite3"
        shutil.copy(sqlite_template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    yield pg_foundation_url()
    connection = await asyncpg.connect(host=PG_HOST, user=PG_USER, database=pg_test_database("foundation"))
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        names = ", ".join(f'"{row["tablename"]}"' for row in tables)
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY")
    finally:
        await connection.close()


@pytest.fixture
def settings() -> Iterator[Settings]:
    yield make_settings()
