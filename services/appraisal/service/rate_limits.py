"""The public intake's rate limit per client address, shared by every replica: a fixed-window
counter row per (keyed hash of the address, minute) in the service's database, bumped with one
upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING hits``). A replica that crashed loses nothing,
two replicas count into the same row, and the address itself is never stored.

It runs in a transaction of its own before the response's (``api/responses.py``), so refused and
failing attempts count too.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.models import rate_limit_windows
from shared.errors import ProblemError
from shared.runtime import ServiceRuntime

log = logging.getLogger("gongkai.appraisal.rate_limits")
PURGE_SECONDS = 300.0
KEEP_MINUTES = 10


async def count_hit(session: AsyncSession, ctx: Ctx, client_address: str) -> None:
    """Counts one hit for the address in the current minute; 429 ``rate_limited`` beyond the limit."""
    limit = ctx.resources.settings.rate_limit_per_minute
    if limit == 0:
        return
    now = ctx.clock.now()
    minute = int(now.timestamp() // 60)
    client = ctx.resources.keyed.hash(b"client-address:" + client_address.encode())
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = rate_limit_windows
    statement = (
        dialect.insert(table)
        .values(client_hash=client, minute=minute, hits=1)
        .on_conflict_do_update(index_elements=[table.c.client_hash, table.c.minute], set_={"hits": table.c.hits + 1})
        .returning(table.c.hits)
    )
    hits = (await session.execute(statement)).scalar_one()
    if hits > limit:
        retry_after = 60 - int(now.timestamp()) % 60
        raise ProblemError(
            429,
            "rate_limited",
            "提交过于频繁，请稍后再试",
            f"每个网络地址每分钟最多提交 {limit} 次，请 {retry_after} 秒后再试",
            headers={"Retry-After": str(retry_after)},
        )


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
