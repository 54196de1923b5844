"""The requests service's ``gongkai`` commands (``SPEC.cli``): ``units import``, ``calendar load``,
``reference republish``. Each opens its transactions and calls the same use cases as the API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import SQLAlchemyError

from services.requests.config import Ctx
from services.requests.schemas.calendar import CalendarYearIn, CalendarYearOut
from services.requests.service.calendar import load_stored_calendar_years, put_calendar_year, validate_calendar_year
from services.requests.service.reference import republish_reference_data
from services.requests.service.units import import_units
from shared.cli import cli_actor, console, errors, missing_schema_exit, problem_exit, with_runtime
from shared.errors import ProblemError
from shared.settings import get_settings

T = TypeVar("T")

cli = typer.Typer(no_args_is_help=True)
units_app = typer.Typer(help="The units directory (单位名录) of the requests service.", no_args_is_help=True)
calendar_app = typer.Typer(help="The working-day calendar (节假日安排) of the requests service.", no_args_is_help=True)
reference_app = typer.Typer(
    help="The reference data the requests service owns (units, calendar), for the other services' replicas.",
    no_args_is_help=True,
)
cli.add_typer(units_app, name="units")
cli.add_typer(calendar_app, name="calendar")
cli.add_typer(reference_app, name="reference")

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="the file to read")]


def _run(work: Callable[[Ctx], Awaitable[T]], progress: Progress | None = None) -> T:
    """Runs ``work`` on the requests runtime; a problem or a missing schema ends the command
    (after taking any progress bar off the terminal)."""
    from services.requests.app import SPEC  # app.py declares this module's commands on the spec

    try:
        return asyncio.run(with_runtime(SPEC, get_settings(), work))
    except (ProblemError, SQLAlchemyError) as exc:
        if progress is not None:
            progress.stop()
        if isinstance(exc, ProblemError):
            problem_exit(exc)
        missing_schema_exit("requests", exc)


@units_app.command("import")
def units_import(file: FileArg) -> None:
    """Imports units from a CSV (UTF-8 or GB18030) or XLSX file: every row valid, or nothing stored.

    Columns as in POST /api/v1/units/import: 单位代码/unit_code, 单位名称/name, 单位类型/kind,
    上级单位代码/parent_code, 行政区划/region, 联系人/contact_name, 职务/contact_title,
    电话/contact_phone, 邮箱/contact_email, optional 是否有效/active.
    """
    content = file.read_bytes()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("importing units 导入单位", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        async def work(runtime: Ctx) -> Any:
            async with runtime.transaction() as session:
                return await import_units(session, runtime, cli_actor(), content, file.name, progress=advance)

        result = _run(work, progress)
    console.print(
        f"[green]✓[/green] {result.rows} rows: {result.created} created 新建, {result.updated} updated 修改, "
        f"{result.unchanged} unchanged 未变"
    )
    if result.ignored_columns:
        console.print(f"[yellow]ignored columns 忽略的列: {', '.join(result.ignored_columns)}[/yellow]")


def _calendar_years(file: Path) -> list[tuple[int, CalendarYearIn]]:
    """Every year of the file, checked; exits listing every problem if any year is invalid."""
    try:
        document = json.loads(file.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        errors.print(f"[red]{file}: not a UTF-8 JSON file: {exc}[/red]")
        raise typer.Exit(1) from exc
    entries = document if isinstance(document, list) else [document]
    years: list[tuple[int, CalendarYearIn]] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        year = entry.get("year") if isinstance(entry, dict) else None
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            problems.append(f'entry {index}: "year" must be an integer 2000–2100')
            continue
        try:
            body = CalendarYearIn.model_validate({k: v for k, v in entry.items() if k != "year"})
            validate_calendar_year(year, body)
        except ValidationError as exc:
            problems.extend(f"{year}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            continue
        except ProblemError as problem:
            problems.append(f"{year}: {problem.detail}")
            continue
        years.append((year, body))
    if problems:
        for line in problems:
            errors.print(f"[red]{line}[/red]")
        raise typer.Exit(1)
    return years


@calendar_app.command("load")
def calendar_load(file: FileArg) -> None:
    """Loads holiday arrangements from a JSON file, as PUT /api/v1/calendar/{year} does.

    The file holds one year or a list of years:
    {"year": 2027, "holidays": [{"day": "2027-01-01", "name": "元旦"}, …],
    "makeup_workdays": [{"day": "2027-02-07", "name": "春节调休上班"}, …]}.
    Every year is checked before any is stored; each year is then its own transaction.
    """
    years = _calendar_years(file)

    async def load_all(runtime: Ctx) -> list[CalendarYearOut]:
        async with runtime.transaction() as session:
            await load_stored_calendar_years(session, runtime)
        loaded = []
        for year, body in years:
            async with runtime.transaction() as session:
                loaded.append(await put_calendar_year(session, runtime, cli_actor(), year, body))
        return loaded

    for out in _run(load_all):
        console.print(
            f"[green]✓[/green] {out.year}: {len(out.holidays)} holidays 放假日, "
            f"{len(out.makeup_workdays)} make-up working days 调休上班日 (version {out.version})"
        )


@reference_app.command("republish")
def reference_republish() -> None:
    """Republishes every unit (unit.upserted) and every loaded calendar year (calendar.updated) at
    its current version, as POST /api/v1/admin/requests/republish does: the other services' replicas
    catch up, those already up to date change nothing. The events wait in the requests outbox for
    the service's relay (published within seconds while it runs, else when it starts)."""

    async def work(runtime: Ctx) -> Any:
        async with runtime.transaction() as session:
            return await republish_reference_data(session, runtime, cli_actor())

    result = _run(work)
    years = ", ".join(map(str, result.calendar_years)) or "none 无"
    console.print(
        f"[green]✓[/green] republished {result.units} units 单位 and calendar years 年份: {years} "
        "(in the requests outbox 已写入发件箱)"
    )
