"""The append-only audit log (DESIGN §10): who, what, when, before, after.

Each service includes :func:`audit_table` in its own metadata; its migration installs
:func:`append_only_guard_sql` so the database itself refuses UPDATE and DELETE on the table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared.context import current_request_id
from shared.db import BigIntegerPK


def audit_table(metadata: MetaData) -> Table:
    return Table(
        "audit_log",
        metadata,
        Column("seq", BigIntegerPK, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("actor_sub", String(200), nullable=False, comment="JWT subject, or system:<event id>"),
        Column("actor_name", String(200), nullable=True),
        Column("action", String(100), nullable=False),
        Column("entity_type", String(100), nullable=False),
        Column("entity_id", String(200), nullable=False),
        Column("before", JSON, nullable=True),
        Column("after", JSON, nullable=True),
        Column("request_id", String(128), nullable=True),
        Index("ix_audit_log_entity", "entity_type", "entity_id", "seq"),
    )


def append_only_guard_sql(dialect: str, table: str = "audit_log") -> list[str]:
    """DDL that makes ``table`` refuse UPDATE and DELETE, for a migration to execute."""
    if dialect == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
        ]
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
    ]


async def record_audit(
    session: AsyncSession,
    table: Table,
    *,
    at: datetime,
    actor_sub: str,
    actor_name: str | None,
    action: str,
    entity_type: str,
    entity_id: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Appends one entry inside the use case's transaction (so it commits or rolls back with it)."""
    # Parameters apart from the statement: the compiled INSERT is cached once for every call.
    await session.execute(
        table.insert(),
        {
            "at": at,
            "actor_sub": actor_sub,
            "actor_name": actor_name,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "before": before,
            "after": after,
            "request_id": current_request_id(),
        },
    )
