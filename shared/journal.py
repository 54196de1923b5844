"""Writing what happened, inside the caller's transaction: audit entries and emitted events.

Every service writes its audit rows and its events through its runtime's :class:`Journal`
(``ctx.journal``), never by hand: an event goes into the outbox and is journaled on the entity it
is about (audit action ``event:<type>``), so an entity's history keeps showing the event after the
outbox has purged the row it was sent from. The event's ``source`` is ``gongkai/<service>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.auth import Principal
from shared.clock import Clock
from shared.context import current_request_id
from shared.events import CloudEvent, EventData, new_event
from shared.inbox import correlation_of
from shared.outbox import Outbox

# The service acting on its own (sweeps, lapses, event handlers, intake bookkeeping).
SYSTEM = Principal(sub="system", name="系统", roles=frozenset({"admin"}), unit_codes=frozenset())
# The office clerk every service's part of the demo data set (``gongkai seed-demo``) acts as, so
# the demo's timelines and audit entries name one person.
DEMO_OFFICE = Principal(
    sub="demo-office", name="市政务公开办 孙丽", roles=frozenset({"office"}), unit_codes=frozenset()
)


class Journal:
    """One service's writer of audit entries and events (DESIGN §1: the shared journal)."""

    def __init__(self, *, service: str, outbox: Outbox, audit_log: Table, clock: Clock) -> None:
        self.source = f"gongkai/{service}"
        self.outbox = outbox
        self.audit_log = audit_log
        self.clock = clock

    async def audit(
        self,
        session: AsyncSession,
        actor: Principal,
        action: str,
        entity_type: str,
        entity_id: str,
        *,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Appends one audit entry (who, what, when, before, after) to the append-only log."""
        await record_audit(
            session,
            self.audit_log,
            at=self.clock.now(),
            actor_sub=actor.sub,
            actor_name=actor.name,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
        )

    async def audit_many(
        self,
        session: AsyncSession,
        actor: Principal,
        entries: Sequence[tuple[str, str, str, Any, Any]],
        *,
        request_ids: Sequence[str | None] | None = None,
    ) -> None:
        """Audit entries ``(action, entity_type, entity_id, before, after)`` in one multi-row insert.
        ``request_ids``: one per entry (a batch of consumed events, each its own correlation);
        else the current request's."""
        if not entries:
            return
        now = self.clock.now()
        if request_ids is None:
            request_ids = [current_request_id()] * len(entries)
        await session.execute(
            self.audit_log.insert(),
            [
                {
                    "at": now,
                    "actor_sub": actor.sub,
                    "actor_name": actor.name,
                    "action": action,
                    "entity_type": entity_type,
                    "entity_id": entity_id,
                    "before": before,
                    "after": after,
                    "request_id": request_id,
                }
                for (action, entity_type, entity_id, before, after), request_id in zip(
                    entries, request_ids, strict=True
                )
            ],
        )

    async def emit(
        self,
        session: AsyncSession,
        data: EventData,
        *,
        subject: str,
        entity_type: str,
        actor: Principal = SYSTEM,
    ) -> CloudEvent:
        """Adds the event to the outbox and journals it on its entity, in the caller's transaction."""
        [event] = await self.emit_many(session, [(data, subject)], entity_type=entity_type, actor=actor)
        return event

    async def emit_many(
        self,
        session: AsyncSession,
        items: Sequence[tuple[EventData, str]],
        *,
        entity_type: str,
        actor: Principal = SYSTEM,
        timeline: bool = True,
        causes: Sequence[CloudEvent | None] | None = None,
    ) -> list[CloudEvent]:
        """``emit`` for a batch of (data, subject): one multi-row insert into the outbox and one into
        the audit log however many events (a sweep's 10,000 overdue applications in a few round trips).
        ``timeline=False``: no ``event:<type>`` entry, where the caller's own audit entry already says
        what changed (a unit's ``unit.updated`` carries everything ``unit.upserted`` does).
        ``causes``: per item, the consumed event it answers (a batched inbox handler): its id is the
        new event's ``causationid``, its correlation the new event's; None (or no ``causes``): the
        current context's."""
        if not items:
            return []
        now = self.clock.now()
        events = [
            new_event(
                data,
                source=self.source,
                subject=subject,
                time=now,
                correlationid=correlation_of(cause) if cause is not None else None,
                causationid=cause.id if cause is not None else None,
            )
            for (data, subject), cause in zip(items, causes or [None] * len(items), strict=True)
        ]
        await self.outbox.add(session, *events)
        if not timeline:
            return events
        await self.audit_many(
            session,
            actor,
            [
                (
                    f"event:{e.type}",
                    entity_type,
                    e.subject or "",
                    None,
                    {"event_id": e.id, "type": e.type, "data": e.data},
                )
                for e in events
            ],
            request_ids=[e.correlationid for e in events],
        )
        return events
