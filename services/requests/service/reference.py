"""Republishing the reference data this service owns (DESIGN §3, docs/reference-data.md): every unit
of the directory as ``unit.upserted`` and every loaded calendar year as ``calendar.updated``, through
the outbox, so a consumer that started after they were published (a new service, a restored
database, a purged queue) catches up without waiting for the next edit.

Each event carries the row's current ``version``: a replica that already holds it changes nothing
(``shared.reference`` applies an event only when it is newer), one that is behind or empty takes
it. The use case writes in the caller's transaction and never commits (the router, the CLI
command or the embedded mode's catch-up step owns it); the events are added in batches of
:data:`REPUBLISH_BATCH` (``journal.emit_many``: one multi-row insert each), the units read page by
page, so 20,000 units never sit in memory at once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.models import calendar_years, units
from services.requests.schemas.reference import RepublishResult
from services.requests.service.calendar import calendar_event_of
from services.requests.service.units import unit_event_of
from shared.auth import Principal

REPUBLISH_BATCH = 500


async def republish_reference_data(session: AsyncSession, ctx: Ctx, actor: Principal) -> RepublishResult:
    """``unit.upserted`` for every unit (active or not: a replica learns a deactivation too) and
    ``calendar.updated`` for every loaded year, each at its current version; one audit entry
    says who republished what. No timeline entries: nothing about a unit or a year changed."""
    published_units = 0
    after: str | None = None
    while True:
        statement = select(units).order_by(units.c.unit_code).limit(REPUBLISH_BATCH)
        if after is not None:
            statement = statement.where(units.c.unit_code > after)
        rows = (await session.execute(statement)).all()
        if not rows:
            break
        await ctx.journal.emit_many(
            session, [unit_event_of(row) for row in rows], entity_type="unit", actor=actor, timeline=False
        )
        published_units += len(rows)
        after = rows[-1].unit_code
    years = (await session.execute(select(calendar_years).order_by(calendar_years.c.year))).all()
    await ctx.journal.emit_many(
        session, [calendar_event_of(row) for row in years], entity_type="calendar_year", actor=actor, timeline=False
    )
    result = RepublishResult(units=published_units, calendar_years=[row.year for row in years])
    await ctx.journal.audit(
        session, actor, "reference.republished", "reference_data", "requests", after=result.model_dump()
    )
    return result


async def has_reference_data(session: AsyncSession) -> bool:
    """Whether there is anything to republish: a unit or a loaded calendar year."""
    for table in (units, calendar_years):
        if (await session.execute(select(table).limit(1))).first() is not None:
            return True
    return False
