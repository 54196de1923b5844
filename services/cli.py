"""``gongkai`` — the operator's command (DESIGN §2)."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import httpx
import typer
import uvicorn
from rich.progress import track
from rich.table import Table

from services.embedded import all_specs, create_app, spec_of
from services.gateway import create_gateway
from shared.app import build_app
from shared.auth import ROLES, mint_dev_token
from shared.bus import Bus, create_bus
from shared.cli import console, errors
from shared.migrations import alembic_config, upgrade
from shared.observability import configure_logging
from shared.settings import SERVICE_NAMES, Settings, get_settings

T = TypeVar("T")

app = typer.Typer(help="Gongkai 公开 — operator's command.", no_args_is_help=True, add_completion=False)
dead_letters = typer.Typer(
    help="List or replay a service's dead letters (gongkai.<service>.dead).", no_args_is_help=True
)
app.add_typer(dead_letters, name="dead-letters")

ServiceArg = Annotated[str, typer.Argument(help=f"one of: {', '.join(SERVICE_NAMES)}")]


def _check_service(name: str) -> str:
    if name not in SERVICE_NAMES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICE_NAMES)}")
    return name


def _run(app_factory_result: object, host: str, port: int, settings: Settings) -> None:
    configure_logging(settings.log_level, json_output=settings.log_json)
    # What the imports and the app built (modules, routes, validators: most of the heap) never
    # becomes garbage: out of the collector's sight, a full collection no longer walks it and
    # stops every request in flight for ~100 ms (the appraisal intake's p99, docs/appraisal.md).
    gc.freeze()
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
def gateway(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
) -> None:
    """One origin for the five services run apart (GONGKAI_<SERVICE>_URL), with merged /docs."""
    settings = get_settings()
    _run(create_gateway(settings), host, port, settings)


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


async def _with_bus(settings: Settings, work: Callable[[Bus], Awaitable[T]]) -> T:
    bus = create_bus(settings.bus_url)
    await bus.start()
    try:
        return await work(bus)
    finally:
        await bus.close()


@app.command("seed-demo")
def seed_demo(
    force: Annotated[bool, typer.Option(help="add another set of demo applications even if some exist")] = False,
) -> None:
    """Fills every service with a realistic demo (services/demo.py): a city's units and a month of
    applications in every state, this year's published appraisal scheme, an open public-appraisal
    campaign. Adds nothing where demo data is already there. Then `gongkai serve` shows them."""
    from services.demo import SKIPPED
    from services.demo import seed_demo as seed

    settings = get_settings()
    results = asyncio.run(seed(settings, force=force))
    for service, made in results.items():
        if made == SKIPPED:
            console.print(
                f"[yellow]{service}: skipped — its replica of the units directory is not filled yet "
                "(are the services running?); run `gongkai seed-demo` again once they are[/yellow]"
            )
        elif isinstance(made, dict) and made.get("already_present"):
            console.print(f"[yellow]{service}: {made['already_present']} already there; nothing added[/yellow]")
        else:
            console.print(f"[green]✓[/green] {service}: " + ", ".join(f"{v} {k}" for k, v in made.items()))


# Each service's own commands (``ServiceSpec.cli``): ``gongkai units import``, ``gongkai seed-demo`` …
for _spec in all_specs():
    if _spec.cli is not None:
        app.add_typer(_spec.cli)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
