"""Event-backbone benchmark: Gongkai's outbox → RabbitMQ → inbox path against bare aio-pika.

Gongkai path: one ``ServiceRuntime`` (the real ``OutboxRelay``, ``RabbitBus`` and
``InboxConsumer``) on a PostgreSQL database built by the real migrations. A producer writes N
events into the outbox in many small transactions, as use cases do, while the relay claims,
publishes (with confirms) and marks them, and the consumer applies each one through the inbox,
its handler writing one effect row in the same transaction. An event's latency is the moment its
inbox transaction committed minus the event's ``time``, stamped when it was created just before
its outbox write. Throughput is N over first write → last commit.

Bare path: the same N bodies through plain aio-pika on the same broker: one connection, a channel
with publisher confirms publishing persistent messages to one durable quorum queue (the queue type
RabbitBus declares) in concurrent windows of the relay's batch size, and a consumer with manual
ack and the same prefetch. Latency is ack time minus publish time; throughput is N over first
publish → last ack. It is the ceiling the broker and the client library allow on this machine.

Both paths use the wall clock (``time.time()``) because an event's ``time`` is wall time. The bare
path runs first so that PostgreSQL's after-work (checkpoints, autovacuum) cannot slow the ceiling.

    .venv/bin/python bench/bus.py [--events 20000]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench]
        [--amqp-url amqp://guest:guest@127.0.0.1:5672/]

The bench database is dropped and recreated on every run (and left behind for inspection); the
queues are named after a fresh service name and deleted at the end. Events carry a bench-only
type, so no other queue bound to the shared ``gongkai.events`` exchange receives them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import aio_pika
import asyncpg
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.engine import make_url

from services.requests.app import SPEC as REQUESTS_SPEC
from shared.bus import RetryPolicy, create_bus, dead_queue_name, queue_name
from shared.bus.rabbitmq import QUORUM, retry_queue_name
from shared.clock import Clock
from shared.events import CloudEvent, UnitUpserted, new_event
from shared.inbox import EventContext
from shared.migrations import upgrade
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import Settings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
TARGET_EVENTS_PER_SECOND = 1000.0
TARGET_SHARE_OF_BARE = 1 / 3


class BenchUnitUpserted(UnitUpserted):
    """A real event body under a type no real service consumes."""

    TYPE: ClassVar[str] = "bench.unit.upserted"


EFFECTS_METADATA = MetaData()
bench_effects = Table(
    "bench_effects",
    EFFECTS_METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
)


async def record_effect(ctx: EventContext, event: CloudEvent) -> None:
    await ctx.session.execute(bench_effects.insert().values(event_id=event.id))


async def apply_nothing(ctx: EventContext, event: CloudEvent) -> None:
    """The default: the backbone alone — the inbox row is the event's only write."""


def unit_event(i: int) -> CloudEvent:
    data = BenchUnitUpserted(
        unit_code=f"U{i:06d}", name=f"测试单位{i}", kind="department", parent_code=None, region="130400", contacts=[]
    )
    return new_event(data, source="gongkai/bench", subject=data.unit_code, time=datetime.now(UTC))


