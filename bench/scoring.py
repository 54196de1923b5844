"""Scoring benchmark (issue 12), two figures on PostgreSQL (and RabbitMQ), no asserts:

(a) **Finalizing a category** of 2,000 units × 60 leaf indicators holding 100,000 system entries:
    the real ``finalize_category`` use case in one transaction (read every entry, score, grade,
    rank, vetoes, shortfalls; one executemany update; 2,000+ outbox events and audit rows). Target
    under 5 s with flat memory (peak RSS growth of the process reported, and the same run at half
    the size beside it, so growth per unit shows).

(b) **request.overdue through RabbitMQ end to end**: a publisher runtime (standing in for the
    requests service) writes N ``request.overdue`` events into its outbox in transactions of 100;
    its relay publishes them with confirms; the scoring service's real consumer applies each one
    (finding recorded once + system entry on the bound indicator + sheet version) through the inbox.
    Throughput is N over first write → last applied; latency is the finding's ``received_at`` minus
    the event's ``time``. Target ≥ 500 events/s. In the same run, ``bench/bus.py``'s bare aio-pika
    path (publish with confirms / consume with manual ack on a quorum queue) gives the ceiling.

    .venv/bin/python bench/scoring.py [--units 2000] [--indicators 60] [--entries 100000] [--events 5000]

The databases ``gongkai_bench_scoring`` and ``gongkai_bench_scoring_pub`` are dropped and recreated.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: the repository root, not bench/, goes on the path
    sys.path[:1] = [str(Path(__file__).resolve().parent.parent)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import func, select, update  # noqa: E402

from bench.bus import add_loop_argument, delete_queues, recreate_database, run_bare, run_on  # noqa: E402
from services.scoring.app import SPEC  # noqa: E402
from services.scoring.models import findings, sheet_entries, sheets  # noqa: E402
from services.scoring.service import finalize, schemes  # noqa: E402
from shared.auth import Principal  # noqa: E402
from shared.bus import create_bus, dead_queue_name, queue_name  # noqa: E402
from shared.bus.base import RetryPolicy  # noqa: E402
from shared.bus.rabbitmq import retry_queue_name  # noqa: E402
from shared.clock import Clock  # noqa: E402
from shared.events import RequestOverdue, new_event  # noqa: E402
from shared.migrations import foundation_tables, upgrade  # noqa: E402
from shared.runtime import ServiceRuntime, ServiceSpec  # noqa: E402
from shared.settings import Settings  # noqa: E402

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/"
AMQP = "amqp://guest:guest@127.0.0.1:5672/"
OFFICE = Principal(sub="bench", name="bench", roles=frozenset({"office"}), unit_codes=frozenset())
FOUNDATION = foundation_tables()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def document(units: int, leaves: int) -> dict[str, Any]:
    """A scheme of one category: ``leaves`` leaves under 6 first-level indicators, adding up to 100."""
    points = [round(100 / leaves, 2)] * leaves
    points[-1] = round(100 - sum(points[:-1]), 2)
    groups: list[list[dict[str, Any]]] = [[] for _ in range(6)]
    for i, p in enumerate(points):
        leaf: dict[str, Any] = {"code": f"L{i:03d}", "name": f"指标{i}", "max_points": p, "method": "online_check"}
        if i == 0:
            leaf |= {
                "auto_source": "request_overdue",
                "method": "daily_record",
                "rule": {"kind": "deduct", "points": 0.5},
            }
        elif i == 1:
            leaf |= {"rule": {"kind": "ranked", "points_by_rank": [p, p * 0.8, p * 0.6], "higher_is_better": False}}
        elif i == 2:
            leaf |= {"rule": {"kind": "proportional"}}
        else:
            leaf |= {"rule": {"kind": "deduct", "points": 0.25}}
        groups[i % 6].append(leaf)
    return {
        "year": 2023,
        "name": "基准方案",
        "period": {"start": "2023-01-01", "end": "2023-12-31"},
        "categories": [
            {
                "code": "A",
                "name": "A类",
                "total": 100,
                "units": [f"U{u:05d}" for u in range(units)],
                "indicators": [
                    {"code": f"G{g}", "name": f"一级指标{g}", "children": children} for g, children in enumerate(groups)
                ],
            }
        ],
    }


async def fresh_runtime(name: str, spec: ServiceSpec[Any], settings: Settings, bus: Any = None) -> ServiceRuntime[Any]:
    url = PG + name
    await recreate_database(url)
    await asyncio.to_thread(upgrade, spec.name, url, spec.versions_dir, spec.tables.metadata)
    bus = bus or create_bus("memory://bench-scoring")
    return ServiceRuntime(spec, settings, clock=Clock(), bus=bus, database_url=url)


async def published_scheme(runtime: ServiceRuntime[Any], units: int, leaves: int) -> str:
    async with runtime.transaction() as session:
        draft = await schemes.create_scheme(session, runtime, OFFICE, document(units, leaves))
    async with runtime.transaction() as session:
        await schemes.publish_scheme(session, runtime, OFFICE, draft.id, f'"{draft.version}"')
    return draft.id


async def bench_finalize(settings: Settings, units: int, leaves: int, entries: int) -> dict[str, Any]:
    runtime = await fresh_runtime("gongkai_bench_scoring", SPEC, settings)
    try:
        scheme_id = await published_scheme(runtime, units, leaves)
        async with runtime.transaction() as session:
            ids = [r.id for r in (await session.execute(select(sheets.c.id).order_by(sheets.c.unit_code))).all()]
        now = datetime.now(UTC)
        rows = []
        for n in range(entries):
            sheet_id, leaf = ids[n % len(ids)], (n // len(ids)) % leaves
            row: dict[str, Any] = {
                "id": str(uuid.uuid4()),
                "sheet_id": sheet_id,
                "indicator": f"L{leaf:03d}",
                "source": "system" if leaf == 0 else "assessor",
                "occurrences": 1,
                "ratio": None,
                "measure": None,
                "on": date(2023, 6, 1),
                "attachments": [],
                "author_sub": "system",
                "author_name": "bench",
                "created_at": now,
            }
            if leaf == 1:
                row |= {"occurrences": None, "measure": str(n % 7)}
            elif leaf == 2:
                row |= {"occurrences": None, "ratio": "0.9"}
            rows.append(row)
        for start in range(0, len(rows), 5000):
            async with runtime.transaction() as session:
                await session.execute(sheet_entries.insert(), rows[start : start + 5000])
        del rows
        async with runtime.transaction() as session:
            await session.execute(update(sheets).values(state="reviewed"))
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        async with runtime.transaction() as session:
            out = await finalize.finalize_category(session, runtime, OFFICE, scheme_id, "A", None)
        seconds = time.perf_counter() - started
        return {
            "units": units,
            "leaves": leaves,
            "entries": entries,
            "seconds": round(seconds, 2),
            "failed": len(out.failed),
            "peak_rss_growth_mb": round(rss_mb() - before, 1),
        }
    finally:
        await runtime.stop()


async def bench_overdue(settings: Settings, units: int, events: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    bus = create_bus(AMQP)
    await bus.start()
    scoring = await fresh_runtime("gongkai_bench_scoring", replace(SPEC, name=f"scoring_{tag}"), settings, bus)
    publisher_spec = ServiceSpec(
        name=f"pub_{tag}",
        title="publisher",
        description="stands in for the requests service",
        tables=FOUNDATION,
        versions_dir=Path(__file__).resolve().parent.parent / "tests" / "foundation_schema",
        path_prefixes=(),
    )
    publisher = await fresh_runtime("gongkai_bench_scoring_pub", publisher_spec, settings, bus)
    policy = RetryPolicy(settings.bus_max_attempts, settings.bus_retry_base_seconds, settings.bus_retry_factor)
    queues = [queue_name(scoring.spec.name), dead_queue_name(scoring.spec.name)]
    queues += [retry_queue_name(scoring.spec.name, d) for d in policy.delays()]
    try:
        await published_scheme(scoring, units, 60)
        await scoring.start_consuming()
        publisher.start_background()
        started, cpu_started = time.time(), time.process_time()
        for start in range(0, events, 100):
            async with publisher.transaction() as session:
                batch = [
                    new_event(
                        RequestOverdue(
                            request_id=str(uuid.uuid4()),
                            tracking_no=f"B{n:07d}",
                            unit_code=f"U{n % units:05d}",
                            due_on=date(2023, 6, 1),
                        ),
                        source="gongkai/requests",
                        subject=str(n),
                        time=datetime.now(UTC),
                    )
                    for n in range(start, min(events, start + 100))
                ]
                await publisher.outbox.add(session, *batch)
        while True:
            async with scoring.sessions() as session:
                done = await session.scalar(select(func.count()).select_from(findings))
            if done >= events:
                break
            await asyncio.sleep(0.2)
        cpu_seconds = time.process_time() - cpu_started
        async with scoring.sessions() as session:
            received = dict((await session.execute(select(findings.c.event_id, findings.c.received_at))).all())
            applied = await session.scalar(select(func.count()).select_from(sheet_entries))
        outbox = publisher.tables.outbox
        async with publisher.sessions() as session:
            written = dict((await session.execute(select(outbox.c.event_id, outbox.c.created_at))).all())
        latencies = sorted((received[e] - written[e]).total_seconds() for e in received)
        seconds = max(received.values()).timestamp() - started
        return {
            "events": events,
            "applied_entries": applied,
            "seconds": round(seconds, 2),
            "events_per_s": round(events / seconds, 1),
            "p50_ms": round(statistics.median(latencies) * 1000),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000),
            # This process runs publisher, relay and consumer: CPU per event varies less with the load.
            "cpu_ms_per_event": round(cpu_seconds / events * 1000, 3),
        }
    finally:
        await publisher.stop()
        await scoring.stop()
        await bus.close()
        await delete_queues(AMQP, queues)


async def main(args: argparse.Namespace) -> None:
    settings = Settings(_env_file=None, env="test", bus_url=AMQP, run_background_jobs=False)  # type: ignore[call-arg]
    half = await bench_finalize(settings, args.units // 2, args.indicators, args.entries // 2)
    full = await bench_finalize(settings, args.units, args.indicators, args.entries)
    print("finalize (half size):", half)
    print("finalize:", full)
    bare_args = argparse.Namespace(
        events=args.events,
        batch_size=settings.outbox_batch_size,
        prefetch=settings.bus_prefetch,
        timeout=600.0,
        amqp_url=AMQP,
    )
    bare_queue = f"benchbare{uuid.uuid4().hex[:8]}"
    try:
        bare = await run_bare(bare_args, bare_queue)
    finally:
        await delete_queues(AMQP, [bare_queue])
    print("bare aio-pika:", bare.figures())
    overdue = await bench_overdue(settings, args.units, args.events)
    print("request.overdue → scoring:", overdue, "ratio to bare:", round(overdue["events_per_s"] / bare.rate, 2))
    print(f"loop: {args.loop}; load average (1, 5, 15 min) at the end:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5000)
    add_loop_argument(parser)
    arguments = parser.parse_args()
    run_on(arguments.loop, main(arguments))
