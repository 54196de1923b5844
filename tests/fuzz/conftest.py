"""Databases of every fuzzed service, migrated, on SQLite and PostgreSQL in turn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.requests.config import get_requests_settings
from tests.fuzz.support import fuzzed_databases


@pytest.fixture(autouse=True)
def attachment_storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_REQUESTS_STORAGE_DIR", str(tmp_path / "files"))
    get_requests_settings.cache_clear()


@pytest.fixture(params=["sqlite", "postgres"])
async def service_urls(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    async for urls in fuzzed_databases(request.param, tmp_path_factory, tmp_path):
        yield urls