@dataclass(frozen=True)
class PathResult:
    path: str
    events: int
    seconds: float
    latencies: list[float]  # seconds, one per event
    # CPU time of this process over the path (publisher, relay and consumer all run in it): on a
    # machine shared with other work, wall time varies with the load, CPU per event much less.
    cpu_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def cpu_ms_per_event(self) -> float | None:
        return None if self.cpu_seconds is None else self.cpu_seconds / self.events * 1000

    def percentile_ms(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    def figures(self) -> dict[str, float]:
        figures = {
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "events_per_s": round(self.rate, 1),
            "p50_ms": round(self.percentile_ms(50), 1),
            "p99_ms": round(self.percentile_ms(99), 1),
        }
        if self.cpu_ms_per_event is not None:
            figures["cpu_ms_per_event"] = round(self.cpu_ms_per_event, 3)
        return figures


async def wait_all(done: asyncio.Event, seen: dict[str, float], expected: int, path: str, timeout: float) -> None:
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except TimeoutError:
        raise SystemExit(f"{path}: only {len(seen)} of {expected} events arrived within {timeout:.0f} s") from None


async def run_bare(args: argparse.Namespace, queue: str) -> PathResult:
    published_at: dict[str, float] = {}
    acked_at: dict[str, float] = {}
    all_acked = asyncio.Event()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        await message.ack()
        acked_at[message.message_id or ""] = time.time()
        if len(acked_at) == args.events:
            all_acked.set()

    connection = await aio_pika.connect_robust(args.amqp_url)
    try:
        publish_channel = await connection.channel(publisher_confirms=True)
        consume_channel = await connection.channel()
        await consume_channel.set_qos(prefetch_count=args.prefetch)
        declared = await consume_channel.declare_queue(queue, durable=True, arguments=QUORUM)
        await declared.consume(on_message)

        async def publish(event: CloudEvent) -> None:
            message = aio_pika.Message(
                event.to_json_bytes(),
                message_id=event.id,
                type=event.type,
                content_type="application/cloudevents+json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            published_at[event.id] = time.time()
            await publish_channel.default_exchange.publish(message, routing_key=queue)

        started, cpu_started = time.time(), time.process_time()
        for start in range(0, args.events, args.batch_size):
            window = [unit_event(i) for i in range(start, min(args.events, start + args.batch_size))]
            await asyncio.gather(*(publish(event) for event in window))
        await wait_all(all_acked, acked_at, args.events, "bare", args.timeout)
        cpu_seconds = time.process_time() - cpu_started
    finally:
        await connection.close()
    return PathResult(
        "bare",
        args.events,
        max(acked_at.values()) - started,
        [acked_at[event_id] - sent for event_id, sent in published_at.items()],
        cpu_seconds,
    )


async def recreate_database(url: str) -> None:
    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, password=parsed.password, database="postgres"
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await connection.close()


async def run_gongkai(args: argparse.Namespace, service: str, settings: Settings) -> tuple[PathResult, float]:
    """Returns the path's figures and how long writing the outbox took."""
    await recreate_database(args.database_url)
    tables = REQUESTS_SPEC.tables
    # Alembic's env calls asyncio.run, so it cannot run on this loop.
    await asyncio.to_thread(upgrade, "requests", args.database_url, REQUESTS_SPEC.versions_dir, tables.metadata)
    spec = ServiceSpec(
        name=service,
        title="bench",
        description="bench",
        tables=tables,
        versions_dir=REQUESTS_SPEC.versions_dir,
        path_prefixes=(),
        handlers={BenchUnitUpserted.TYPE: record_effect if args.handler_writes else apply_nothing},
    )
    bus = create_bus(args.amqp_url)
    await bus.start()
    runtime = ServiceRuntime(spec, settings, clock=Clock(), bus=bus, database_url=args.database_url)
    async with runtime.engine.begin() as connection:
        await connection.run_sync(EFFECTS_METADATA.create_all)

    created_at: dict[str, float] = {}
    applied_at: dict[str, float] = {}
    all_applied = asyncio.Event()
    inbox_consumer = runtime.consumer

    async def timed_consumer(events: Sequence[CloudEvent]) -> list[BaseException | None]:
        results = await inbox_consumer(events)  # returns once the inbox transaction has committed
        now = time.time()
        for event, error in zip(events, results, strict=True):
            if error is None:
                applied_at.setdefault(event.id, now)
        if len(applied_at) == args.events:
            all_applied.set()
        return results

    runtime.consumer = timed_consumer  # type: ignore[assignment]
    try:
        await runtime.start_consuming()
        runtime.start_background()
        started, cpu_started = time.time(), time.process_time()
        for start in range(0, args.events, args.write_batch):
            events = [unit_event(i) for i in range(start, min(args.events, start + args.write_batch))]
            async with runtime.sessions.begin() as session:
                await runtime.outbox.add(session, *events)
            created_at.update((event.id, event.time.timestamp()) for event in events)
        write_seconds = time.time() - started
        await wait_all(all_applied, applied_at, args.events, "gongkai", args.timeout)
        cpu_seconds = time.process_time() - cpu_started
        applied_rows = bench_effects if args.handler_writes else tables.inbox
        async with runtime.sessions() as session:
            applied = await session.scalar(select(func.count()).select_from(applied_rows))
        if applied != args.events:
            raise SystemExit(
                f"gongkai: {applied} {applied_rows.name} rows for {args.events} events (expected exactly once)"
            )
    finally:
        await runtime.stop()
        await bus.close()
    result = PathResult(
        "gongkai",
        args.events,
        max(applied_at.values()) - started,
        [applied_at[event_id] - created for event_id, created in created_at.items()],
        cpu_seconds,
    )
    return result, write_seconds


async def delete_queues(amqp_url: str, names: list[str]) -> None:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)
    finally:
        await connection.close()


def print_table(results: Sequence[PathResult]) -> None:
    print(f"{'path':<8} {'events':>7} {'seconds':>8} {'events/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/event':>12}")
    for result in results:
        cpu = result.cpu_ms_per_event
        print(
            f"{result.path:<8} {result.events:>7} {result.seconds:>8.2f} {result.rate:>9.0f}"
            f" {result.percentile_ms(50):>8.1f} {result.percentile_ms(99):>8.1f}"
            f" {'—' if cpu is None else f'{cpu:.2f}':>12}"
        )
    print(f"load average (1, 5, 15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def print_report(
    args: argparse.Namespace,
    settings: Settings,
    loop_name: str,
    bare: PathResult,
    gongkai: PathResult,
    write_seconds: float,
) -> None:
    ratio = gongkai.rate / bare.rate
    meets_rate = gongkai.rate >= TARGET_EVENTS_PER_SECOND
    meets_share = ratio >= TARGET_SHARE_OF_BARE
    machine = {"nproc": os.cpu_count(), "python": platform.python_version(), "loop": loop_name}
    bench_settings = {
        "write_batch": args.write_batch,
        "outbox_batch_size": settings.outbox_batch_size,
        "bus_prefetch": settings.bus_prefetch,
        "database_pool_size": settings.database_pool_size,
        "bus_batch_size": settings.bus_batch_size,
        "handler_writes": args.handler_writes,
    }
    print(f"machine: nproc={machine['nproc']} python={machine['python']} loop={loop_name} ({platform.platform()})")
    print("settings: " + " ".join(f"{key}={value}" for key, value in bench_settings.items()))
    print(f"outbox writes: {args.events} events in {write_seconds:.2f} s ({args.events / write_seconds:.0f} events/s)")
    print()
    print_table([gongkai, bare])
    print()
    print(f"ratio gongkai/bare: {ratio:.2f}")
    print(f"target >= {TARGET_EVENTS_PER_SECOND:.0f} events/s: {'met' if meets_rate else 'MISSED'}")
    print(f"target >= 1/3 of bare: {'met' if meets_share else 'MISSED'}")
    summary = {
        **machine,
        "settings": bench_settings,
        "outbox_write_seconds": round(write_seconds, 3),
        "gongkai": gongkai.figures(),
        "bare": bare.figures(),
        "ratio": round(ratio, 3),
        "targets_met": {"events_per_s": meets_rate, "share_of_bare": meets_share},
    }
    print(json.dumps(summary))


async def main(args: argparse.Namespace, loop_name: str) -> None:
    service = f"bench{uuid.uuid4().hex[:8]}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        bus_url=args.amqp_url,
        outbox_batch_size=args.batch_size,
        bus_prefetch=args.prefetch,
        database_pool_size=args.pool_size,
        run_background_jobs=False,
    )
    policy = RetryPolicy(settings.bus_max_attempts, settings.bus_retry_base_seconds, settings.bus_retry_factor)
    retry_queues = [retry_queue_name(service, delay) for delay in policy.delays()]
    bare_queue = f"{queue_name(service)}.bare"
    queues = [queue_name(service), dead_queue_name(service), bare_queue, *retry_queues]
    try:
        bare = await run_bare(args, bare_queue)
        gongkai, write_seconds = await run_gongkai(args, service, settings)
    finally:
        await delete_queues(args.amqp_url, queues)
    print_report(args, settings, loop_name, bare, gongkai, write_seconds)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--amqp-url", default=DEFAULT_AMQP_URL)
    parser.add_argument("--write-batch", type=int, default=100, help="events per outbox transaction")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=Settings.model_fields["outbox_batch_size"].default,
        help="outbox_batch_size; also the bare path's publish window",
    )
    parser.add_argument("--prefetch", type=int, default=Settings.model_fields["bus_prefetch"].default)
    parser.add_argument("--pool-size", type=int, default=Settings.model_fields["database_pool_size"].default)
    add_loop_argument(parser)
    parser.add_argument(
        "--handler-writes",
        action="store_true",
        help="the handler also inserts one effect row per event (a typical handler's own write)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for a path to finish")
    return parser.parse_args()


def add_loop_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="uvloop is what `gongkai serve-one` gets from uvicorn",
    )


def run_on(loop: str, coroutine: Coroutine[Any, Any, None]) -> None:
    """Runs the benchmark on the event loop a service process has (uvloop), or on asyncio's."""
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    if loop == "uvloop":
        import uvloop

        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(coroutine)


if __name__ == "__main__":
    arguments = parse_args()
    run_on(arguments.loop, main(arguments, arguments.loop))
