"""``make up`` / ``make down``: the local distributed mode — each service its own process on
PostgreSQL + RabbitMQ, behind the gateway (docs/distributed.md).

``up`` creates the five databases if missing and migrates them (``gongkai migrate``, a step of its
own), starts ``gongkai serve-one <service>`` on ``GONGKAI_UP_BASE_PORT`` … +4 (8001–8005) and
``gongkai gateway`` on ``GONGKAI_PORT`` (8000) in the background, each in a session of its own so
it outlives the command, with its log in ``<data dir>/log/<name>.log`` and its pid in
``<data dir>/run/<name>.pid``; returns once every process is ready and prints the URLs. Run again
while they live, it says so and starts nothing. ``down`` sends each SIGTERM, waits, SIGKILLs what is
left after :data:`STOP_TIMEOUT_SECONDS`, and is content when nothing runs. ``up --foreground`` keeps
the processes attached to the terminal (their logs on it) until Ctrl-C or until one exits.

Database URLs and the bus URL default to the local servers; ``GONGKAI_*`` variables override them.
The gateway is pointed at the ports started here, whatever ``GONGKAI_<SERVICE>_URL`` says.

Once the consuming services are ready (database, startup hooks and broker: their queues are bound),
a replica of the reference data that is empty catches up (``gongkai reference republish``,
docs/reference-data.md), then ``gongkai seed-demo`` fills an empty installation with the demo data
set. Only then, because RabbitMQ drops what is published to a queue not yet declared — on a first
start, events the requests service relays before the others bind their queues reach nobody; and
only when a replica is empty, because each republish is one event per unit for every consumer to
read and skip. The demo's scheme and campaign name units the scoring and appraisal services know
from their replicas, so it waits for them too (services/demo.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from shared.settings import SERVICE_NAMES, Settings

# The database drivers, the HTTP client and the five services (``services.cli``) are imported where
# a start needs them: ``make down`` and a second ``make up`` answer without loading them.

GATEWAY = "gateway"
LOCAL_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_{service}"
LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 20.0


def base_port(env: Mapping[str, str]) -> int:
    return int(env.get("GONGKAI_UP_BASE_PORT", "8001"))


def gateway_port(env: Mapping[str, str]) -> int:
    return int(env.get("GONGKAI_PORT", "8000"))


def ports(env: Mapping[str, str]) -> dict[str, int]:
    """Each process's port: the services from the base port in their order, then the gateway."""
    first = base_port(env)
    return {**{service: first + i for i, service in enumerate(SERVICE_NAMES)}, GATEWAY: gateway_port(env)}


def distributed_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GONGKAI_BUS_URL", LOCAL_AMQP)
    for service in SERVICE_NAMES:
        env.setdefault(f"GONGKAI_{service.upper()}_DATABASE_URL", LOCAL_PG.format(service=service))
    for service, port in ports(env).items():
        if service != GATEWAY:
            env[f"GONGKAI_{service.upper()}_URL"] = f"http://{HOST}:{port}"
    # The public appraisal's rate limit counts citizens, not the gateway: the last X-Forwarded-For
    # entry is the address the gateway saw (services/gateway.py).
    env.setdefault("GONGKAI_APPRAISAL_TRUST_FORWARDED_FOR", "true")
    return env


def data_dirs() -> tuple[Path, Path]:
    """``<data dir>/run`` (pid files) and ``<data dir>/log`` (``GONGKAI_DATA_DIR``)."""
    data_dir = Settings().data_dir
    return data_dir / "run", data_dir / "log"


# -- pid files -----------------------------------------------------------------------------------


