"""Every service's Alembic migrations, on SQLite and PostgreSQL (DESIGN §1, §10): up, down, up
again, and a migrated schema that matches the models exactly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from services.embedded import spec_of
from shared.db import create_engine
from shared.migrations import alembic_config
from shared.runtime import ServiceSpec
from shared.settings import SERVICE_NAMES
from tests.foundation import head_revision
from tests.infra import require_postgres
from tests.support import in_thread, migrate, pg_test_database, recreate_pg_database

T = TypeVar("T")

FOUNDATION = {"outbox", "inbox", "audit_log", "idempotency_keys", "alembic_version"}


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def fresh_database(backend: str, name: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / f'{name}.sqlite3'}"
    require_postgres()
    return in_thread(asyncio.run, recreate_pg_database(pg_test_database(f"mig_{name}")))


async def inspect_db(url: str, look: Callable[[Connection], T]) -> T:
    """Runs ``look(sync_connection)`` against ``url``."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(look)
    finally:
        await engine.dispose()


def migrate_down_to_base(spec: ServiceSpec, url: str) -> None:
    in_thread(command.downgrade, alembic_config(spec.name, url, spec.versions_dir, spec.tables.metadata), "base")


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def version(connection: Connection) -> list[str]:
    return [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]


def append_only_function_exists(connection: Connection) -> bool:
    return (
        connection.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_log_append_only'")).scalar_one()
        > 0
    )


@pytest.fixture(params=SERVICE_NAMES)
async def migrated(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> AsyncIterator[tuple[ServiceSpec, str]]:
    spec = spec_of(request.param)
    url = fresh_database(backend, spec.name, tmp_path)
    migrate(spec, url)
    yield spec, url


async def test_upgrade_creates_the_foundation_tables(migrated: tuple[ServiceSpec, str]) -> None:
    spec, url = migrated
    assert FOUNDATION.issubset(await inspect_db(url, table_names))
    assert await inspect_db(url, version) == [head_revision(spec.name)]


async def test_migrated_schema_matches_the_models(migrated: tuple[ServiceSpec, str]) -> None:
    spec, url = migrated

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, spec.tables.metadata)

    assert await inspect_db(url, differences) == []


async def test_downgrade_to_base_removes_everything_and_upgrade_works_again(
    migrated: tuple[ServiceSpec, str], backend: str
) -> None:
    spec, url = migrated

    migrate_down_to_base(spec, url)
    # Alembic keeps its (now empty) version table; everything else is gone.
    assert await inspect_db(url, table_names) == {"alembic_version"}
    assert await inspect_db(url, version) == []
    if backend == "postgres":
        assert not await inspect_db(url, append_only_function_exists)

    migrate(spec, url)
    assert FOUNDATION.issubset(await inspect_db(url, table_names))
    assert await inspect_db(url, version) == [head_revision(spec.name)]
