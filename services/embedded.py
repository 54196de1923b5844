"""All five services in one process: the embedded mode (DESIGN §2) and the service catalogue."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from importlib import import_module
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.requests.service import reference
from shared.app import build_app
from shared.db import is_sqlite_url
from shared.events import UnitUpserted
from shared.journal import SYSTEM
from shared.reference import units
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import SERVICE_NAMES, Settings, get_settings

log = logging.getLogger("gongkai.embedded")

# The service that owns the unit directory and the calendar (DESIGN §3, §5).
REFERENCE_OWNER = "requests"


def spec_of(name: str) -> ServiceSpec:
    if name not in SERVICE_NAMES:
        raise KeyError(f"unknown service {name!r}; one of {', '.join(SERVICE_NAMES)}")
    return import_module(f"services.{name}.app").SPEC


def all_specs() -> list[ServiceSpec]:
    return [spec_of(name) for name in SERVICE_NAMES]


def keeps_a_replica(spec: ServiceSpec) -> bool:
    """The service replicates the reference data (its handlers include ``shared.reference``'s)."""
    return spec.name != REFERENCE_OWNER and UnitUpserted.TYPE in spec.handlers


async def empty_replicas(sessions: Mapping[str, async_sessionmaker[AsyncSession]]) -> list[str]:
    """Which of the services (name → sessions on its database) hold no unit in their replica: they
    have to catch up (docs/reference-data.md). A database that cannot be asked is logged and left
    out: catching up is an optimisation of the start, never a reason not to start."""
    empty = []
    for name, factory in sessions.items():
        try:
            async with factory() as session:
                if await units.count(session) == 0:
                    empty.append(name)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("cannot count %s's replicated units: %s", name, exc)
    return empty


async def catch_up_replicas(runtimes: Mapping[str, ServiceRuntime[Any]]) -> list[str]:
    """The embedded mode's start, after migrating and consuming: if a consuming service's replica is
    empty (a new service, a restored or wiped database) while the requests service has units, the
    requests service republishes its units and calendar years; replicas that hold them already
    change nothing. Returns the services that were empty (and so caught up)."""
    owner = runtimes.get(REFERENCE_OWNER)
    if owner is None:
        return []
    empty = await empty_replicas({name: rt.sessions for name, rt in runtimes.items() if keeps_a_replica(rt.spec)})
    if not empty:
        return []
    async with owner.transaction() as session:
        if not await reference.has_reference_data(session):
            return []  # nothing to catch up with yet
        result = await reference.republish_reference_data(session, owner, SYSTEM)
    log.info(
        "replicas of %s were empty: republished %d units and calendar years %s",
        ", ".join(empty),
        result.units,
        result.calendar_years,
    )
    return empty


def create_app(settings: Settings | None = None) -> FastAPI:
    """The embedded app. Its SQLite files are migrated on start — only the embedded mode does
    that; PostgreSQL databases are migrated by ``gongkai migrate`` as a step of its own. Once every
    service runs, an empty replica catches up (:func:`catch_up_replicas`)."""
    settings = settings or get_settings()
    all_sqlite = all(is_sqlite_url(settings.database_url(name)) for name in SERVICE_NAMES)
    app = build_app(all_specs(), settings, migrate_on_start=all_sqlite)
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with started(app) as state:
            try:
                await catch_up_replicas(app.state.runtimes)
            except Exception:
                log.exception("catching up the replicas failed; `gongkai reference republish` does it by hand")
            yield state

    app.router.lifespan_context = lifespan
    return app
