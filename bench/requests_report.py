"""Benchmark (c) of issue 3: the annual report over 1,000,000 applications across 2,000 units on
PostgreSQL — target under 5 s.

    .venv/bin/python -m bench.requests_report [--applications 1000000] [--units 2000] [--year 2026]

Recreates the database ``gongkai_bench_report`` (127.0.0.1:5432, user postgres), migrates it
with the requests service's real migrations, bulk-loads units and applications with asyncpg
``copy_records_to_table``, ANALYZEs, then times the report (both tables, as the API runs it) for
a region roll-up covering every unit and for one unit, next to a baseline ``SELECT count(*)`` on
the same table, and prints the plan of the table 三 statement (EXPLAIN ANALYZE, BUFFERS).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import asyncpg
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.requests.app import SPEC
from services.requests.domain.outcomes import APPLICANT_TYPES, OUTCOMES
from services.requests.service.reports import AnnualReport, ReportScope, annual_report, table3_statement
from shared.migrations import upgrade

T = TypeVar("T")

PG_HOST = os.environ.get("GONGKAI_BENCH_PG_HOST", "127.0.0.1")
PG_USER = os.environ.get("GONGKAI_BENCH_PG_USER", "postgres")
DATABASE = "gongkai_bench_report"
URL = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:5432/{DATABASE}"

APPLICATION_COLUMNS = (
    "id",
    "tracking_no",
    "query_code_index",
    "unit_code",
    "channel",
    "applicant_type",
    "applicant_name",
    "description",
    "delivery_format",
    "delivery_method",
    "state",
    "rule_set",
    "submitted_at",
    "received_on",
    "due_on",
    "due_on_provisional",
    "clock_running",
    "outcome",
    "replied_on",
    "concluded_on",
    "version",
    "created_at",
    "updated_at",
)
UNIT_COLUMNS = ("unit_code", "name", "kind", "region", "contacts", "active", "version", "created_at", "updated_at")


async def recreate_database() -> None:
    connection = await asyncpg.connect(host=PG_HOST, user=PG_USER, database="postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()


def unit_records(count: int) -> list[tuple[object, ...]]:
    now = datetime.now(UTC)
    records = []
    for i in range(count):
        # 20 counties under prefecture 1304 and 1305, 100 units each: 13040x/13050x + 3-digit towns.
        region = f"13{4 + i // 1000:02d}{(i // 100) % 10 + 1:02d}{i % 100:03d}"
        records.append((f"U{i:05d}", f"单位{i:05d}", "department", region, "[]", True, 1, now, now))
    return records


def application_records(count: int, unit_codes: list[str], seed: int = 7) -> list[tuple[object, ...]]:
    rng = random.Random(seed)
    outcomes = list(OUTCOMES)
    first = date(2024, 1, 1)
    now = datetime.now(UTC)
    records = []
    for _ in range(count):
        application_id = str(uuid.uuid4())
        received = first + timedelta(days=rng.randrange(0, 4 * 365))
        roll = rng.random()
        if roll < 0.03:
            received_on, concluded, outcome, state = None, received, None, "withdrawn"  # never registered
        elif roll < 0.20:
            received_on, concluded, outcome, state = received, None, None, "in_progress"
        elif roll < 0.25:
            received_on, concluded, outcome, state = (
                received,
                received + timedelta(days=rng.randrange(0, 60)),
                None,
                "withdrawn",
            )
        else:
            received_on, concluded, outcome, state = (
                received,
                received + timedelta(days=rng.randrange(0, 90)),
                rng.choice(outcomes),
                "replied",
            )
        records.append(
            (
                application_id,
                "T" + application_id.replace("-", "")[:20].upper(),
                "0" * 64,
                rng.choice(unit_codes),
                "online",
                rng.choice(APPLICANT_TYPES),
                "张三",
                "申请公开",
                "electronic",
                "email",
                state,
                "national_2019",
                now,
                received_on,
                None,
                False,
                concluded is None,
                outcome,
                concluded if outcome else None,
                concluded,
                1,
                now,
                now,
            )
        )
    return records


async def timed(label: str, coroutine_factory: Callable[[], Awaitable[T]], repeat: int = 3) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await coroutine_factory()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<48} {best:7.3f} s (best of {repeat})")
    assert result is not None
    return best, result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--year", type=int, default=2026)
    return parser.parse_args(argv)


async def main(args: argparse.Namespace | None = None) -> dict[str, object]:
    """Runs the benchmark, prints its figures and returns them (``bench/requests.py`` calls it)."""
    args = args or parse_args()
    await recreate_database()
    with ThreadPoolExecutor(1) as pool:
        pool.submit(upgrade, "requests", URL, SPEC.versions_dir, SPEC.tables.metadata).result()

    started = time.perf_counter()
    units = unit_records(args.units)
    unit_codes = [u[0] for u in units]
    apps = application_records(args.applications, unit_codes)
    connection = await asyncpg.connect(host=PG_HOST, user=PG_USER, database=DATABASE)
    try:
        await connection.copy_records_to_table("units", records=units, columns=UNIT_COLUMNS)
        chunk = 200_000
        for i in range(0, len(apps), chunk):
            await connection.copy_records_to_table(
                "applications", records=apps[i : i + chunk], columns=APPLICATION_COLUMNS
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    del apps
    load_seconds = time.perf_counter() - started
    print(f"loaded {args.units:,} units and {args.applications:,} applications in {load_seconds:.1f} s")

    engine = create_async_engine(URL)
    try:
        async with AsyncSession(engine) as session:

            async def count() -> int:
                return (await session.execute(text("SELECT count(*) FROM applications"))).scalar_one()

            async def region() -> AnnualReport:
                return await annual_report(session, args.year, ReportScope(region="13"))

            async def unit() -> AnnualReport:
                return await annual_report(session, args.year, ReportScope(unit_code=unit_codes[0]))

            baseline, n = await timed("baseline SELECT count(*) FROM applications", count)
            region_s, region_report = await timed(f"annual report {args.year}, region roll-up '13' (all units)", region)
            unit_s, unit_report = await timed(f"annual report {args.year}, one unit {unit_codes[0]}", unit)
            rows = region_report.table3
            print(
                f"rows={n:,}; region {args.year}: received={rows['received']['total']:,} "
                f"carried_from={rows['carried_over_from_last_year']['total']:,} "
                f"concluded={rows['concluded_total']['total']:,} carried_to={rows['carried_over_to_next_year']['total']:,} "
                f"balanced={region_report.balanced()} (unit balanced={unit_report.balanced()})"
            )
            target = 5.0
            print(
                f"target < {target} s: region {'OK' if region_s < target else 'MISSED'}, unit {'OK' if unit_s < target else 'MISSED'}"
            )
            for label, scope in (("region", ReportScope(region="13")), ("unit", ReportScope(unit_code=unit_codes[0]))):
                sql = str(
                    table3_statement(args.year, scope).compile(
                        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
                    )
                )
                plan = (await session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql))).scalars().all()
                print(f"\n-- plan of table 三, {label}:")
                print("\n".join(plan))
    finally:
        await engine.dispose()
    return {
        "applications": n, "units": args.units, "year": args.year, "load_seconds": round(load_seconds, 1),
        "baseline_count_seconds": round(baseline, 3), "region_seconds": round(region_s, 3), "unit_seconds": round(unit_s, 3),
        "balanced": region_report.balanced() and unit_report.balanced(),
    }  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
