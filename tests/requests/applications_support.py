"""Shared helpers of the applications API tests (test_applications_*.py).

A :class:`Desk` is a clerk's desk in front of the API: it remembers each application's ETag from
the last response, so a test reads like the clerk's day (``await desk.act(app_id, "assign", …)``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.requests.helpers import Api

SH = ZoneInfo("Asia/Shanghai")
ID_NUMBER = "110101199003071234"
MASKED = "11************1234"  # shared.crypto.mask_identity_number (issue 8: at most a third shown)


def at(y: int, m: int, d: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=SH)


def unit_json(name: str = "市财政局") -> dict[str, Any]:
    return {"name": name, "kind": "department", "region": "130400", "contacts": []}


def application_json(unit: str = "U001", channel: str = "in_person", **overrides: Any) -> dict[str, Any]:
    applicant = {
        "type": "natural_person",
        "name": "张三",
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "phone": "010-12345678",
        "email": "zs@example.com",
    }
    applicant.update(overrides.pop("applicant", {}))
    body: dict[str, Any] = {
        "unit_code": unit,
        "channel": channel,
        "applicant": applicant,
        "description": "2026年度部门预算及其执行情况",
        "delivery": {"format": "electronic", "method": "email"},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class Desk:
    def __init__(self, a: Api, headers: dict[str, str]) -> None:
        self.a = a
        self.headers = headers
        self.etags: dict[str, str] = {}

    @property
    def client(self) -> httpx.AsyncClient:
        return self.a.client

    def today(self, day: date, hour: int = 10) -> None:
        """Sets the service clock (frozen) to ``day`` in Shanghai."""
        self.a.runtime.clock.set(at(day.year, day.month, day.day, hour), frozen=True)

    async def create(
        self, unit: str = "U001", channel: str = "in_person", *, headers: dict[str, str] | None = None, **overrides: Any
    ) -> dict[str, Any]:
        r = await self.client.post(
            "/api/v1/requests",
            json=application_json(unit, channel, **overrides),
            headers=self.headers if headers is None else headers,
        )
        assert r.status_code == 201, r.text
        out = r.json()
        self.etags[out["id"]] = r.headers["etag"]
        return out

    async def post(
        self,
        app_id: str,
        action: str,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        if_match: str | None = "auto",
    ) -> httpx.Response:
        """POST /requests/{id}/{action} with the remembered ETag (``if_match=None`` sends none)."""
        h = dict(self.headers if headers is None else headers)
        if if_match == "auto":
            h["If-Match"] = self.etags.get(app_id, '"1"')
        elif if_match is not None:
            h["If-Match"] = if_match
        r = await self.client.post(f"/api/v1/requests/{app_id}/{action}", json=body or {}, headers=h)
        if r.status_code < 300:
            if "etag" in r.headers:
                self.etags[app_id] = r.headers["etag"]
            else:
                await self.get(app_id)
        return r

    async def act(self, app_id: str, action: str, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        r = await self.post(app_id, action, body, **kw)
        assert r.status_code in (200, 201), f"{action}: {r.status_code} {r.text}"
        return r.json()

    async def get(self, app_id: str, *, headers: dict[str, str] | None = None) -> dict[str, Any]:
        r = await self.client.get(f"/api/v1/requests/{app_id}", headers=self.headers if headers is None else headers)
        assert r.status_code == 200, r.text
        self.etags[app_id] = r.headers["etag"]
        return r.json()

    async def deadline(self, app_id: str) -> dict[str, Any]:
        r = await self.client.get(f"/api/v1/requests/{app_id}/deadline", headers=self.headers)
        assert r.status_code == 200, r.text
        return r.json()

    async def to_in_progress(self, app_id: str, on: date | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"handler_id": "clerk-1", "handler_name": "李四"}
        if on is not None:
            body["on"] = on.isoformat()
        return await self.act(app_id, "assign", body)


async def open_desk(
    a: Api, day: date, units: tuple[str, ...] = ("U001",), *, role: str = "handler", sub: str = "clerk-1"
) -> Desk:
    """Units created by the office, the clock frozen on ``day``, a desk of ``role`` for ``units``."""
    a.runtime.clock.set(at(day.year, day.month, day.day, 10), frozen=True)
    office = a.auth("office", sub="office-1")
    for code in units:
        r = await a.client.put(f"/api/v1/units/{code}", json=unit_json(f"单位{code}"), headers=office)
        assert r.status_code in (200, 201), r.text
    return Desk(a, a.auth(role, units=units, sub=sub))


def problem(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Asserts ``r`` is a problem+json with ``status`` (and ``code``)."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text}"
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    body = r.json()
    if code is not None:
        assert body["code"] == code, body
    return body
