"""The append-only audit log (DESIGN §10), on SQLite and PostgreSQL as migrated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.audit import record_audit
from shared.context import request_id_var
from shared.db import create_engine, session_factory
from tests.support import FOUNDATION

AUDIT = FOUNDATION.audit_log
AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


async def record_one(sessions: async_sessionmaker[AsyncSession], request_id: str | None = "req-42") -> None:
    token = request_id_var.set(request_id)
    try:
        async with sessions.begin() as session:
            await record_audit(
                session,
                AUDIT,
                at=AT,
                actor_sub="clerk-7",
                actor_name="王五",
                action="request.replied",
                entity_type="request",
                entity_id="r-1",
                before={"state": "review"},
                after={"state": "replied"},
            )
    finally:
        request_id_var.reset(token)


async def all_rows(sessions: async_sessionmaker[AsyncSession]) -> list[dict]:
    async with sessions() as session:
        return [dict(row._mapping) for row in await session.execute(select(AUDIT).order_by(AUDIT.c.seq))]


async def test_record_audit_writes_who_what_when_before_after_and_the_request_id(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await record_one(sessions)

    [row] = await all_rows(sessions)
    assert row["actor_sub"] == "clerk-7" and row["actor_name"] == "王五"
    assert (row["action"], row["entity_type"], row["entity_id"]) == ("request.replied", "request", "r-1")
    assert row["at"].replace(tzinfo=row["at"].tzinfo or UTC) == AT  # SQLite hands back naive UTC
    assert row["before"] == {"state": "review"} and row["after"] == {"state": "replied"}
    assert row["request_id"] == "req-42"


async def test_an_entry_rolls_back_with_its_transaction(sessions: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            await record_audit(
                session,
                AUDIT,
                at=AT,
                actor_sub="clerk-7",
                actor_name=None,
                action="request.replied",
                entity_type="request",
                entity_id="r-1",
            )
            raise RuntimeError("the use case failed after auditing")

    assert await all_rows(sessions) == []


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(update(AUDIT).values(actor_sub="someone-else"), id="update"),
        pytest.param(delete(AUDIT), id="delete"),
    ],
)
async def test_the_database_refuses_to_change_or_remove_entries(
    sessions: async_sessionmaker[AsyncSession], statement: object
) -> None:
    await record_one(sessions)
    before = await all_rows(sessions)

    with pytest.raises(DBAPIError, match="append-only"):
        async with sessions.begin() as session:
            await session.execute(statement)  # type: ignore[call-overload]

    assert await all_rows(sessions) == before
