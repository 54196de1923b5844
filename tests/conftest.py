"""Fixtures for the whole suite; what they are built from is in ``tests/support.py``.

Run hygiene (issue 9): ``make test`` ends when its tests end and leaves nothing behind.

* Every test builds FastAPI apps; FastAPI's own ``lru_cache``s of dependency callables (4,096
  entries each) kept the last ~80 apps of the session alive, with their routes and pydantic
  validators — about 1.2 GB at the end of the suite, which pytest's five closing ``gc.collect()``
  passes then walked for about two minutes after the summary. Clearing those caches after each
  test lets each app go with its test (:func:`_release_apps`).
* The PostgreSQL databases the session made are dropped when it ends (:func:`pytest_sessionfinish`).
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator

import pytest

from tests.support import MigratedDatabase, database_fixture, drop_created_databases, migrate_foundation

# A migrated database with only the foundation tables, empty, on each backend in turn. A service's
# tests override it with that service's own migrations (tests/requests/conftest.py).
database_url = database_fixture(MigratedDatabase("foundation", migrate_foundation))


def _release_fastapi_caches() -> None:
    """FastAPI memoizes, per callable, whether a dependency is a coroutine or a generator (private
    ``lru_cache``s in ``fastapi.dependencies.models``); their keys hold the app's route closures."""
    models = sys.modules.get("fastapi.dependencies.models")
    for value in vars(models).values() if models is not None else ():
        if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
            value.cache_clear()


@pytest.fixture(autouse=True)
def _release_apps() -> Iterator[None]:
    yield
    _release_fastapi_caches()


def pytest_sessionfinish(session: pytest.Session) -> None:
    _release_fastapi_caches()
    gc.collect()
    try:
        dropped = asyncio.run(drop_created_databases())
    except OSError as exc:  # PostgreSQL gone: nothing of ours can be left on it either
        dropped = []
        session.config.get_terminal_writer().line(f"test databases not dropped: {exc}")
    if dropped and session.config.option.verbose >= 0:
        session.config.get_terminal_writer().line(f"dropped {len(dropped)} test databases: {', '.join(dropped)}")
