"""The scoring service's ``gongkai`` commands (``SPEC.cli``): ``schemes import FILE``. Each opens its
transaction and calls the same use case as the API (``POST /api/v1/schemes``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from services.scoring.config import Ctx
from services.scoring.schemas.schemes import SchemeOut
from services.scoring.service import schemes
from shared.cli import cli_actor, console, missing_schema_exit, problem_exit, with_runtime
from shared.domain import DomainError
from shared.errors import ProblemError
from shared.settings import get_settings

cli = typer.Typer(no_args_is_help=True)
schemes_app = typer.Typer(help="Appraisal schemes (考核方案) of the scoring service.", no_args_is_help=True)
cli.add_typer(schemes_app, name="schemes")

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="a .yaml/.yml or .json scheme")
]


@schemes_app.command("import")
def schemes_import(file: FileArg) -> None:
    """Imports a scheme document (YAML or JSON, see GET /api/v1/schemes/json-schema) as a draft;
    refused whole, naming the place, when it does not validate (e.g. leaves not adding up)."""
    from services.scoring.app import SPEC  # app.py declares this module's commands on the spec

    content_type = "application/json" if file.suffix.lower() == ".json" else "application/yaml"

    async def work(runtime: Ctx) -> SchemeOut:
        document = schemes.parse_document(file.read_bytes(), content_type)
        async with runtime.transaction() as session:
            return await schemes.create_scheme(session, runtime, cli_actor(), document)

    try:
        out = asyncio.run(with_runtime(SPEC, get_settings(), work))
    except DomainError as exc:
        problem_exit(ProblemError(exc.status, exc.code, exc.title, exc.detail, **exc.extensions))
    except ProblemError as exc:
        problem_exit(exc)
    except SQLAlchemyError as exc:
        missing_schema_exit("scoring", exc)
    categories = ", ".join(f"{c.code} ({c.units} units)" for c in out.categories)
    console.print(f"imported scheme {out.id}: {out.year} {out.name} — draft; categories {categories}")
    console.print(f'publish it with POST /api/v1/schemes/{out.id}/publish (If-Match: "{out.version}")')
