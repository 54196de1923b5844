"""Notifier benchmark (issue 15): N events fanned out to inbox + e-mail + webhook, end to end, beside
the bare bus in the same run.

Notifier path: a publisher ``ServiceRuntime`` writes N ``request.overdue`` events into its outbox
(100 per transaction, as a deadline sweep does); its relay publishes them to RabbitMQ; the notifier
``ServiceRuntime`` (PostgreSQL, its real migrations, routing, templates and dispatcher) consumes them
through its inbox, renders and writes three deliveries per event — the handler's inbox message, an
e-mail to the unit's disclosure contact, a signed webhook to a custom endpoint — and its dispatcher
sends the e-mails to a real SMTP server (aiosmtpd, its own thread) and the webhooks to a real HTTP
receiver (uvicorn, its own thread) that verifies every signature. End to end = first outbox write →
the last e-mail and webhook received. Duplicates are counted at both receivers (by the delivery id
each carries: ``X-Gongkai-Notification-Id`` / ``Idempotency-Key``).

Bare path: the same N event bodies through the same ``RabbitBus`` (publish with confirms, consume,
no database, no work): the ceiling the broker allows on this machine.

    .venv/bin/python bench/notifier.py [--events 10000]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_notifier]
        [--amqp-url amqp://guest:guest@127.0.0.1:5672/]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import platform
import socket
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import asyncpg
import httpx
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from services.notifier.app import SPEC
from services.notifier.config import NotifierSettings, build_resources
from services.notifier.handlers import on_event
from services.notifier.models import notifications
from services.notifier.schemas.webhooks import WebhookIn
from services.notifier.service.webhooks import create_webhook
from shared.bus import RetryPolicy, create_bus
from shared.bus.rabbitmq import retry_queue_name
from shared.clock import Clock
from shared.events import CloudEvent, RequestOverdue, UnitContact, UnitUpserted, new_event
from shared.journal import SYSTEM
from shared.migrations import foundation_tables, upgrade
from shared.reference import REFERENCE_HANDLERS, units
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import Settings
from shared.signing import verify

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_notifier"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
SECRET = "bench-webhook-secret-0123456789"
UNIT = "BENCH-UNIT"
ROUTING = """routes:
  bench.request_overdue:
    - to: [handler]
      channels: [inbox]
      template: request.overdue
    - to: [disclosure_contact]
      channels: [email]
      template: request.overdue
