"""Attachments: the reply letter and released files, on local disk behind the storage interface."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.requests.config import get_requests_settings
from shared.storage import LocalStorage
from tests.requests.helpers import api

UNIT = {"name": "市财政局", "kind": "department", "region": "130400", "contacts": []}
APPLICATION = {
    "unit_code": "U001",
    "channel": "in_person",
    "applicant": {"type": "natural_person", "name": "张三"},
    "description": "2026年度部门预算",
    "delivery": {"format": "paper", "method": "pickup"},
}


@pytest.fixture(autouse=True)
def storage_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GONGKAI_REQUESTS_STORAGE_DIR", str(tmp_path / "files"))
    get_requests_settings.cache_clear()
    yield tmp_path / "files"
    get_requests_settings.cache_clear()


async def test_the_unit_uploads_a_reply_letter_and_readers_download_it(database_url: str, storage_dir: Path) -> None:
    async with api(database_url) as a:
        office = a.auth("office")
        await a.client.put("/api/v1/units/U001", json=UNIT, headers=office)
        staff = a.auth("handler", units=("U001",))
        created = (await a.client.post("/api/v1/requests", json=APPLICATION, headers=staff)).json()
        path = f"/api/v1/requests/{created['id']}/attachments"
        letter = "政府信息公开申请答复告知书".encode()
        response = await a.client.post(
            path, headers=staff, data={"kind": "reply_letter"}, files={"file": ("答复告知书.txt", letter, "text/plain")}
        )
        assert response.status_code == 201, response.text
        attachment = response.json()
        assert attachment["size"] == len(letter) and attachment["kind"] == "reply_letter"
        assert [a["id"] for a in (await a.client.get(path, headers=office)).json()] == [attachment["id"]]
        download = await a.client.get(f"{path}/{attachment['id']}", headers=office)
        assert download.status_code == 200 and download.content == letter
        assert "filename*=UTF-8''" in download.headers["content-disposition"]
        assert any(storage_dir.rglob(attachment["id"])), "stored on local disk"

        other_unit = a.auth("handler", units=("U999",))
        refused = await a.client.post(path, headers=other_unit, files={"file": ("x.txt", b"x", "text/plain")})
        assert refused.status_code == 404  # another unit's application: as if there were none (issue 8)
        assert (await a.client.get(f"{path}/{attachment['id']}", headers=other_unit)).status_code == 404
        assessor = a.auth("assessor")  # reads every unit, acts on none
        refused = await a.client.post(path, headers=assessor, files={"file": ("x.txt", b"x", "text/plain")})
        assert refused.status_code == 403
        bad_kind = await a.client.post(
            path, headers=staff, data={"kind": "poem"}, files={"file": ("x.txt", b"x", "text/plain")}
        )
        assert bad_kind.status_code == 422 and bad_kind.json()["code"] == "attachment_kind_invalid"
        missing = await a.client.get(f"{path}/nope", headers=office)
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


async def test_local_storage_refuses_keys_that_escape_its_directory(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    for key in ("../etc/passwd", "/abs", "a/../../b", ""):
        with pytest.raises(ValueError):
            await storage.put(key, b"x")
    await storage.put("a/b", b"data")
    assert await storage.get("a/b") == b"data"
