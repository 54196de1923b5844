"""The inbox: exactly-once effects on top of at-least-once delivery (DESIGN §3).

Each consumed event's id is inserted into the service's ``inbox`` table in the same transaction as
the handler's effects. A redelivered event finds its id there and is acknowledged without running
the handler again; two replicas racing on one event serialize on the primary key, and the loser
sees the winner's row once it commits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
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
            for event in unique:
                if event.id not in inserted:
                    EVENTS_CONSUMED.labels(self.service, event.type, "duplicate").inc()
                    continue
                handler = self.handlers.get(event.type)
                if handler is None:
                    continue
                correlation = request_id_var.set(event.correlationid or event.id)
                causation = causation_id_var.set(event.id)
                try:
                    await handler(EventContext(session, self.runtime), event)
                finally:
                    request_id_var.reset(correlation)
                    causation_id_var.reset(causation)
        for event in unique:
            if event.id in inserted:
                EVENTS_CONSUMED.labels(self.service, event.type, "applied").inc()

    async def purge(self, older_than: timedelta) -> int:
        """Forgets events received long ago. Safe once no redelivery of them can come: brokers
        redeliver within minutes, and a dead letter was never applied, so it has no row here."""
        async with self.sessions.begin() as session:
            result = await session.execute(
                delete(self.inbox).where(self.inbox.c.received_at < datetime.now(UTC) - older_than)
            )
        return rows_affected(result)
