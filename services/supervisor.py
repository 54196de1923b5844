"""``make up``: the local distributed mode — each service its own process on PostgreSQL + RabbitMQ.

Creates the five databases if missing, migrates them (``gongkai migrate``, a step of its own),
then runs ``gongkai serve-one <service>`` on ports 8001–8005 until Ctrl-C or until one exits.
Database URLs and the bus URL default to the local servers; ``GONGKAI_*`` variables override them.

Once the consuming services are ready (database, startup hooks and broker: their queues are bound),
a replica of the reference data that is empty catches up: ``gongkai reference republish``
(docs/reference-data.md). Only then, because RabbitMQ drops what is published to a queue not yet
declared — on a first start, events the requests service relays before the others bind their
queues reach nobody; and only when a replica is empty, because each republish is one event per
unit for every consumer to read and skip.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from services.embedded import empty_replicas, keeps_a_replica, spec_of
from shared.db import create_engine, session_factory
from shared.settings import SERVICE_NAMES

BASE_PORT = 8001
LOCAL_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_{service}"
LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
READY_TIMEOUT_SECONDS = 90.0


def distributed_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GONGKAI_BUS_URL", LOCAL_AMQP)
    for service in SERVICE_NAMES:
        env.setdefault(f"GONGKAI_{service.upper()}_DATABASE_URL", LOCAL_PG.format(service=service))
    return env


async def create_missing_databases(env: dict[str, str]) -> None:
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


def wait_until_ready(ports: dict[str, int], timeout: float = READY_TIMEOUT_SECONDS) -> list[str]:
    """Polls each service's /readyz until it is ready with the broker connected (so its queues are
    declared and bound); returns the services that were not within ``timeout``."""
    deadline = time.monotonic() + timeout
    waiting = dict(ports)
    with httpx.Client(timeout=2.0) as client:
        while waiting and time.monotonic() < deadline:
            for service, port in list(waiting.items()):
                try:
                    response = client.get(f"http://127.0.0.1:{port}/readyz")
                except httpx.HTTPError:
                    continue
                if response.status_code == 200 and response.json().get("checks", {}).get("bus") == "ok":
                    del waiting[service]
            if waiting:
                time.sleep(0.5)
    return sorted(waiting)


async def empty_replicas_of(env: dict[str, str]) -> list[str]:
    """The consuming services whose replica of the reference data holds no unit."""
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


def catch_up_replicas(env: dict[str, str]) -> None:
    """``gongkai reference republish`` when a consuming service's replica is empty (see above)."""
    consumers = {s: BASE_PORT + i for i, s in enumerate(SERVICE_NAMES) if keeps_a_replica(spec_of(s))}
    late = wait_until_ready(consumers)
    if late:
        print(f"not ready within {READY_TIMEOUT_SECONDS:.0f} s: {', '.join(late)}", flush=True)
    empty = asyncio.run(empty_replicas_of(env))
    if empty:
        print(f"empty replicas of the reference data: {', '.join(empty)}; republishing", flush=True)
        subprocess.run([sys.executable, "-m", "services.cli", "reference", "republish"], env=env, check=False)


def main() -> int:
    env = distributed_environment()
    asyncio.run(create_missing_databases(env))
    subprocess.run([sys.executable, "-m", "services.cli", "migrate"], env=env, check=True)
    # The demo data set, as `make run` has it, when the requests database holds no application yet
    # (seed-demo adds nothing otherwise); a failure here leaves the services to start regardless.
    subprocess.run([sys.executable, "-m", "services.cli", "seed-demo"], env=env, check=False)
    processes = {
        service: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "services.cli",
                "serve-one",
                service,
                "--host",
                "127.0.0.1",
                "--port",
                str(BASE_PORT + i),
            ],
            env=env,
        )
        for i, service in enumerate(SERVICE_NAMES)
    }
    for i, service in enumerate(SERVICE_NAMES):
        print(f"{service:>15}: http://127.0.0.1:{BASE_PORT + i}/docs", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        catch_up_replicas(env)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            process.wait(timeout=30)
    failed = [s for s, p in processes.items() if p.returncode not in (0, -signal.SIGTERM)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
