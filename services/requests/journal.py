"""Writing what happened: audit entries and emitted events, inside the use case's transaction.

An application's timeline (``GET /requests/{id}/timeline``) is its audit entries in order; every
event emitted about it is journaled there too (action ``event:<type>``), so the timeline keeps
showing it after the outbox has purged the row it was sent from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.auth import Principal
from shared.context import current_request_id
from shared.events import CloudEvent, EventData, new_event
from shared.runtime import ServiceRuntime

SOURCE = "gongkai/requests"

# The service acting on its own (sweeps, lapses, intake bookkeeping).
SYSTEM = Principal(sub="system", name="系统", roles=frozenset({"admin"}), unit_codes=frozenset())


async def audit(
    runtime: ServiceRuntime,
    session: AsyncSession,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: str,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    await record_audit(
        session,
        runtime.tables.audit_log,
        at=runtime.clock.now(),
        actor_sub=actor.sub,
        actor_name=actor.name,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )


async def emit(
    runtime: ServiceRuntime,
    session: AsyncSession,
    data: EventData,
    *,
    subject: str,
    entity_type: str = "application",
    actor: Principal = SYSTEM,
) -> CloudEvent:
    """Adds the event to the outbox and journals it on the entity, in the caller's transaction."""
    [event] = await emit_many(runtime, session, [(data, subject)], entity_type=entity_type, actor=actor)
    return event


async def emit_many(
    runtime: ServiceRuntime,
    session: AsyncSession,
    items: Sequence[tuple[EventData, str]],
    *,
    entity_type: str,
    actor: Principal = SYSTEM,
) -> list[CloudEvent]:
    """``emit`` for a batch of (data, subject): one multi-row insert into the outbox and one into the
    audit log, however many events — the sweep's 10,000 overdue applications in a few round trips."""
    if not items:
        return []
    now = runtime.clock.now()
    events = [new_event(data, source=SOURCE, subject=subject, time=now) for data, subject in items]
    await runtime.outbox.add(session, *events)
    request_id = current_request_id()
    await session.execute(
        runtime.tables.audit_log.insert(),
        [
            {
                "at": now,
                "actor_sub": actor.sub,
                "actor_name": actor.name,
                "action": f"event:{e.type}",
                "entity_type": entity_type,
                "entity_id": e.subject,
                "before": None,
                "after": {"event_id": e.id, "type": e.type, "data": e.data},
                "request_id": request_id,
            }
            for e in events
        ],
    )
    return events
