"""``gongkai`` — the operator's command (DESIGN §2)."""

from __future__ import annotations

import asyncio
import getpass
import json
from pathlib import Path
from typing import Annotated, NoReturn

import httpx
import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, track
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from services.embedded import all_specs, create_app, spec_of
from shared.app import build_app
from shared.auth import ROLES, Principal, mint_dev_token
from shared.bus import create_bus
from shared.clock import Clock
from shared.db import is_sqlite_url
from shared.errors import ProblemError
from shared.migrations import alembic_config, upgrade
from shared.observability import configure_logging
from shared.runtime import ServiceRuntime
from shared.settings import SERVICE_NAMES, Settings, get_settings

app = typer.Typer(help="Gongkai 公开 — operator's command.", no_args_is_help=True, add_completion=False)
dead_letters = typer.Typer(
    help="List or replay a service's dead letters (gongkai.<service>.dead).", no_args_is_help=True
)
app.add_typer(dead_letters, name="dead-letters")
console = Console()
errors = Console(stderr=True)

ServiceArg = Annotated[str, typer.Argument(help=f"one of: {', '.join(SERVICE_NAMES)}")]


def _check_service(name: str) -> str:
    if name not in SERVICE_NAMES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICE_NAMES)}")
    return name


def _run(app_factory_result: object, host: str, port: int, settings: Settings) -> None:
    configure_logging(settings.log_level, json_output=settings.log_json)
    uvicorn.run(app_factory_result, host=host, port=port, log_config=None, proxy_headers=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
) -> None:
    """The embedded mode: all five services in one process (SQLite files migrated on start)."""
    settings = get_settings()
    _run(create_app(settings), host, port, settings)


def serve_one(service: str, host: str = "0.0.0.0", port: int = 8000) -> None:
    settings = get_settings()
    _run(build_app([spec_of(service)], settings), host, port, settings)


@app.command("serve-one")
def serve_one_command(
    service: ServiceArg,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="port")] = 8000,
) -> None:
    """One service alone (local distributed mode, a Kubernetes Deployment). Migrate first."""
    serve_one(_check_service(service), host, port)


@app.command()
def migrate(service: Annotated[str | None, typer.Argument(help="one service; all when omitted")] = None) -> None:
    """Upgrades each service's database to its latest revision."""
    settings = get_settings()
    specs = [spec_of(_check_service(service))] if service else all_specs()
    for spec in track(specs, description="migrating", console=console, disable=len(specs) == 1):
        upgrade(spec.name, settings.database_url(spec.name), spec.versions_dir, spec.tables.metadata)
        console.print(f"[green]✓[/green] {spec.name}: {settings.database_url(spec.name).split('@')[-1]}")


@app.command("make-migration")
def make_migration(
    service: ServiceArg,
    message: Annotated[str, typer.Option("-m", "--message", help="what the revision changes")],
) -> None:
    """Autogenerates a revision from the service's models against its (migrated) database."""
    from alembic import command

    settings = get_settings()
    spec = spec_of(_check_service(service))
    config = alembic_config(spec.name, settings.database_url(spec.name), spec.versions_dir, spec.tables.metadata)
    command.revision(config, message=message, autogenerate=True, version_path=spec.versions_dir.as_posix())


@app.command()
def token(
    role: Annotated[list[str], typer.Option("--role", help=f"repeatable; one of: {', '.join(sorted(ROLES))}")],
    unit: Annotated[list[str] | None, typer.Option("--unit", help="unit code, repeatable")] = None,
    sub: Annotated[str, typer.Option(help="subject (user id)")] = "dev-user",
    name: Annotated[str | None, typer.Option(help="display name")] = None,
) -> None:
    """Prints a dev JWT. Refused when GONGKAI_ENV=prod."""
    settings = get_settings()
    if settings.is_prod:
        errors.print("[red]gongkai token is refused in prod: tokens come from the identity provider.[/red]")
        raise typer.Exit(2)
    unknown = [r for r in role if r not in ROLES]
    if unknown:
        raise typer.BadParameter(f"unknown role(s) {unknown}; one of {sorted(ROLES)}")
    typer.echo(mint_dev_token(settings, sub=sub, roles=role, unit_codes=unit or [], name=name))


