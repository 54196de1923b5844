"""``gongkai units import FILE`` and ``gongkai calendar load FILE`` against a SQLite database:
the same use cases as the API (state, audit entry and outbox events in one transaction)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from shared.settings import get_settings

runner = CliRunner()


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("GONGKAI_"):
            monkeypatch.delenv(name)
    path = tmp_path / "requests.sqlite3"
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GONGKAI_REQUESTS_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    get_settings.cache_clear()
    result = runner.invoke(app, ["migrate", "requests"])
    assert result.exit_code == 0, result.output
    yield path
    get_settings.cache_clear()


def query(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def test_units_import(database: Path, tmp_path: Path) -> None:
    file = tmp_path / "单位.csv"
    file.write_bytes(
        "单位代码,单位名称,单位类型,上级单位代码,行政区划,联系人\n"
        "EDU,某县教育局,部门,GOV,110101,李四\n"
        "GOV,某县人民政府,政府,,110101,王五\n".encode("gb18030")
    )
    result = runner.invoke(app, ["units", "import", str(file)])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    assert query(database, "SELECT unit_code, parent_code, kind FROM units ORDER BY unit_code") == [
        ("EDU", "GOV", "department"),
        ("GOV", None, "government"),
    ]
    assert query(database, "SELECT count(*) FROM outbox WHERE type = 'unit.upserted'") == [(2,)]
    assert query(database, "SELECT count(*) FROM audit_log WHERE entity_type = 'unit'") == [(2,)]

    again = runner.invoke(app, ["units", "import", str(file)])
    assert again.exit_code == 0 and "2 unchanged" in again.output


def test_units_import_lists_row_errors_and_stores_nothing(database: Path, tmp_path: Path) -> None:
    file = tmp_path / "units.csv"
    file.write_text("unit_code,name,kind,region\nA,甲,other,110101\nB,乙,部委,110101\n", encoding="utf-8")
    result = runner.invoke(app, ["units", "import", str(file)])
    assert result.exit_code == 1
    assert "kind" in result.output and "3" in result.output
    assert query(database, "SELECT count(*) FROM units") == [(0,)]


def test_calendar_load_one_year_and_a_list(database: Path, tmp_path: Path) -> None:
    one = tmp_path / "2027.json"
    one.write_text(
        json.dumps(
            {
                "year": 2027,
                "holidays": [{"day": "2027-01-01", "name": "元旦"}],
                "makeup_workdays": [{"day": "2027-02-14", "name": "春节调休上班"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["calendar", "load", str(one)])
    assert result.exit_code == 0, result.output
    assert "2027" in result.output
    assert query(database, "SELECT year, version FROM calendar_years") == [(2027, 1)]
    assert query(database, "SELECT count(*) FROM outbox WHERE type = 'calendar.updated'") == [(1,)]

    several = tmp_path / "years.json"
    several.write_text(
        json.dumps(
            [
                {
                    "year": 2027,
                    "holidays": [{"day": "2027-01-01", "name": "元旦"}, {"day": "2027-01-02", "name": "元旦"}],
                },
                {"year": 2028, "holidays": [{"day": "2028-01-01", "name": "元旦"}]},
            ]
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["calendar", "load", str(several)])
    assert result.exit_code == 0, result.output
    assert query(database, "SELECT year, version FROM calendar_years ORDER BY year") == [(2027, 2), (2028, 1)]
    assert query(database, "SELECT count(*) FROM outbox WHERE type = 'calendar.updated'") == [(3,)]


def test_calendar_load_refuses_an_invalid_file_whole(database: Path, tmp_path: Path) -> None:
    file = tmp_path / "bad.json"
    file.write_text(
        json.dumps(
            [
                {"year": 2028, "holidays": [{"day": "2028-01-01", "name": "元旦"}]},
                {"year": 2027, "holidays": [], "makeup_workdays": [{"day": "2027-02-12", "name": "调休"}]},
            ]
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["calendar", "load", str(file)])
    assert result.exit_code == 1
    assert "2027-02-12" in result.output
    assert query(database, "SELECT count(*) FROM calendar_years") == [(0,)]


def test_reference_republish(database: Path, tmp_path: Path) -> None:
    """``gongkai reference republish``: every unit and every loaded year into the outbox again, at
    the version it stands at, with one audit entry; the rows themselves are untouched."""
    units = tmp_path / "units.csv"
    units.write_text(
        "unit_code,name,kind,parent_code,region,contact_name,role\n"
        "GOV,某县人民政府,government,,110101,王五,principal_leader\n"
        "EDU,某县教育局,department,GOV,110101,,\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["units", "import", str(units)]).exit_code == 0
    year = tmp_path / "2027.json"
    year.write_text(json.dumps({"year": 2027, "holidays": [{"day": "2027-01-01", "name": "元旦"}]}), encoding="utf-8")
    assert runner.invoke(app, ["calendar", "load", str(year)]).exit_code == 0
    before = query(database, "SELECT unit_code, version, updated_at FROM units ORDER BY unit_code")

    result = runner.invoke(app, ["reference", "republish"])
    assert result.exit_code == 0, result.output
    assert "2 units" in result.output and "2027" in result.output
    payloads = [json.loads(p) for (p,) in query(database, "SELECT payload FROM outbox ORDER BY seq")]
    republished = payloads[3:]
    assert [(e["type"], e["subject"], e["data"]["version"]) for e in republished] == [
        ("unit.upserted", "EDU", 1),
        ("unit.upserted", "GOV", 1),
        ("calendar.updated", "2027", 1),
    ]
    # The same data as first published, under new ids.
    assert republished[1]["data"] == payloads[1 if payloads[1]["subject"] == "GOV" else 0]["data"]
    assert republished[1]["data"]["contacts"][0]["role"] == "principal_leader"
    assert {e["id"] for e in republished}.isdisjoint(e["id"] for e in payloads[:3])
    assert query(database, "SELECT unit_code, version, updated_at FROM units ORDER BY unit_code") == before
    assert query(database, "SELECT action, entity_id FROM audit_log WHERE entity_type = 'reference_data'") == [
        ("reference.republished", "requests")
    ]
