"""The close sweep: each replica, every ``close_sweep_interval_seconds``, closes the open campaigns
whose closing time has passed (社会评议办法 第六条(三)). Campaigns are claimed with ``SKIP LOCKED``
and the state change is the stamp, so two replicas never close one twice."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from services.appraisal.config import Ctx
from services.appraisal.service.results import close_due_campaigns
from shared.runtime import ServiceRuntime

log = logging.getLogger("gongkai.appraisal.sweeps")


async def close_sweep(runtime: Ctx) -> list[str]:
    """One pass; returns the campaigns it closed (each in its own transaction)."""
    closed: list[str] = []
    while True:
        async with runtime.transaction() as session:
            batch = await close_due_campaigns(session, runtime, limit=1)
        if not batch:
            return closed
        closed += batch


async def close_sweep_job(runtime: ServiceRuntime[Any]) -> None:
    """``ServiceSpec.background_jobs`` entry."""
    while True:
        try:
            closed = await close_sweep(runtime)
            if closed:
                log.info("closed campaigns whose time had passed: %s", ", ".join(closed))
        except Exception:
            log.exception("close sweep failed; will retry")
        await asyncio.sleep(runtime.resources.settings.close_sweep_interval_seconds)