ServerOption = Annotated[
    str | None,
    typer.Option(
        help="a running server's base URL (needed with the in-process bus, whose dead letters live in that process)"
    ),
]


def _admin_client(server: str, settings: Settings) -> httpx.Client:
    bearer = mint_dev_token(settings, sub="gongkai-cli", roles=["admin"], name="gongkai CLI")
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {bearer}"}, timeout=30)


@dead_letters.command("list")
def dead_letters_list(service: ServiceArg, server: ServerOption = None) -> None:
    """Shows the messages parked in gongkai.<service>.dead."""
    _check_service(service)
    settings = get_settings()
    if server or settings.bus_url.startswith("memory://"):
        with _admin_client(server or "http://127.0.0.1:8000", settings) as client:
            response = client.get(f"/api/v1/admin/{service}/dead-letters")
            response.raise_for_status()
            items = response.json()["items"]
    else:
        items = [letter.__dict__ for letter in asyncio.run(_with_bus(settings, lambda bus: bus.dead_letters(service)))]
    table = Table("event id", "type", "attempts", "died at", "last error", title=f"gongkai.{service}.dead")
    for item in items:
        table.add_row(
            item["event_id"],
            item["type"],
            str(item["attempts"]),
            str(item["died_at"] or ""),
            (item["last_error"] or "")[:80],
        )
    console.print(table)


@dead_letters.command("replay")
def dead_letters_replay(
    service: ServiceArg,
    event_id: Annotated[list[str] | None, typer.Option("--id", help="replay only this event id (repeatable)")] = None,
    server: ServerOption = None,
) -> None:
    """Moves dead letters back to gongkai.<service> with a fresh attempt count."""
    _check_service(service)
    settings = get_settings()
    if server or settings.bus_url.startswith("memory://"):
        with _admin_client(server or "http://127.0.0.1:8000", settings) as client:
            response = client.post(f"/api/v1/admin/{service}/dead-letters/replay", json={"event_ids": event_id})
            response.raise_for_status()
            replayed = response.json()["replayed"]
    else:
        replayed = asyncio.run(_with_bus(settings, lambda bus: bus.replay_dead_letters(service, event_id)))
    console.print(json.dumps({"replayed": replayed}))


# -- units import / calendar load (the requests service's data) -------------------------------------

units_app = typer.Typer(help="The units directory (单位名录) of the requests service.", no_args_is_help=True)
calendar_app = typer.Typer(help="The working-day calendar (节假日安排) of the requests service.", no_args_is_help=True)
app.add_typer(units_app, name="units")
app.add_typer(calendar_app, name="calendar")

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="the file to read")]


def _cli_actor() -> Principal:
    user = getpass.getuser() if hasattr(getpass, "getuser") else "operator"
    return Principal(
        sub=f"cli:{user}", name=f"gongkai CLI ({user})", roles=frozenset({"admin"}), unit_codes=frozenset()
    )


async def _with_requests_runtime(settings: Settings, work):  # type: ignore[no-untyped-def]
    """The requests service's runtime against its database, without relay or consumer: the events
    a use case writes wait in the outbox for the service's own relay."""
    from services.requests.app import SPEC

    runtime = ServiceRuntime(SPEC, settings, clock=Clock(), bus=create_bus("memory://gongkai-cli"))
    try:
        return await work(runtime)
    finally:
        await runtime.stop()


def _problem_exit(problem: ProblemError) -> NoReturn:
    errors.print(f"[red]{problem.title}[/red]" + (f": {problem.detail}" if problem.detail else ""))
    rows = problem.extensions.get("errors") or []
    if rows:
        table = Table("row 行", "field 列", "message 说明", title="errors 错误")
        for row in rows:
            table.add_row(str(row.get("row", "")), str(row.get("field", "")), str(row.get("message", "")))
        errors.print(table)
    raise typer.Exit(1)


def _missing_schema_exit(exc: Exception) -> NoReturn:
    errors.print(
        f"[red]the requests database is not ready ({type(exc).__name__}); run `gongkai migrate requests` first[/red]"
    )
    raise typer.Exit(1)


