"""Requests-service benchmark (issue 3): (a) ``POST /api/v1/requests`` against a bare endpoint,
(b) the deadline sweep, (c) the annual report — in one run on PostgreSQL, with one summary table.

(a) The database ``gongkai_bench_requests_api`` is dropped, recreated and migrated by the real
migrations, and gets one unit ``U001``. Two uvicorn subprocesses (one worker each, ``--loop uvloop
--http httptools --no-access-log``) serve on free localhost ports:

- real: the requests service's own app (``services.requests.app.create_app``) with the in-memory
  bus ``memory://bench`` and no background jobs, so no outbox relay or consumer competes for the
  CPU (submitting an ``online`` application emits no event anyway; it writes the row and an audit
  row). The whole stack runs: middleware (request context, body limit, idempotency), optional
  token, validation, unit lookup, AES-GCM encryption and keyed blind indexes of the identity number
  and query code, the audit row, the reload of the row and the response model.
- bare: ``bench/requests_servers.py::bare_app``, a plain FastAPI app whose ``POST /bare`` validates
  the same JSON with a small pydantic model and INSERTs the same kind of row into the same table
  through a raw asyncpg pool (10–20 connections, as the real engine's pool) and returns 201 JSON.
  It is the ceiling FastAPI + asyncpg allow on this machine.

The body is an anonymous citizen's ``online`` application with a name, an identity number (so the
encryption runs), an e-mail, a description and a delivery, as in
``tests/requests/test_applications_smoke.py``. Each path gets a warm-up, then N requests (the bare
path first; the table is truncated before the real path) from 32 concurrent keep-alive connections; latency is per request, from writing the
request to reading the whole response; throughput is N over first request → last response. The
Python client is a minimal HTTP/1.1 keep-alive client on asyncio streams (uvloop) — httpx costs
several times more CPU per request and would, on this machine, measure itself (``--client httpx``
to see). With ``wrk`` installed (``--client auto``, the default, picks it) the load comes from wrk
instead (time-boxed, ``--seconds``): a C client takes the least CPU from the servers.

Everything — load generator, both servers and PostgreSQL — shares this machine's cores; the
printout gives the CPU each took per request (from /proc: the server process, all ``postgres``
processes, the client) so a saturated client or server is visible.

(b) and (c) run ``bench/requests_sweep.py`` and ``bench/requests_report.py`` (their own databases,
1,000,000 rows each: ~20–30 s of loading each) and print their own figures first.

    .venv/bin/python bench/requests.py [--requests 5000] [--concurrency 32] [--client auto|python|httpx|wrk]
        [--skip-sweep] [--skip-report] [--rows 1000000] [--profile DIR]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_requests_api]

``--profile DIR`` runs both servers under cProfile (``DIR/real.prof``, ``DIR/bare.prof``; the rates
of such a run are not benchmark figures). The bench databases are left behind for inspection.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: the repository root, not bench/, goes on the path
    ROOT = Path(__file__).resolve().parent.parent
    sys.path[:1] = [str(ROOT)]
else:
    ROOT = Path(__file__).resolve().parent.parent

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import asyncpg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import requests_report, requests_sweep  # noqa: E402
from services.requests.app import SPEC  # noqa: E402
from shared.migrations import upgrade  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_bench_requests_api"
TARGET_SHARE_OF_BARE = 0.40
TARGET_P99_MS = 100.0
TARGET_SWEEP_SECONDS = 5.0
FLAT_MEMORY_MB = 50.0  # growth of the bench process's resident memory over the first sweep
TARGET_REPORT_SECONDS = 5.0
BODY = {
    "unit_code": "U001",
    "channel": "online",
    "applicant": {
        "type": "natural_person", "name": "张三", "id_type": "resident_id", "id_number": "110101199003071234",
        "email": "zs@example.com",
    },
    "description": "申请公开2026年度部门预算及其执行情况",
    "delivery": {"format": "electronic", "method": "email"},
}  # fmt: skip
PATHS = {"real": "/api/v1/requests", "bare": "/bare"}
FACTORIES = {"real": "bench.requests_servers:real_app", "bare": "bench.requests_servers:bare_app"}


# -- CPU accounting ------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_cpu_seconds() -> float:
    """utime + stime of every ``postgres`` process still alive, plus what its reaped children used:
    backends come and go, so the postmaster's cutime/cstime count the ones that exited."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        name, rest = raw.split("(", 1)[1].rsplit(")", 1)
        if name != "postgres":
            continue
        fields = rest.split()
        total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / CLOCK_TICKS
    return total


# -- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATHS[self.name]}"


