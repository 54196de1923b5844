"""What the security tests (issue 8) share: a requests app with known integration secrets and two
units, signed posts (timestamped by the wall clock, as a real sender's), and a dump of every table."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from services.requests.app import create_app
from services.requests.config import get_requests_settings
from shared.settings import Settings
from shared.signing import sign
from tests.foundation import serving
from tests.requests.helpers import Api
from tests.support import make_settings

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 25, 9, 0, tzinfo=SH)  # a Friday
HOTLINE, PROVINCIAL = "hotline-secret-for-the-security-tests", "provincial-secret-for-the-security-tests"
WORKORDERS = "/api/v1/integrations/hotline/workorders"
PROVINCIAL_PATH = "/api/v1/integrations/provincial/applications"
UNIT = {"name": "市财政局", "kind": "department", "region": "130400", "contacts": []}
# Distinctive: found nowhere unless this very value leaked.
ID_NUMBER = "371402198807156619"
CALLER_ID_CARD = "44030519770304381X"


def use_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_REQUESTS_HOTLINE_SECRETS", HOTLINE)
    monkeypatch.setenv("GONGKAI_REQUESTS_PROVINCIAL_SECRETS", PROVINCIAL)
    get_requests_settings.cache_clear()


@asynccontextmanager
async def secured_api(database_url: str, **overrides: Any) -> AsyncIterator[Api]:
    """The requests app, its clock frozen at :data:`NOW`, units U001 and U002."""
    settings: Settings = make_settings(requests_database_url=database_url, run_background_jobs=False, **overrides)
    app = create_app(settings)
    async with serving(app) as client:
        a = Api(app, settings, client)
        a.runtime.clock.set(NOW, frozen=True)
        office = a.auth("office", sub="office-1")
        for code in ("U001", "U002"):
            assert (await client.put(f"/api/v1/units/{code}", json=UNIT, headers=office)).status_code == 201
        yield a


def workorder(no: str, category: str = "disclosure_request", **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "workorder_no": no,
        "category": category,
        "unit_code": "U001",
        "content": "申请公开本市2026年度部门预算",
        "received_at": "2026-09-25T08:30:00+08:00",
        "due_at": "2026-09-30T17:30:00+08:00",
    }
    if category == "disclosure_request":
        doc |= {
            "applicant": {"type": "natural_person", "name": "张三", "id_type": "resident_id", "id_number": ID_NUMBER},
            "delivery": {"format": "electronic", "method": "email"},
        }
    doc.update(overrides)
    return doc


def signed_headers(body: bytes, *, secret: str = HOTLINE, ts: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if ts is None else ts
    return {"Content-Type": "application/json", **sign(secret, body, timestamp=stamp)}


async def post_signed(
    a: Api, path: str, doc: Any, *, secret: str = HOTLINE, headers: dict[str, str] | None = None
) -> httpx.Response:
    body = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
    return await a.client.post(path, content=body, headers={**signed_headers(body, secret=secret), **(headers or {})})


async def dump_tables(a: Api) -> dict[str, str]:
    """Every table of the service's database, as text (bytes decoded leniently)."""
    dumped: dict[str, str] = {}
    async with a.runtime.sessions() as session:
        for name, table in a.runtime.spec.tables.metadata.tables.items():
            rows = (await session.execute(select(table))).all()
            dumped[name] = json.dumps(
                [
                    {k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in r._mapping.items()}
                    for r in rows
                ],
                ensure_ascii=False,
                default=str,
            )
    return dumped
