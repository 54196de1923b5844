"""What the notifier's tests stand on: the service on its own migrations, events fed through its real
inbox consumer, and real local servers standing in for the outside — an SMTP server (aiosmtpd), and
an HTTP server (uvicorn) playing the SMS gateway, the 12345 hotline and the provincial platform, which
verifies every webhook's signature as DESIGN §9 says."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from functools import partial
from typing import Any

import httpx
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response
from sqlalchemy import select

from services.notifier.app import SPEC
from services.notifier.config import Ctx, NotifierSettings, build_resources
from services.notifier.service.dispatch import dispatch_once
from shared.app import build_app
from shared.auth import mint_dev_token
from shared.errors import ProblemError
from shared.events import CloudEvent, EventData, UnitContact, UnitUpserted, new_event
from shared.settings import Settings
from shared.signing import verify
from tests.foundation import serving
from tests.support import make_settings

HOTLINE_SECRET = "hotline-secret-0123456789"
PROVINCIAL_SECRET = "provincial-secret-0123456789"
UNIT = "U-CZJ"
CONTACTS = [
    UnitContact(name="王联络", role="disclosure_contact", phone="13800000001", email="wang@czj.gov.cn"),
    UnitContact(name="赵主要", role="principal_leader", phone="13800000003", email="zhao@czj.gov.cn"),
    UnitContact(name="李分管", role="leader_in_charge", phone="13800000002", email="li@czj.gov.cn"),
]
# 2026-03-31 is a Tuesday (a working day): 10:00 in Shanghai, outside the quiet hours.
WORKDAY_MORNING = datetime(2026, 3, 31, 2, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# -- SMTP --------------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: str | None = None  # e.g. "550 mailbox unavailable"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ARG002 (aiosmtpd's)
        if self.refuse:
            return self.refuse
        # As a mail client reads it: headers decoded (RFC 2047), so tests see the subject in words.
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextlib.contextmanager
def smtp_server() -> Any:
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield collector, controller.port
    finally:
        controller.stop()


def parts(message: Message) -> dict[str, str]:
    """The text and HTML parts of a received mail, decoded."""
    found = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


# -- HTTP: the SMS gateway, 12345, the provincial platform ----------------------------------------


@dataclass
class Receiver:
    """Records what it receives; ``status`` sets what it answers (per path prefix)."""

    sms: list[dict[str, Any]] = field(default_factory=list)
    pushes: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"hotline": [], "provincial": [], "custom": []}
    )
    headers: list[dict[str, str]] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def app(self) -> FastAPI:
        app = FastAPI()
        secrets = {"hotline": HOTLINE_SECRET, "provincial": PROVINCIAL_SECRET, "custom": HOTLINE_SECRET}

        @app.post("/sms")
        async def sms(request: Request) -> Response:
            if code := self.status.get("sms"):
                return Response(status_code=code)
            self.sms.append(json.loads(await request.body()))
            return Response(status_code=200)

        @app.post("/push/{who}")
        async def push(who: str, request: Request) -> Response:
            if code := self.status.get(who):
                return Response(status_code=code)
            body = await request.body()
            try:
                verify(secrets[who], body, dict(request.headers), now=datetime.now(UTC).timestamp())
            except ProblemError as problem:
                self.rejected.append(problem.code)
                return Response(status_code=401)
            self.headers.append(dict(request.headers))
            self.pushes[who].append(json.loads(body))
            return Response(status_code=204)

        return app


@asynccontextmanager
async def http_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver(port=free_port())
    server = uvicorn.Server(uvicorn.Config(receiver.app(), host="127.0.0.1", port=receiver.port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task


# -- the service ----------------------------------------------------------------------------------


def notifier_settings(**overrides: Any) -> NotifierSettings:
    values: dict[str, Any] = {
        "office_emails": "office@gov.cn",
        "office_phones": "13900000000",
        "smtp_host": "127.0.0.1",
        "smtp_port": 1,  # nothing listens: a test that sends mail passes the real server's port
        "sms_gateway_url": None,
        "retry_base_seconds": 10,
        "retry_factor": 2,
        "retry_cap_seconds": 3600,
        "retry_jitter": 0,
        "max_attempts": 3,
        "breaker_failure_threshold": 100,
        "breaker_cool_down_seconds": 30,
        "http_timeout_seconds": 3,
        "smtp_timeout_seconds": 3,
        "dispatch_poll_seconds": 0.05,
    }
    values.update(overrides)
    return NotifierSettings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Notifier:
    app: FastAPI
    settings: Settings
    client: httpx.AsyncClient

    @property
    def ctx(self) -> Ctx:
        runtime: Ctx = self.app.state.runtimes["notifier"]
        return runtime

    def auth(self, *roles: str, units: tuple[str, ...] = (), sub: str = "tester") -> dict[str, str]:
        token = mint_dev_token(self.settings, sub=sub, roles=list(roles), unit_codes=list(units))
        return {"Authorization": f"Bearer {token}"}

    async def deliver(self, *events: CloudEvent) -> None:
        """Hands events to the service's inbox consumer, as the bus does (one batch)."""
        results = await self.ctx.consumer(list(events))
        errors = [r for r in results if r is not None]
        assert not errors, errors

    async def dispatch(self) -> int:
        return await dispatch_once(self.ctx)

    async def deliveries(self, **where: Any) -> list[Any]:
        from services.notifier.models import notifications as n

        async with self.ctx.sessions() as session:
            statement = select(n).where(*(n.c[k] == v for k, v in where.items())).order_by(n.c.channel, n.c.recipient)
            return list((await session.execute(statement)).all())

    async def outbox(self, event_type: str) -> list[dict[str, Any]]:
        outbox = self.ctx.tables.outbox
        async with self.ctx.sessions() as session:
            rows = (await session.execute(select(outbox.c.payload).where(outbox.c.type == event_type))).all()
        return [json.loads(r.payload) for r in rows]

    async def webhook(self, target: str, url: str, secret: str, event_types: list[str] | None = None) -> str:
        body = {"name": target, "url": url, "secret": secret, "target": target, "event_types": event_types or []}
        response = await self.client.post("/api/v1/webhooks", json=body, headers=self.auth("office"))
        assert response.status_code == 201, response.text
        endpoint_id: str = response.json()["id"]
        return endpoint_id


@asynccontextmanager
async def notifier(database_url: str, *, jobs: bool = False, **overrides: Any) -> AsyncIterator[Notifier]:
    settings = make_settings(notifier_database_url=database_url, run_background_jobs=jobs)
    spec = replace(SPEC, resources=partial(build_resources, own=notifier_settings(**overrides)))
    app = build_app([spec], settings)
    async with serving(app) as client:
        api = Notifier(app, settings, client)
        api.ctx.clock.set(WORKDAY_MORNING, frozen=True)
        await api.deliver(
            event(
                UnitUpserted(
                    unit_code=UNIT,
                    name="邯郸市财政局",
                    kind="department",
                    parent_code=None,
                    region="130402",
                    contacts=CONTACTS,
                    version=1,
                ),
                "gongkai/requests",
            )
        )
        yield api
        await api.ctx.resources.channels.close()


def event(data: EventData, source: str = "gongkai/requests", *, at: datetime | None = None) -> CloudEvent:
    subject = str(getattr(data, "request_id", None) or getattr(data, "case_id", None) or getattr(data, "unit_code", ""))
    return new_event(data, source=source, subject=subject, time=at or WORKDAY_MORNING)


def new_id() -> str:
    return str(uuid.uuid4())
