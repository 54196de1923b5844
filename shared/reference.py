"""Reference data replicated into every consuming service: the unit directory (单位名录) and the
working-day calendar (节假日安排), both owned by the requests service (DESIGN §3, §5).

The owner publishes ``unit.upserted`` and ``calendar.updated``; a consumer keeps a copy in its own
database and reads it locally, so no request ever crosses a service boundary to learn a unit's name,
its leaders or whether a day is a working day. A service includes all of it by naming it:

* ``models.py``: ``reference_tables(metadata)`` — ``ref_units`` and ``ref_calendar_years``;
* its first domain migration: ``create_reference_tables_v1(op)`` / ``drop_reference_tables_v1(op)``;
* its spec: ``handlers={**REFERENCE_HANDLERS, …}``, ``startup_hooks=[load_replicated_calendar]``,
  ``background_jobs=[replicated_calendar_sync_job]``.

**Ordering.** Events of one unit can arrive out of order (retries, redelivery, two relays). Each
carries the owner's row ``version``: a replica applies an event only when it is newer than the row
it holds — an older one never overwrites a newer row, an equal one is a no-op (so applying an event
twice, or a republished one, changes nothing). An event without a version (published before the
catalogue carried one) is ordered by its ``time`` instead. The comparison is in the ``UPDATE``'s
``WHERE``, so two consumers racing on one unit cannot undo each other.

**Deactivation.** A merged or abolished unit arrives as an upsert with ``active: false``; nothing is
ever deleted from ``ref_units``: scores and cases keep pointing at it.

**Malformed data** raises in the handler (``InvalidEvent``, ``CalendarError``): the bus retries the
event and then parks it in the service's dead-letter queue with that error; the others go on.

The read side is :data:`units` (``await units.get(session, code)``, ``units.in_category(…)``,
``units.contacts(…, role=)``, ``units.leaders(…)``, ``units.count(…)``) and the runtime's
``calendar``, which counts with the built-in years plus every replicated year.

**Catch-up.** A replica that is empty or behind gets everything again when the owner republishes
(``POST /api/v1/admin/requests/republish``, ``gongkai reference republish``; the embedded mode and
``make up`` do it on start when ``units.count`` is 0): same versions under new ids, so a replica
that holds them changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy import event as orm_event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.calendar import CalendarError, WorkingDayCalendar
from shared.db import insert_or_ignore, rows_affected
from shared.events import CalendarDay, CalendarUpdated, CloudEvent, EventData, InvalidEvent, UnitUpserted
from shared.inbox import EventContext, EventHandler
from shared.migrations import NAMING_CONVENTION
from shared.vocabulary import LEADER_ROLES, ContactRole, UnitKind

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from shared.runtime import ServiceRuntime

    CalendarHook = Callable[[ServiceRuntime[Any]], Coroutine[Any, Any, None]]

__all__ = [
    "CALENDAR_SYNC_SECONDS",
    "REFERENCE_HANDLERS",
    "ReferenceTables",
    "ReplicatedContact",
    "ReplicatedUnit",
    "UnitDirectory",
    "create_reference_tables_v1",
    "drop_reference_tables_v1",
    "load_calendar_years",
    "load_replicated_calendar",
    "reference_tables",
    "replicated_calendar_sync_job",
    "stored_calendar_hooks",
    "sync_calendar_year",
    "units",
]

log = logging.getLogger("gongkai.reference")

# How often each replica re-reads the replicated years: only one replica of a service consumes a
# given calendar.updated (competing consumers), the others learn the year from the table.
CALENDAR_SYNC_SECONDS = 60.0

D = TypeVar("D", bound=EventData)


# -- tables --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceTables:
    units: Table
    calendar_years: Table


def reference_tables(metadata: MetaData) -> ReferenceTables:
    """``ref_units`` and ``ref_calendar_years``, included in a consuming service's own metadata."""
    return ReferenceTables(
        units=Table(
            "ref_units",
            metadata,
            Column("unit_code", String(64), primary_key=True),
            Column("name", String(200), nullable=False),
            Column("kind", String(32), nullable=False),
            # No foreign key: a child may arrive before its parent.
            Column("parent_code", String(64), nullable=True),
            Column("region", String(12), nullable=False, comment="行政区划代码"),
            Column("contacts", JSON, nullable=False, comment="[{name, role, title, phone, email}]"),
            Column("active", Boolean, nullable=False),
            Column("version", Integer, nullable=True, comment="the owner's version; NULL if the event had none"),
            Column("changed_at", DateTime(timezone=True), nullable=False, comment="time of the event applied"),
            Column("event_id", String(36), nullable=False, comment="the event applied last"),
            Index("ix_ref_units_parent_code", "parent_code"),
            Index("ix_ref_units_kind", "kind"),
            Index("ix_ref_units_region", "region"),
        ),
        calendar_years=Table(
            "ref_calendar_years",
            metadata,
            Column("year", Integer, primary_key=True, autoincrement=False),
            Column("holidays", JSON, nullable=False, comment="[{day, name}]"),
            Column("makeup_workdays", JSON, nullable=False, comment="[{day, name}] 调休上班"),
            Column("version", Integer, nullable=True),
            Column("changed_at", DateTime(timezone=True), nullable=False),
            Column("event_id", String(36), nullable=False),
        ),
    )


