"""The operator's command, ``gongkai`` (DESIGN §2): dev tokens and migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from shared.auth import TokenVerifier
from shared.settings import SERVICE_NAMES, get_settings
from tests.foundation import head_revision

runner = CliRunner()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The command reads the environment through the cached get_settings(): start each test
    from nothing but a data directory of its own, and leave no cached settings behind."""
    for name in list(os.environ):
        if name.startswith("GONGKAI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_token_prints_a_jwt_the_verifier_accepts() -> None:
    result = runner.invoke(app, ["token", "--role", "office", "--sub", "clerk-1", "--unit", "U001"])

    assert result.exit_code == 0, result.output
    principal = TokenVerifier(get_settings()).verify(result.stdout.strip())
    assert principal.roles == {"office"}
    assert principal.sub == "clerk-1"
    assert principal.unit_codes == {"U001"}


def test_token_with_an_unknown_role_fails() -> None:
    result = runner.invoke(app, ["token", "--role", "nonsense"])

    assert result.exit_code != 0
    assert "nonsense" in result.output


def test_token_is_refused_in_prod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_ENV", "prod")
    monkeypatch.setenv("GONGKAI_JWT_SECRET", "a-private-secret-for-the-prod-tests-0123456789")
    get_settings.cache_clear()

    result = runner.invoke(app, ["token", "--role", "admin"])

    assert result.exit_code != 0
    assert "prod" in result.output
    assert "eyJ" not in result.output, "no token may be printed"


def test_migrate_upgrades_every_service_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    files = {name: tmp_path / "dbs" / f"{name}.sqlite3" for name in SERVICE_NAMES}
    for name, path in files.items():
        monkeypatch.setenv(f"GONGKAI_{name.upper()}_DATABASE_URL", f"sqlite+aiosqlite:///{path}")

    result = runner.invoke(app, ["migrate"])

    assert result.exit_code == 0, result.output
    for name, path in files.items():
        with sqlite3.connect(path) as connection:
            assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(name),)]
    assert not (tmp_path / "var").exists(), "the explicit URLs, not the data directory, were used"


def test_migrate_one_service_touches_only_its_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate", "scoring"])

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "var").glob("*.sqlite3")) == ["scoring.sqlite3"]


def test_migrate_an_unknown_service_fails_with_a_clear_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate", "nosuch"])

    assert result.exit_code != 0
    assert "unknown service 'nosuch'" in result.output
    assert "requests" in result.output  # it names the services that exist
    assert not (tmp_path / "var").exists()
