"""Events as the requests service publishes them, and waiting on replicas."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, select

from shared.events import CalendarDay, CalendarUpdated, CloudEvent, UnitContact, UnitUpserted, new_event
from shared.reference import ReplicatedUnit, units
from shared.runtime import ServiceRuntime

T = TypeVar("T")

CONSUMERS = ("scoring", "appraisal", "accountability", "notifier")
SOURCE = "gongkai/requests"

LEADERS = [
    UnitContact(name="李主任", role="principal_leader", title="局长"),
    UnitContact(name="王敏", role="disclosure_contact", title="政务公开专员", phone="0571-87000000"),
    UnitContact(name="赵副", role="leader_in_charge", title="副局长"),
]

# A made-up 2027 arrangement in the usual shape (the State Council publishes the real one in
# November 2026): 元旦 Friday 1 January to Sunday 3 January with no make-up day; 春节 around
# 6 February (正月初一) with make-up working days on the weekends either side.
HOLIDAYS_2027 = [
    *(CalendarDay(day=date(2027, 1, d), name="元旦") for d in (1, 2, 3)),
    *(CalendarDay(day=date(2027, 2, d), name="春节") for d in range(5, 14)),
]
MAKEUP_2027 = [
    CalendarDay(day=date(2027, 1, 31), name="春节调休上班"),
    CalendarDay(day=date(2027, 2, 20), name="春节调休上班"),
]


def unit_data(
    code: str,
    name: str,
    *,
    version: int | None,
    active: bool = True,
    kind: str = "department",
    parent_code: str | None = None,
    region: str = "330102",
    contacts: Sequence[UnitContact] = (),
) -> UnitUpserted:
    return UnitUpserted(
        unit_code=code,
        name=name,
        kind=kind,  # type: ignore[arg-type]
        parent_code=parent_code,
        region=region,
        contacts=list(contacts),
        active=active,
        version=version,
    )


def unit_event(code: str, name: str, *, version: int | None, at: datetime | None = None, **fields: Any) -> CloudEvent:
    data = unit_data(code, name, version=version, **fields)
    return new_event(data, source=SOURCE, subject=code, time=at or datetime.now(UTC))


def calendar_2027(version: int | None = 1) -> CalendarUpdated:
    return CalendarUpdated(year=2027, holidays=HOLIDAYS_2027, makeup_workdays=MAKEUP_2027, version=version)


def calendar_event(data: CalendarUpdated, at: datetime | None = None) -> CloudEvent:
    return new_event(data, source=SOURCE, subject=str(data.year), time=at or datetime.now(UTC))


async def replicated(runtime: ServiceRuntime[Any], code: str) -> ReplicatedUnit | None:
    async with runtime.sessions() as session:
        return await units.get(session, code)


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 20.0) -> T:
    """``probe()`` until ``done`` says yes or ``timeout`` passes; the last value either way."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if done(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)


async def applied(consumers: Sequence[ServiceRuntime[Any]], ids: Sequence[str]) -> list[set[str]]:
    """Which of ``ids`` each consumer's inbox holds (committed with their effects)."""
    found = []
    for consumer in consumers:
        inbox = consumer.tables.inbox
        async with consumer.sessions() as session:
            found.append(set((await session.scalars(select(inbox.c.event_id).where(inbox.c.event_id.in_(ids)))).all()))
    return found


async def replica_rows(runtime: ServiceRuntime[Any]) -> dict[str, list[tuple[Any, ...]]]:
    """The service's replica as stored: ``(key, version, event_id)`` of each unit and year."""
    tables = runtime.tables.metadata.tables
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with runtime.sessions() as session:
        for name, key in (("ref_units", "unit_code"), ("ref_calendar_years", "year")):
            table = tables[name]
            statement = select(table.c[key], table.c.version, table.c.event_id).order_by(table.c[key])
            rows[name] = [tuple(row) for row in (await session.execute(statement)).all()]
    return rows


async def wipe_replica(runtime: ServiceRuntime[Any]) -> None:
    """A restored or wiped replica: its units and years gone, its inbox still remembering every
    event it applied (so a redelivery of those cannot refill it; only a republish can)."""
    tables = runtime.tables.metadata.tables
    async with runtime.transaction() as session:
        for name in ("ref_units", "ref_calendar_years"):
            await session.execute(delete(tables[name]))