"""


class BenchOverdue(RequestOverdue):
    """``request.overdue`` under a bench-only type: no other queue on the shared broker (another
    service's, a test's) is bound to it, so the bench's events reach the bench's queues only."""

    TYPE: ClassVar[str] = "bench.request_overdue"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Mailbox:
    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.last_at = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ARG002
        header = b"X-Gongkai-Notification-Id: "
        content: bytes = envelope.content
        start = content.find(header)
        self.ids[content[start + len(header) : content.find(b"\r\n", start)].decode() if start >= 0 else "?"] += 1
        self.last_at = time.time()
        return "250 OK"


class Receiver:
    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.rejected = 0
        self.last_at = 0.0
        self.port = free_port()
        self.mailbox: Mailbox | None = None

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/stats")
        async def stats() -> dict[str, Any]:
            mails = self.mailbox.ids if self.mailbox else Counter()
            return {
                "emails": len(mails),
                "email_duplicates": sum(c - 1 for c in mails.values() if c > 1),
                "webhooks": len(self.ids),
                "webhook_duplicates": sum(c - 1 for c in self.ids.values() if c > 1),
                "rejected_signatures": self.rejected,
                "last_at": max(self.last_at, self.mailbox.last_at if self.mailbox else 0.0),
                "latencies": self.latencies,
            }

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = await request.body()
            try:
                verify(SECRET, body, dict(request.headers), now=time.time())
            except Exception:
                self.rejected += 1
                return Response(status_code=401)
            now = time.time()
            self.ids[request.headers["idempotency-key"]] += 1
            event = CloudEvent.model_validate_json(body)
            self.latencies.append(now - event.time.timestamp())
            self.last_at = now
            return Response(status_code=204)

        return app


def serve_outside(smtp_port: int, http_port: int) -> None:
    """The outside world, in a process of its own (so it does not share the notifier's GIL): the
    SMTP server and the webhook receiver, which also answers ``GET /stats``."""
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    receiver = Receiver()
    receiver.port, receiver.mailbox = http_port, mailbox
    uvicorn.run(receiver.app(), host="127.0.0.1", port=http_port, log_level="warning", access_log=False)


async def outside_stats(http_port: int) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        stats: dict[str, Any] = (await client.get(f"http://127.0.0.1:{http_port}/stats", timeout=30)).json()
        return stats


async def recreate(url: str) -> None:
    parsed = make_url(url)
    connection = await asyncpg.connect(host=parsed.host, user=parsed.username, database="postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await connection.close()


async def delete_queues(amqp_url: str, service: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        defaults = Settings(_env_file=None)  # type: ignore[call-arg]
        steps = RetryPolicy(defaults.bus_max_attempts, defaults.bus_retry_base_seconds, defaults.bus_retry_factor)
        delays = {*RetryPolicy().delays(), *steps.delays()}
        names = [f"gongkai.{service}", f"gongkai.{service}.dead", *(retry_queue_name(service, d) for d in delays)]
        for name in names:
            await channel.queue_delete(name)
    finally:
        await connection.close()


async def run_bare(args: argparse.Namespace, events: Sequence[CloudEvent]) -> tuple[float, float]:
    bus = create_bus(args.amqp_url)
    await bus.start()
    service = f"benchbare_{uuid.uuid4().hex[:8]}"
    seen: set[str] = set()
    done = asyncio.Event()

    async def consume(batch: Sequence[CloudEvent]) -> list[BaseException | None]:
        seen.update(e.id for e in batch)
        if len(seen) >= len(events):
            done.set()
        return [None] * len(batch)

    subscription = await bus.subscribe(
        service, [BenchOverdue.TYPE], consume, policy=RetryPolicy(), batch_size=64, prefetch=256
    )
    started = time.time()
    for i in range(0, len(events), 100):
        await bus.publish([(e.id, e.type, e.to_json_bytes()) for e in events[i : i + 100]])
    await asyncio.wait_for(done.wait(), args.timeout)
    elapsed = time.time() - started
    await subscription.close()
    await bus.close()
    await delete_queues(args.amqp_url, service)
    return len(events) / elapsed, elapsed


def overdue_events(n: int) -> list[CloudEvent]:
    now = datetime.now(UTC)
    return [
        new_event(
            BenchOverdue(
                request_id=f"r-{i}",
                tracking_no=f"YSQ-2026-{i:06d}",
                unit_code=UNIT,
                handler_id=f"h-{i % 50}",
                due_on=date(2026, 3, 30),
            ),
            source="gongkai/requests",
            subject=f"r-{i}",
            time=now,
        )
        for i in range(n)
    ]


async def run_notifier(args: argparse.Namespace, smtp_port: int, http_port: int) -> dict[str, Any]:
    notifier_url = args.database_url
    publisher_url = f"{args.database_url}_pub"
    for url in (notifier_url, publisher_url):
        await recreate(url)
    tag = uuid.uuid4().hex[:8]
    routing = Path(tempfile.mkdtemp()) / "routing.yaml"
    routing.write_text(ROUTING, encoding="utf-8")
    own = NotifierSettings(
        _env_file=None,  # type: ignore[call-arg]
        routing_file=routing,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_pool_size=args.smtp_pool,
        dispatch_batch_size=args.dispatch_batch,
        dispatch_concurrency=args.dispatch_concurrency,
        dispatch_workers=args.dispatch_workers,
        dispatch_poll_seconds=0.05,
        quiet_hours="",
    )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        bus_url=args.amqp_url,
        outbox_poll_seconds=0.05,
        log_json=False,
        database_pool_size=args.pool_size,
    )
    spec = replace(
        SPEC,
        name=f"notifier_{tag}",
        resources=partial(build_resources, own=own),
        # Only the bench's type (and the reference data): nothing another suite publishes meanwhile.
        handlers={**REFERENCE_HANDLERS, BenchOverdue.TYPE: on_event},
    )
    await asyncio.to_thread(upgrade, "notifier", notifier_url, spec.versions_dir, spec.tables.metadata)
    foundation = foundation_tables()
    foundation_dir = Path(__file__).resolve().parents[1] / "tests" / "foundation_schema"
    await asyncio.to_thread(upgrade, "foundation", publisher_url, foundation_dir, foundation.metadata)
    bus = create_bus(args.amqp_url)
    await bus.start()
    clock = Clock()
    notifier = ServiceRuntime(spec, settings, clock=clock, bus=bus, database_url=notifier_url)
    publisher_spec = ServiceSpec(
        name=f"benchpub_{tag}",
        title="p",
        description="p",
        tables=foundation,
        versions_dir=foundation_dir,
        path_prefixes=(),
    )
    publisher = ServiceRuntime(publisher_spec, settings, clock=clock, bus=bus, database_url=publisher_url)
    try:
        await notifier.run_startup_hooks()
        await notifier.start_consuming()
        notifier.start_background()
        publisher.start_background()
        hook = WebhookIn(
            name="bench",
            url=f"http://127.0.0.1:{http_port}/hook",
            secret=SECRET,
            target="custom",
            event_types=[BenchOverdue.TYPE],
        )
        async with notifier.transaction() as session:
            await create_webhook(session, notifier, SYSTEM, hook)
        contact = UnitContact(name="王联络", role="disclosure_contact", email="contact@bench.gov.cn")
        unit = UnitUpserted(
            unit_code=UNIT,
            name="基准测试单位",
            kind="department",
            parent_code=None,
            region="130402",
            contacts=[contact],
            version=1,
        )
        async with publisher.transaction() as session:
            await publisher.journal.emit(session, unit, subject=UNIT, entity_type="unit")
        while True:
            async with notifier.sessions() as session:
                if await units.get(session, UNIT):
                    break
            await asyncio.sleep(0.05)

        n = args.events
        events = overdue_events(n)
        started = time.time()
        for i in range(0, n, 100):
            async with publisher.transaction() as session:
                await publisher.outbox.add(session, *events[i : i + 100])
        written = time.time()
        deadline = started + args.timeout
        consumed_at = 0.0
        while time.time() < deadline:
            if not consumed_at:
                async with notifier.sessions() as session:
                    count = await session.scalar(select(func.count()).select_from(notifier.tables.inbox))
                if (count or 0) >= n + 1:
                    consumed_at = time.time()
            stats = await outside_stats(http_port)
            if stats["emails"] >= n and stats["webhooks"] >= n:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # anything sent twice would have arrived by now
        stats = await outside_stats(http_port)
        latencies = stats["latencies"]
        async with notifier.sessions() as session:
            rows = await session.execute(
                select(notifications.c.channel, notifications.c.status, func.count()).group_by(
                    notifications.c.channel, notifications.c.status
                )
            )
            by_status = {f"{c}/{s}": k for c, s, k in rows}
        return {
            "write_seconds": written - started,
            "consumed_seconds": (consumed_at or time.time()) - started,
            "end_to_end_seconds": stats["last_at"] - started,
            "emails": stats["emails"],
            "email_duplicates": stats["email_duplicates"],
            "webhooks": stats["webhooks"],
            "webhook_duplicates": stats["webhook_duplicates"],
            "rejected_signatures": stats["rejected_signatures"],
            "deliveries": by_status,
            "webhook_latency_p50_ms": 1000 * statistics.median(latencies) if latencies else 0,
            "webhook_latency_p99_ms": 1000 * statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 100 else 0,
        }
    finally:
        await publisher.stop()
        await notifier.stop()
        await bus.close()
        await delete_queues(args.amqp_url, spec.name)


async def main(args: argparse.Namespace) -> None:
    bare_rate, bare_seconds = await run_bare(args, overdue_events(args.events))
    smtp_port, http_port = free_port(), free_port()
    outside = multiprocessing.get_context("spawn").Process(
        target=serve_outside, args=(smtp_port, http_port), daemon=True
    )
    outside.start()
    while True:
        try:
            await outside_stats(http_port)
            break
        except httpx.HTTPError:
            await asyncio.sleep(0.1)
    try:
        result = await run_notifier(args, smtp_port, http_port)
    finally:
        outside.terminate()
    n = args.events
    e2e = result["end_to_end_seconds"]
    print(f"notifier benchmark — {n} events × (inbox + e-mail + webhook), RabbitMQ + PostgreSQL")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"bare bus (RabbitBus publish+consume, no work): {bare_rate:,.0f} events/s ({bare_seconds:.2f} s)")
    print(f"outbox writes: {result['write_seconds']:.2f} s")
    print(
        f"consumed (deliveries written): {n / result['consumed_seconds']:,.0f} events/s ({result['consumed_seconds']:.2f} s)"
    )
    print(
        f"end to end (last e-mail and webhook received): {n / e2e:,.0f} events/s ({e2e:.2f} s), "
        f"{n / e2e / bare_rate:.0%} of the bare bus"
    )
    print(
        f"webhook latency event→received: p50 {result['webhook_latency_p50_ms']:.0f} ms, "
        f"p99 {result['webhook_latency_p99_ms']:.0f} ms"
    )
    print(
        f"received: {result['emails']} e-mails ({result['email_duplicates']} duplicates), "
        f"{result['webhooks']} webhooks ({result['webhook_duplicates']} duplicates, "
        f"{result['rejected_signatures']} bad signatures)"
    )
    print(f"deliveries: {result['deliveries']}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--amqp-url", default=DEFAULT_AMQP_URL)
    parser.add_argument("--pool-size", type=int, default=20)
    parser.add_argument("--smtp-pool", type=int, default=8)
    parser.add_argument("--dispatch-batch", type=int, default=500)
    parser.add_argument("--dispatch-concurrency", type=int, default=64)
    parser.add_argument("--dispatch-workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600.0)
    return parser.parse_args()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s %(error)s")
    logging.getLogger().handlers[0].addFilter(lambda r: setattr(r, "error", getattr(r, "error", "")) or True)
    asyncio.run(main(parse_args()))
