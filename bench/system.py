"""System benchmark (issue 16): 10,000 applications going overdue at once in the distributed mode —
the five services as separate ``gongkai serve-one`` processes on PostgreSQL and RabbitMQ (the
cluster of ``tests/system/cluster.py``) — timed from the sweep to the last of the three downstream
effects, with events/s and p50/p99 per hop, and a check that none was lost or doubled.

The world is built through the APIs (units with contacts and leaders, seed 003's scheme for this
year published, 12345's webhook endpoint); the applications themselves are loaded with COPY into
the requests service's database (as ``bench/requests_sweep.py`` does): in progress, from 12345, due
on the last working day before today, assigned to a handler — and the notifier's record of their
origin (``request_origins``, what ``request.registered`` would have left) likewise, so each
``request.overdue`` is pushed to 12345 too. The clocks are not moved: every timestamp is real time.

Hops, each per event, from the ``request.overdue`` row in the requests outbox (``created_at``):
published (outbox ``sent_at``), accountability's finding (``case_findings.created_at``), scoring's
system entry (``sheet_entries.created_at``), the notifier's deliveries written (the handler's inbox
row: delivered when written), and the dispatcher's e-mails and signed 12345 pushes sent (``sent_at``,
to a real aiosmtpd server and a uvicorn receiver verifying every signature, in this process).

    .venv/bin/python bench/system.py [--applications 10000] [--replicas 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:1] = [str(ROOT), str(ROOT / "bench")]

from requests_sweep import COLUMNS  # noqa: E402  (the applications table's columns, loaded by COPY)

from shared.calendar import WorkingDayCalendar  # noqa: E402
from shared.clock import legal_date  # noqa: E402
from shared.settings import SERVICE_NAMES  # noqa: E402
from tests.notifier.support import HOTLINE_SECRET, http_receiver, smtp_server  # noqa: E402
from tests.system.cluster import (  # noqa: E402
    CONSUMERS,
    Cluster,
    Databases,
    create_vhost,
    delete_vhost,
    eventually,
    migrate_all,
    recreate_database,
)
from tests.system.story import A_UNITS, build_world, environment, sweep_requests  # noqa: E402

TARGET_SECONDS = 30.0
VHOST = "gongkai_bench_sys"
DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_sys_{service}"


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


async def seed(databases: Databases, count: int, due_on: date) -> None:
    """``count`` applications from 12345, in progress, due ``due_on``, never reported overdue."""
    now = datetime.now(UTC) - timedelta(days=40)
    records = [
        (
            f"sysbench-{n:08d}",
            f"S{n:012d}",
            "0" * 64,
            A_UNITS[n % len(A_UNITS)],
            "hotline_12345",
            "natural_person",
            "张三",
            "申请公开本单位部门预算",
            "electronic",
            "email",
            "in_progress",
            "national_2019",
            now,
            due_on - timedelta(days=30),
            due_on,
            False,
            True,
            f"handler-{n % 50}",
            f"GDB{n:012d}",
            None,
            1,
            now,
            now,
        )  # fmt: skip
        for n in range(count)
    ]
    async with databases.pools["requests"].acquire() as connection:
        await connection.copy_records_to_table("applications", records=records, columns=COLUMNS)
    origins = [(r[0], "hotline_12345", r[18], now) for r in records]
    async with databases.pools["notifier"].acquire() as connection:
        await connection.copy_records_to_table(
            "request_origins", records=origins, columns=("request_id", "channel", "source_ref", "registered_at")
        )


async def counts(databases: Databases) -> dict[str, int]:
    return {
        "accountability": await databases.value(
            "accountability", "SELECT count(*) FROM case_findings WHERE event_type = 'request.overdue'"
        ),
        "scoring": await databases.value(
            "scoring", "SELECT count(*) FROM sheet_entries WHERE event_type = 'request.overdue'"
        ),
        "notifier": await databases.value(
            "notifier",
            "SELECT count(*) FROM notifications WHERE event_type = 'request.overdue' AND recipient_kind = 'handler'",
        ),
        "dispatched": await databases.value(
            "notifier",
            "SELECT count(*) FROM notifications WHERE event_type = 'request.overdue' AND status = 'sent'"
            " AND channel <> 'inbox'",
        ),
    }


async def hop_times(databases: Databases) -> tuple[dict[str, datetime], dict[str, dict[str, list[datetime]]]]:
    """The outbox time of each request.overdue, and per hop each event's effect times."""
    outbox = await databases.rows(
        "requests", "SELECT event_id, created_at, sent_at FROM outbox WHERE type = 'request.overdue'"
    )
    written = {r["event_id"]: r["created_at"] for r in outbox}
    hops: dict[str, dict[str, list[datetime]]] = {
        name: {}
        for name in ("published", "accountability", "scoring", "notifier (written)", "e-mail sent", "12345 push sent")
    }
    for r in outbox:
        hops["published"].setdefault(r["event_id"], []).append(r["sent_at"])
    queries = {
        "accountability": ("accountability", "SELECT event_id, created_at AS at FROM case_findings"),
        "scoring": ("scoring", "SELECT event_id, created_at AS at FROM sheet_entries WHERE source = 'system'"),
        "notifier (written)": (
            "notifier",
            "SELECT event_id, created_at AS at FROM notifications WHERE recipient_kind = 'handler'",
        ),
        "e-mail sent": ("notifier", "SELECT event_id, sent_at AS at FROM notifications WHERE channel = 'email'"),
        "12345 push sent": ("notifier", "SELECT event_id, sent_at AS at FROM notifications WHERE channel = 'webhook'"),
    }
    for hop, (service, sql) in queries.items():
        for r in await databases.rows(service, sql):
            if r["event_id"] in written:
                hops[hop].setdefault(r["event_id"], []).append(r["at"])
    return written, hops


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(
    n: int, swept_at: datetime, written: dict[str, datetime], hops: dict[str, dict[str, list[datetime]]]
) -> tuple[list[str], dict[str, float], bool]:
    per_event = {"e-mail sent": 2}
    lines = [
        "| hop (from the outbox row) | events | lost | doubled | p50 ms | p99 ms | last after sweep s | events/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    finished: dict[str, float] = {}
    clean = len(written) == n
    for hop, found in hops.items():
        want = per_event.get(hop, 1)
        lost = n - len(found)
        doubled = sum(1 for times in found.values() if len(times) > want)
        latencies = [
            (t - written[event_id]).total_seconds() * 1000 for event_id, times in found.items() for t in times if t
        ]
        last = max((t for times in found.values() for t in times if t), default=swept_at)
        seconds = (last - swept_at).total_seconds()
        finished[hop] = seconds
        clean &= lost == 0 and doubled == 0
        rate = n / seconds if seconds > 0 else float("nan")
        p50 = statistics.median(latencies) if latencies else float("nan")
        p99 = percentile(latencies, 0.99) if latencies else float("nan")
        lines.append(
            f"| {hop} | {len(found):,} | {lost} | {doubled} | {p50:,.0f} | {p99:,.0f} | {seconds:.1f} | {rate:,.0f} |"
        )
    return lines, finished, clean


async def run(args: argparse.Namespace) -> int:
    n = args.applications
    urls = {s: DATABASE.format(service=s) for s in SERVICE_NAMES}
    for url in urls.values():
        await recreate_database(url)
    await asyncio.to_thread(migrate_all, urls)
    await asyncio.to_thread(create_vhost, VHOST)
    today = legal_date(datetime.now(UTC))
    calendar = WorkingDayCalendar()
    due_on = today - timedelta(days=1)
    while not calendar.is_working_day(due_on):
        due_on -= timedelta(days=1)
    databases = Databases(urls)
    await databases.open()
    cluster: Cluster | None = None
    try:
        with smtp_server() as (mail, smtp_port):
            async with http_receiver() as hotline:
                with tempfile.TemporaryDirectory(prefix="gongkai-bench-system-") as scratch:
                    replicas = {"requests": 1, **dict.fromkeys(CONSUMERS, args.replicas)}
                    bus_url = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
                    cluster = Cluster(
                        env=environment(
                            bus_url,
                            urls,
                            smtp_port,
                            Path(scratch) / "data",
                            # The digest would add mails of its own to the count: not what is measured.
                            GONGKAI_NOTIFIER_DIGEST_CHECK_SECONDS="86400",
                        ),
                        log_dir=Path(scratch) / "logs",
                        replicas=replicas,
                    )
                    started = time.monotonic()
                    await cluster.start()
                    print(f"cluster of {sum(replicas.values())} processes ready in {time.monotonic() - started:.1f} s")
                    await build_world(cluster, databases, hotline.url("/push/hotline"), HOTLINE_SECRET, year=today.year)
                    await seed(databases, n, due_on)
                    print(f"{n:,} applications due {due_on} loaded; load average {load_average()}")

                    swept_at = datetime.now(UTC)
                    sweep = await sweep_requests(cluster)
                    print(
                        f"sweep: {sweep['overdue_emitted']:,} request.overdue in {(datetime.now(UTC) - swept_at).total_seconds():.2f} s"
                    )
                    try:
                        await eventually(
                            lambda: counts(databases),
                            lambda c: c["accountability"] >= n
                            and c["scoring"] >= n
                            and c["notifier"] >= n
                            and c["dispatched"] >= 3 * n,
                            seconds=args.timeout,
                            every=0.5,
                            what="every effect",
                        )
                    except AssertionError as unfinished:
                        print(f"UNFINISHED: {unfinished}")
                    written, hops = await hop_times(databases)
                    lines, finished, clean = report(n, swept_at, written, hops)
                    received = Counter(h["idempotency-key"] for h in hotline.headers)
                    print()
                    print(
                        f"bench/system.py: {n:,} applications overdue at once, replicas {replicas}, "
                        f"{os.cpu_count()} cores, load average after {load_average()}"
                    )
                    print("\n".join(lines))
                    three = max(finished["accountability"], finished["scoring"], finished["notifier (written)"])
                    print(
                        f"\nthe three downstream effects, all: {three:.1f} s after the sweep "
                        f"({n / three if three else float('nan'):,.0f} events/s; target all within {TARGET_SECONDS:.0f} s:"
                        f" {'met' if three <= TARGET_SECONDS else 'missed'})"
                    )
                    print(f"with the dispatcher's sends: {max(finished.values()):.1f} s")
                    print(
                        f"receivers: {len(mail.messages):,} e-mails, {len(hotline.pushes['hotline']):,} 12345 pushes"
                        f" ({sum(c - 1 for c in received.values())} repeated keys), {len(hotline.rejected)} bad signatures"
                    )
                    print("none lost or doubled" if clean else "LOST OR DOUBLED: see the table")
                    return 0 if clean else 1
    finally:
        if cluster is not None:
            await cluster.stop()
        await databases.close()
        await asyncio.to_thread(delete_vhost, VHOST)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=10_000, help="applications going overdue at once")
    parser.add_argument("--replicas", type=int, default=1, help="replicas of each consuming service")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for every effect")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(run(parse_args())))
