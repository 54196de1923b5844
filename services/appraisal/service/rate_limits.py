"""The public intake's rate limit per client address, shared by every replica: a fixed-window
counter row per (keyed hash of the address, minute) in the service's database, bumped with one
upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING hits``). A replica that crashed loses nothing,
two replicas count into the same row, and the address itself is never stored.

Every call counts, refused and failing ones too, so the count is always committed on its own:
on PostgreSQL the public intake's single statement starts with it (``service/responses.py``) and
any other call counts with :func:`count_hit`'s autocommitted statement; on SQLite in a
transaction of its own before the response's.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.models import rate_limit_windows
from shared.errors import ProblemError
from shared.runtime import ServiceRuntime

log = logging.getLogger("gongkai.appraisal.rate_limits")
PURGE_SECONDS = 300.0
KEEP_MINUTES = 10


# One hit of a client in a minute, as a CTE (PostgreSQL): ``$1`` the client's hash, ``$2`` the
# minute, ``$3`` the limit (0: off, nothing counted). The public intake's statement starts with it.
HIT_CTE = """hit AS (
    INSERT INTO rate_limit_windows AS w (client_hash, minute, hits)
    SELECT $1, $2, 1 WHERE $3 > 0
    ON CONFLICT (client_hash, minute) DO UPDATE SET hits = w.hits + 1
    RETURNING w.hits
)"""
COUNT_SQL = f"WITH {HIT_CTE} SELECT hits FROM hit"


@dataclass(frozen=True)
class Hit:
    """A call to count: the parameters of :data:`HIT_CTE`, and when it came."""

    client_hash: str
    minute: int
    limit: int
    now: datetime

    @property
    def parameters(self) -> tuple[str, int, int]:
        return self.client_hash, self.minute, self.limit

    def check(self, hits: int | None) -> None:
        """429 ``rate_limited`` when the count, this call included, is over the limit."""
        if self.limit and hits is not None and hits > self.limit:
            retry_after = 60 - int(self.now.timestamp()) % 60
            raise ProblemError(
                429,
                "rate_limited",
                "提交过于频繁，请稍后再试",
                f"每个网络地址每分钟最多提交 {self.limit} 次，请 {retry_after} 秒后再试",
                headers={"Retry-After": str(retry_after)},
            )


def hit_of(ctx: Ctx, client_address: str) -> Hit:
    now = ctx.clock.now()
    limit = ctx.resources.settings.rate_limit_per_minute
    client = ctx.resources.keyed.hash(b"client-address:" + client_address.encode()) if limit else ""
    return Hit(client, int(now.timestamp() // 60), limit, now)


async def count_hit(ctx: Ctx, hit: Hit) -> None:
    """Counts the call, committed whatever becomes of it; 429 ``rate_limited`` beyond the limit.
    PostgreSQL: one autocommitted statement; SQLite: a transaction of its own."""
    if not hit.limit:
        return
    if on_postgresql(ctx):
        hit.check((await ctx.resources.intake_pool.fetchrow(ctx, COUNT_SQL, *hit.parameters))["hits"])
        return
    table = rate_limit_windows
    statement = (
        sqlite.insert(table)
        .values(client_hash=hit.client_hash, minute=hit.minute, hits=1)
        .on_conflict_do_update(index_elements=[table.c.client_hash, table.c.minute], set_={"hits": table.c.hits + 1})
        .returning(table.c.hits)
    )
    async with ctx.transaction() as session:
        hits = (await session.execute(statement)).scalar_one()
    hit.check(hits)


def on_postgresql(ctx: Ctx) -> bool:
    return ctx.engine.dialect.name == "postgresql"


async def purge_windows(session: AsyncSession, ctx: Ctx) -> int:
    """Drops the counters of windows long past (any replica may; deleting twice is harmless)."""
    oldest = int(ctx.clock.now().timestamp() // 60) - KEEP_MINUTES
    result = await session.execute(delete(rate_limit_windows).where(rate_limit_windows.c.minute < oldest))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def rate_limit_purge_job(runtime: ServiceRuntime[Any]) -> None:
    """``ServiceSpec.background_jobs``: purge old windows every few minutes."""
    while True:
        try:
            async with runtime.transaction() as session:
                await purge_windows(session, runtime)
        except Exception:
            log.exception("purging rate-limit windows failed; will retry")
        await asyncio.sleep(PURGE_SECONDS)
