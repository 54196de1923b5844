"""Accountability benchmark (issue 14): N ``request.overdue`` events for M units consumed from
RabbitMQ into cases and findings — target ≥ 500 events/s end to end with every event applied once,
beside the bare bus figure.

Gongkai path: a publisher ``ServiceRuntime`` writes the events into its outbox in small
transactions (as the requests sweep does); its relay publishes them to RabbitMQ with confirms; the
accountability service (the real ``SPEC``: its migrations, inbox consumer and the use case
``reactions.react_to_events``) consumes them in batches — the first event of a unit opens its case
(``application_mishandled``, 责任追究办法 第五条(五)), every later one appends a finding. The events
travel under a bench-only type (``bench.request.overdue``, renamed to ``request.overdue`` before the
handler runs) so no other queue bound to the shared exchange receives them. Throughput is N over
first outbox write → last inbox commit; an event's latency is its inbox commit minus its creation.

Bare path: the same number of messages through plain aio-pika with confirms and manual acks on one
quorum queue (``bench/bus.py``'s ``run_bare``): the ceiling of broker and client on this machine.

    .venv/bin/python bench/accountability.py [--events 10000] [--units 2000]

Checked at the end: exactly M cases and N findings, one finding per event id.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bus import (  # noqa: E402
    PathResult,
    add_loop_argument,
    delete_queues,
    print_table,
    recreate_database,
    run_bare,
    run_on,
    wait_all,
)

from services.accountability.app import SPEC  # noqa: E402
from services.accountability.models import case_findings, cases  # noqa: E402
from services.accountability.service.reactions import react_to_events  # noqa: E402
from shared.bus import create_bus, dead_queue_name, queue_name  # noqa: E402
from shared.bus.rabbitmq import retry_queue_name  # noqa: E402
from shared.clock import Clock  # noqa: E402
from shared.events import CloudEvent, RequestOverdue, new_event  # noqa: E402
from shared.inbox import Batched, EventContext  # noqa: E402
from shared.migrations import foundation_tables, upgrade  # noqa: E402
from shared.runtime import ServiceRuntime, ServiceSpec  # noqa: E402
from shared.settings import Settings  # noqa: E402

TARGET_EVENTS_PER_SECOND = 500.0
BENCH_TYPE = "bench.request.overdue"


class BenchRequestOverdue(RequestOverdue):
    TYPE: ClassVar[str] = BENCH_TYPE


async def on_bench_overdue(ctx: EventContext, events: Sequence[CloudEvent]) -> None:
    renamed = [event.model_copy(update={"type": "request.overdue"}) for event in events]
    await react_to_events(ctx.session, ctx.runtime, renamed)


def overdue_event(i: int, units: int) -> CloudEvent:
    data = BenchRequestOverdue(
        request_id=f"r{i:07d}",
        tracking_no=f"T{i:07d}",
        unit_code=f"BU{i % units:05d}",
        handler_id=f"h{i % (units * 3):06d}",
        due_on=date(2026, 10, 29),
    )
    return new_event(data, source="gongkai/bench", subject=data.request_id, time=datetime.now(UTC))


async def run_gongkai(
    args: argparse.Namespace, service: str, settings: Settings
) -> tuple[PathResult, float, dict[str, int]]:
    consumer_url = args.database_url
    publisher_url = args.database_url + "_publisher"
    for url in (consumer_url, publisher_url):
        await recreate_database(url)
    await asyncio.to_thread(upgrade, "accountability", consumer_url, SPEC.versions_dir, SPEC.tables.metadata)
    publisher_tables = foundation_tables()
    versions = Path(__file__).resolve().parent.parent / "tests" / "foundation_schema"
    await asyncio.to_thread(upgrade, "foundation", publisher_url, versions, publisher_tables.metadata)

    bus = create_bus(args.amqp_url)
    await bus.start()
    spec = replace(SPEC, name=service, handlers={BENCH_TYPE: Batched(on_bench_overdue)}, background_jobs=())
    consumer = ServiceRuntime(spec, settings, clock=Clock(), bus=bus, database_url=consumer_url)
    publisher_spec = ServiceSpec(
        name=f"{service}_pub",
        title="bench",
        description="bench",
        tables=publisher_tables,
        versions_dir=versions,
        path_prefixes=(),
    )
    publisher = ServiceRuntime(publisher_spec, settings, clock=Clock(), bus=bus, database_url=publisher_url)

    created_at: dict[str, float] = {}
    applied_at: dict[str, float] = {}
    all_applied = asyncio.Event()
    inbox_consumer = consumer.consumer

    async def timed_consumer(events: Sequence[CloudEvent]) -> list[BaseException | None]:
        results = await inbox_consumer(events)
        now = time.time()
        for event, error in zip(events, results, strict=True):
            if error is None:
                applied_at.setdefault(event.id, now)
        if len(applied_at) >= args.events:
            all_applied.set()
        return results

    timed_consumer.purge = inbox_consumer.purge  # type: ignore[attr-defined]
    consumer.consumer = timed_consumer  # type: ignore[assignment]
    try:
        await consumer.run_startup_hooks()
        await consumer.start_consuming()
        consumer.start_background()
        publisher.start_background()
        started, cpu_started = time.time(), time.process_time()
        for start in range(0, args.events, args.write_batch):
            events = [overdue_event(i, args.units) for i in range(start, min(args.events, start + args.write_batch))]
            async with publisher.sessions.begin() as session:
                await publisher.outbox.add(session, *events)
            created_at.update((e.id, e.time.timestamp()) for e in events)
        write_seconds = time.time() - started
        await wait_all(all_applied, applied_at, args.events, "gongkai", args.timeout)
        cpu_seconds = time.process_time() - cpu_started
        async with consumer.sessions() as session:
            counts = {
                "cases": await session.scalar(select(func.count()).select_from(cases)) or 0,
                "findings": await session.scalar(select(func.count()).select_from(case_findings)) or 0,
                "distinct_finding_events": await session.scalar(
                    select(func.count(func.distinct(case_findings.c.event_id)))
                )
                or 0,
            }
    finally:
        await publisher.stop()
        await consumer.stop()
        await bus.close()
    expected = {"cases": args.units, "findings": args.events, "distinct_finding_events": args.events}
    if counts != expected:
        raise SystemExit(f"gongkai: {counts}, expected {expected} (every event applied exactly once)")
    result = PathResult(
        "gongkai",
        args.events,
        max(applied_at.values()) - started,
        [applied_at[event_id] - created for event_id, created in created_at.items()],
        cpu_seconds,
    )
    return result, write_seconds, counts


async def main(args: argparse.Namespace) -> None:
    service = f"accbench{uuid.uuid4().hex[:8]}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        bus_url=args.amqp_url,
        outbox_batch_size=args.batch_size,
        bus_prefetch=args.prefetch,
        run_background_jobs=False,
    )
    from shared.bus import RetryPolicy

    policy = RetryPolicy(settings.bus_max_attempts, settings.bus_retry_base_seconds, settings.bus_retry_factor)
    bare_queue = f"{queue_name(service)}.bare"
    queues = [
        queue_name(service),
        dead_queue_name(service),
        bare_queue,
        *(retry_queue_name(service, d) for d in policy.delays()),
    ]
    try:
        bare = await run_bare(args, bare_queue)
        gongkai, write_seconds, counts = await run_gongkai(args, service, settings)
    finally:
        await delete_queues(args.amqp_url, queues)
    ratio = gongkai.rate / bare.rate
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} ({platform.platform()})")
    print(
        f"settings: loop={args.loop} events={args.events} units={args.units} write_batch={args.write_batch} "
        f"outbox_batch_size={settings.outbox_batch_size} bus_prefetch={settings.bus_prefetch} "
        f"bus_batch_size={settings.bus_batch_size} consumer_concurrency={settings.bus_consumer_concurrency}"
    )
    print(f"outbox writes: {args.events} events in {write_seconds:.2f} s")
    print(f"applied: {counts}")
    print_table([gongkai, bare])
    print(f"ratio gongkai/bare: {ratio:.2f}")
    print(
        f"target >= {TARGET_EVENTS_PER_SECOND:.0f} events/s: {'met' if gongkai.rate >= TARGET_EVENTS_PER_SECOND else 'MISSED'}"
    )
    print(json.dumps({"gongkai": gongkai.figures(), "bare": bare.figures(), "ratio": round(ratio, 3), **counts}))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--write-batch", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=500, help="outbox relay batch")
    parser.add_argument("--prefetch", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_accountability"
    )
    parser.add_argument("--amqp-url", default="amqp://guest:guest@127.0.0.1:5672/")
    add_loop_argument(parser)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    run_on(arguments.loop, main(arguments))
