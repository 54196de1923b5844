"""What a service is (:class:`ServiceSpec`) and what it runs in a process (:class:`ServiceRuntime`).

A spec is declared once per service in its ``app.py``; the same spec runs alone
(``gongkai serve-one``) or beside the other four in the embedded mode (``gongkai serve``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import typer
from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.bus import Bus, RetryPolicy, Subscription
from shared.calendar import WorkingDayCalendar
from shared.clock import Clock
from shared.crypto import FieldCipher
from shared.db import create_engine, ping, session_factory
from shared.idempotency import KEY_CLAIM_SCOPE, IdempotencyStore, KeyClaim
from shared.inbox import EventHandler, InboxConsumer
from shared.journal import Journal
from shared.migrations import FoundationTables, upgrade
from shared.outbox import Outbox, OutboxRelay
from shared.settings import Settings

log = logging.getLogger("gongkai.runtime")

# A service's own resources (its settings, the field cipher, file storage …), built once per
# runtime from the shared settings by ``ServiceSpec.resources`` and typed by the spec.
R = TypeVar("R")
BackgroundJob = Callable[["ServiceRuntime[Any]"], Coroutine[Any, Any, None]]
# A service's part of ``gongkai seed-demo``: ``(runtime, force)`` → what it made, by name; adds
# nothing when its demo data is already there (unless ``force``).
DemoSeed = Callable[["ServiceRuntime[Any]", bool], Coroutine[Any, Any, dict[str, int]]]
STARTUP_RETRY_SECONDS = 2.0
INBOX_PURGE_SECONDS = 3600.0


def no_resources(_settings: Settings) -> None:
    return None


@dataclass(frozen=True)
class ServiceSpec(Generic[R]):
    name: str
    title: str
    description: str
    tables: FoundationTables
    versions_dir: Path
    path_prefixes: Sequence[str]
    routers: Sequence[APIRouter] = ()
    # The one table of every event type the service consumes (STYLE 2).
    handlers: Mapping[str, EventHandler] = field(default_factory=dict)
    # Periodic work each replica runs (deadline sweeps …); must be safe with several replicas.
    background_jobs: Sequence[BackgroundJob] = ()
    # Run once the database is reachable (and migrated, in the embedded mode), before consuming:
    # e.g. loading the calendar years an administrator stored.
    startup_hooks: Sequence[BackgroundJob] = ()
    # The service's own resources, typed: ``ctx.resources`` in its use cases (e.g. the field cipher).
    resources: Callable[[Settings], R] = no_resources  # type: ignore[assignment]
    # The service's own ``gongkai <name> …`` commands (units import, calendar load …).
    cli: typer.Typer | None = None
    # Its part of the demo data set (services/demo.py runs them, the reference owner first).
    demo: DemoSeed | None = None


class ServiceRuntime(Generic[R]):
    """One service's database, outbox relay and consumer inside a process — and the context every
    use case gets (``ctx``): clock, calendar, settings, journal and the service's resources."""

    def __init__(
        self, spec: ServiceSpec[R], settings: Settings, *, clock: Clock, bus: Bus, database_url: str | None = None
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.clock = clock
        self.bus = bus
        self.database_url = database_url or settings.database_url(spec.name)
        self.engine: AsyncEngine = create_engine(
            self.database_url,
            pool_size=settings.database_pool_size,
            echo=settings.database_echo,
            connect_timeout=settings.database_connect_timeout_seconds,
            statement_timeout=settings.database_statement_timeout_seconds,
            pool_timeout=settings.database_pool_timeout_seconds,
        )
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        self.tables = spec.tables
        # Built-in years from chinesecalendar; a service loads the years it stores or receives.
        self.calendar = WorkingDayCalendar()
        self.outbox = Outbox(spec.tables.outbox)
        self.journal = Journal(service=spec.name, outbox=self.outbox, audit_log=spec.tables.audit_log, clock=clock)
        self.resources: R = spec.resources(settings)
        self.relay = OutboxRelay(
            service=spec.name,
            sessions=self.sessions,
            outbox=self.outbox,
            bus=bus,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            lease_seconds=settings.outbox_lease_seconds,
            backoff_max_seconds=settings.outbox_backoff_max_seconds,
            retention_days=settings.outbox_retention_days,
        )
        self.consumer = InboxConsumer(runtime=self, inbox=spec.tables.inbox, handlers=spec.handlers)
        self.retry_policy = RetryPolicy(
            max_attempts=settings.bus_max_attempts,
            base_seconds=settings.bus_retry_base_seconds,
            factor=settings.bus_retry_factor,
        )
        self.idempotency = IdempotencyStore(
            path_prefixes=spec.path_prefixes,
            sessions=self.sessions,
            table=spec.tables.idempotency_keys,
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
            # Stored responses hold personal data: encrypted (refuses prod with the dev key).
            cipher=FieldCipher(settings),
        )
        self.started = not spec.startup_hooks
        self._subscription: Subscription | None = None
        self._tasks: list[asyncio.Task[Any]] = []

    async def migrate(self) -> None:
        await asyncio.to_thread(
            upgrade, self.spec.name, self.database_url, self.spec.versions_dir, self.spec.tables.metadata
        )

    async def run_startup_hooks(self) -> None:
        """Runs the hooks; if the database is not there yet, keeps trying in the background (the
        app starts anyway and /readyz says what is missing)."""
        try:
            for hook in self.spec.startup_hooks:
                await hook(self)
            self.started = True
        except Exception:
            log.exception("startup hooks failed; retrying in the background", extra={"service": self.spec.name})
            self._tasks.append(asyncio.create_task(self._retry_startup_hooks(), name=f"{self.spec.name}-startup"))

    async def _retry_startup_hooks(self) -> None:
        while not self.started:
            await asyncio.sleep(STARTUP_RETRY_SECONDS)
            with contextlib.suppress(Exception):
                for hook in self.spec.startup_hooks:
                    await hook(self)
                self.started = True

    async def check_started(self) -> None:
        if not self.started:
            raise RuntimeError("startup hooks have not completed")

    async def start_consuming(self) -> None:
        if self.spec.handlers:
            self._subscription = await self.bus.subscribe(
                self.spec.name,
                sorted(self.spec.handlers),
                self.consumer,
                policy=self.retry_policy,
                prefetch=self.settings.bus_prefetch,
                batch_size=self.settings.bus_batch_size,
                concurrency=self.settings.bus_consumer_concurrency,
            )

    def start_background(self) -> None:
        # A volatile bus lost what it held with the previous process: hand recent events over again.
        resend = timedelta(minutes=self.settings.memory_bus_resend_minutes) if self.bus.volatile else None
        self._tasks.append(asyncio.create_task(self.relay.run_forever(resend), name=f"{self.spec.name}-relay"))
        if self.spec.handlers:
            self._tasks.append(asyncio.create_task(self._purge_inbox_forever(), name=f"{self.spec.name}-inbox-purge"))
        self._tasks.append(
            asyncio.create_task(self._purge_idempotency_forever(), name=f"{self.spec.name}-idempotency-purge")
        )
        if self.settings.run_background_jobs:
            for job in self.spec.background_jobs:
                self._tasks.append(asyncio.create_task(job(self), name=f"{self.spec.name}-{job.__name__}"))

    async def _purge_inbox_forever(self) -> None:
        while True:
            try:
                await self.consumer.purge(timedelta(days=self.settings.inbox_retention_days))
            except Exception:
                log.exception("inbox purge failed; will retry", extra={"service": self.spec.name})
            await asyncio.sleep(INBOX_PURGE_SECONDS)

    async def _purge_idempotency_forever(self) -> None:
        """Stored responses past their expiry are deleted (they may hold personal data)."""
        while True:
            try:
                await self.idempotency.purge_expired()
            except Exception:
                log.exception("idempotency key purge failed; will retry", extra={"service": self.spec.name})
            await asyncio.sleep(INBOX_PURGE_SECONDS)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._subscription is not None:
            await self._subscription.close()
            self._subscription = None
        await self.engine.dispose()

    async def check_database(self) -> None:
        await ping(self.engine)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One use case's transaction, for callers that are not routers (sweeps, CLI commands,
        startup hooks): commits on leaving, rolls back on an exception; the outbox wakes the relay
        after the commit."""
        async with self.sessions.begin() as session:
            yield session


def runtime_dependency(service: str) -> Callable[[Request], Awaitable[ServiceRuntime[Any]]]:
    """FastAPI dependency giving a router its own service's runtime, in whichever app it is mounted."""

    async def dependency(request: Request) -> ServiceRuntime[Any]:  # async: no threadpool hop per request
        runtime: ServiceRuntime[Any] = request.app.state.runtimes[service]
        return runtime

    dependency.__name__ = f"{service}_runtime"
    return dependency


