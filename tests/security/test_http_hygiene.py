"""Issue 8, finding 8: 404 (not 403) for what a caller may not see, attachments that cannot run in
the API's origin, If-Match required in OpenAPI where a 428 answers, and a complete Allow on 405."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.requests.config import get_requests_settings
from tests.requests.applications_support import application_json
from tests.security.support import WORKORDERS, post_signed, secured_api, workorder
from tests.security.support import use_secrets as _use_secrets


@pytest.fixture(autouse=True)
def secrets_and_storage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    _use_secrets(monkeypatch)
    monkeypatch.setenv("GONGKAI_REQUESTS_STORAGE_DIR", str(tmp_path / "files"))
    get_requests_settings.cache_clear()
    yield
    get_requests_settings.cache_clear()


async def test_another_units_work_order_and_attachments_are_404_like_everything_else(database_url: str) -> None:
    async with secured_api(database_url) as a:
        assert (await post_signed(a, WORKORDERS, workorder("GD-U1", "complaint"))).status_code == 201
        staff = a.auth("handler", units=("U001",))
        other = a.auth("handler", units=("U002",))
        created = (await a.client.post("/api/v1/requests", json=application_json(), headers=staff)).json()
        files = f"/api/v1/requests/{created['id']}/attachments"
        uploaded = await a.client.post(files, headers=staff, files={"file": ("a.pdf", b"%PDF-1.7", "application/pdf")})
        assert uploaded.status_code == 201, uploaded.text
        for response in (
            await a.client.get("/api/v1/hotline/workorders/GD-U1", headers=other),
            await a.client.post("/api/v1/hotline/workorders/GD-U1/answer", json={"answer": "x"}, headers=other),
            await a.client.post(files, headers=other, files={"file": ("x.txt", b"x", "text/plain")}),
            await a.client.get(files, headers=other),
            await a.client.get(f"{files}/{uploaded.json()['id']}", headers=other),
        ):
            assert response.status_code == 404, response.text


SERVED_AS = [
    ("text/html", "application/octet-stream"),
    ("image/svg+xml", "application/octet-stream"),
    ("application/javascript", "application/octet-stream"),
    ("text/html; charset=utf-8", "application/octet-stream"),
    ("application/pdf", "application/pdf"),
    ("IMAGE/PNG", "image/png"),
    ("not a media type\x00", "application/octet-stream"),
]


async def test_attachments_are_served_as_octet_stream_unless_allowed_and_never_sniffed(database_url: str) -> None:
    async with secured_api(database_url) as a:
        staff = a.auth("handler", units=("U001",))
        created = (await a.client.post("/api/v1/requests", json=application_json(), headers=staff)).json()
        files = f"/api/v1/requests/{created['id']}/attachments"
        content = b"<script>alert(document.cookie)</script>"
        for uploaded_as, served_as in SERVED_AS:
            r = await a.client.post(files, headers=staff, files={"file": ("a\x00b/../x.html", content, uploaded_as)})
            assert r.status_code == 201, r.text
            assert r.json()["filename"] == "x.html"
            download = await a.client.get(f"{files}/{r.json()['id']}", headers=staff)
            assert download.status_code == 200 and download.content == content
            assert download.headers["content-type"].split(";")[0] == served_as, uploaded_as
            assert download.headers["x-content-type-options"] == "nosniff"
            assert "sandbox" in download.headers["content-security-policy"]
            assert download.headers["content-disposition"].startswith("attachment;")


async def test_if_match_is_required_in_openapi_where_a_428_answers_without_it(database_url: str) -> None:
    async with secured_api(database_url) as a:
        document = (await a.client.get("/openapi.json")).json()
        register = document["paths"]["/api/v1/requests/{application_id}/register"]["post"]
        [if_match] = [p for p in register["parameters"] if p["name"].lower() == "if-match"]
        assert if_match["required"] is True and if_match["schema"]["type"] == "string"
        # A create-or-replace PUT takes it optionally.
        put_unit = document["paths"]["/api/v1/units/{unit_code}"]["put"]
        assert not any(p.get("required") for p in put_unit["parameters"] if p["name"].lower() == "if-match")
        # And the 428 it documents is what a request without it gets.
        staff = a.auth("handler", units=("U001",))
        created = (await a.client.post("/api/v1/requests", json=application_json(), headers=staff)).json()
        r = await a.client.post(f"/api/v1/requests/{created['id']}/register", json={}, headers=staff)
        assert r.status_code == 428


async def test_a_405_lists_every_allowed_method(database_url: str) -> None:
    async with secured_api(database_url) as a:
        r = await a.client.delete("/api/v1/units/U001", headers=a.auth("admin"))
        assert r.status_code == 405
        assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "PUT"}
        assert r.headers["content-type"].startswith("application/problem+json")
