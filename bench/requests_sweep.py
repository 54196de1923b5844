"""Deadline-sweep benchmark (issue 3, benchmark (b)): ``sweep_deadlines`` over 1,000,000 open
applications on PostgreSQL, 10,000 of them newly overdue — target under 5 s and memory flat.

The database ``gongkai_bench_requests`` is dropped, recreated and migrated by the real migrations,
then loaded with COPY (``copy_records_to_table``) from worker processes, so the loading never
raises this process's peak RSS. As of the sweep day, Mon 2026-11-02:

- 10,000 newly overdue (due Fri 10-30, never stamped) → 10,000 ``request.overdue``;
- 50,000 overdue long ago and already reported (``overdue_due_on = due_on``): a backlog every
  sweep walks past;
- 5,000 paused (consulting, ``clock_running`` false) with a stale due date in the past → nothing;
- 1,000 each at 5, 3 and 1 working days left (due 11-09, 11-05, 11-03) → 3,000 ``request.due_soon``;
- the rest (931,000) due from 11-10 into 2027 → nothing, and not even looked at.

Figures: the first sweep (everything to emit), a second sweep the same day (nothing left: the
steady cost each replica pays every ``sweep_interval_seconds``), a baseline bare
``SELECT count(*) … WHERE due_on < today AND concluded_on IS NULL``, peak and current RSS before and
after, and the query plans of the claim statements (they should use ``ix_applications_open_due``).

    .venv/bin/python bench/requests_sweep.py [--rows 1000000] [--overdue 10000]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_requests]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
from sqlalchemy import Update
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import make_url

from services.requests.app import SPEC
from services.requests.service.sweeps import (
    _due_soon_claim,
    _overdue_claim,
    _rule_set_groups,
    due_soon_targets,
    sweep_deadlines,
)
from shared.bus import create_bus
from shared.calendar import WorkingDayCalendar
from shared.clock import Clock
from shared.migrations import upgrade
from shared.runtime import ServiceRuntime
from shared.settings import Settings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_requests"
TODAY = date(2026, 11, 2)  # Monday
NEWLY_OVERDUE_DUE = date(2026, 10, 30)  # Friday
TARGET_SECONDS = 5.0

COLUMNS = (
    "id", "tracking_no", "query_code_index", "unit_code", "channel", "applicant_type", "applicant_name",
    "description", "delivery_format", "delivery_method", "state", "rule_set", "submitted_at", "received_on",
    "due_on", "due_on_provisional", "clock_running", "handler_id", "source_ref", "overdue_due_on", "version",
    "created_at", "updated_at",
)  # fmt: skip
APPLICANT_TYPES = ("natural_person", "commercial_enterprise", "research_institution", "other_org")


def connect_args(url: str) -> dict[str, object]:
    parsed = make_url(url)
    return {"host": parsed.host, "port": parsed.port or 5432, "user": parsed.username, "password": parsed.password}


async def recreate_database(url: str) -> None:
    connection = await asyncpg.connect(**connect_args(url), database="postgres")
    try:
        database = make_url(url).database
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()


def plan(rows: int, overdue: int) -> list[tuple[int, int, str]]:
    """(first index, count, kind) blocks that add up to ``rows``."""
    blocks = [(overdue, "newly_overdue"), (50_000, "reported_overdue"), (5_000, "paused")]
    blocks += [(1_000, "due_in_5"), (1_000, "due_in_3"), (1_000, "due_in_1")]
    taken = sum(n for n, _ in blocks)
    blocks.append((max(0, rows - taken), "later"))
    out, start = [], 0
    for n, kind in blocks:
        out.append((start, n, kind))
        start += n
    return out


def record(n: int, kind: str, calendar: WorkingDayCalendar) -> tuple[object, ...]:
    submitted = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    state, clock_running, overdue_due_on, handler = "in_progress", True, None, f"handler-{n % 5000}"
    if kind == "newly_overdue":
        due = NEWLY_OVERDUE_DUE
    elif kind == "reported_overdue":
        due = date(2026, 9, 1) + timedelta(days=n % 55)
        overdue_due_on = due
    elif kind == "paused":
        due, state, clock_running = date(2026, 10, 20), "consulting", False
    elif kind.startswith("due_in_"):
        due = calendar.add_working_days(TODAY, int(kind[-1])).day
    else:  # from 11-10 for ~80 days
        due = date(2026, 11, 10) + timedelta(days=n % 80)
    return (
        f"bench-{n:010d}", f"B{n:012d}", "0" * 64, f"U{n % 2000:04d}", "online",
        APPLICANT_TYPES[n % len(APPLICANT_TYPES)], "张三", "申请公开某项目的预算执行情况", "electronic", "email",
        state, "national_2019", submitted, date(2026, 9, 1), due, False, clock_running, handler,
        f"WO-{n}" if n % 10 == 0 else None, overdue_due_on, 1, submitted, submitted,
    )  # fmt: skip


async def load_part(url: str, part: int, parts: int, rows: int, overdue: int, chunk: int = 50_000) -> None:
    calendar = WorkingDayCalendar()
    connection = await asyncpg.connect(**connect_args(url), database=make_url(url).database)
    try:
        batch: list[tuple[object, ...]] = []
        for start, count, kind in plan(rows, overdue):
            for n in range(start, start + count):
                if n % parts != part:
                    continue
                batch.append(record(n, kind, calendar))
                if len(batch) >= chunk:
                    await connection.copy_records_to_table("applications", records=batch, columns=COLUMNS)
                    batch = []
        if batch:
            await connection.copy_records_to_table("applications", records=batch, columns=COLUMNS)
    finally:
        await connection.close()


def load_worker(url: str, part: int, parts: int, rows: int, overdue: int) -> None:
    asyncio.run(load_part(url, part, parts, rows, overdue))


def rss() -> dict[str, float]:
    current = 0.0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    return {
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "current_mb": round(current, 1),
    }


async def explain(connection: asyncpg.Connection, statement: Update) -> list[str]:
    compiled = statement.compile(dialect=PGDialect_asyncpg(), compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    return [row[0] for row in await connection.fetch("EXPLAIN " + compiled.string, *params)]


async def main(args: argparse.Namespace) -> dict[str, object]:
    """Runs the benchmark, prints its figures and returns them (``bench/requests.py`` calls it)."""
    url = args.database_url
    await recreate_database(url)
    await asyncio.to_thread(upgrade, "requests", url, SPEC.versions_dir, SPEC.tables.metadata)

    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=load_worker, args=(url, part, args.workers, args.rows, args.overdue))
        for part in range(args.workers)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a loader failed with exit code {worker.exitcode}")
    load_seconds = time.perf_counter() - started
    connection = await asyncpg.connect(**connect_args(url), database=make_url(url).database)
    started = time.perf_counter()
    await connection.execute("VACUUM ANALYZE applications")
    vacuum_seconds = time.perf_counter() - started

    open_rows = await connection.fetchval("SELECT count(*) FROM applications WHERE concluded_on IS NULL")
    started = time.perf_counter()
    baseline_count = await connection.fetchval(
        "SELECT count(*) FROM applications WHERE due_on < $1 AND concluded_on IS NULL", TODAY
    )
    baseline_seconds = time.perf_counter() - started

    calendar = WorkingDayCalendar()
    plans = {"overdue_claim": await explain(connection, _overdue_claim(TODAY, 5000))}
    marks, group = _rule_set_groups("national_2019")[0]
    first_target = due_soon_targets(calendar, marks, TODAY)[0]
    plans["due_soon_claim"] = await explain(connection, _due_soon_claim(first_target, group, 5000))

    settings = Settings(_env_file=None, env="test", bus_url="memory://bench", run_background_jobs=False)  # type: ignore[call-arg]
    runtime = ServiceRuntime(SPEC, settings, clock=Clock(), bus=create_bus("memory://bench"), database_url=url)
    try:
        before = rss()
        started = time.perf_counter()
        first = await sweep_deadlines(runtime, today=TODAY, batch_size=args.batch_size)
        first_seconds = time.perf_counter() - started
        after = rss()
        started = time.perf_counter()
        second = await sweep_deadlines(runtime, today=TODAY, batch_size=args.batch_size)
        second_seconds = time.perf_counter() - started
        after_second = rss()
    finally:
        await runtime.stop()
    outbox = await connection.fetch("SELECT type, count(*) AS n FROM outbox GROUP BY type ORDER BY type")
    audit_rows = await connection.fetchval("SELECT count(*) FROM audit_log")
    await connection.close()

    summary = {
        "benchmark": "requests deadline sweep (issue 3 (b))",
        "run_id": uuid.uuid4().hex[:8],
        "sweep_day": TODAY.isoformat(),
        "open_applications": open_rows,
        "load_seconds": round(load_seconds, 1),
        "vacuum_analyze_seconds": round(vacuum_seconds, 1),
        "baseline_count_seconds": round(baseline_seconds, 3),
        "baseline_count_due_before_today": baseline_count,
        "first_sweep": {"seconds": round(first_seconds, 3), **first.counts(), "today": TODAY.isoformat()},
        "second_sweep_same_day": {"seconds": round(second_seconds, 3), **second.counts(), "today": TODAY.isoformat()},
        "rss_before": before,
        "rss_after_first": after,
        "rss_after_second": after_second,
        "outbox_rows": {row["type"]: row["n"] for row in outbox},
        "audit_rows": audit_rows,
        "target": f"first sweep under {TARGET_SECONDS:.0f} s: {'met' if first_seconds < TARGET_SECONDS else 'MISSED'}",
        "batch_size": args.batch_size,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    for name, lines in plans.items():
        print(f"\n-- plan of {name} (before the sweep)")
        print("\n".join(lines))
    return summary


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--overdue", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=max(1, min(4, multiprocessing.cpu_count())))
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
