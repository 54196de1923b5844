"""Helpers of the accountability service's tests: the app on a test database, tokens, events
handed to its inbox, and walking a case to where a test needs it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.accountability.app import create_app
from services.accountability.config import Ctx
from services.accountability.domain.ladders import ladder_named
from shared.auth import mint_dev_token
from shared.events import CloudEvent, EventData, new_event
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.foundation import serving
from tests.support import make_settings

T = TypeVar("T")
SHANGHAI = timezone(timedelta(hours=8))
INSPECTOR = ("inspector",)


def at(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` o'clock in Asia/Shanghai, as the service clock wants it."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def event(data: EventData, *, source: str = "gongkai/requests", event_id: str | None = None) -> CloudEvent:
    made = new_event(data, source=source, subject=getattr(data, "unit_code", None), time=datetime.now(UTC))
    return made.model_copy(update={"id": event_id}) if event_id else made


@dataclass
class Api:
    app: FastAPI
    settings: Settings
    client: httpx.AsyncClient

    @property
    def runtime(self) -> Ctx:
        return self.app.state.runtimes["accountability"]

    def use_ladder(self, name: str) -> None:
        self.runtime.resources = replace(self.runtime.resources, ladder=ladder_named(name))

    def set_day(self, day: date) -> None:
        self.runtime.clock.set(at(day), frozen=True)

    def auth(self, *roles: str, units: tuple[str, ...] = (), sub: str = "inspector-1") -> dict[str, str]:
        token = mint_dev_token(self.settings, sub=sub, roles=list(roles), unit_codes=list(units))
        return {"Authorization": f"Bearer {token}"}

    @property
    def inspector(self) -> dict[str, str]:
        return self.auth(*INSPECTOR)

    async def deliver(self, *events: CloudEvent) -> None:
        """Hands events to the service's inbox consumer, as the bus would (batch of all of them)."""
        results = await self.runtime.consumer(list(events))
        errors = [r for r in results if r is not None]
        assert not errors, errors

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        outbox = self.runtime.tables.outbox
        async with self.runtime.sessions() as session:
            rows = (
                await session.execute(
                    select(outbox.c.payload).where(outbox.c.type == event_type).order_by(outbox.c.seq)
                )
            ).all()
        return [json.loads(r.payload) for r in rows]

    async def post(
        self, path: str, body: Any = None, *, headers: dict[str, str] | None = None, etag: str | None = None
    ) -> httpx.Response:
        sent = dict(headers if headers is not None else self.inspector)
        if etag is not None:
            sent["If-Match"] = etag
        return await self.client.post(path, json=body, headers=sent)

    async def get(self, path: str, *, headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=headers if headers is not None else self.inspector)

    async def case(self, case_id: str) -> dict[str, Any]:
        response = await self.get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.text
        return response.json()

    async def step(self, case_id: str, action: str, body: Any = None, expect: int = 200) -> dict[str, Any]:
        """An action on the case with its current ETag; asserts the status."""
        current = await self.get(f"/api/v1/cases/{case_id}")
        response = await self.post(f"/api/v1/cases/{case_id}/{action}", body, etag=current.headers["ETag"])
        assert response.status_code == expect, response.text
        return response.json()

    async def open_case(
        self, unit_code: str = "U001", persons: list[dict[str, Any]] | None = None, **extra: Any
    ) -> str:
        body = {
            "unit_code": unit_code,
            "violations": ["application_mishandled"],
            "facts": "依申请公开答复逾期",
            "persons": persons if persons is not None else [HANDLER],
            **extra,
        }
        response = await self.post("/api/v1/cases", body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def decided_case(
        self,
        unit_code: str = "U001",
        *,
        persons: list[dict[str, Any]] | None = None,
        severity: str = "minor",
        approval: str = "none",
        notified_on: str | None = None,
    ) -> str:
        """A case walked to ``decided``: investigated, heard (every person waived), assessed, decided."""
        named = persons if persons is not None else [HANDLER]
        case_id = await self.open_case(unit_code, named)
        await self.step(case_id, "investigate")
        await self.step(case_id, "start-hearing")
        for person in named:
            await self.step(case_id, "statements", {"person_id": person["person_id"], "kind": "waiver"})
        await self.step(case_id, "assessment", {"severity": severity, "approval": approval})
        body = {
            "facts": "经查，该单位未按规定时限答复政府信息公开申请。",
            **({"notified_on": notified_on} if notified_on else {}),
        }
        await self.step(case_id, "decide", body)
        return case_id


HANDLER = {"person_id": "p-handler", "name": "张承办", "role": "handler", "title": "科员"}
LEADER = {"person_id": "p-leader", "name": "李分管", "role": "leader_in_charge", "title": "副局长"}
PRINCIPAL = {"person_id": "p-principal", "name": "王主要", "role": "principal_leader", "title": "局长"}
MEMBER = {"person_id": "p-member", "name": "赵成员", "role": "collective_member", "title": "党组成员"}


@asynccontextmanager
async def api(database_url: str, tmp_path: Path, **overrides: Any) -> AsyncIterator[Api]:
    settings = make_settings(accountability_database_url=database_url, run_background_jobs=False, **overrides)
    app = create_app(settings)
    async with serving(app) as client:
        runtime = app.state.runtimes["accountability"]
        runtime.resources = replace(runtime.resources, storage=LocalStorage(tmp_path / "evidence"))
        yield Api(app, settings, client)


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 20.0) -> T:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if done(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)


def new_id() -> str:
    return str(uuid.uuid4())