def start_server(name: str, url: str, log_dir: Path, profile_dir: Path | None) -> Server:
    port = free_port()
    env = {**os.environ, "GONGKAI_BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    if profile_dir is not None:
        env["GONGKAI_BENCH_PROFILE"] = str(profile_dir / f"{name}.prof")
    log = log_dir / f"{name}.log"
    command = [
        sys.executable, "-m", "uvicorn", "--factory", FACTORIES[name], "--host", "127.0.0.1", "--port", str(port),
        "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Server(name, port, process, log)


async def wait_listening(server: Server, timeout: float = 60.0) -> None:
    """uvicorn listens only once the app's lifespan startup has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} server exited:\n{server.log.read_text()[-3000:]}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise SystemExit(f"{server.name} server did not listen within {timeout:.0f} s:\n{server.log.read_text()[-3000:]}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)  # graceful: lifespan shutdown, atexit (profile dump)
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# -- load ----------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    path: str
    client: str
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds; empty with wrk
    errors: int = 0
    wrk_p50_ms: float | None = None
    wrk_p99_ms: float | None = None
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds over the measured run

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, p: int) -> float:
        if not self.latencies:
            return (self.wrk_p50_ms if p == 50 else self.wrk_p99_ms) or float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    def cpu_ms_per_request(self) -> dict[str, float]:
        return {k: round(v * 1000 / self.requests, 2) for k, v in self.cpu.items()}

    def figures(self) -> dict[str, object]:
        return {
            "client": self.client,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "requests_per_s": round(self.rate, 1),
            "p50_ms": round(self.percentile_ms(50), 1),
            "p99_ms": round(self.percentile_ms(99), 1),
            "errors": self.errors,
            "cpu_ms_per_request": self.cpu_ms_per_request(),
        }


class RawClient:
    """One keep-alive HTTP/1.1 connection: writes a prebuilt request, reads one response.

    Enough for uvicorn's answers (a status line, headers with Content-Length, a body); a fraction
    of httpx's CPU per request, so the servers, not the client, set the pace."""

    def __init__(self, port: int, path: str, body: bytes) -> None:
        self.port = port
        self.request = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = None
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length is None:
            raise RuntimeError(f"response without Content-Length: {head!r}")
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class HttpxClient:
    def __init__(self, port: int, path: str, body: bytes) -> None:
        import httpx

        self.url = f"http://127.0.0.1:{port}{path}"
        self.body = body
        self.client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=1), headers={"Content-Type": "application/json"}
        )

    async def post(self) -> tuple[int, bytes]:
        response = await self.client.post(self.url, content=self.body)
        return response.status_code, response.content

    async def close(self) -> None:
        await self.client.aclose()


async def python_load(server: Server, client: str, requests: int, concurrency: int) -> LoadResult:
    body = json.dumps(BODY, ensure_ascii=False).encode()
    factory = RawClient if client == "python" else HttpxClient
    clients = [factory(server.port, PATHS[server.name], body) for _ in range(concurrency)]
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0

    async def worker(c: RawClient | HttpxClient) -> None:
        nonlocal issued
        while issued < requests:
            issued += 1
            started = time.perf_counter()
            status, content = await c.post()
            latencies.append(time.perf_counter() - started)
            if status != 201:
                errors.append(f"{status} {content[:300]!r}")

    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in clients))
        seconds = time.perf_counter() - started
    finally:
        for c in clients:
            await c.close()
    if errors:
        print(f"{server.name}: {len(errors)} of {requests} requests failed, the first: {errors[0]}")
    return LoadResult(server.name, client, requests, seconds, latencies, len(errors))


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "non_2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def lua_string(text: str) -> str:
    return '"' + "".join(f"\\{b}" for b in text.encode()) + '"'  # decimal escapes: any byte, no quoting issues


