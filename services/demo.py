"""``gongkai seed-demo``: the demo data set of every service (DESIGN §2) — a city's units, a month
of applications in every state and next year's calendar (requests), this year's published appraisal
scheme (scoring), an open public-appraisal campaign (appraisal).

The requests service goes first, alone (its demo walks its clock back through the month). Its
units reach the other services' replicas as ``unit.upserted`` events, and a scheme or a campaign
names units its service knows only from its replica; so the others seed once their replicas hold
every unit the requests service has:

* embedded mode (in-process bus): inside the embedded app's lifespan, whose relays and consumers
  carry the events — ``make run`` calls this before ``gongkai serve``;
* distributed mode (RabbitMQ): through the running services, which relay and consume the events —
  ``make up`` calls this once they are ready. With the services not running the replicas stay
  empty: those parts are skipped, with a note, and a later ``gongkai seed-demo`` adds them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from sqlalchemy import func, select

from services.embedded import REFERENCE_OWNER, all_specs, create_app, keeps_a_replica, spec_of
from services.requests.models import units as directory
from shared.cli import cli_runtime
from shared.db import is_sqlite_url
from shared.migrations import upgrade
from shared.reference import units as replica
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import SERVICE_NAMES, Settings

REPLICA_WAIT_SECONDS = 60.0
SKIPPED = "skipped"  # a service whose replica did not fill in time


async def seed_demo(settings: Settings, *, force: bool = False) -> dict[str, dict[str, int] | str]:
    """Runs each service's ``SPEC.demo``; returns what each made (or :data:`SKIPPED`)."""
    if all(is_sqlite_url(settings.database_url(name)) for name in SERVICE_NAMES):
        for spec in all_specs():  # the embedded mode's files, migrated as `gongkai serve` would
            await asyncio.to_thread(
                upgrade, spec.name, settings.database_url(spec.name), spec.versions_dir, spec.tables.metadata
            )
    owner = spec_of(REFERENCE_OWNER)
    async with _cli_runtimes([owner], settings) as runtimes:
        results: dict[str, dict[str, int] | str] = {owner.name: await _seed(runtimes[owner.name], force)}
    others = [spec for spec in all_specs() if spec.demo is not None and spec.name != owner.name]
    async with _delivering_runtimes(settings, [owner, *others]) as runtimes:
        ready = await _wait_for_replicas(runtimes[owner.name], [runtimes[s.name] for s in others])
        for spec in others:
            results[spec.name] = await _seed(runtimes[spec.name], force) if spec.name in ready else SKIPPED
    return results


async def _seed(runtime: ServiceRuntime[Any], force: bool) -> dict[str, int]:
    assert runtime.spec.demo is not None
    return await runtime.spec.demo(runtime, force)


@asynccontextmanager
async def _cli_runtimes(specs: list[ServiceSpec], settings: Settings) -> AsyncIterator[dict[str, ServiceRuntime[Any]]]:
    """Runtimes without relay or consumer (their events wait in the outbox for the service's own
    relay), with the start-up hooks run (e.g. the stored calendar years loaded)."""
    runtimes: dict[str, ServiceRuntime[Any]] = {spec.name: cli_runtime(spec, settings) for spec in specs}
    try:
        for runtime in runtimes.values():
            for hook in runtime.spec.startup_hooks:
                await hook(runtime)
        yield runtimes
    finally:
        for runtime in runtimes.values():
            await runtime.stop()


@asynccontextmanager
async def _delivering_runtimes(
    settings: Settings, specs: list[ServiceSpec]
) -> AsyncIterator[Mapping[str, ServiceRuntime[Any]]]:
    """Runtimes whose events reach the other services: the embedded app's own (in its lifespan)
    with the in-process bus; with RabbitMQ, the running services relay and consume, so CLI
    runtimes do."""
    async with AsyncExitStack() as stack:
        if settings.bus_url.startswith("memory://"):
            # A broker of its own: the in-process bus lives as long as this event loop.
            app = create_app(settings.model_copy(update={"bus_url": f"memory://seed-demo-{uuid.uuid4()}"}))
            await stack.enter_async_context(app.router.lifespan_context(app))
            runtimes: Mapping[str, ServiceRuntime[Any]] = app.state.runtimes
        else:
            runtimes = await stack.enter_async_context(_cli_runtimes(specs, settings))
        yield runtimes
        if settings.bus_url.startswith("memory://"):
            await _drain_outboxes(runtimes.values())


async def _wait_for_replicas(
    owner: ServiceRuntime[Any], consumers: list[ServiceRuntime[Any]], timeout: float = REPLICA_WAIT_SECONDS
) -> set[str]:
    """The consumers whose replica holds as many units as the directory, within ``timeout``."""
    async with owner.sessions() as session:
        wanted = await session.scalar(select(func.count()).select_from(directory)) or 0
    waiting = {runtime.spec.name: runtime for runtime in consumers if keeps_a_replica(runtime.spec)}
    ready = {runtime.spec.name for runtime in consumers} - set(waiting)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for name, runtime in list(waiting.items()):
            async with runtime.sessions() as session:
                if await replica.count(session) >= wanted:
                    ready.add(name)
                    del waiting[name]
        if waiting:
            await asyncio.sleep(0.2)
    return ready


async def _drain_outboxes(runtimes: Iterable[ServiceRuntime[Any]], timeout: float = REPLICA_WAIT_SECONDS) -> None:
    """Lets the in-process bus carry what the demo wrote before the process ends (what is left
    would wait for the next start's relay)."""
    deadline = time.monotonic() + timeout
    for runtime in runtimes:
        outbox = runtime.spec.tables.outbox
        while time.monotonic() < deadline:
            async with runtime.sessions() as session:
                pending = await session.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
            if not pending:
                break
            await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)  # the last batch handed to the consumers
