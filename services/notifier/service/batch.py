"""What the notifier writes for the events of one inbox transaction, written together.

The inbox consumer applies a batch of events in one transaction (``shared.inbox``); each event's use
case (``notify.notify_event``) reads the unit replica and the webhook endpoints and writes its
deliveries and its digest-ledger change. Within one transaction the first two cannot change, so they
are read once per transaction (``session.info``); the writes are gathered and made by two multi-row
statements just before the transaction commits (the session's ``before_commit``) — still in the
caller's transaction, so they commit with the inbox rows or not at all. A batch of 64 events costs a
handful of round trips instead of a few hundred.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy import event as orm_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.notifier.models import digest_items, notifications

__all__ = ["TransactionBatch", "batch_of"]

_KEY = "gongkai_notifier_batch"


@dataclass
class TransactionBatch:
    units: dict[str, Any] = field(default_factory=dict)  # unit code → UnitSnapshot | None
    endpoints: list[Any] | None = None  # the active webhook endpoints' rows
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    digest: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # request id → row, or None: removed


def batch_of(session: AsyncSession) -> TransactionBatch:
    """The batch of the session's current transaction (created, with its flush hooked, on first use)."""
    sync_session = session.sync_session
    batch: TransactionBatch | None = sync_session.info.get(_KEY)
    if batch is None:
        batch = sync_session.info[_KEY] = TransactionBatch()
        orm_event.listen(sync_session, "before_commit", _flush, once=True)
        orm_event.listen(sync_session, "after_soft_rollback", _discard, once=True)
    return batch


def _discard(sync_session: Session, _previous: Any = None) -> None:
    sync_session.info.pop(_KEY, None)


def _flush(sync_session: Session) -> None:
    batch: TransactionBatch | None = sync_session.info.pop(_KEY, None)
    if batch is None:
        return
    insert = postgresql.insert if sync_session.get_bind().dialect.name == "postgresql" else sqlite.insert
    removed = [request_id for request_id, row in batch.digest.items() if row is None]
    upserts = [row for row in batch.digest.values() if row is not None]
    if removed:
        sync_session.execute(delete(digest_items).where(digest_items.c.request_id.in_(removed)))
    if upserts:
        statement = insert(digest_items)
        columns = ("tracking_no", "unit_code", "due_on", "overdue", "updated_at")
        statement = statement.on_conflict_do_update(
            index_elements=["request_id"], set_={c: statement.excluded[c] for c in columns}
        )
        sync_session.execute(statement, upserts)
    if batch.deliveries:
        sync_session.execute(insert(notifications).on_conflict_do_nothing(), batch.deliveries)
