"""The transactional outbox (DESIGN §3).

A use case writes its state change and the events it causes in one transaction
(:meth:`Outbox.add`). :class:`OutboxRelay` then claims unsent rows with a lease
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several relays never take the same row), publishes
them with publisher confirms and marks them sent. A publish that fails puts the row back with a
growing delay; a row whose relay died mid-batch is claimed again once its lease runs out. Broker
down → events wait here; nothing is lost. Delivery is at least once: the consumers' inbox makes
the effect exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Row,
    String,
    Table,
    Text,
    and_,
    delete,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from shared.db import BigIntegerPK, rows_affected
from shared.events import CloudEvent
from shared.observability import OUTBOX_PENDING, OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED

if TYPE_CHECKING:
    from shared.bus import Bus

log = logging.getLogger("gongkai.outbox")

# How often a relay refreshes the pending-rows gauge and purges rows sent long ago.
HOUSEKEEPING_SECONDS = 60.0


def utcnow() -> datetime:
    """Wall-clock time for the delivery machinery (leases, back-off). Legal dates use the Clock."""
    return datetime.now(UTC)


def outbox_table(metadata: MetaData) -> Table:
    """The ``outbox`` table, included in a service's own metadata and migrations."""
    return Table(
        "outbox",
        metadata,
        Column("seq", BigIntegerPK, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(128), nullable=False),
        Column("subject", String(200), nullable=True),
        Column("payload", LargeBinary, nullable=False, comment="the CloudEvent, structured JSON"),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("available_at", DateTime(timezone=True), nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("claimed_by", String(100), nullable=True),
        Column("claimed_until", DateTime(timezone=True), nullable=True),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Column("last_error", Text, nullable=True),
        Index(
            "ix_outbox_unsent",
            "available_at",
            "seq",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
        Index("ix_outbox_subject", "subject"),
    )


class Outbox:
    """Writes events inside the caller's transaction and wakes the relay after the commit."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.wakeup = asyncio.Event()

    async def add(self, session: AsyncSession, *events: CloudEvent) -> None:
        if not events:
            return
        now = utcnow()
        await session.execute(
            self.table.insert(),
            [
                {
                    "event_id": e.id,
                    "type": e.type,
                    "subject": e.subject,
                    "payload": e.to_json_bytes(),
                    "created_at": now,
                    "available_at": now,
                    "attempts": 0,
                }
                for e in events
            ],
        )
        sync_session = session.sync_session
        if not sync_session.info.get("gongkai_outbox_hooked"):
            sync_session.info["gongkai_outbox_hooked"] = True
            event.listen(sync_session, "after_commit", self._after_commit, once=True)

    def _after_commit(self, sync_session: Session) -> None:
        sync_session.info.pop("gongkai_outbox_hooked", None)
        self.wakeup.set()


class OutboxRelay:
    """Publishes one service's outbox. Run one per replica; any number may run at once."""

    def __init__(
        self,
        *,
        service: str,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        bus: Bus,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
        lease_seconds: float = 30.0,
        backoff_max_seconds: float = 60.0,
        retention_days: float = 7.0,
    ) -> None:
        self.service = service
        self.sessions = sessions
        self.outbox = outbox
        self.table = outbox.table
        self.bus = bus
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.retention_days = retention_days
        self.relay_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Set when the broker connection comes back: what backed off during the outage is due now.
        self._broker_returned = False
        bus.on_connected(self._on_broker_connected)

    def _on_broker_connected(self) -> None:
        self._broker_returned = True
        self.outbox.wakeup.set()

    async def run_forever(self, resend_window: timedelta | None = None) -> None:
        """Relays until cancelled. ``resend_window``: first hand over again what was sent that
        recently (see :meth:`resend_recent`), retrying until the database answers."""
        next_housekeeping = 0.0
        loop = asyncio.get_running_loop()
        while True:
            if resend_window is not None:
                try:
                    resent = await self.resend_recent(resend_window)
                    resend_window = None
                    if resent:
                        log.info("handing recent events over again", extra={"service": self.service, "events": resent})
                except Exception:
                    log.exception("could not reset recently sent rows; will retry", extra={"service": self.service})
                    await asyncio.sleep(self.poll_seconds)
                    continue
            if self._broker_returned:
                self._broker_returned = False
                try:
                    due = await self.make_backed_off_rows_due()
                    if due:
                        log.info(
                            "broker is back: backed-off rows are due", extra={"service": self.service, "rows": due}
                        )
                except Exception:
                    log.exception("could not make backed-off rows due", extra={"service": self.service})
            if loop.time() >= next_housekeeping:
                next_housekeeping = loop.time() + HOUSEKEEPING_SECONDS
                await self._housekeeping()
            try:
                published = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not kill the relay; the rows wait
                log.exception("outbox relay pass failed", extra={"service": self.service})
                published = 0
            if published or self._broker_returned:
                continue
            self.outbox.wakeup.clear()
            with contextlib.suppress(TimeoutError):  # nothing woke it: poll anyway
                await asyncio.wait_for(self.outbox.wakeup.wait(), self.poll_seconds)

    async def relay_once(self) -> int:
        """Claims a batch, publishes it, and records the outcome. Returns how many were sent."""
        rows = await self._claim()
        if not rows:
            return 0
        results = await self.bus.publish([(row.event_id, row.type, row.payload) for row in rows])
        sent = [row.seq for row, error in zip(rows, results, strict=True) if error is None]
        failed = [(row, error) for row, error in zip(rows, results, strict=True) if error is not None]
        now = utcnow()
        async with self.sessions.begin() as session:
            if sent:
                await session.execute(
                    update(self.table)
                    .where(self.table.c.seq.in_(sent))
                    .values(sent_at=now, claimed_by=None, claimed_until=None)
                )
            # One UPDATE per (attempts, error), not per row: in an outage a whole batch fails alike.
            backoffs: dict[tuple[int, str], list[int]] = {}
            for row, error in failed:
                backoffs.setdefault((row.attempts, f"{type(error).__name__}: {error}"[:2000]), []).append(row.seq)
            for (attempts, error_text), seqs in backoffs.items():
                delay = min(self.backoff_max_seconds, 0.5 * 2 ** min(attempts, 16))
                await session.execute(
                    update(self.table)
                    .where(self.table.c.seq.in_(seqs))
                    .values(
                        attempts=attempts + 1,
                        available_at=now + timedelta(seconds=delay),
                        claimed_by=None,
                        claimed_until=None,
                        last_error=error_text,
                    )
                )
        if sent:
            OUTBOX_PUBLISHED.labels(self.service).inc(len(sent))
        if failed:
            OUTBOX_PUBLISH_FAILURES.labels(self.service).inc(len(failed))
            log.warning(
                "outbox publish failed; rows will be retried",
                extra={"service": self.service, "failed": len(failed), "error": str(failed[0][1])},
            )
        return len(sent)

    async def _claim(self) -> Sequence[Row[Any]]:
        now = utcnow()
        t = self.table
        claimable = (
            select(t.c.seq)
            .where(
                t.c.sent_at.is_(None),
                t.c.available_at <= now,
                or_(t.c.claimed_until.is_(None), t.c.claimed_until < now),
            )
            .order_by(t.c.seq)
            .limit(self.batch_size)
            # Rows locked by another relay's claim are skipped, not waited for. (SQLite has a
            # single writer and ignores this clause.)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(t)
            .where(t.c.seq.in_(claimable.scalar_subquery()))
            .values(claimed_by=self.relay_id, claimed_until=now + timedelta(seconds=self.lease_seconds))
            .returning(t.c.seq, t.c.event_id, t.c.type, t.c.payload, t.c.attempts)
        )
        async with self.sessions.begin() as session:
            rows = (await session.execute(statement)).all()
        return sorted(rows, key=lambda r: r.seq)

    async def make_backed_off_rows_due(self) -> int:
        """Rows that failed while the broker was away each wait out their own back-off (up to
        ``backoff_max_seconds``); once it answers again that wait only delays the drain."""
        now = utcnow()
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(self.table)
                .where(self.table.c.sent_at.is_(None), self.table.c.available_at > now)
                .values(available_at=now)
            )
        return rows_affected(result)

    async def resend_recent(self, window: timedelta) -> int:
        """Marks rows sent within ``window`` as unsent again, so the relay publishes them anew.

        For a volatile bus (the embedded mode's in-process queues): what it held when the process
        died — in flight, waiting for a retry, dead-lettered — was sent from here recently. The
        consumers' inboxes drop the copies that had been applied."""
        now = utcnow()
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(self.table)
                .where(self.table.c.sent_at.is_not(None), self.table.c.sent_at >= now - window)
                .values(sent_at=None, available_at=now, claimed_by=None, claimed_until=None)
            )
        return rows_affected(result)

    async def _housekeeping(self) -> None:
        try:
            await self.pending_count()
            await self.purge_sent(timedelta(days=self.retention_days))
        except Exception:
            log.exception("outbox housekeeping failed", extra={"service": self.service})

    async def pending_count(self) -> int:
        async with self.sessions() as session:
            count = await session.scalar(
                select(func.count()).select_from(self.table).where(self.table.c.sent_at.is_(None))
            )
        OUTBOX_PENDING.labels(self.service).set(count or 0)
        return count or 0

    async def purge_sent(self, older_than: timedelta) -> int:
        """Deletes rows sent long ago; the outbox is a delivery buffer, not the event history."""
        cutoff = utcnow() - older_than
        async with self.sessions.begin() as session:
            result = await session.execute(
                delete(self.table).where(and_(self.table.c.sent_at.is_not(None), self.table.c.sent_at < cutoff))
            )
        return rows_affected(result)
