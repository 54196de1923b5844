"""Writing what happened: audit entries and emitted events, inside the use case's transaction.

An application's timeline (``GET /requests/{id}/timeline``) is its audit entries in order; every
event emitted about it is journaled there too (action ``event:<type>``), so the timeline keeps
showing it after the outbox has purged the row it was sent from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.auth import Principal
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
    event = new_event(data, source=SOURCE, subject=subject, time=runtime.clock.now())
    await runtime.outbox.add(session, event)
    await audit(
        runtime,
        session,
        actor,
        f"event:{event.type}",
        entity_type,
        subject,
        after={"event_id": event.id, "type": event.type, "data": event.data},
    )
    return event
