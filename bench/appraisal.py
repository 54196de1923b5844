"""Benchmark of the appraisal service (issue 13), figures in docs/appraisal.md.

(a) Public response intake on PostgreSQL at ``--concurrency`` (32) clients, each request a different
    citizen (its own respondent token and client address): the service's own app (duplicate check,
    rate limit, questionnaire check, rating rows, audit) beside a bare FastAPI + asyncpg insert of one
    row, both under uvicorn (one worker, uvloop, httptools) in the same run, loaded alternately in
    ``--rounds`` rounds; the servers' CPU time per request is printed too.
    Targets: ≥ 1,000 responses/s, ≥ 40 % of bare, p99 < 100 ms.
(b) Closing a campaign of ``--responses`` (1,000,000) responses over ``--units`` (500) units, loaded
    with COPY: the close use case (two GROUP BYs, the results, the problems) in one transaction.
    Target: < 10 s.

    .venv/bin/python bench/appraisal.py [--requests 20000] [--rounds 5] [--gc-freeze] [--responses 1000000]
        [--skip-close]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_appraisal"
TARGET_RATE, TARGET_SHARE, TARGET_P99_MS, TARGET_CLOSE_S = 1000.0, 0.40, 100.0, 10.0
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")


def pg(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def recreate(url: str) -> None:
    name = make_url(url).database
    connection = await asyncpg.connect(pg(str(make_url(url).set(database="postgres"))))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    from services.appraisal.app import SPEC
    from shared.migrations import upgrade

    await asyncio.to_thread(upgrade, "appraisal", url, SPEC.versions_dir, SPEC.tables.metadata)


async def runtime_for(url: str):  # type: ignore[no-untyped-def]
    from services.appraisal.app import SPEC
    from shared.bus import create_bus
    from shared.clock import Clock
    from shared.runtime import ServiceRuntime
    from shared.settings import Settings

    settings = Settings(_env_file=None, env="dev", appraisal_database_url=url, bus_url="memory://bench-setup")  # type: ignore[call-arg]
    bus = create_bus(settings.bus_url)
    await bus.start()
    return ServiceRuntime(SPEC, settings, clock=Clock(), bus=bus, database_url=url)


async def open_campaign(url: str, units: list[str]) -> str:
    """Units in the replica and an open campaign about them, through the service's own use cases."""
    from services.appraisal.schemas.campaigns import CampaignIn
    from services.appraisal.service import campaigns
    from shared.events import UnitUpserted, new_event
    from shared.inbox import EventContext
    from shared.journal import SYSTEM
    from shared.reference import on_unit_upserted

    runtime = await runtime_for(url)
    try:
        async with runtime.transaction() as session:
            for code in units:
                data = UnitUpserted(
                    unit_code=code, name=f"单位{code}", kind="department", region="130400", contacts=[], version=1
                )
                await on_unit_upserted(
                    EventContext(session, runtime),
                    new_event(data, source="bench", subject=code, time=datetime.now(UTC)),
                )
        now = datetime.now(UTC)
        body = CampaignIn(
            year=now.year,
            name="基准测试社会评议",
            target_units=units,
            methods=[{"method": "public", "weight": "1"}],  # type: ignore[list-item]
            min_responses=1,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
        )
        async with runtime.transaction() as session:
            out = await campaigns.create_campaign(session, runtime, SYSTEM, body)
            await campaigns.open_campaign(session, runtime, SYSTEM, out.id, "*")
        return out.id
    finally:
        await runtime.stop()
        await runtime.bus.close()


# -- servers and load ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(factory: str, url: str, gc_freeze: bool = False) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "GONGKAI_BENCH_DATABASE_URL": url,
        "GONGKAI_APPRAISAL_TRUST_FORWARDED_FOR": "true",
        "GONGKAI_BENCH_GC_FREEZE": "1" if gc_freeze else "",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", f"bench.appraisal_servers:{factory}", "--host", "127.0.0.1",
        "--port", str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env), port


