"""``gongkai seed-demo`` fills the embedded mode: applications in every state (requests), this year's
published scheme with a sheet per unit (scoring), an open campaign over every unit (appraisal)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.requests.domain.states import STATES
from shared.settings import SERVICE_NAMES, get_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in SERVICE_NAMES:
        monkeypatch.delenv(f"GONGKAI_{name.upper()}_DATABASE_URL", raising=False)
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_seed_demo_fills_every_service_once(data_dir: Path) -> None:
    first = CliRunner().invoke(app, ["seed-demo"])
    assert first.exit_code == 0, first.output
    with sqlite3.connect(data_dir / "requests.sqlite3") as db:
        states = {row[0] for row in db.execute("SELECT state FROM applications")}
        count = db.execute("SELECT count(*) FROM applications").fetchone()[0]
        units = db.execute("SELECT count(*) FROM units").fetchone()[0]
        overdue = db.execute(
            "SELECT count(*) FROM applications WHERE concluded_on IS NULL AND due_on < date('now')"
        ).fetchone()[0]
    assert states == set(STATES)
    assert units >= 10 and overdue >= 1
    with sqlite3.connect(data_dir / "scoring.sqlite3") as db:
        assert db.execute("SELECT state FROM schemes").fetchall() == [("published",)]
        assert db.execute("SELECT count(*) FROM sheets").fetchone()[0] == units
    with sqlite3.connect(data_dir / "appraisal.sqlite3") as db:
        campaign_state, target_units = db.execute("SELECT state, target_units FROM campaigns").fetchone()
        assert campaign_state == "open" and len(json.loads(target_units)) == units
    again = CliRunner().invoke(app, ["seed-demo"])
    assert again.exit_code == 0 and "nothing added" in again.output
    with sqlite3.connect(data_dir / "requests.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM applications").fetchone()[0] == count