# The module's own copy of the tables, for its queries: every service's copy has the same shape.
_TABLES = reference_tables(MetaData(naming_convention=NAMING_CONVENTION))


def create_reference_tables_v1(op: Any) -> None:
    """Migration step for a service's first domain revision (``<name>_0002_reference_data``). A later
    change to these tables gets a new step (``…_v2``), never an edit here."""
    _tables_v1().create_all(op.get_bind())


def drop_reference_tables_v1(op: Any) -> None:
    _tables_v1().drop_all(op.get_bind())


def _tables_v1() -> MetaData:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    reference_tables(metadata)
    return metadata


# -- applying events -----------------------------------------------------------------------------


def _data(event: CloudEvent, model: type[D]) -> D:
    data = event.parsed_data()  # InvalidEvent when the data does not fit its type
    if not isinstance(data, model):
        raise InvalidEvent(f"{event.type!r} is not {model.TYPE!r}")
    return data


def _newer(table: Table, version: int | None, changed_at: datetime) -> ColumnElement[bool]:
    """The row is older than an event of ``version`` at ``changed_at`` (see the module docstring)."""
    if version is None:
        return table.c.changed_at < changed_at
    return or_(
        and_(table.c.version.is_not(None), table.c.version < version),
        and_(table.c.version.is_(None), table.c.changed_at < changed_at),
    )