async def wait_listening(port: int) -> None:
    for _ in range(600):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise SystemExit("server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class Run:
    """What one server did in the measured rounds."""

    requests: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return {
            "requests_per_s": round(self.requests / self.seconds, 1),
            "p50_ms": round(cuts[49] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1),
            "errors": len(self.errors),
            "server_cpu_ms": round(self.cpu_seconds * 1000 / self.requests, 3),
        }


async def load(port: int, path: str, units: list[str], requests: int, concurrency: int, run: Run) -> None:
    issued = 0

    async def worker(_w: int) -> None:
        nonlocal issued
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while issued < requests:
                issued += 1
                n = issued
                body = json.dumps(
                    {
                        "unit_code": units[n % len(units)],
                        "answers": {f"q{i}": RATINGS[(n + i) % 3] for i in range(1, 7)},
                        "respondent_token": f"bench-respondent-{uuid.uuid4().hex}",
                    }
                ).encode()
                address = f"10.{n % 200}.{(n // 200) % 250}.{(n // 50000) % 250 + 1}"
                head = (
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    f"X-Forwarded-For: {address}\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode()
                started = time.perf_counter()
                writer.write(head + body)
                response = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line[15:]) for line in response.split(b"\r\n") if line[:15].lower() == b"content-length:"
                )
                content = await reader.readexactly(length)
                run.latencies.append(time.perf_counter() - started)
                if response[9:12] != b"201":
                    run.errors.append(f"{response[9:12]!r} {content[:200]!r}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    run.seconds += time.perf_counter() - started
    run.requests += requests


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def intake(url: str, requests: int, concurrency: int, rounds: int, gc_freeze: bool) -> dict[str, object]:
    """Both servers up at once, loaded in turn for ``rounds`` rounds (after a warm-up), so that a
    change in what else the machine runs touches both alike. Beside the rate, each server's own
    CPU time per request: on a shared machine it moves far less than the rate."""
    units = [f"U{i:03d}" for i in range(1, 21)]
    campaign = await open_campaign(url, units)
    paths = {"bare": "/bare", "real": f"/api/v1/campaigns/{campaign}/responses"}
    servers = {name: start(f"{name}_app", url, gc_freeze) for name in paths}
    runs = {name: Run() for name in paths}
    try:
        for name, (_process, port) in servers.items():
            await wait_listening(port)
            await load(port, paths[name], units, min(1000, requests // 10), concurrency, Run())  # warm-up
        for _ in range(rounds):
            for name, (process, port) in servers.items():
                used = cpu_seconds(process.pid)
                await load(port, paths[name], units, requests // rounds, concurrency, runs[name])
                runs[name].cpu_seconds += cpu_seconds(process.pid) - used
    finally:
        for process, _port in servers.values():
            stop(process)
    figures: dict[str, object] = {}
    for name, run in runs.items():
        figures[name] = run.figures()
        if run.errors:
            print(f"  {name}: {len(run.errors)} errors, the first: {run.errors[0]}")
        print(f"  {name}: {figures[name]}")
    print(f"  load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    real, bare = figures["real"], figures["bare"]
    assert isinstance(real, dict) and isinstance(bare, dict)
    figures["share_of_bare"] = round(real["requests_per_s"] / bare["requests_per_s"], 3)
    figures["server_cpu_ratio"] = round(real["server_cpu_ms"] / bare["server_cpu_ms"], 2)
    return figures


# -- closing ----------------------------------------------------------------------------------------


async def close(url: str, responses: int, unit_count: int) -> dict[str, object]:
    from services.appraisal.service.results import close_campaign
    from shared.journal import SYSTEM

    units = [f"C{i:03d}" for i in range(1, unit_count + 1)]
    campaign = await open_campaign(url, units)
    connection = await asyncpg.connect(pg(url))
    rng = random.Random(13)
    loaded = time.perf_counter()
    try:
        start_id = await connection.fetchval("SELECT coalesce(max(id), 0) + 1 FROM responses")
        now = datetime.now(UTC)
        batch = 100_000
        for first in range(0, responses, batch):
            ids = range(start_id + first, start_id + min(first + batch, responses))
            rows = [(i, campaign, units[i % unit_count], "public", f"{i:064x}", "{}", "{}", now) for i in ids]
            await connection.copy_records_to_table(
                "responses",
                records=rows,
                columns=[
                    "id",
                    "campaign_id",
                    "unit_code",
                    "method",
                    "respondent_hash",
                    "choices",
                    "texts",
                    "submitted_at",
                ],
            )
            ratings = [
                (i, f"q{q}", campaign, units[i % unit_count], "public", rng.choice((0, 0, 1, 2)))
                for i in ids
                for q in range(1, 7)
            ]
            await connection.copy_records_to_table(
                "response_ratings",
                records=ratings,
                columns=["response_id", "question", "campaign_id", "unit_code", "method", "rating"],
            )
            remarks = [
                (i, "q7", campaign, units[i % unit_count], "public", f"问题{i % 40}") for i in ids if i % 20 == 0
            ]
            await connection.copy_records_to_table(
                "response_remarks",
                records=remarks,
                columns=["response_id", "question", "campaign_id", "unit_code", "method", "text"],
            )
        await connection.execute(
            "SELECT setval(pg_get_serial_sequence('responses', 'id'), (SELECT max(id) FROM responses))"
        )
        await connection.execute("ANALYZE responses; ANALYZE response_ratings; ANALYZE response_remarks")
    finally:
        await connection.close()
    print(f"  loaded {responses:,} responses ({responses * 6:,} ratings) in {time.perf_counter() - loaded:.1f} s")
    runtime = await runtime_for(url)
    try:
        started = time.perf_counter()
        async with runtime.transaction() as session:
            await close_campaign(session, runtime, SYSTEM, campaign, None, required=False)
        seconds = time.perf_counter() - started
    finally:
        await runtime.stop()
        await runtime.bus.close()
    return {"responses": responses, "units": unit_count, "close_seconds": round(seconds, 2)}


async def main(args: argparse.Namespace) -> None:
    await recreate(args.database_url)
    print(f"(a) intake: {args.requests:,} requests at {args.concurrency} clients, in {args.rounds} rounds per server")
    figures = await intake(args.database_url, args.requests, args.concurrency, args.rounds, args.gc_freeze)
    real = figures["real"]
    assert isinstance(real, dict)
    print(
        f"  share of bare {figures['share_of_bare']:.0%} — targets: ≥ {TARGET_RATE:.0f}/s "
        f"{'OK' if real['requests_per_s'] >= TARGET_RATE else 'MISSED'}, ≥ {TARGET_SHARE:.0%} of bare "
        f"{'OK' if figures['share_of_bare'] >= TARGET_SHARE else 'MISSED'}, p99 < {TARGET_P99_MS:.0f} ms "  # type: ignore[operator]
        f"{'OK' if real['p99_ms'] < TARGET_P99_MS else 'MISSED'}; server CPU per request "
        f"{figures['server_cpu_ratio']}× bare's"
    )
    if not args.skip_close:
        print(f"(b) closing {args.responses:,} responses over {args.units} units")
        closing = await close(args.database_url, args.responses, args.units)
        ok = closing["close_seconds"] < TARGET_CLOSE_S  # type: ignore[operator]
        print(f"  closed in {closing['close_seconds']} s — target < {TARGET_CLOSE_S:.0f} s {'OK' if ok else 'MISSED'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5, help="turns each server is loaded, alternately")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="both servers call gc.freeze() once built (not done in production yet)"
    )
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--skip-close", action="store_true")
    asyncio.run(main(parser.parse_args()))
