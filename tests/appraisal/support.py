"""Helpers of the appraisal service's API tests: the app on a database, tokens, units in the
replica (as ``unit.upserted`` would put them), a campaign opened at a real date."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.appraisal.app import create_app
from services.appraisal.config import Ctx
from shared.auth import mint_dev_token
from shared.events import UnitUpserted, new_event
from shared.inbox import EventContext
from shared.reference import on_unit_upserted
from shared.settings import Settings
from tests.foundation import serving
from tests.support import make_settings

CAMPAIGNS = "/api/v1/campaigns"
# 2025: the campaign runs 1–30 November 2025 (Beijing time), about the year 2025.
OPENS = "2025-11-01T09:00:00+08:00"
CLOSES = "2025-12-01T00:00:00+08:00"
DURING = datetime(2025, 11, 10, 10, 0)
AFTER = datetime(2025, 12, 2, 10, 0)
BEFORE = datetime(2025, 10, 20, 10, 0)
UNITS = {"EDU": "市教育局", "HEALTH": "市卫生健康委员会", "WATER": "市自来水公司"}


@dataclass
class Api:
    app: FastAPI
    settings: Settings
    client: httpx.AsyncClient

    @property
    def runtime(self) -> Ctx:
        return self.app.state.runtimes["appraisal"]

    def auth(self, *roles: str, units: tuple[str, ...] = (), sub: str = "tester") -> dict[str, str]:
        token = mint_dev_token(self.settings, sub=sub, roles=list(roles), unit_codes=list(units))
        return {"Authorization": f"Bearer {token}"}

    @property
    def office(self) -> dict[str, str]:
        return self.auth("office", sub="office-1")

    def at(self, moment: datetime) -> None:
        self.runtime.clock.set(moment, frozen=True)

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        outbox = self.runtime.tables.outbox
        async with self.runtime.sessions() as session:
            rows = (
                await session.execute(
                    select(outbox.c.payload).where(outbox.c.type == event_type).order_by(outbox.c.seq)
                )
            ).all()
        return [json.loads(r.payload) for r in rows]

    async def add_units(self, units: dict[str, str] = UNITS, version: int = 1) -> None:
        for code, name in units.items():
            kind = "public_enterprise" if code == "WATER" else "department"
            data = UnitUpserted(unit_code=code, name=name, kind=kind, region="130400", contacts=[], version=version)
            event = new_event(data, source="gongkai/requests", subject=code, time=self.runtime.clock.now())
            async with self.runtime.transaction() as session:
                await on_unit_upserted(EventContext(session, self.runtime), event)

    async def create(self, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post(CAMPAIGNS, json=campaign_body(**overrides), headers=self.office)
        assert response.status_code == 201, response.text
        return response.json()

    async def transition(self, campaign: dict[str, Any], action: str) -> dict[str, Any]:
        current = await self.client.get(f"{CAMPAIGNS}/{campaign['id']}", headers=self.office)
        response = await self.client.post(
            f"{CAMPAIGNS}/{campaign['id']}/{action}", headers={**self.office, "If-Match": current.headers["ETag"]}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def opened(self, **overrides: Any) -> dict[str, Any]:
        """A campaign created and opened before its window, the clock then inside it."""
        self.at(BEFORE)
        campaign = await self.create(**overrides)
        campaign = await self.transition(campaign, "open")
        self.at(DURING)
        return campaign

    async def answer(
        self, campaign: dict[str, Any], unit: str, answers: dict[str, Any], *, token: str, **fields: Any
    ) -> httpx.Response:
        body = {"unit_code": unit, "answers": answers, "respondent_token": token, **fields}
        return await self.client.post(f"{CAMPAIGNS}/{campaign['id']}/responses", json=body)


def campaign_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "year": 2025,
        "name": "2025年度政务公开工作社会评议",
        "target_units": list(UNITS),
        "methods": [{"method": "public", "weight": "1"}],
        "min_responses": 1,
        "opens_at": OPENS,
        "closes_at": CLOSES,
    }
    body.update(overrides)
    return body


def all_rated(rating: str, *, text: str | None = None) -> dict[str, str]:
    answers = {f"q{i}": rating for i in range(1, 7)}
    if text is not None:
        answers["q7"] = text
    return answers


def token(n: int) -> str:
    return f"respondent-token-{n:06d}"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"]), body["title"]
    return body


@asynccontextmanager
async def api(database_url: str, **settings: Any) -> AsyncIterator[Api]:
    values = {"appraisal_database_url": database_url, "run_background_jobs": False, **settings}
    the_settings = make_settings(**values)
    app = create_app(the_settings)
    async with serving(app) as client:
        the_api = Api(app, the_settings, client)
        await the_api.add_units()
        yield the_api
