"""Running one service's Alembic migrations against its own database.

One ``env.py`` and one revision template (``shared/alembic``) serve every service; each service's
revisions live in ``services/<name>/migrations/versions``. Migrations are their own step
(``gongkai migrate``, a Kubernetes Job) except in the embedded mode, which migrates its SQLite
files on start (DESIGN §10).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, Table, pool
from sqlalchemy.ext.asyncio import async_engine_from_config

from shared.audit import append_only_guard_sql, audit_table
from shared.db import create_engine, is_sqlite_url
from shared.idempotency import idempotency_table
from shared.inbox import inbox_table
from shared.outbox import outbox_table

ALEMBIC_DIR = Path(__file__).parent / "alembic"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@dataclass(frozen=True)
class FoundationTables:
    """The mechanism tables every service carries in its own schema."""

    metadata: MetaData
    outbox: Table
    inbox: Table
    audit_log: Table
    idempotency_keys: Table


def foundation_tables() -> FoundationTables:
    """A fresh MetaData holding the foundation tables; a service adds its own tables to it."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    return FoundationTables(
        metadata=metadata,
        outbox=outbox_table(metadata),
        inbox=inbox_table(metadata),
        audit_log=audit_table(metadata),
        idempotency_keys=idempotency_table(metadata),
    )


def create_foundation_tables_v1(op: Any) -> None:
    """Migration step for a service's first revision: the foundation tables as of v1, and the
    append-only guard on the audit log. A later change to a foundation table gets a new step
    (``…_v2``) that each service's migrations call, never an edit here."""
    bind = op.get_bind()
    foundation = foundation_tables()
    foundation.metadata.create_all(bind)
    for statement in append_only_guard_sql(bind.dialect.name):
        op.execute(statement)


def drop_foundation_tables_v1(op: Any) -> None:
    foundation = foundation_tables()
    foundation.metadata.drop_all(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")


def alembic_config(service: str, url: str, versions_dir: Path, metadata: MetaData) -> Config:
    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR.as_posix())
    config.set_main_option("version_locations", versions_dir.as_posix())
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.attributes["target_metadata"] = metadata
    config.attributes["service"] = service
    return config


def upgrade(service: str, url: str, versions_dir: Path, metadata: MetaData, revision: str = "head") -> None:
    """Synchronous: call it from a thread when an event loop is running."""
    if is_sqlite_url(url):
        # Creates the data directory the SQLite file goes into.
        asyncio.run(create_engine(url).dispose())
    command.upgrade(alembic_config(service, url, versions_dir, metadata), revision)


def run_alembic_env(context: Any) -> None:
    """Body of ``shared/alembic/env.py``."""
    config = context.config
    metadata = config.attributes["target_metadata"]
    url = config.get_main_option("sqlalchemy.url")
    options = {
        "target_metadata": metadata,
        "render_as_batch": is_sqlite_url(url),  # SQLite alters tables by copying them
        "compare_type": True,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Any) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = async_engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(run_async())
