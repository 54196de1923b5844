"""The inbox: exactly-once effects on top of at-least-once delivery (DESIGN §3).

Each consumed event's id is inserted into the service's ``inbox`` table in the same transaction as
the handler's effects. A redelivered event finds its id there and is acknowledged without running
the handler again; two replicas racing on one event serialize on the primary key, and the loser
sees the winner's row once it commits.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete
from sqlalchemy.ext.asyncio import AsyncSession

from shared.context import causation_id_var, request_id_var
from shared.db import insert_or_ignore, rows_affected
from shared.events import CloudEvent
from shared.observability import EVENTS_CONSUMED

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

log = logging.getLogger("gongkai.inbox")


def inbox_table(metadata: MetaData) -> Table:
    """The ``inbox`` table, included in a service's own metadata and migrations."""
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("type", String(128), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )


@dataclass(frozen=True)
class EventContext:
    """What a handler gets: the inbox transaction (``session``) and the service's runtime
    (``runtime``: clock, calendar, settings, journal, resources) — the same ``(session, ctx)`` a
    router passes to a use case, so a handler calls the same use cases. The events it causes carry
    the consumed event as ``causationid``. The handler never commits: the inbox does."""

    session: AsyncSession
    runtime: ServiceRuntime[Any]

    @property
    def service(self) -> str:
        return self.runtime.spec.name


EventHandler = Callable[[EventContext, CloudEvent], Awaitable[None]]
BatchEventHandler = Callable[[EventContext, Sequence[CloudEvent]], Awaitable[None]]


@dataclass(frozen=True)
class Batched:
    """An :data:`EventHandler` that takes all the new events of its types in a consumed batch in
    one call (``apply``), so it reads and writes set-wise: one look-up per batch, one multi-row
    insert, where a handler per event pays a few round trips each. The inbox still applies every
    event once; if ``apply`` fails, the batch is replayed one event per transaction, each a call
    with one event. What it writes names each event as its own cause (``Journal.emit_many(causes=…)``,
    ``Journal.audit_many(request_ids=…)``, or :func:`handling` around a call), as the inbox's
    context does for a handler per event."""

    apply: BatchEventHandler

    async def __call__(self, ctx: EventContext, event: CloudEvent) -> None:
        await self.apply(ctx, [event])


def correlation_of(event: CloudEvent) -> str:
    """The request id the work an event causes carries: its own correlation, else its id."""
    return event.correlationid or event.id


@contextlib.contextmanager
def handling(event: CloudEvent) -> Iterator[None]:
    """The context of the work ``event`` causes: its correlation is the request id (logs, audit
    entries), and it is the ``causationid`` of the events emitted meanwhile."""
    correlation = request_id_var.set(correlation_of(event))
    causation = causation_id_var.set(event.id)
    try:
        yield
    finally:
        request_id_var.reset(correlation)
        causation_id_var.reset(causation)


class InboxConsumer:
    """The batch handler a service subscribes with: dedup, dispatch, commit.

    A batch is one transaction: one multi-row inbox insert tells which events are new, their
    handlers run, one commit. If any handler fails, the batch is rolled back and replayed one
    event per transaction, so only the failing event is retried and the others still apply.
    """

    def __init__(self, *, runtime: ServiceRuntime[Any], inbox: Table, handlers: Mapping[str, EventHandler]) -> None:
        self.runtime = runtime
        self.service = runtime.spec.name
        self.sessions = runtime.sessions
        self.inbox = inbox
        self.handlers = dict(handlers)

    async def __call__(self, events: Sequence[CloudEvent]) -> list[BaseException | None]:
        if len(events) > 1:
            try:
                await self._apply(events)
                return [None] * len(events)
            except Exception:
                log.warning("batch failed; applying its events one by one", extra={"service": self.service})
        results: list[BaseException | None] = []
        for event in events:
            try:
                await self._apply([event])
                results.append(None)
            except Exception as exc:
                results.append(exc)
        return results

    async def _apply(self, events: Sequence[CloudEvent]) -> None:
        # One row per id, in id order: two replicas inserting overlapping batches then lock the
        # rows in the same order and cannot deadlock.
        unique = sorted({event.id: event for event in events}.values(), key=lambda e: e.id)
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            # executemany with RETURNING ("insertmanyvalues"): one statement per batch, compiled
            # once for every batch size.
            inserted = set(
                (
                    await session.scalars(
                        insert_or_ignore(session, self.inbox).returning(self.inbox.c.event_id),
                        [{"event_id": e.id, "type": e.type, "received_at": now} for e in unique],
                    )
                ).all()
            )
            context = EventContext(session, self.runtime)
            for handler, group in self._steps(unique, inserted):
                if isinstance(handler, Batched):
                    await handler.apply(context, group)
                    continue
                [event] = group
                with handling(event):
                    await handler(context, event)
        for event in unique:
            if event.id in inserted:
                EVENTS_CONSUMED.labels(self.service, event.type, "applied").inc()

    def _steps(self, events: Sequence[CloudEvent], inserted: set[str]) -> list[tuple[EventHandler, list[CloudEvent]]]:
        """The handler calls for the new events, in order: one per event, except that a batched
        handler is called once, where its first event stands, with all of its events."""
        steps: list[tuple[EventHandler, list[CloudEvent]]] = []
        groups: dict[Batched, list[CloudEvent]] = {}
        for event in events:
            if event.id not in inserted:
                EVENTS_CONSUMED.labels(self.service, event.type, "duplicate").inc()
                continue
            handler = self.handlers.get(event.type)
            if handler is None:
                continue
            if not isinstance(handler, Batched):
                steps.append((handler, [event]))
            elif handler in groups:
                groups[handler].append(event)
            else:
                groups[handler] = [event]
                steps.append((handler, groups[handler]))
        return steps

    async def purge(self, older_than: timedelta) -> int:
        """Forgets events received long ago. Safe once no redelivery of them can come: brokers
        redeliver within minutes, and a dead letter was never applied, so it has no row here."""
        async with self.sessions.begin() as session:
            result = await session.execute(
                delete(self.inbox).where(self.inbox.c.received_at < datetime.now(UTC) - older_than)
            )
        return rows_affected(result)