def session_dependency(service: str) -> Callable[[Request], AsyncIterator[AsyncSession]]:
    """FastAPI dependency: the request's transaction on its own service's database (polar's
    ``get_db_session``). Use it with ``Depends(..., scope="function")`` so the commit happens
    *before* the response is sent: a commit that fails is the caller's error response, never a 2xx
    for something not stored. An exception anywhere in the route rolls back. With an accepted
    ``Idempotency-Key`` the key row and the stored response share this transaction."""

    async def dependency(request: Request) -> AsyncIterator[AsyncSession]:
        runtime: ServiceRuntime[Any] = request.app.state.runtimes[service]
        claim: KeyClaim | None = request.scope.get(KEY_CLAIM_SCOPE)
        if claim is None or claim.store is not runtime.idempotency:
            async with runtime.sessions.begin() as session:
                yield session
            return
        # An Idempotency-Key: its row is the transaction's first statement, and the middleware
        # commits, once it has the response to store beside it (shared.idempotency).
        session = runtime.sessions()
        try:
            await session.begin()
            await claim.take(session)
            yield session
        except BaseException:
            claim.rolled_back()
            await session.close()
            raise
        claim.hand_over(session)

    dependency.__name__ = f"{service}_session"
    setattr(dependency, SESSION_DEPENDENCY_MARK, True)
    return dependency


# build_app resolves a route's session dependency after all its other dependencies (issue 8): the
# Idempotency-Key is taken — and a stored response replayed — only once the caller's token, role
# and signature have been checked, whatever order the route declares them in.
SESSION_DEPENDENCY_MARK = "gongkai_session_dependency"


def is_session_dependency(call: object) -> bool:
    return bool(getattr(call, SESSION_DEPENDENCY_MARK, False))
