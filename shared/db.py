"""Async SQLAlchemy engines and sessions for SQLite (embedded mode) and PostgreSQL.

One use case is one transaction: ``async with sessions.begin() as session: …``. Nothing commits
halfway; side effects (publishing) wait for the commit, through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    CursorResult,
    Integer,
    Result,
    Update,
    event,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# aiosqlite logs every statement *with its parameters* at DEBUG: personal data in a log line
# whenever the root level is DEBUG (issue 8). Its own level keeps it quiet whatever the root's.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

# BIGINT on PostgreSQL, but INTEGER on SQLite so that it aliases the rowid and autoincrements.
BigIntegerPK = BigInteger().with_variant(Integer(), "sqlite")
# asyncpg gives up this long after the server's own statement_timeout would have cancelled: a live
# server answers first with its clean error; only a server that says nothing hits the client's.
COMMAND_TIMEOUT_GRACE_SECONDS = 1.0
QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    echo: bool = False,
    connect_timeout: float = 5.0,
    statement_timeout: float = 15.0,
    pool_timeout: float = 5.0,
) -> AsyncEngine:
    """An engine tuned for its backend, every wait on the database bounded: a server that hangs
    instead of refusing (frozen, partitioned) must cost a request a few seconds and a 503, not a
    worker forever.

    PostgreSQL: ``connect_timeout`` for a new connection, ``statement_timeout`` enforced twice —
    by the server (``statement_timeout``, a clean cancel when it is alive but slow, e.g. waiting on
    a lock) and by asyncpg (``command_timeout``, a moment later, for a server that does not answer
    at all) — and ``pool_timeout`` to check a connection out of a busy pool.

    SQLite: WAL, foreign keys, a busy timeout (``statement_timeout``: how long a writer waits for
    the lock), and ``BEGIN IMMEDIATE`` for every transaction — a deferred transaction that later
    writes fails at once with "database is locked" instead of waiting for the other writer, so we
    take the write lock up front.

    Both: ``hide_parameters`` — no log line (echo, an error's message, a 500's traceback) ever
    carries a statement's parameters, which hold personal data (issue 8).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": statement_timeout})
        _configure_sqlite(engine, busy_timeout_ms=round(statement_timeout * 1000))
        return engine
    kwargs: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": pool_size,
        "pool_pre_ping": True,
        "pool_timeout": pool_timeout,
        "connect_args": {
            "timeout": connect_timeout,
            "command_timeout": statement_timeout + COMMAND_TIMEOUT_GRACE_SECONDS,
            "server_settings": {"statement_timeout": str(round(statement_timeout * 1000))},
        },
    }
    engine = create_async_engine(url, echo=echo, hide_parameters=True, **kwargs)
    _configure_postgresql(engine)
    return engine


def _configure_postgresql(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "handle_error")
    def _unanswered(context: ExceptionContext) -> Exception | None:
        original = context.original_exception
        if isinstance(original, TimeoutError):
            # asyncpg's own timeout: the server said nothing. The connection is in an unknown
            # state — drop it rather than hand it to the next request.
            context.is_disconnect = True
            return OperationalError(context.statement, context.parameters, original, hide_parameters=True)
        if getattr(original, "sqlstate", None) == QUERY_CANCELED:
            # The server's statement_timeout: it is alive but could not finish in time (a lock, a
            # slow disk). Temporary, like a database that does not answer.
            return OperationalError(context.statement, context.parameters, original, hide_parameters=True)
        return None


def _configure_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Raises when the database does not answer."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def insert_or_ignore(session: AsyncSession, table: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the session's dialect (PostgreSQL or SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def rows_affected(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched. ``execute`` is typed as returning a
    ``Result``; for those statements it is a ``CursorResult``, which carries the count."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def stored_utc(moment: datetime) -> datetime:
    """A timestamp read back from the database, aware: SQLite returns it without its offset, and
    everything is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def stamp_claim(
    key: Column[Any],
    pending: ColumnElement[bool],
    stamp: Mapping[str, Any],
    returning: Sequence[ColumnElement[Any]],
    *,
    limit: int,
    order_by: Sequence[ColumnElement[Any]] = (),
) -> Update:
    """Claims up to ``limit`` rows that are ``pending`` and stamps them, in one statement:
    ``UPDATE t SET <stamp> WHERE key IN (SELECT key … WHERE pending … LIMIT n FOR UPDATE SKIP LOCKED)
    RETURNING …``. Rows another replica is stamping are skipped and rows it has stamped no longer
    match, so a periodic job run by several replicas never takes one row twice (STYLE 5: Dispatch
    stamps what it reminded). The outer WHERE is primary-key lookups only: FOR UPDATE already
    re-checked ``pending`` on the latest committed version of each row it locked (READ COMMITTED).
    SQLite renders no locking clause; it has a single writer."""
    table = key.table
    claimable = select(key).where(pending).order_by(*order_by).limit(limit).with_for_update(skip_locked=True)
    return update(table).where(key.in_(claimable.scalar_subquery())).values(**stamp).returning(*returning)