@units_app.command("import")
def units_import(file: FileArg) -> None:
    """Imports units from a CSV (UTF-8 or GB18030) or XLSX file: every row valid, or nothing stored.

    Columns as in POST /api/v1/units/import: 单位代码/unit_code, 单位名称/name, 单位类型/kind,
    上级单位代码/parent_code, 行政区划/region, 联系人/contact_name, 职务/contact_title,
    电话/contact_phone, 邮箱/contact_email, optional 是否有效/active.
    """
    from services.requests import service

    settings = get_settings()
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

        try:
            result = asyncio.run(
                _with_requests_runtime(
                    settings, lambda rt: service.import_units(rt, _cli_actor(), content, file.name, progress=advance)
                )
            )
        except ProblemError as problem:
            progress.stop()
            _problem_exit(problem)
        except SQLAlchemyError as exc:
            progress.stop()
            _missing_schema_exit(exc)
    console.print(
        f"[green]✓[/green] {result.rows} rows: {result.created} created 新建, {result.updated} updated 修改, "
        f"{result.unchanged} unchanged 未变"
    )
    if result.ignored_columns:
        console.print(f"[yellow]ignored columns 忽略的列: {', '.join(result.ignored_columns)}[/yellow]")


@calendar_app.command("load")
def calendar_load(file: FileArg) -> None:
    """Loads holiday arrangements from a JSON file, as PUT /api/v1/calendar/{year} does.

    The file holds one year or a list of years:
    {"year": 2027, "holidays": [{"day": "2027-01-01", "name": "元旦"}, …],
    "makeup_workdays": [{"day": "2027-02-07", "name": "春节调休上班"}, …]}.
    Every year is checked before any is stored; each year is then its own transaction.
    """
    from pydantic import ValidationError

    from services.requests import service
    from services.requests.schemas.units import CalendarYearIn

    settings = get_settings()
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
            service.validate_calendar_year(year, body)
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

    async def load_all(runtime: ServiceRuntime) -> list[object]:
        await service.load_stored_calendar_years(runtime)
        return [await service.put_calendar_year(runtime, _cli_actor(), year, body) for year, body in years]

    try:
        loaded = asyncio.run(_with_requests_runtime(settings, load_all))
    except ProblemError as problem:
        _problem_exit(problem)
    except SQLAlchemyError as exc:
        _missing_schema_exit(exc)
    for out in loaded:
        console.print(
            f"[green]✓[/green] {out.year}: {len(out.holidays)} holidays 放假日, "  # type: ignore[attr-defined]
            f"{len(out.makeup_workdays)} make-up working days 调休上班日 (version {out.version})"  # type: ignore[attr-defined]
        )


async def _with_bus(settings: Settings, work):  # type: ignore[no-untyped-def]
    bus = create_bus(settings.bus_url)
    await bus.start()
    try:
        return await work(bus)
    finally:
        await bus.close()


@app.command("seed-demo")
def seed_demo(
    force: Annotated[bool, typer.Option(help="add another demo set even if applications exist")] = False,
) -> None:
    """Fills the requests database with a realistic demo: a city's units and applications in every
    state (migrating the embedded mode's SQLite file first). Then `gongkai serve` shows them."""
    from services.requests import demo
    from services.requests.service.units import load_stored_calendar_years

    settings = get_settings()
    spec = spec_of("requests")
    url = settings.database_url("requests")
    if is_sqlite_url(url):
        upgrade(spec.name, url, spec.versions_dir, spec.tables.metadata)

    async def work(runtime: ServiceRuntime) -> dict[str, int]:
        await load_stored_calendar_years(runtime)
        return await demo.seed_demo(runtime, force=force)

    try:
        counts = asyncio.run(_with_requests_runtime(settings, work))
    except ProblemError as problem:
        _problem_exit(problem)
    if counts.get("already_present"):
        console.print(
            f"[yellow]{counts['already_present']} applications already there; nothing added (use --force)[/yellow]"
        )
    else:
        console.print(f"[green]✓[/green] {counts['units']} units, {counts['applications']} applications in every state")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
