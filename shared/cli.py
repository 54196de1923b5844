"""What every service's ``gongkai`` sub-commands (``ServiceSpec.cli``) share: the operator as a
principal, a runtime without relay or consumer, and problems printed for a terminal."""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from shared.auth import Principal
from shared.bus import create_bus
from shared.clock import Clock
from shared.errors import ProblemError
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import Settings

R = TypeVar("R")
T = TypeVar("T")

console = Console()
errors = Console(stderr=True)


def cli_actor() -> Principal:
    """The operator running the command: an admin, named after the system user in audit entries."""
    user = getpass.getuser() if hasattr(getpass, "getuser") else "operator"
    return Principal(
        sub=f"cli:{user}", name=f"gongkai CLI ({user})", roles=frozenset({"admin"}), unit_codes=frozenset()
    )


def cli_runtime(spec: ServiceSpec[R], settings: Settings) -> ServiceRuntime[R]:
    """The service's runtime against its database, without relay or consumer: the events a use
    case writes wait in the outbox for the service's own relay. The caller stops it."""
    return ServiceRuntime(spec, settings, clock=Clock(), bus=create_bus("memory://gongkai-cli"))


async def with_runtime(
    spec: ServiceSpec[R], settings: Settings, work: Callable[[ServiceRuntime[R]], Awaitable[T]]
) -> T:
    """``work`` on the service's :func:`cli_runtime`, stopped afterwards."""
    runtime = cli_runtime(spec, settings)
    try:
        return await work(runtime)
    finally:
        await runtime.stop()


def problem_exit(problem: ProblemError) -> NoReturn:
    """Prints a problem (and its per-row ``errors``, if any) and exits with status 1."""
    errors.print(f"[red]{problem.title}[/red]" + (f": {problem.detail}" if problem.detail else ""))
    rows = problem.extensions.get("errors") or []
    if rows:
        table = Table("row 行", "field 列", "message 说明", title="errors 错误")
        for row in rows:
            table.add_row(str(row.get("row", "")), str(row.get("field", "")), str(row.get("message", "")))
        errors.print(table)
    raise typer.Exit(1)


def missing_schema_exit(service: str, exc: Exception) -> NoReturn:
    errors.print(
        f"[red]the {service} database is not ready ({type(exc).__name__}); run `gongkai migrate {service}` first[/red]"
    )
    raise typer.Exit(1)
