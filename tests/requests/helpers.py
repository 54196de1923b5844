"""Helpers for the requests service's API tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.requests.app import create_app
from services.requests.config import Ctx
from shared.auth import mint_dev_token
from shared.settings import Settings
from tests.foundation import serving
from tests.support import make_settings


@dataclass
class Api:
    app: FastAPI
    settings: Settings
    client: httpx.AsyncClient

    @property
    def runtime(self) -> Ctx:
        return self.app.state.runtimes["requests"]

    def auth(self, *roles: str, units: tuple[str, ...] = (), sub: str = "tester") -> dict[str, str]:
        token = mint_dev_token(self.settings, sub=sub, roles=list(roles), unit_codes=list(units))
        return {"Authorization": f"Bearer {token}"}

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        outbox = self.runtime.tables.outbox
        async with self.runtime.sessions() as session:
            rows = (
                await session.execute(
                    select(outbox.c.payload).where(outbox.c.type == event_type).order_by(outbox.c.seq)
                )
            ).all()
        return [json.loads(r.payload) for r in rows]

    async def audit(self, entity_type: str) -> list[Any]:
        audit = self.runtime.tables.audit_log
        async with self.runtime.sessions() as session:
            return (
                await session.execute(select(audit).where(audit.c.entity_type == entity_type).order_by(audit.c.seq))
            ).all()


@asynccontextmanager
async def api(database_url: str, settings: Settings | None = None) -> AsyncIterator[Api]:
    settings = settings or make_settings(requests_database_url=database_url, run_background_jobs=False)
    app = create_app(settings)
    async with serving(app) as client:
        yield Api(app, settings, client)


def unit_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "某市人民政府办公室",
        "kind": "government",
        "region": "110101",
        "contacts": [{"name": "张三", "title": "科长", "phone": "010-12345678", "email": "zhang@example.gov.cn"}],
    }
    body.update(overrides)
    return body