def is_ours(pid: int) -> bool:
    """The process lives and is one of ours (``services.cli``), not a later one given its pid."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or another user's
        return False
    try:
        # A zombie's (exited, not yet reaped) command line is empty: it counts as gone.
        return b"services.cli" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc (macOS): the pid file is all there is to go by
        return True


def running(run_dir: Path) -> dict[str, int]:
    """Name → pid of the processes a pid file names and that still run; stale pid files removed."""
    alive = {}
    for pid_file in sorted(run_dir.glob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            pid = 0
        if pid > 0 and is_ours(pid):
            alive[pid_file.stem] = pid
        else:
            pid_file.unlink(missing_ok=True)
    return alive


def stop(run_dir: Path, timeout: float = STOP_TIMEOUT_SECONDS) -> dict[str, int]:
    """Stops every process of the pid files — the gateway first, so no request reaches a service on
    its way out — and returns what was running."""
    processes = running(run_dir)
    for group in ({GATEWAY} & set(processes), set(processes) - {GATEWAY}):
        terminate({name: processes[name] for name in sorted(group)}, timeout)
    for name in processes:
        (run_dir / f"{name}.pid").unlink(missing_ok=True)
    return processes


def terminate(processes: Mapping[str, int], timeout: float) -> None:
    """SIGTERM (uvicorn finishes the requests in flight, the services their relays and consumers),
    then SIGKILL to those still there after ``timeout``."""
    for pid in processes.values():
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(is_ours(pid) for pid in processes.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for name, pid in processes.items():
        if is_ours(pid):
            print(f"{name} (pid {pid}) did not stop within {timeout:.0f} s: SIGKILL", flush=True)
            _signal(pid, signal.SIGKILL)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # gone meanwhile
        os.kill(pid, signum)


# -- the start -----------------------------------------------------------------------------------


def busy_ports(wanted: Iterable[int]) -> list[int]:
    busy = []
    for port in wanted:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError:
                busy.append(port)
    return busy


async def create_missing_databases(env: Mapping[str, str]) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    for service in SERVICE_NAMES:
        url = make_url(env[f"GONGKAI_{service.upper()}_DATABASE_URL"])
        if url.get_backend_name() != "postgresql":
            continue
        connection = await asyncpg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password, database="postgres"
        )
        try:
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", url.database):
                await connection.execute(f'CREATE DATABASE "{url.database}"')
        finally:
            await connection.close()


def command(name: str, port: int) -> list[str]:
    serve = ["gateway"] if name == GATEWAY else ["serve-one", name]
    return [sys.executable, "-m", "services.cli", *serve, "--host", HOST, "--port", str(port)]


def spawn(name: str, port: int, env: Mapping[str, str], run_dir: Path, log_dir: Path | None) -> subprocess.Popen[bytes]:
    """One process, its pid file written; in the background (``log_dir`` given) in a session of its
    own with its output appended to its log, in the foreground on this terminal."""
    if log_dir is None:
        process = subprocess.Popen(command(name, port), env=env)
    else:
        with (log_dir / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                command(name, port),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    (run_dir / f"{name}.pid").write_text(f"{process.pid}\n")
    return process


def wait_until_ready(
    ports: Mapping[str, int], processes: Mapping[str, subprocess.Popen[bytes]], timeout: float = READY_TIMEOUT_SECONDS
) -> list[str]:
    """Polls each process's /readyz until it is ready — a service with the broker connected (so its
    queues are declared and bound), the gateway with every service ready; returns those that were
    not within ``timeout`` or exited."""
    import httpx

    deadline = time.monotonic() + timeout
    waiting = dict(ports)
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while waiting and time.monotonic() < deadline:
            for name, port in list(waiting.items()):
                if processes[name].poll() is not None:
                    return sorted(waiting)
                try:
                    response = client.get(f"http://{HOST}:{port}/readyz")
                except httpx.HTTPError:
                    continue
                if response.status_code == 200 and (
                    name == GATEWAY or response.json().get("checks", {}).get("bus") == "ok"
                ):
                    del waiting[name]
            if waiting:
                time.sleep(0.3)
    return sorted(waiting)


async def empty_replicas_of(env: Mapping[str, str]) -> list[str]:
    """The consuming services whose replica of the reference data holds no unit."""
    from services.embedded import empty_replicas, keeps_a_replica, spec_of
    from shared.db import create_engine, session_factory

    engines = {
        spec.name: create_engine(env[f"GONGKAI_{spec.name.upper()}_DATABASE_URL"], pool_size=1)
        for spec in map(spec_of, SERVICE_NAMES)
        if keeps_a_replica(spec)
    }
    try:
        return await empty_replicas({name: session_factory(engine) for name, engine in engines.items()})
    finally:
        for engine in engines.values():
            await engine.dispose()


def gongkai(*args: str) -> int:
    """A ``gongkai`` command run in this process (its settings from ``os.environ``): the same
    command an operator types, without another interpreter importing all five services again."""
    from services.cli import app as cli_app

    try:
        code = cli_app(list(args), standalone_mode=False)
    except Exception as exc:
        print(f"gongkai {' '.join(args)} failed: {exc!r}", flush=True)
        return 1
    return code if isinstance(code, int) else 0


def fill(env: Mapping[str, str]) -> None:
    """Once the services are ready: empty replicas caught up, then the demo data set when the
    installation has none (seed-demo adds nothing otherwise); a failure of either leaves the
    services running."""
    empty = asyncio.run(empty_replicas_of(env))
    if empty:
        print(f"empty replicas of the reference data: {', '.join(empty)}; republishing", flush=True)
        gongkai("reference", "republish")
    gongkai("seed-demo")


def up(foreground: bool) -> int:
    env = distributed_environment()
    os.environ.update(env)  # for the commands run in this process (migrate, seed-demo …)
    run_dir, log_dir = data_dirs()
    run_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    wanted = ports(env)
    already = running(run_dir)
    if already:
        listed = ", ".join(f"{name} (pid {pid})" for name, pid in sorted(already.items()))
        exited = sorted(set(wanted) - set(already))
        if exited:  # one died since: a clean start is `make down` then `make up`
            print(f"partly running: {listed}; exited: {', '.join(exited)}; `make down`, then `make up`", flush=True)
            return 1
        print(f"already running: {listed}; `make down` stops them", flush=True)
        return 0
    busy = busy_ports(wanted.values())
    if busy:
        print(f"port(s) {', '.join(map(str, busy))} in use: set GONGKAI_PORT / GONGKAI_UP_BASE_PORT", flush=True)
        return 1
    try:
        asyncio.run(create_missing_databases(env))
    except OSError as exc:
        print(f"PostgreSQL is not reachable ({exc}); see GONGKAI_<SERVICE>_DATABASE_URL", flush=True)
        return 1
    if gongkai("migrate") != 0:
        return 1
    processes = {
        name: spawn(name, port, env, run_dir, None if foreground else log_dir) for name, port in wanted.items()
    }
    try:
        late = wait_until_ready(wanted, processes)
        if late:
            where = "above" if foreground else f"in {log_dir}/"
            print(
                f"not ready within {READY_TIMEOUT_SECONDS:.0f} s: {', '.join(late)} (see the logs {where})", flush=True
            )
            stop(run_dir)
            return 1
        fill(env)
    except KeyboardInterrupt:  # Ctrl-C while starting: nothing left half-started in the background
        stop(run_dir)
        return 130
    print(f"{'gateway':>15}: http://{HOST}:{wanted[GATEWAY]}  (docs at /docs)", flush=True)
    for name in SERVICE_NAMES:
        print(f"{name:>15}: http://{HOST}:{wanted[name]}", flush=True)
    if not foreground:
        print(f"{'logs':>15}: {log_dir}/<name>.log — `make down` stops them", flush=True)
        return 0
    return attend(processes, run_dir)


def attend(processes: Mapping[str, subprocess.Popen[bytes]], run_dir: Path) -> int:
    """The foreground mode: until Ctrl-C, SIGTERM or one process exits, then all stopped."""
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop(run_dir)
        for process in processes.values():
            process.wait()  # reaped: our own children
    failed = [name for name, process in processes.items() if process.returncode not in (0, -signal.SIGTERM)]
    return 1 if failed else 0


def down() -> int:
    run_dir, _ = data_dirs()
    stopped = stop(run_dir)
    print(f"stopped: {', '.join(sorted(stopped))}" if stopped else "nothing running", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.supervisor", description="make up / make down (docs/distributed.md)"
    )
    parser.add_argument("action", choices=["up", "down"], nargs="?", default="up")
    parser.add_argument("--foreground", action="store_true", help="up: stay attached; Ctrl-C stops everything")
    arguments = parser.parse_args(argv)
    return down() if arguments.action == "down" else up(arguments.foreground)


if __name__ == "__main__":
    sys.exit(main())
