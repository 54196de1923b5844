"""``gongkai schemes import FILE`` (the shipped example loads as written; a broken one is refused
whole) and evidence attached to an entry through ``shared.storage``."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.scoring.config import get_scoring_settings
from shared.settings import get_settings
from tests.scoring.helpers import EXAMPLE, api

runner = CliRunner()


@pytest.fixture
def scoring_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("GONGKAI_"):
            monkeypatch.delenv(name)
    path = tmp_path / "scoring.sqlite3"
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GONGKAI_SCORING_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    get_settings.cache_clear()
    result = runner.invoke(app, ["migrate", "scoring"])
    assert result.exit_code == 0, result.output
    yield path
    get_settings.cache_clear()


def test_schemes_import_loads_the_shipped_example(scoring_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["schemes", "import", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "A (10 units), B (35 units)" in result.output
    with sqlite3.connect(scoring_file) as connection:
        assert connection.execute("SELECT year, state FROM schemes").fetchall() == [(2023, "draft")]
        assert connection.execute("SELECT count(*) FROM audit_log WHERE entity_type = 'scheme'").fetchone() == (1,)
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("max_points: 6\n", "max_points: 7\n", 1), encoding="utf-8"
    )
    refused = runner.invoke(app, ["schemes", "import", str(broken)])
    assert refused.exit_code == 1 and "类别 A" in refused.output and "101" in refused.output
    with sqlite3.connect(scoring_file) as connection:
        assert connection.execute("SELECT count(*) FROM schemes").fetchone() == (1,)


async def test_evidence_is_attached_to_an_entry_and_read_back(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGKAI_SCORING_STORAGE_DIR", str(tmp_path / "files"))
    get_scoring_settings.cache_clear()
    try:
        async with api(database_url) as a:
            scheme = await a.publish(await a.import_scheme())
            sheet_id = (await a.sheets(scheme["id"]))["A01"]
            entry = (await a.entry(sheet_id, indicator="A2.1.2", occurrences=1, evidence="年报超期发布")).json()
            url = f"/api/v1/sheets/{sheet_id}/entries/{entry['id']}/attachments"
            upload = await a.client.post(
                url, files={"file": ("截图.png", b"\x89PNG...", "image/png")}, headers=a.assessor
            )
            assert upload.status_code == 201, upload.text
            attachment = upload.json()
            # The unit reads its sheet with the evidence, and downloads it.
            sheet = await a.sheet(sheet_id, a.staff("A01"))
            [listed] = [e for e in sheet["entries"] if e["id"] == entry["id"]]
            assert listed["evidence"] == "年报超期发布" and listed["attachments"] == [attachment]
            download = await a.client.get(f"{url}/{attachment['id']}", headers=a.staff("A01"))
            assert download.status_code == 200 and download.content == b"\x89PNG..."
            # …but cannot add evidence to the assessors' entry, nor see another unit's.
            assert (
                await a.client.post(url, files={"file": ("x.txt", b"x", "text/plain")}, headers=a.staff("A01"))
            ).status_code == 403
            assert (await a.client.get(f"{url}/{attachment['id']}", headers=a.staff("A02"))).status_code == 404
    finally:
        get_scoring_settings.cache_clear()