async def _upsert_if_newer(
    session: AsyncSession, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> bool:
    """Inserts the row, or replaces it if the event is newer; True when the event was applied."""
    inserted = await session.execute(insert_or_ignore(session, table).values(**key, **values))
    if rows_affected(inserted):
        return True
    where = [table.c[name] == value for name, value in key.items()]
    updated = await session.execute(
        update(table).where(*where, _newer(table, values["version"], values["changed_at"])).values(**values)
    )
    return rows_affected(updated) == 1


def _provenance(event: CloudEvent, version: int | None) -> dict[str, Any]:
    return {"version": version, "changed_at": event.time.astimezone(UTC), "event_id": event.id}


async def on_unit_upserted(ctx: EventContext, event: CloudEvent) -> None:
    """``unit.upserted``: the unit as the owner now has it, unless this replica holds a newer one."""
    data = _data(event, UnitUpserted)
    contacts = [
        {"name": c.name, "role": c.role, "title": c.title, "phone": c.phone, "email": c.email} for c in data.contacts
    ]
    values = {
        "name": data.name,
        "kind": data.kind,
        "parent_code": data.parent_code,
        "region": data.region,
        "contacts": contacts,
        "active": data.active,
        **_provenance(event, data.version),
    }
    if not await _upsert_if_newer(ctx.session, _TABLES.units, {"unit_code": data.unit_code}, values):
        log.info("unit.upserted %s for %s is not newer than the replica; ignored", event.id, data.unit_code)


def _days(year: int, days: Sequence[CalendarDay], what: str) -> dict[date, str]:
    found = {d.day: d.name for d in days}
    if len(found) != len(days):
        raise CalendarError(f"{what} of {year}: a day is listed twice")
    return found


def _days_json(days: Mapping[date, str]) -> list[dict[str, str]]:
    return [{"day": day.isoformat(), "name": name} for day, name in sorted(days.items())]


async def on_calendar_updated(ctx: EventContext, event: CloudEvent) -> None:
    """``calendar.updated``: store the year (unless a newer one is stored) and, once the inbox
    transaction has committed, count with it in this replica's ``runtime.calendar``."""
    data = _data(event, CalendarUpdated)
    holidays = _days(data.year, data.holidays, "holidays")
    makeup = _days(data.year, data.makeup_workdays, "makeup_workdays")
    # The calendar's own rules (days in the year, 调休 only on weekends …) on a scratch calendar:
    # an arrangement the runtime could not load is never stored.
    WorkingDayCalendar(builtin_years=()).load_year(data.year, holidays, makeup)
    values = {
        "holidays": _days_json(holidays),
        "makeup_workdays": _days_json(makeup),
        **_provenance(event, data.version),
    }
    if not await _upsert_if_newer(ctx.session, _TABLES.calendar_years, {"year": data.year}, values):
        log.info("calendar.updated %s for %s is not newer than the replica; ignored", event.id, data.year)
        return
    calendar = ctx.runtime.calendar

    def count_with_it(_session: Any) -> None:
        calendar.load_year(data.year, holidays, makeup)

    # Not before the commit: a rolled-back batch must not leave the calendar ahead of the table.
    orm_event.listen(ctx.session.sync_session, "after_commit", count_with_it, once=True)


REFERENCE_HANDLERS: Mapping[str, EventHandler] = {
    UnitUpserted.TYPE: on_unit_upserted,
    CalendarUpdated.TYPE: on_calendar_updated,
}


# -- the calendar: stored years counted with -----------------------------------------------------


def sync_calendar_year(calendar: WorkingDayCalendar, year: int, holidays_json: Any, makeup_json: Any) -> bool:
    """Loads a stored year (``[{day, name}]`` lists) unless ``calendar`` already counts with exactly
    that; True if loaded. Raises ``CalendarError`` (or ``KeyError``/``ValueError``) for a year that
    does not load."""
    holidays = {date.fromisoformat(d["day"]): d["name"] for d in holidays_json}
    makeup = {date.fromisoformat(d["day"]): d["name"] for d in makeup_json}
    current = calendar.arrangement(year)
    if (
        current is not None
        and current.source == "loaded"
        and (current.holidays, current.makeup_workdays) == (holidays, makeup)
    ):
        return False
    calendar.load_year(year, holidays, makeup)
    return True


async def load_calendar_years(session: AsyncSession, calendar: WorkingDayCalendar, table: Table) -> int:
    """Loads every year stored in ``table`` (columns ``year``, ``holidays``, ``makeup_workdays`` as
    ``[{day, name}]``) into ``calendar``; returns how many changed it. A year that does not load is
    logged and skipped: the others still count. The requests service's own ``calendar_years`` and a
    replica's ``ref_calendar_years`` both have that shape."""
    rows = (
        await session.execute(select(table.c.year, table.c.holidays, table.c.makeup_workdays).order_by(table.c.year))
    ).all()
    loaded = 0
    for row in rows:
        try:
            loaded += sync_calendar_year(calendar, row.year, row.holidays, row.makeup_workdays)
        except (CalendarError, KeyError, ValueError, TypeError):
            log.exception("stored calendar year %s is invalid; not loaded", row.year)
    return loaded


def stored_calendar_hooks(table: Table, name: str) -> tuple[CalendarHook, CalendarHook]:
    """The startup hook and the background job that keep a runtime's ``calendar`` in step with the
    years stored in ``table``: the owner's own years (the requests service) or a replica's.

    The hook counts with every stored year before the service answers; it raises while the
    database does not answer, and the runtime retries it in the background (/readyz says so). The
    job re-reads the years every :data:`CALENDAR_SYNC_SECONDS`, so a year another replica of the
    service stored or consumed (only one replica consumes a given event) counts here too."""

    async def load(runtime: ServiceRuntime[Any]) -> None:
        async with runtime.sessions() as session:
            count = await load_calendar_years(session, runtime.calendar, table)
        log.info("loaded %d calendar years from %s", count, table.name, extra={"service": runtime.spec.name})

    async def sync(runtime: ServiceRuntime[Any]) -> None:
        while True:
            await asyncio.sleep(CALENDAR_SYNC_SECONDS)
            try:
                async with runtime.sessions() as session:
                    count = await load_calendar_years(session, runtime.calendar, table)
                if count:
                    log.info("calendar sync loaded %d years", count, extra={"service": runtime.spec.name})
            except (SQLAlchemyError, OSError) as exc:
                log.warning("calendar sync failed: %s", exc, extra={"service": runtime.spec.name})

    # Background tasks are named after the job.
    load.__name__, sync.__name__ = f"load_{name}", f"{name}_sync_job"
    return load, sync


# A replica's: ``startup_hooks=[load_replicated_calendar]``, ``background_jobs=[replicated_calendar_sync_job]``.
load_replicated_calendar, replicated_calendar_sync_job = stored_calendar_hooks(
    _TABLES.calendar_years, "replicated_calendar"
)


# -- the unit directory of a replica -------------------------------------------------------------


@dataclass(frozen=True)
class ReplicatedContact:
    """A unit's contact (联系人) as the owner published it."""

    name: str
    role: ContactRole
    title: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ReplicatedUnit:
    """A unit (单位) as this service's replica holds it."""

    unit_code: str
    name: str
    kind: UnitKind
    parent_code: str | None
    region: str
    contacts: tuple[ReplicatedContact, ...]
    active: bool  # False: merged or abolished; still found by code, never deleted
    version: int | None


def _unit(row: Any) -> ReplicatedUnit:
    return ReplicatedUnit(
        unit_code=row.unit_code,
        name=row.name,
        kind=row.kind,
        parent_code=row.parent_code,
        region=row.region,
        contacts=tuple(
            ReplicatedContact(c["name"], c.get("role", "other"), c.get("title"), c.get("phone"), c.get("email"))
            for c in row.contacts
        ),
        active=bool(row.active),
        version=row.version,
    )


class UnitDirectory:
    """Read-only queries on a service's replica of the unit directory, inside the caller's session."""

    def __init__(self, table: Table) -> None:
        self.table = table

    async def get(self, session: AsyncSession, unit_code: str) -> ReplicatedUnit | None:
        """The unit, active or not; None if the replica has never heard of it."""
        row = (await session.execute(select(self.table).where(self.table.c.unit_code == unit_code))).one_or_none()
        return _unit(row) if row is not None else None

    async def in_category(
        self,
        session: AsyncSession,
        *,
        kinds: Sequence[UnitKind] | None = None,
        parent_code: str | None = None,
        region: str | None = None,
        include_inactive: bool = False,
    ) -> list[ReplicatedUnit]:
        """The units a scheme, a campaign or a notice is about, by unit code: of any of ``kinds``
        (考核对象: departments, townships …), directly under ``parent_code``, and in ``region`` — the
        行政区划代码 itself or any finer code under it (a county's 6 digits also select its
        townships' 9). Active units only unless ``include_inactive``."""
        table = self.table
        conditions: list[ColumnElement[bool]] = []
        if kinds is not None:
            conditions.append(table.c.kind.in_(list(kinds)))
        if parent_code is not None:
            conditions.append(table.c.parent_code == parent_code)
        if region is not None:
            if not region.isdigit():
                raise ValueError(f"region must be a 行政区划代码 of digits, got {region!r}")
            conditions.append(table.c.region.like(f"{region}%"))
        if not include_inactive:
            conditions.append(table.c.active.is_(True))
        rows = (await session.execute(select(table).where(*conditions).order_by(table.c.unit_code))).all()
        return [_unit(row) for row in rows]

    async def contacts(
        self, session: AsyncSession, unit_code: str, *, role: ContactRole | None = None
    ) -> list[ReplicatedContact]:
        """The unit's contacts (with ``role``: only those), in the owner's order; empty for a unit
        the replica does not know."""
        unit = await self.get(session, unit_code)
        if unit is None:
            return []
        return [c for c in unit.contacts if role is None or c.role == role]

    async def leaders(self, session: AsyncSession, unit_code: str) -> list[ReplicatedContact]:
        """The unit's leaders (单位负责人): 主要负责人 first, then 分管负责人 — whom a 约谈 or a
        notice of overdue rectification is addressed to."""
        contacts = await self.contacts(session, unit_code)
        return sorted((c for c in contacts if c.role in LEADER_ROLES), key=lambda c: LEADER_ROLES.index(c.role))

    async def count(self, session: AsyncSession) -> int:
        """Units in the replica, active or not (0: it has to catch up, see docs/reference-data.md)."""
        return await session.scalar(select(func.count()).select_from(self.table)) or 0


units = UnitDirectory(_TABLES.units)
