"""Helpers for the scoring service's API tests: the app on a database, tokens, seed 003's scheme
imported and published, events delivered through the service's real inbox consumer."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml  # type: ignore[import-untyped]
from fastapi import FastAPI
from sqlalchemy import select

from services.scoring.app import create_app
from services.scoring.config import Ctx
from shared.auth import mint_dev_token
from shared.events import (
    AppraisalResultPublished,
    CloudEvent,
    EventData,
    HotlineWorkorderUnanswered,
    RequestOverdue,
    RequestReviewDecided,
    new_event,
)
from shared.settings import Settings
from tests.foundation import serving
from tests.support import make_settings

EXAMPLE = Path(__file__).parents[2] / "examples" / "schemes" / "district-2023.yaml"
# When the office sent seed 003's assessment notice in these tests (考核方案 三(二)); on-site
# checks open 15 days later, on 2024-01-17.
NOTICE = date(2024, 1, 2)
CHECK_DAY = date(2024, 1, 20)


def example_document(**changes: Any) -> dict[str, Any]:
    parsed = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    document: dict[str, Any] = json.loads(json.dumps(parsed, default=str))  # dates as ISO text, as JSON sends them
    document.update(changes)
    return document


@dataclass
class Api:
    app: FastAPI
    settings: Settings
    client: httpx.AsyncClient

    @property
    def runtime(self) -> Ctx:
        return self.app.state.runtimes["scoring"]

    def auth(self, *roles: str, units: tuple[str, ...] = (), sub: str = "tester") -> dict[str, str]:
        token = mint_dev_token(self.settings, sub=sub, roles=list(roles), unit_codes=list(units), name=sub)
        return {"Authorization": f"Bearer {token}"}

    @property
    def office(self) -> dict[str, str]:
        return self.auth("office", sub="office")

    @property
    def assessor(self) -> dict[str, str]:
        return self.auth("assessor", sub="assessor")

    def staff(self, unit: str) -> dict[str, str]:
        return self.auth("unit_admin", units=(unit,), sub=f"staff-{unit}")

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        outbox = self.runtime.tables.outbox
        async with self.runtime.sessions() as session:
            rows = (
                await session.execute(
                    select(outbox.c.payload).where(outbox.c.type == event_type).order_by(outbox.c.seq)
                )
            ).all()
        return [json.loads(r.payload)["data"] for r in rows]

    async def deliver(self, *events: CloudEvent) -> None:
        """Through the service's real inbox consumer (dedup + handler in one transaction)."""
        results = await self.runtime.consumer(list(events))
        assert results == [None] * len(events), results

    async def import_scheme(self, document: dict[str, Any] | None = None) -> dict[str, Any]:
        body = yaml.safe_dump(document or example_document(), allow_unicode=True)
        response = await self.client.post(
            "/api/v1/schemes", content=body.encode(), headers={**self.office, "Content-Type": "application/yaml"}
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def publish(self, scheme: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/schemes/{scheme['id']}/publish", headers={**self.office, "If-Match": f'"{scheme["version"]}"'}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def notice(self, scheme_id: str, category: str = "A", on: date = NOTICE) -> dict[str, Any]:
        response = await self.client.put(
            f"/api/v1/schemes/{scheme_id}/categories/{category}/notice",
            json={"notice_date": on.isoformat()},
            headers=self.office,
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def sheets(self, scheme_id: str) -> dict[str, str]:
        """unit code → sheet id."""
        found: dict[str, str] = {}
        cursor = None
        while True:
            params = {"scheme_id": scheme_id, "limit": 500, **({"cursor": cursor} if cursor else {})}
            page = (await self.client.get("/api/v1/sheets", params=params, headers=self.office)).json()
            found.update({s["unit_code"]: s["id"] for s in page["items"]})
            cursor = page["next_cursor"]
            if not cursor:
                return found

    async def sheet(self, sheet_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/sheets/{sheet_id}", headers=headers or self.office)
        assert response.status_code == 200, response.text
        return response.json()

    async def entry(self, sheet_id: str, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        body.setdefault("on", CHECK_DAY.isoformat())
        return await self.client.post(f"/api/v1/sheets/{sheet_id}/entries", json=body, headers=headers or self.assessor)

    async def step(self, sheet_id: str, action: str, headers: dict[str, str]) -> dict[str, Any]:
        version = (await self.sheet(sheet_id))["version"]
        response = await self.client.post(
            f"/api/v1/sheets/{sheet_id}/{action}", headers={**headers, "If-Match": f'"{version}"'}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def review_all(self, sheets: dict[str, str]) -> None:
        for unit, sheet_id in sheets.items():
            await self.step(sheet_id, "self-assess", self.staff(unit))
            await self.step(sheet_id, "review", self.assessor)

    async def finalize(self, scheme_id: str, category: str = "A") -> httpx.Response:
        return await self.client.post(
            f"/api/v1/schemes/{scheme_id}/categories/{category}/finalize", headers=self.office
        )


@asynccontextmanager
async def api(database_url: str) -> AsyncIterator[Api]:
    settings = make_settings(scoring_database_url=database_url, run_background_jobs=False)
    app = create_app(settings)
    async with serving(app) as client:
        yield Api(app, settings, client)


def event(data: EventData, *, at: datetime | None = None, subject: str = "x") -> CloudEvent:
    source = "gongkai/appraisal" if isinstance(data, AppraisalResultPublished) else "gongkai/requests"
    return new_event(data, source=source, subject=subject, time=at or datetime(2023, 6, 1, 9, tzinfo=UTC))


def overdue(unit: str, due_on: date = date(2023, 5, 10), n: int = 1) -> CloudEvent:
    request_id = str(uuid.uuid4())
    data = RequestOverdue(
        request_id=request_id, tracking_no=f"YSQ-2023-{n:04d}", unit_code=unit, handler_id=None, due_on=due_on
    )
    return event(data, subject=request_id)


def review_corrected(unit: str, result: str = "corrected") -> CloudEvent:
    data = RequestReviewDecided(
        request_id=str(uuid.uuid4()),
        unit_code=unit,
        kind="administrative_review",
        result=result,  # type: ignore[arg-type]
    )
    return event(data)


def unanswered(unit: str, due_at: datetime = datetime(2023, 7, 3, 8, tzinfo=UTC)) -> CloudEvent:
    return event(HotlineWorkorderUnanswered(workorder_no=f"GD{uuid.uuid4().hex[:8]}", unit_code=unit, due_at=due_at))


def appraisal(unit: str, score: float, year: int = 2023) -> CloudEvent:
    data = AppraisalResultPublished(campaign_id="camp-2023", year=year, unit_code=unit, score=score, rating="satisfied")
    return event(data, at=datetime(2024, 1, 8, 9, tzinfo=UTC))
