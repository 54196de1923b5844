"""Use cases of the requests service: one transaction each, writing state, audit entry and outbox
events together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.journal import audit
from services.requests.models import calendar_years, units
from services.requests.schemas.units import (
    CalendarDayIO,
    CalendarYearIn,
    CalendarYearOut,
    ImportResult,
    UnitContactIO,
    UnitIn,
    UnitOut,
)
from services.requests.service import unit_import_file as unit_files
from services.requests.service.provisional_due_dates import recompute_provisional
from shared.auth import Principal
from shared.calendar import CalendarError, WorkingDayCalendar
from shared.context import current_request_id
from shared.db import stored_utc
from shared.errors import ProblemError, conflict, forbidden, not_found
from shared.etags import check_if_match
from shared.events import (
    CalendarDay,
    CalendarUpdated,
    UnitContact,
    UnitUpserted,
    new_event,
)
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.runtime import ServiceRuntime

log = logging.getLogger("gongkai.requests")

SOURCE = "gongkai/requests"
# How often each replica re-reads the stored calendar years (another replica may have loaded one).
CALENDAR_SYNC_SECONDS = 60.0

ProgressCallback = Callable[[int, int], None]

# -- helpers --------------------------------------------------------------------------------------


def _audit_values(
    runtime: ServiceRuntime,
    actor: Principal,
    at: datetime,
    action: str,
    entity_type: str,
    entity_id: str,
    before: Any,
    after: Any,
) -> dict[str, Any]:
    return {
        "at": at,
        "actor_sub": actor.sub,
        "actor_name": actor.name,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "request_id": current_request_id(),
    }


# -- units directory (单位名录) -------------------------------------------------------------------


def _unit_state(unit: UnitIn) -> dict[str, Any]:
    """What a unit is, as stored and compared (version and timestamps aside)."""
    return {
        "name": unit.name,
        "kind": unit.kind,
        "parent_code": unit.parent_code,
        "region": unit.region,
        "contacts": [c.model_dump() for c in unit.contacts],
        "active": unit.active,
    }


def _row_state(row: Row[Any]) -> dict[str, Any]:
    return {
        "name": row.name,
        "kind": row.kind,
        "parent_code": row.parent_code,
        "region": row.region,
        "contacts": [UnitContactIO.model_validate(c).model_dump() for c in row.contacts or []],
        "active": bool(row.active),
    }


def unit_out(row: Row[Any]) -> UnitOut:
    return UnitOut(
        unit_code=row.unit_code,
        version=row.version,
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
        **_row_state(row),
    )


def _unit_event(runtime: ServiceRuntime, code: str, state: dict[str, Any], now: datetime) -> Any:
    data = UnitUpserted(
        unit_code=code,
        name=state["name"],
        kind=state["kind"],
        parent_code=state["parent_code"],
        region=state["region"],
        contacts=[UnitContact(**{k: v for k, v in c.items() if v is not None}) for c in state["contacts"]],
        # Beyond the catalogue's minimum: consumers learn when a unit is retired.
        active=state["active"],
    )
    return new_event(data, source=SOURCE, subject=code, time=now)


async def list_units(
    runtime: ServiceRuntime,
    *,
    kind: str | None = None,
    region: str | None = None,
    parent_code: str | None = None,
    q: str | None = None,
    active: bool | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[UnitOut]:
    conditions = []
    if kind is not None:
        conditions.append(units.c.kind == kind)
    if region is not None:
        conditions.append(units.c.region == region)
    if parent_code is not None:
        conditions.append(units.c.parent_code == parent_code)
    if active is not None:
        conditions.append(units.c.active == active)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(units.c.name.like(f"%{escaped}%", escape="\\"))
    if cursor is not None:
        (after,) = decode_cursor(cursor, arity=1)
        conditions.append(units.c.unit_code > str(after))
    statement = select(units).where(*conditions).order_by(units.c.unit_code).limit(limit + 1)
    async with runtime.sessions() as session:
        rows = (await session.execute(statement)).all()
    items = [unit_out(r) for r in rows[:limit]]
    next_cursor = encode_cursor([items[-1].unit_code]) if len(rows) > limit else None
    return Page[UnitOut](items=items, next_cursor=next_cursor)


async def get_unit(runtime: ServiceRuntime, unit_code: str) -> UnitOut:
    async with runtime.sessions() as session:
        row = (await session.execute(select(units).where(units.c.unit_code == unit_code))).one_or_none()
    if row is None:
        raise not_found("单位", f"单位代码 {unit_code} 不存在")
    return unit_out(row)


async def _parents(session: AsyncSession) -> dict[str, str | None]:
    return {r.unit_code: r.parent_code for r in await session.execute(select(units.c.unit_code, units.c.parent_code))}


def _manages_directory(actor: Principal) -> bool:
    return actor.has_role("office", "admin")


async def put_unit(
    runtime: ServiceRuntime, actor: Principal, unit_code: str, body: UnitIn, *, if_match: str | None = None
) -> tuple[UnitOut, bool]:
    """Create or replace a unit. Returns the unit and whether it was created.

    ``office``/``admin`` may do anything; a ``unit_admin`` only changes its own existing units,
    and not where they sit in the directory (kind, parent, active stay the office's decision).
    Emits ``unit.upserted`` and an audit entry only when something changed.
    """
    now = runtime.clock.now()
    state = _unit_state(body)
    async with runtime.sessions() as session, session.begin():
        row = (await session.execute(select(units).where(units.c.unit_code == unit_code))).one_or_none()
        if row is None and not _manages_directory(actor):
            raise forbidden("单位管理员不能新建单位，请联系政务公开主管部门")
        check_if_match(if_match, row.version if row is not None else None)
        before = _row_state(row) if row is not None else None
        if before is not None and not _manages_directory(actor):
            moved = [f for f in ("kind", "parent_code", "active") if before[f] != state[f]]
            if moved:
                raise forbidden(f"单位管理员不能修改 {', '.join(moved)}，请联系政务公开主管部门")
        if state["parent_code"] is not None and (before is None or before["parent_code"] != state["parent_code"]):
            problems = unit_files.hierarchy_errors({unit_code: state["parent_code"]}, await _parents(session))
            if unit_code in problems:
                code = "parent_not_found" if "不存在" in problems[unit_code] else "unit_cycle"
                raise ProblemError(422, code, "上级单位无效", problems[unit_code])
        if before == state:
            return unit_out(row), False
        if row is None:
            values = {"unit_code": unit_code, **state, "version": 1, "created_at": now, "updated_at": now}
            try:
                async with session.begin_nested():
                    await session.execute(units.insert().values(**values))
            except IntegrityError as exc:
                raise conflict("concurrent_update", "单位已被同时创建", "请重新读取后再修改") from exc
            version = 1
        else:
            version = row.version + 1
            result = await session.execute(
                update(units)
                .where(units.c.unit_code == unit_code, units.c.version == row.version)
                .values(**state, version=version, updated_at=now)
            )
            if result.rowcount != 1:
                raise conflict("concurrent_update", "单位已被同时修改", "请重新读取后再修改")
        await audit(
            runtime,
            session,
            actor,
            "unit.created" if row is None else "unit.updated",
            "unit",
            unit_code,
            before=before,
            after={**state, "version": version},
        )
        await runtime.outbox.add(session, _unit_event(runtime, unit_code, state, now))
        saved = (await session.execute(select(units).where(units.c.unit_code == unit_code))).one()
    return unit_out(saved), row is None


async def import_units(
    runtime: ServiceRuntime,
    actor: Principal,
    content: bytes,
    filename: str | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Bulk import (批量导入) of a CSV/XLSX file: every row valid, or nothing stored.

    Each listed unit is replaced whole (like PUT; blank contact columns mean no contacts); units
    not in the file are left as they are. Parents may come later in the file. One transaction;
    one ``unit.upserted`` and one audit entry per unit that changed.
    """
    sheet = await asyncio.to_thread(unit_files.read_sheet, content, filename)
    parsed = unit_files.parse_units(sheet)
    now = runtime.clock.now()
    async with runtime.sessions() as session, session.begin():
        existing = {r.unit_code: r for r in await session.execute(select(units))}
        parents = {code: r.parent_code for code, r in existing.items()}
        changes = {code: p.unit.parent_code for code, p in parsed.units.items()}
        errors = list(parsed.errors)
        for code, message in unit_files.hierarchy_errors(changes, parents).items():
            errors.append(unit_files._error(parsed.units[code].row, "parent_code", message))
        if errors:
            errors.sort(key=lambda e: (e.row, e.field))
            raise ProblemError(
                422,
                "import_invalid",
                "导入文件有错误，未导入任何单位",
                f"{len(errors)} 处错误，请改正后重新导入",
                errors=[e.model_dump() for e in errors[:1000]],
                error_count=len(errors),
            )
        if not parsed.units:
            raise unit_files.unreadable("文件中没有数据行")

        created = updated = unchanged = 0
        final_parents = {**parents, **changes}
        order = unit_files.depth_order(parsed.units, final_parents)
        audit_rows: list[dict[str, Any]] = []
        events = []
        total = len(order)
        for done, code in enumerate(order, start=1):
            state = _unit_state(parsed.units[code].unit)
            row = existing.get(code)
            before = _row_state(row) if row is not None else None
            if before == state:
                unchanged += 1
            elif row is None:
                created += 1
                await session.execute(
                    units.insert().values(unit_code=code, **state, version=1, created_at=now, updated_at=now)
                )
                audit_rows.append(
                    _audit_values(runtime, actor, now, "unit.created", "unit", code, None, {**state, "version": 1})
                )
                events.append(_unit_event(runtime, code, state, now))
            else:
                updated += 1
                await session.execute(
                    update(units)
                    .where(units.c.unit_code == code)
                    .values(**state, version=row.version + 1, updated_at=now)
                )
                audit_rows.append(
                    _audit_values(
                        runtime, actor, now, "unit.updated", "unit", code, before, {**state, "version": row.version + 1}
                    )
                )
                events.append(_unit_event(runtime, code, state, now))
            if progress is not None and (done % 200 == 0 or done == total):
                progress(done, total)
        if audit_rows:
            await session.execute(runtime.tables.audit_log.insert(), audit_rows)
        await runtime.outbox.add(session, *events)
    return ImportResult(
        rows=parsed.rows, created=created, updated=updated, unchanged=unchanged, ignored_columns=parsed.ignored_columns
    )


# -- calendar (节假日安排) ------------------------------------------------------------------------


def _days_json(days: Sequence[CalendarDayIO]) -> list[dict[str, str]]:
    return [{"day": d.day.isoformat(), "name": d.name} for d in sorted(days, key=lambda d: d.day)]


def _days_map(days: Sequence[dict[str, str]]) -> dict[date, str]:
    return {date.fromisoformat(d["day"]): d["name"] for d in days}


def invalid_calendar(message: str) -> ProblemError:
    return ProblemError(422, "invalid_calendar", "节假日安排无效", message)


def validate_calendar_year(year: int, body: CalendarYearIn) -> tuple[dict[date, str], dict[date, str]]:
    for what, days in (("holidays", body.holidays), ("makeup_workdays", body.makeup_workdays)):
        seen: set[date] = set()
        for d in days:
            if d.day in seen:
                raise invalid_calendar(f"{what}: {d.day.isoformat()} listed twice")
            seen.add(d.day)
    holidays = {d.day: d.name for d in body.holidays}
    makeup = {d.day: d.name for d in body.makeup_workdays}
    try:
        # A scratch calendar: the runtime's one changes only after the commit.
        WorkingDayCalendar(builtin_years=()).load_year(year, holidays, makeup)
    except CalendarError as exc:
        raise invalid_calendar(str(exc)) from exc
    return holidays, makeup


def calendar_with(
    base: WorkingDayCalendar, year: int, holidays: dict[date, str], makeup: dict[date, str]
) -> WorkingDayCalendar:
    """A copy of ``base`` (its built-in and loaded years) with ``year`` replaced."""
    candidate = WorkingDayCalendar()
    for known in base.known_years():
        arrangement = base.arrangement(known)
        if arrangement is not None and arrangement.source == "loaded":
            candidate.load_year(known, arrangement.holidays, arrangement.makeup_workdays)
    candidate.load_year(year, holidays, makeup)
    return candidate


async def on_calendar_year_changed(
    session: AsyncSession, runtime: ServiceRuntime, actor: Principal, year: int, candidate: WorkingDayCalendar
) -> None:
    """Inside ``put_calendar_year``'s transaction, with the calendar as it will be: every open
    application whose provisional due date reaches into ``year`` is recomputed (DESIGN §4), so the
    calendar and the deadlines change in one commit; each one is journaled."""
    recomputed = await recompute_provisional(session, candidate, year, runtime.clock.today())
    for application_id, old_due, new_due in recomputed:
        await audit(
            runtime,
            session,
            actor,
            "application.due_recomputed",
            "application",
            application_id,
            before={"due_on": str(old_due), "due_on_provisional": True},
            after={"due_on": str(new_due), "calendar_year": year},
        )


async def put_calendar_year(
    runtime: ServiceRuntime, actor: Principal, year: int, body: CalendarYearIn, *, if_match: str | None = None
) -> CalendarYearOut:
    """Load (or replace) a year's holiday arrangement: store it, audit it, emit ``calendar.updated``
    and, after the commit, count with it in ``runtime.calendar``."""
    holidays, makeup = validate_calendar_year(year, body)
    stored = {"holidays": _days_json(body.holidays), "makeup_workdays": _days_json(body.makeup_workdays)}
    now = runtime.clock.now()
    async with runtime.sessions() as session, session.begin():
        row = (await session.execute(select(calendar_years).where(calendar_years.c.year == year))).one_or_none()
        check_if_match(if_match, row.version if row is not None else None)
        before = {"holidays": row.holidays, "makeup_workdays": row.makeup_workdays} if row is not None else None
        if before != stored:
            version = 1 if row is None else row.version + 1
            values = {**stored, "updated_at": now, "updated_by": actor.sub, "version": version}
            if row is None:
                try:
                    async with session.begin_nested():
                        await session.execute(calendar_years.insert().values(year=year, **values))
                except IntegrityError as exc:
                    raise conflict("concurrent_update", "该年份已被同时加载", "请重新读取后再修改") from exc
            else:
                result = await session.execute(
                    update(calendar_years)
                    .where(calendar_years.c.year == year, calendar_years.c.version == row.version)
                    .values(**values)
                )
                if result.rowcount != 1:
                    raise conflict("concurrent_update", "该年份已被同时修改", "请重新读取后再修改")
            await audit(
                runtime,
                session,
                actor,
                "calendar.year_loaded",
                "calendar_year",
                str(year),
                before=before,
                after={**stored, "version": version},
            )
            event = CalendarUpdated(
                year=year,
                holidays=[CalendarDay(day=d, name=n) for d, n in sorted(holidays.items())],
                makeup_workdays=[CalendarDay(day=d, name=n) for d, n in sorted(makeup.items())],
            )
            await runtime.outbox.add(session, new_event(event, source=SOURCE, subject=str(year), time=now))
            await on_calendar_year_changed(
                session, runtime, actor, year, calendar_with(runtime.calendar, year, holidays, makeup)
            )
        saved = (await session.execute(select(calendar_years).where(calendar_years.c.year == year))).one()
    runtime.calendar.load_year(year, holidays, makeup)
    return _calendar_out(runtime, year, saved)


def _calendar_out(runtime: ServiceRuntime, year: int, row: Row[Any] | None) -> CalendarYearOut:
    if row is not None:
        return CalendarYearOut(
            year=year,
            known=True,
            source="loaded",
            holidays=[CalendarDayIO.model_validate(d) for d in row.holidays],
            makeup_workdays=[CalendarDayIO.model_validate(d) for d in row.makeup_workdays],
            version=row.version,
            updated_at=stored_utc(row.updated_at),
            updated_by=row.updated_by,
        )
    arrangement = runtime.calendar.arrangement(year)
    if arrangement is None:
        return CalendarYearOut(year=year, known=False, source=None, holidays=[], makeup_workdays=[])
    return CalendarYearOut(
        year=year,
        known=True,
        source=arrangement.source,
        holidays=[CalendarDayIO(day=d, name=n) for d, n in arrangement.holidays.items()],
        makeup_workdays=[CalendarDayIO(day=d, name=n) for d, n in arrangement.makeup_workdays.items()],
    )


def _sync_year(calendar: WorkingDayCalendar, row: Row[Any]) -> bool:
    """Load a stored year into ``calendar`` unless it already counts with exactly that; True if loaded."""
    holidays, makeup = _days_map(row.holidays), _days_map(row.makeup_workdays)
    current = calendar.arrangement(row.year)
    if (
        current is not None
        and current.source == "loaded"
        and current.holidays == holidays
        and current.makeup_workdays == makeup
    ):
        return False
    calendar.load_year(row.year, holidays, makeup)
    return True


async def get_calendar_year(runtime: ServiceRuntime, year: int) -> CalendarYearOut:
    """The arrangement the service counts with: a stored (loaded) year, else the built-in one."""
    async with runtime.sessions() as session:
        row = (await session.execute(select(calendar_years).where(calendar_years.c.year == year))).one_or_none()
    if row is not None:
        # Another replica may have loaded it: count with what is stored.
        _sync_year(runtime.calendar, row)
    return _calendar_out(runtime, year, row)


async def load_stored_calendar_years(runtime: ServiceRuntime) -> int:
    """Load every stored year into ``runtime.calendar``; returns how many changed it."""
    async with runtime.sessions() as session:
        rows = (await session.execute(select(calendar_years).order_by(calendar_years.c.year))).all()
    loaded = 0
    for row in rows:
        try:
            loaded += _sync_year(runtime.calendar, row)
        except (CalendarError, KeyError, ValueError, TypeError):
            log.exception("stored calendar year %s is invalid; not loaded", row.year)
    return loaded


async def calendar_startup_hook(runtime: ServiceRuntime) -> None:
    """Startup hook: count with the stored years before the service answers. If the database does
    not answer yet this raises, and the runtime retries in the background (/readyz says so)."""
    count = await load_stored_calendar_years(runtime)
    log.info("loaded %d stored calendar years", count)


async def calendar_sync_job(runtime: ServiceRuntime) -> None:
    """Background job: re-read the stored years now and then, so a year loaded through another
    replica (or a start without the database) is counted with here too."""
    while True:
        await asyncio.sleep(CALENDAR_SYNC_SECONDS)
        try:
            count = await load_stored_calendar_years(runtime)
            if count:
                log.info("calendar sync loaded %d years", count)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("calendar sync failed: %s", exc)


async def count_units(runtime: ServiceRuntime) -> int:
    async with runtime.sessions() as session:
        return (await session.execute(select(func.count()).select_from(units))).scalar_one()