async def wrk_load(server: Server, seconds: float, concurrency: int, work_dir: Path) -> LoadResult:
    script = work_dir / "post.lua"
    script.write_text(WRK_SCRIPT % lua_string(json.dumps(BODY, ensure_ascii=False)))
    process = await asyncio.create_subprocess_exec(
        "wrk", "-t1", f"-c{concurrency}", f"-d{seconds:.0f}s", "--timeout", "10s", "-s", str(script), server.url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output = (await process.communicate())[0].decode()
    line = next((x for x in output.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    r = json.loads(line[4:])
    errors = r["non_2xx"] + r["socket_errors"]
    if errors:
        print(f"{server.name}: wrk saw {r['non_2xx']} non-2xx responses and {r['socket_errors']} socket errors")
    return LoadResult(
        server.name, "wrk", r["requests"], r["duration_us"] / 1e6, errors=errors,
        wrk_p50_ms=r["p50_us"] / 1000, wrk_p99_ms=r["p99_us"] / 1000,
    )  # fmt: skip


async def measure(server: Server, args: argparse.Namespace, client: str, work_dir: Path) -> LoadResult:
    await python_load(server, "python", args.warmup, args.concurrency)
    before = {
        "server": cpu_seconds(server.process.pid),
        "postgres": postgres_cpu_seconds(),
        "client": time.process_time(),
    }
    wrk_before = None
    if client == "wrk":
        wrk_before = os.times()
        result = await wrk_load(server, args.seconds, args.concurrency, work_dir)
    else:
        result = await python_load(server, client, args.requests, args.concurrency)
    result.cpu = {
        "server": cpu_seconds(server.process.pid) - before["server"],
        "postgres": postgres_cpu_seconds() - before["postgres"],
        "client": time.process_time() - before["client"],
    }
    if wrk_before is not None:  # wrk is a reaped child of this process
        after = os.times()
        result.cpu["client"] = (after.children_user - wrk_before.children_user) + (
            after.children_system - wrk_before.children_system
        )
    return result


# -- (a) -----------------------------------------------------------------------------------------


async def prepare_database(url: str) -> None:
    await requests_sweep.recreate_database(url)
    await asyncio.to_thread(upgrade, "requests", url, SPEC.versions_dir, SPEC.tables.metadata)
    connection = await asyncpg.connect(**requests_sweep.connect_args(url), database=make_url(url).database)
    try:
        now = datetime.now(UTC)
        await connection.execute(
            "INSERT INTO units (unit_code, name, kind, parent_code, region, contacts, active, version, created_at, updated_at)"
            " VALUES ('U001', '市财政局', 'department', NULL, '130400', '[]', true, 1, $1, $1)",
            now,
        )
    finally:
        await connection.close()


async def truncate_applications(url: str) -> None:
    connection = await asyncpg.connect(**requests_sweep.connect_args(url), database=make_url(url).database)
    try:
        await connection.execute("TRUNCATE applications CASCADE")
    finally:
        await connection.close()


async def run_api(args: argparse.Namespace, client: str) -> tuple[LoadResult, LoadResult, dict[str, int]]:
    url = args.database_url
    await prepare_database(url)
    work_dir = Path(tempfile.mkdtemp(prefix="gongkai-bench-requests-"))
    profile_dir = Path(args.profile).resolve() if args.profile else None
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
    servers = {name: start_server(name, url, work_dir, profile_dir) for name in ("bare", "real")}
    try:
        for server in servers.values():
            await wait_listening(server)
        bare = await measure(servers["bare"], args, client, work_dir)
        await truncate_applications(url)  # the real path starts from the same empty table
        real = await measure(servers["real"], args, client, work_dir)
    finally:
        for server in servers.values():
            stop_server(server)
    connection = await asyncpg.connect(**requests_sweep.connect_args(url), database=make_url(url).database)
    try:
        rows = {
            "applications": await connection.fetchval("SELECT count(*) FROM applications"),
            "audit_rows": await connection.fetchval("SELECT count(*) FROM audit_log"),
            "encrypted_id_numbers": await connection.fetchval(
                "SELECT count(*) FROM applications WHERE applicant_id_number LIKE 'v1.%'"
            ),
        }
    finally:
        await connection.close()
    shutil.rmtree(work_dir, ignore_errors=True)
    return bare, real, rows


def print_api(bare: LoadResult, real: LoadResult, rows: dict[str, int], client: str, concurrency: int) -> None:
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} ({platform.platform()})")
    print(
        f"load: {client} client, {concurrency} concurrent connections; the client, both servers and PostgreSQL share these cores"
    )
    print()
    print(f"{'path':<6} {'requests':>8} {'seconds':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
          f"   CPU ms/request: {'server':>6} {'postgres':>8} {'client':>6}")  # fmt: skip
    for r in (real, bare):
        cpu = r.cpu_ms_per_request()
        print(
            f"{r.path:<6} {r.requests:>8} {r.seconds:>8.2f} {r.rate:>8.0f} {r.percentile_ms(50):>8.1f}"
            f" {r.percentile_ms(99):>8.1f} {r.errors:>6}   {'':>16}{cpu['server']:>6.2f} {cpu['postgres']:>8.2f}"
            f" {cpu['client']:>6.2f}"
        )
    wall = {r.path: {k: v / r.seconds for k, v in r.cpu.items()} for r in (real, bare)}
    print(
        "CPU busy (cores) during the run: "
        + "; ".join(f"{p}: " + ", ".join(f"{k} {v:.2f}" for k, v in w.items()) for p, w in wall.items())
    )
    print(f"rows written: {rows}")
    print()


# -- all -----------------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


async def main(args: argparse.Namespace) -> dict[str, object]:
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    elif client == "wrk" and not shutil.which("wrk"):
        print("wrk is not installed: using the Python client")
        client = "python"

    print("== (a) POST /api/v1/requests against bare FastAPI + asyncpg")
    bare, real, rows = await run_api(args, client)
    print_api(bare, real, rows, client, args.concurrency)
    ratio = real.rate / bare.rate
    summary: dict[str, object] = {
        "benchmark": "requests service (issue 3)",
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "api": {
            "real": real.figures(),
            "bare": bare.figures(),
            "ratio": round(ratio, 3),
            "concurrency": args.concurrency,
        },
    }
    table: list[tuple[str, str, str, str]] = [
        ("(a) POST /api/v1/requests", f"{real.rate:.0f} req/s ({ratio:.0%} of bare {bare.rate:.0f})",
         f">= {TARGET_SHARE_OF_BARE:.0%} of bare", mark(ratio >= TARGET_SHARE_OF_BARE)),
        ("(a) p50 / p99", f"{real.percentile_ms(50):.1f} / {real.percentile_ms(99):.1f} ms "
         f"(bare {bare.percentile_ms(50):.1f} / {bare.percentile_ms(99):.1f})",
         f"p99 < {TARGET_P99_MS:.0f} ms", mark(real.percentile_ms(99) < TARGET_P99_MS)),
    ]  # fmt: skip
    targets = {"share_of_bare": ratio >= TARGET_SHARE_OF_BARE, "p99": real.percentile_ms(99) < TARGET_P99_MS}

    if not args.skip_sweep:
        print(f"== (b) deadline sweep over {args.rows:,} open applications (bench/requests_sweep.py)")
        sweep = await requests_sweep.main(requests_sweep.parse_args(["--rows", str(args.rows)]))
        first = sweep["first_sweep"]
        growth = sweep["rss_after_first"]["current_mb"] - sweep["rss_before"]["current_mb"]  # type: ignore[index]
        ok_time = first["seconds"] < TARGET_SWEEP_SECONDS  # type: ignore[index]
        table += [
            ("(b) deadline sweep, first", f"{first['seconds']:.2f} s ({first['overdue_emitted']} overdue, "  # type: ignore[index,union-attr]
             f"{first['due_soon_emitted']} due soon); same day again "  # type: ignore[union-attr]
             f"{sweep['second_sweep_same_day']['seconds']:.2f} s",  # type: ignore[index]
             f"< {TARGET_SWEEP_SECONDS:.0f} s", mark(ok_time)),
            ("(b) memory over the sweep", f"RSS {sweep['rss_before']['current_mb']:.0f} → "  # type: ignore[index]
             f"{sweep['rss_after_first']['current_mb']:.0f} → {sweep['rss_after_second']['current_mb']:.0f} MB",  # type: ignore[index]
             f"flat (< {FLAT_MEMORY_MB:.0f} MB growth)", mark(growth < FLAT_MEMORY_MB)),
        ]  # fmt: skip
        targets |= {"sweep_seconds": ok_time, "sweep_memory_flat": growth < FLAT_MEMORY_MB}
        summary["sweep"] = {k: sweep[k] for k in ("open_applications", "first_sweep", "second_sweep_same_day",
                                                  "rss_before", "rss_after_first", "rss_after_second")}  # fmt: skip
        print()

    if not args.skip_report:
        print(f"== (c) annual report over {args.rows:,} applications, 2,000 units (bench/requests_report.py)")
        report = await requests_report.main(requests_report.parse_args(["--applications", str(args.rows)]))
        ok = report["region_seconds"] < TARGET_REPORT_SECONDS and report["unit_seconds"] < TARGET_REPORT_SECONDS  # type: ignore[operator]
        table.append((
            "(c) annual report", f"region roll-up {report['region_seconds']:.2f} s, one unit {report['unit_seconds']:.3f} s "
            f"(count(*) {report['baseline_count_seconds']:.2f} s)", f"< {TARGET_REPORT_SECONDS:.0f} s", mark(ok),
        ))  # fmt: skip
        targets["report_seconds"] = ok
        summary["report"] = report
        print()

    print(f"== summary ({os.cpu_count()} cores shared by the load generator, the servers and PostgreSQL)")
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    print("  ".join(h.ljust(w) for h, w in zip(("benchmark", "figure", "target", ""), widths, strict=True)))
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    summary["targets_met"] = targets
    print(json.dumps(summary, ensure_ascii=False))
    return summary


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000, help="measured requests per path (Python client)")
    parser.add_argument("--warmup", type=int, default=500, help="requests per path before measuring")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--client",
        choices=("auto", "python", "httpx", "wrk"),
        default="auto",
        help="auto: wrk when installed, else the Python client",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per path with wrk")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--rows", type=int, default=1_000_000, help="applications loaded for (b) and (c)")
    parser.add_argument("--profile", metavar="DIR", help="run both servers under cProfile, stats into DIR")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    return parser.parse_args()


if __name__ == "__main__":
    import uvloop

    arguments = parse_args()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main(arguments))
