"""Use cases of the working-day calendar (节假日安排): a year's arrangement read and loaded, and the
stored years kept in step with ``ctx.calendar`` on every replica (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.requests.config import Ctx
from services.requests.models import calendar_years
from services.requests.schemas.calendar import CalendarDayIO, CalendarYearIn, CalendarYearOut
from services.requests.service.provisional_due_dates import recompute_provisional
from shared.auth import Principal
from shared.calendar import CalendarError, WorkingDayCalendar
from shared.db import stored_utc
from shared.errors import ProblemError, conflict
from shared.etags import check_if_match
from shared.events import CalendarDay, CalendarUpdated
from shared.reference import load_calendar_years, stored_calendar_hooks, sync_calendar_year
from shared.runtime import ServiceRuntime


def _days_json(days: Sequence[CalendarDayIO]) -> list[dict[str, str]]:
    return [{"day": d.day.isoformat(), "name": d.name} for d in sorted(days, key=lambda d: d.day)]


def calendar_event(year: int, stored: dict[str, Any], version: int) -> tuple[CalendarUpdated, str]:
    """``calendar.updated`` of a year as stored (``[{day, name}]`` lists) at ``version``: replicas
    apply it when ``version`` is newer than theirs (docs/reference-data.md)."""
    data = CalendarUpdated(
        year=year,
        holidays=[CalendarDay.model_validate(d) for d in stored["holidays"]],
        makeup_workdays=[CalendarDay.model_validate(d) for d in stored["makeup_workdays"]],
        version=version,
    )
    return data, str(year)


def calendar_event_of(row: Row[Any]) -> tuple[CalendarUpdated, str]:
    """``calendar.updated`` of a stored year, as it was last published (republish, catch-up)."""
    return calendar_event(row.year, {"holidays": row.holidays, "makeup_workdays": row.makeup_workdays}, row.version)


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


async def _recompute_provisional_due_dates(
    session: AsyncSession, ctx: Ctx, actor: Principal, year: int, candidate: WorkingDayCalendar
) -> None:
    """With the calendar as it will be: every open application whose provisional due date reaches
    into ``year`` is recomputed (DESIGN §4), so the calendar and the deadlines change in one
    commit; each one is journaled on the application."""
    recomputed = await recompute_provisional(session, candidate, year, ctx.clock.today())
    await ctx.journal.audit_many(
        session,
        actor,
        [
            (
                "application.due_recomputed",
                "application",
                application_id,
                {"due_on": str(old_due), "due_on_provisional": True},
                {"due_on": str(new_due), "calendar_year": year},
            )
            for application_id, old_due, new_due in recomputed
        ],
    )


async def put_calendar_year(
    session: AsyncSession, ctx: Ctx, actor: Principal, year: int, body: CalendarYearIn, *, if_match: str | None = None
) -> CalendarYearOut:
    """Load (or replace) a year's holiday arrangement: store it, audit it, emit ``calendar.updated``
    and, once the caller's transaction commits, count with it in ``ctx.calendar``."""
    holidays, makeup = validate_calendar_year(year, body)
    stored = {"holidays": _days_json(body.holidays), "makeup_workdays": _days_json(body.makeup_workdays)}
    now = ctx.clock.now()
    row = (await session.execute(select(calendar_years).where(calendar_years.c.year == year))).one_or_none()
    check_if_match(if_match, row.version if row is not None else None)
    before = {"holidays": row.holidays, "makeup_workdays": row.makeup_workdays} if row is not None else None
    if row is not None and before == stored:
        _sync_year(ctx.calendar, row)  # nothing to store, but this replica may not count with it yet
        return _calendar_out(ctx, year, row)
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
    after = {**stored, "version": version}
    await ctx.journal.audit(
        session, actor, "calendar.year_loaded", "calendar_year", str(year), before=before, after=after
    )
    # The audit entry above holds the whole arrangement: no second timeline entry for the event.
    await ctx.journal.emit_many(
        session, [calendar_event(year, stored, version)], entity_type="calendar_year", actor=actor, timeline=False
    )
    await _recompute_provisional_due_dates(
        session, ctx, actor, year, calendar_with(ctx.calendar, year, holidays, makeup)
    )

    def count_with_it(_session: Session) -> None:
        # Only what is stored is counted with: a rolled-back load never reaches the calendar.
        ctx.calendar.load_year(year, holidays, makeup)

    event.listen(session.sync_session, "after_commit", count_with_it, once=True)
    return CalendarYearOut(
        year=year,
        known=True,
        source="loaded",
        holidays=[CalendarDayIO.model_validate(d) for d in stored["holidays"]],
        makeup_workdays=[CalendarDayIO.model_validate(d) for d in stored["makeup_workdays"]],
        version=version,
        updated_at=stored_utc(now),
        updated_by=actor.sub,
    )


def _calendar_out(ctx: ServiceRuntime[Any], year: int, row: Row[Any] | None) -> CalendarYearOut:
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
    arrangement = ctx.calendar.arrangement(year)
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
    """Count with a stored year unless ``calendar`` already does; True if loaded."""
    return sync_calendar_year(calendar, row.year, row.holidays, row.makeup_workdays)


async def get_calendar_year(session: AsyncSession, ctx: Ctx, year: int) -> CalendarYearOut:
    """The arrangement the service counts with: a stored (loaded) year, else the built-in one."""
    row = (await session.execute(select(calendar_years).where(calendar_years.c.year == year))).one_or_none()
    if row is not None:
        # Another replica may have loaded it: count with what is stored.
        _sync_year(ctx.calendar, row)
    return _calendar_out(ctx, year, row)


async def load_stored_calendar_years(session: AsyncSession, ctx: ServiceRuntime[Any]) -> int:
    """Load every stored year into ``ctx.calendar``; returns how many changed it."""
    return await load_calendar_years(session, ctx.calendar, calendar_years)


# ``startup_hooks`` / ``background_jobs``: count with the stored years before answering, and with a
# year another replica loaded within a minute (``shared.reference``, as the replicas do).
calendar_startup_hook, calendar_sync_job = stored_calendar_hooks(calendar_years, "stored_calendar")
