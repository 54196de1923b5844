"""``make up``: the local distributed mode — each service its own process on PostgreSQL + RabbitMQ.

Creates the five databases if missing, migrates them (``gongkai migrate``, a step of its own),
then runs ``gongkai serve-one <service>`` on ports 8001–8005 until Ctrl-C or until one exits.
Database URLs and the bus URL default to the local servers; ``GONGKAI_*`` variables override them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import asyncpg
from sqlalchemy.engine import make_url

from shared.settings import SERVICE_NAMES

BASE_PORT = 8001
LOCAL_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/gongkai_{service}"
LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


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


def main() -> int:
    env = distributed_environment()
    asyncio.run(create_missing_databases(env))
    subprocess.run([sys.executable, "-m", "services.cli", "migrate"], env=env, check=True)
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
