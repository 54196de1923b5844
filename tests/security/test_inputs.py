"""Issue 8, finding 7: inputs that gave a 500 — each a 4xx problem now, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from shared.pagination import encode_cursor
from tests.security.support import UNIT, WORKORDERS, post_signed, secured_api, signed_headers, workorder
from tests.security.support import use_secrets as _use_secrets


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _use_secrets(monkeypatch)
    yield


def assert_4xx_problem(response: object, status: int | None = None, code: str | None = None) -> None:
    assert 400 <= response.status_code < 500, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert not body["title"].isascii()
    if status is not None:
        assert response.status_code == status, response.text  # type: ignore[attr-defined]
    if code is not None:
        assert body["code"] == code


NUL_URLS = [
    "/api/v1/units?q=a%00b",
    "/api/v1/units?region=11%000",
    "/api/v1/hotline/workorders?unit_code=U0%001",
    "/api/v1/units/U%0001",
    "/api/v1/requests?q=%00",
    "/api/v1/units?%00=1",
]


async def test_a_nul_in_a_query_parameter_or_the_path_is_400(database_url: str) -> None:
    async with secured_api(database_url) as a:
        for url in NUL_URLS:
            assert_4xx_problem(await a.client.get(url, headers=a.auth("office")), 400, "invalid_characters")


CURSORS = [
    encode_cursor(["2026-09-25T00:00:00+00:00", "GD\x001"]),
    encode_cursor(["9999-12-31T23:00:00-14:00", "GD1"]),  # overflows when converted to UTC
    encode_cursor(["0001-01-01T00:30:00+14:00", "GD1"]),
    encode_cursor(["2026-09-25T00:00:00+00:00", 7]),  # not a string
    encode_cursor(["2026-09-25T00:00:00", "GD1"]),  # naive
    encode_cursor(["2026-09-25T00:00:00+00:00", ["GD1"]]),
    "WyJcdWQ4MDAiLCAiR0QxIl0",  # ["\ud800", "GD1"]: a lone surrogate
]


async def test_a_work_order_cursor_that_is_not_ours_is_400(database_url: str) -> None:
    async with secured_api(database_url) as a:
        for cursor in CURSORS:
            r = await a.client.get("/api/v1/hotline/workorders", params={"cursor": cursor}, headers=a.auth("office"))
            assert_4xx_problem(r, 400, "invalid_cursor")


async def test_nul_and_lone_surrogates_in_json_strings_are_400(database_url: str) -> None:
    async with secured_api(database_url) as a:
        office = {**a.auth("office"), "Content-Type": "application/json"}
        for name in ('"a\\u0000b"', '"\\ud800"', '"\\udc00x"', '"\\ud83d\\u0041"'):
            body = json.dumps({**UNIT, "name": "X"}).replace('"X"', name)
            r = await a.client.put("/api/v1/units/U003", content=body, headers=office)
            assert_4xx_problem(r, 400, "invalid_characters")
        # A surrogate pair (an emoji) and an escaped backslash before "u0000" are ordinary text.
        fine = json.dumps({**UNIT, "name": "X"}).replace('"X"', '"\\ud83d\\ude00 a\\\\u0000"')
        r = await a.client.put("/api/v1/units/U004", content=fine, headers=office)
        assert r.status_code == 201, r.text
        assert r.json()["name"] == "\U0001f600 a\\u0000"


async def test_a_signed_complaint_with_a_nul_in_its_content_is_400(database_url: str) -> None:
    async with secured_api(database_url) as a:
        body = json.dumps(workorder("GD-NUL", "complaint", content="网站\u0000未更新")).encode()
        assert b"\\u0000" in body
        r = await a.client.post(WORKORDERS, content=body, headers=signed_headers(body))
        assert_4xx_problem(r, 400, "invalid_characters")
        assert await a.events("hotline.complaint_received") == []


async def test_a_signed_body_nested_a_thousand_deep_is_400(database_url: str) -> None:
    async with secured_api(database_url) as a:
        nested = b"[" * 1000 + b"]" * 1000
        body = json.dumps(workorder("GD-DEEP", "complaint", extra="X")).encode().replace(b'"X"', nested)
        r = await a.client.post(WORKORDERS, content=body, headers=signed_headers(body))
        assert_4xx_problem(r, 400, "json_too_deep")
        # Also as text/plain, which the middleware does not read: the route's own check answers.
        r = await a.client.post(
            WORKORDERS, content=body, headers={**signed_headers(body), "Content-Type": "text/plain"}
        )
        assert_4xx_problem(r, 415)


async def test_the_dev_clock_at_year_9999_or_0001_is_422(database_url: str) -> None:
    async with secured_api(database_url) as a:
        for now in ("9999-12-31T23:00:00-14:00", "0001-01-01T00:00:00", "0001-01-01T00:30:00+08:00"):
            r = await a.client.put("/api/v1/_dev/clock", json={"now": now}, headers=a.auth("admin"))
            assert_4xx_problem(r, 422)
            assert a.runtime.clock.today().isoformat() == "2026-09-25"


async def test_a_sweep_outside_the_calendar_is_422_and_emits_nothing(database_url: str) -> None:
    async with secured_api(database_url) as a:
        # An open work order that any sweep would call unanswered.
        r = await post_signed(a, WORKORDERS, workorder("GD-OPEN", "complaint", due_at="2026-09-25T08:45:00+08:00"))
        assert r.status_code == 201, r.text
        for today in ("9999-12-31", "0001-01-01", "2003-12-31", "2099-06-01"):
            r = await a.client.post(
                "/api/v1/admin/requests/sweeps/deadlines", json={"today": today}, headers=a.auth("admin")
            )
            assert_4xx_problem(r, 422, "sweep_date_outside_calendar")
        assert await a.events("hotline.workorder_unanswered") == []
