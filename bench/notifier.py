"""Notifier benchmark (issue 15): N events fanned out to inbox + e-mail + webhook, end to end, beside
the bare bus in the same run.

Three processes, as in a deployment, each on the event loop a service gets from uvicorn (uvloop;
``--loop asyncio`` for the standard one):

- **the notifier** — one replica: a ``ServiceRuntime`` on PostgreSQL with its real migrations,
  routing, templates, inbox consumer and dispatcher. It consumes N ``request.overdue`` events through
  its inbox, renders and writes three deliveries per event — the handler's inbox message, an e-mail
  to the unit's disclosure contact, a signed webhook to a custom endpoint — and its dispatcher sends
  the e-mails and the webhooks;
- **the publisher** (this process, which also measures): a ``ServiceRuntime`` on a foundation-only
  database writing the N events into its outbox, 100 per transaction as a deadline sweep does, while
  its relay publishes them to RabbitMQ;
- **the outside world**: a real SMTP server (aiosmtpd) and a webhook receiver (a bare ASGI app under
  uvicorn, so the stand-in costs little) that verifies every signature.

End to end = first outbox write → the last e-mail and webhook received. Duplicates are counted at
both receivers (by the delivery id each carries: ``X-Gongkai-Notification-Id`` / ``Idempotency-Key``).
Each process's CPU time per event is printed too: on a machine shared with other work the wall-clock
rates follow the load, the CPU per event much less.

Bare path: the same N event bodies through the same ``RabbitBus`` (publish with confirms, consume,
no database, no work): the ceiling the broker allows on this machine.

    .venv/bin/python bench/notifier.py [--events 10000] [--loop uvloop|asyncio]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_notifier]
        [--amqp-url amqp://guest:guest@127.0.0.1:5672/]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import platform
import resource
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
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import httpx
import uvicorn
from aiosmtpd.controller import Controller
from bus import add_loop_argument, recreate_database, run_on
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from services.notifier.app import SPEC
from services.notifier.config import NotifierSettings, build_resources
from services.notifier.handlers import on_event
from services.notifier.models import notifications
from services.notifier.schemas.webhooks import WebhookIn
from services.notifier.service.webhooks import create_webhook
from shared.bus import RetryPolicy, create_bus
from shared.bus.rabbitmq import retry_queue_name
from shared.clock import Clock
from shared.errors import ProblemError
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


def cpu_seconds() -> float:
    """This process's CPU time (user + system): how much work it did, whatever else loads the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def configure_logging() -> None:
    """Warnings only, with the ``error`` the shared modules attach to theirs."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s %(error)s")
    logging.getLogger().handlers[0].addFilter(lambda r: setattr(r, "error", getattr(r, "error", "")) or True)


def settings_for(args: argparse.Namespace) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        bus_url=args.amqp_url,
        outbox_poll_seconds=0.05,
        log_json=False,
        database_pool_size=args.pool_size,
    )


# -- the outside world ------------------------------------------------------------------------


class Outside:
    """What the SMTP server (``handle_DATA``, aiosmtpd's handler) and the webhook receiver (an ASGI
    app: ``POST /hook`` checks the signature, ``GET /stats`` tells the tally) received."""

    def __init__(self) -> None:
        self.mails: Counter[str] = Counter()
        self.hooks: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.rejected = 0
        self.last_at = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ARG002
        header = b"X-Gongkai-Notification-Id: "
        content: bytes = envelope.content
        start = content.find(header)
        self.mails[content[start + len(header) : content.find(b"\r\n", start)].decode() if start >= 0 else "?"] += 1
        self.last_at = time.time()
        return "250 OK"

    def stats(self) -> dict[str, Any]:
        return {
            "emails": len(self.mails),
            "email_duplicates": sum(c - 1 for c in self.mails.values() if c > 1),
            "webhooks": len(self.hooks),
            "webhook_duplicates": sum(c - 1 for c in self.hooks.values() if c > 1),
            "rejected_signatures": self.rejected,
            "last_at": self.last_at,
            "latencies": self.latencies,
            "cpu_seconds": cpu_seconds(),
        }

    def hook(self, body: bytes, headers: dict[str, str]) -> int:
        try:
            verify(SECRET, body, headers, now=time.time())
        except ProblemError:
            self.rejected += 1
            return 401
        now = time.time()
        self.hooks[headers["idempotency-key"]] += 1
        self.latencies.append(now - datetime.fromisoformat(json.loads(body)["time"]).timestamp())
        self.last_at = now
        return 204

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        if scope["path"] == "/stats":
            status, payload = 200, json.dumps(self.stats()).encode()
        else:
            status, payload = (
                self.hook(body, {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}),
                b"",
            )
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await send({"type": "http.response.body", "body": payload})


def serve_outside(smtp_port: int, http_port: int, loop: str) -> None:
    """The outside world, in a process of its own (so it does not share the notifier's GIL)."""
    outside = Outside()
    Controller(outside, hostname="127.0.0.1", port=smtp_port).start()  # its own thread and loop
    uvicorn.run(
        outside, host="127.0.0.1", port=http_port, loop=loop, lifespan="off", log_level="warning", access_log=False
    )


async def outside_stats(client: httpx.AsyncClient, http_port: int) -> dict[str, Any]:
    stats: dict[str, Any] = (await client.get(f"http://127.0.0.1:{http_port}/stats", timeout=30)).json()
    return stats


# -- the notifier -----------------------------------------------------------------------------


def notifier_spec(tag: str, own: NotifierSettings | None = None) -> ServiceSpec[Any]:
    return replace(
        SPEC,
        name=f"notifier_{tag}",
        resources=partial(build_resources, own=own),
        # Only the bench's type (and the reference data): nothing another suite publishes meanwhile.
        handlers={**REFERENCE_HANDLERS, BenchOverdue.TYPE: on_event},
    )


def serve_notifier(
    args: argparse.Namespace, tag: str, smtp_port: int, http_port: int, ready: Event, stop: Event, cpu: Queue[float]
) -> None:
    """One notifier replica, in a process of its own: consumes and dispatches from ``ready`` to
    ``stop``, then puts its CPU seconds meanwhile on ``cpu``."""
    configure_logging()
    run_on(args.loop, _notifier(args, tag, smtp_port, http_port, ready, stop, cpu))


async def _notifier(
    args: argparse.Namespace, tag: str, smtp_port: int, http_port: int, ready: Event, stop: Event, cpu: Queue[float]
) -> None:
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
    bus = create_bus(args.amqp_url)
    await bus.start()
    notifier = ServiceRuntime(
        notifier_spec(tag, own), settings_for(args), clock=Clock(), bus=bus, database_url=args.database_url
    )
    try:
        await notifier.run_startup_hooks()
        await notifier.start_consuming()
        notifier.start_background()
        hook = WebhookIn(
            name="bench",
            url=f"http://127.0.0.1:{http_port}/hook",
            secret=SECRET,
            target="custom",
            event_types=[BenchOverdue.TYPE],
        )
        async with notifier.transaction() as session:
            await create_webhook(session, notifier, SYSTEM, hook)
        started = cpu_seconds()
        ready.set()
        await asyncio.to_thread(stop.wait)
        cpu.put(cpu_seconds() - started)
    finally:
        await notifier.stop()
        await bus.close()


# -- the bare bus, the publisher and the measuring --------------------------------------------


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


async def run_bare(args: argparse.Namespace, events: Sequence[CloudEvent]) -> tuple[float, float, float]:
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
    started, cpu = time.time(), cpu_seconds()
    for i in range(0, len(events), 100):
        await bus.publish([(e.id, e.type, e.to_json_bytes()) for e in events[i : i + 100]])
    await asyncio.wait_for(done.wait(), args.timeout)
    elapsed, cpu = time.time() - started, cpu_seconds() - cpu
    await subscription.close()
    await bus.close()
    await delete_queues(args.amqp_url, service)
    return len(events) / elapsed, elapsed, cpu


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


async def wait_for_notifier(process: multiprocessing.process.BaseProcess, ready: Event, timeout: float) -> None:
    deadline = time.time() + timeout
    while not ready.is_set():
        if not process.is_alive() or time.time() > deadline:
            raise RuntimeError(f"the notifier process did not start (exit code {process.exitcode})")
        await asyncio.sleep(0.1)


async def run_notifier(
    args: argparse.Namespace, poll: httpx.AsyncClient, smtp_port: int, http_port: int
) -> dict[str, Any]:
    notifier_url = args.database_url
    publisher_url = f"{args.database_url}_pub"
    for url in (notifier_url, publisher_url):
        await recreate_database(url)
    tag = uuid.uuid4().hex[:8]
    await asyncio.to_thread(upgrade, "notifier", notifier_url, SPEC.versions_dir, SPEC.tables.metadata)
    foundation = foundation_tables()
    foundation_dir = Path(__file__).resolve().parents[1] / "tests" / "foundation_schema"
    await asyncio.to_thread(upgrade, "foundation", publisher_url, foundation_dir, foundation.metadata)
    spawn = multiprocessing.get_context("spawn")
    ready, stop, notifier_cpu = spawn.Event(), spawn.Event(), spawn.Queue()
    process = spawn.Process(
        target=serve_notifier, args=(args, tag, smtp_port, http_port, ready, stop, notifier_cpu), daemon=True
    )
    process.start()
    engine = create_async_engine(notifier_url)
    sessions = async_sessionmaker(engine)
    bus = create_bus(args.amqp_url)
    await bus.start()
    publisher_spec = ServiceSpec(
        name=f"benchpub_{tag}",
        title="p",
        description="p",
        tables=foundation,
        versions_dir=foundation_dir,
        path_prefixes=(),
    )
    publisher = ServiceRuntime(publisher_spec, settings_for(args), clock=Clock(), bus=bus, database_url=publisher_url)
    try:
        await wait_for_notifier(process, ready, args.timeout)
        publisher.start_background()
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
            async with sessions() as session:
                if await units.get(session, UNIT):
                    break
            await asyncio.sleep(0.05)

        n = args.events
        events = overdue_events(n)
        outside_cpu = (await outside_stats(poll, http_port))["cpu_seconds"]
        started, cpu = time.time(), cpu_seconds()
        for i in range(0, n, 100):
            async with publisher.transaction() as session:
                await publisher.outbox.add(session, *events[i : i + 100])
        written = time.time()
        deadline = started + args.timeout
        consumed_at = 0.0
        while time.time() < deadline:
            if not consumed_at:
                async with sessions() as session:
                    count = await session.scalar(select(func.count()).select_from(SPEC.tables.inbox))
                if (count or 0) >= n + 1:
                    consumed_at = time.time()
            stats = await outside_stats(poll, http_port)
            if stats["emails"] >= n and stats["webhooks"] >= n:
                break
            await asyncio.sleep(0.2)
        cpu = cpu_seconds() - cpu
        await asyncio.sleep(1.0)  # anything sent twice would have arrived by now
        stats = await outside_stats(poll, http_port)
        latencies = stats["latencies"]
        for _ in range(50):  # the last round's outcomes are recorded just after its sends
            async with sessions() as session:
                rows = await session.execute(
                    select(notifications.c.channel, notifications.c.status, func.count()).group_by(
                        notifications.c.channel, notifications.c.status
                    )
                )
                by_status = {f"{c}/{s}": k for c, s, k in rows}
            if not any(key.endswith("/pending") for key in by_status):
                break
            await asyncio.sleep(0.2)
        stop.set()
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
            "cpu_seconds": cpu,
            "notifier_cpu_seconds": await asyncio.to_thread(notifier_cpu.get, True, 60),
            "outside_cpu_seconds": stats["cpu_seconds"] - outside_cpu,
        }
    finally:
        stop.set()
        await asyncio.to_thread(process.join, 60)
        await publisher.stop()
        await bus.close()
        await engine.dispose()
        await delete_queues(args.amqp_url, f"notifier_{tag}")


