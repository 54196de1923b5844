"""The fuzz stage (issue 8): every service listed here is fuzzed — the four services being built
inherit the stage by being listed; a service with no endpoints yet contributes nothing.

Two fuzzers, each on SQLite and PostgreSQL, neither may ever get a 5xx:

- ``test_schemathesis.py``: schemathesis (a library, pinned) generates requests from the embedded
  app's OpenAPI, a bounded number per operation, derandomized (the same run every time), sent with
  the tokens of three roles in turn;
- ``test_hostile_queries.py``: a hypothesis strategy of hostile values — NUL characters, lone
  surrogates, datetimes in year 9999 / 0001 with ±14:00 offsets, integers far past 64 bits, and
  cursors carrying all of them — put into every query parameter of every GET operation.

``GONGKAI_FUZZ_EXAMPLES`` raises the bound for a deeper run (the default keeps CI fast).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from services.embedded import spec_of
from shared.app import build_app
from shared.auth import mint_dev_token
from shared.settings import Settings
from tests.support import MigratedDatabase, make_settings, migrate

# Every service of the platform, fuzzed alike (DESIGN §1).
FUZZED_SERVICES: tuple[str, ...] = ("requests", "scoring", "appraisal", "accountability", "notifier")
EXAMPLES = int(os.environ.get("GONGKAI_FUZZ_EXAMPLES", "2"))
UNIT = "U001"

DATABASES = {
    name: MigratedDatabase(f"fuzz_{name}", lambda url, n=name: migrate(spec_of(n), url)) for name in FUZZED_SERVICES
}


@dataclass(frozen=True)
class Fuzzed:
    app: FastAPI
    settings: Settings
    tokens: dict[str, dict[str, str]]


def role_tokens(settings: Settings) -> dict[str, dict[str, str]]:
    """Three roles: the office (sees every unit), a unit's handler, an applicant."""
    claims: dict[str, dict[str, Any]] = {
        "office": {"roles": ["office"]},
        "handler": {"roles": ["handler"], "unit_codes": [UNIT]},
        "applicant": {"roles": ["applicant"]},
    }
    return {
        role: {"Authorization": f"Bearer {mint_dev_token(settings, sub=f'fuzz-{role}', **c)}"}
        for role, c in claims.items()
    }


async def fuzzed_databases(
    backend: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    urls: dict[str, str] = {}
    managers = [(name, DATABASES[name].fresh(backend, tmp_path_factory, tmp_path)) for name in FUZZED_SERVICES]
    try:
        for name, manager in managers:
            urls[name] = await manager.__aenter__()
        yield urls
    finally:
        for _name, manager in reversed(managers):
            await manager.__aexit__(None, None, None)


def fuzzed_app(urls: dict[str, str]) -> Fuzzed:
    settings = make_settings(
        **{f"{name}_database_url": url for name, url in urls.items()},
        run_background_jobs=False,
        database_statement_timeout_seconds=10,
    )
    app = build_app([spec_of(name) for name in FUZZED_SERVICES], settings)
    return Fuzzed(app, settings, role_tokens(settings))