async def main(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()
    bare_rate, bare_seconds, bare_cpu = await run_bare(args, overdue_events(args.events))
    smtp_port, http_port = free_port(), free_port()
    outside = multiprocessing.get_context("spawn").Process(
        target=serve_outside, args=(smtp_port, http_port, args.loop), daemon=True
    )
    outside.start()
    try:
        async with httpx.AsyncClient() as poll:
            while True:
                try:
                    await outside_stats(poll, http_port)
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            result = await run_notifier(args, poll, smtp_port, http_port)
    finally:
        outside.terminate()
    n = args.events
    e2e = result["end_to_end_seconds"]
    print(f"notifier benchmark — {n} events × (inbox + e-mail + webhook), RabbitMQ + PostgreSQL")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, loop {args.loop}"
    )
    print(
        f"load average: {' '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after"
    )
    print(
        f"bare bus (RabbitBus publish+consume, no work): {bare_rate:,.0f} events/s ({bare_seconds:.2f} s), "
        f"CPU {1000 * bare_cpu / n:.2f} ms/event"
    )
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
    print(
        f"CPU per event: notifier {1000 * result['notifier_cpu_seconds'] / n:.2f} ms (consumer + dispatcher), "
        f"publisher {1000 * result['cpu_seconds'] / n:.2f} ms (outbox writes, relay, this bench's polling), "
        f"outside world {1000 * result['outside_cpu_seconds'] / n:.2f} ms (SMTP server, webhook receiver)"
    )


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
    add_loop_argument(parser)
    return parser.parse_args()


if __name__ == "__main__":
    configure_logging()
    arguments = parse_args()
    run_on(arguments.loop, main(arguments))
