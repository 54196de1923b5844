"""``make up`` → the gateway answers → ``make down`` leaves nothing running (services/supervisor.py).

On ports, PostgreSQL databases, a RabbitMQ vhost and a data directory (pid files, logs) of its own,
so it never meets a developer's running ``make up`` nor the queues of another suite.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.auth import mint_dev_token
from shared.settings import SERVICE_NAMES
from tests.infra import PG_HOST, PG_USER, pg_url, require_postgres, require_rabbitmq
from tests.support import CREATED_DATABASES, make_settings, pg_test_database
from tests.system.cluster import create_vhost, delete_vhost, rabbitmqctl_available

REPO = Path(__file__).resolve().parents[2]
PROCESSES = {*SERVICE_NAMES, "gateway"}


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports below the ephemeral range, where no outgoing
    connection (to PostgreSQL, say) can take one of them before the servers bind them."""
    ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(50):
        first = random.randrange(10_000, ephemeral - count)
        if all(_free(port) for port in range(first, first + count)):
            return first
    raise RuntimeError(f"no {count} consecutive free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def gone(pid: int) -> bool:
    """Exited (a zombie counts: this container's init may never reap the orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


async def drop_databases(names: list[str]) -> None:
    connection = await asyncpg.connect(host=PG_HOST, user=PG_USER, database="postgres")
    try:
        for name in names:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # -o: the venv counts as installed, so an edited pyproject.toml never makes this test reinstall.
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", target],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    require_postgres()
    require_rabbitmq()
    databases = {service: pg_test_database(f"up_{service}") for service in SERVICE_NAMES}
    asyncio.run(drop_databases(list(databases.values())))  # `make up` creates them
    CREATED_DATABASES.update(databases.values())  # and the session drops them (tests/conftest.py)
    # A vhost of its own, so its consumers take no other suite's events; without rabbitmqctl, the
    # shared broker's default vhost.
    vhost = pg_test_database("up") if rabbitmqctl_available() else ""
    if vhost:
        create_vhost(vhost)
    first = free_ports(6)
    env = {
        **os.environ,
        "GONGKAI_DATA_DIR": str(tmp_path),
        "GONGKAI_PORT": str(first),
        "GONGKAI_UP_BASE_PORT": str(first + 1),
        "GONGKAI_BUS_URL": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
        **{f"GONGKAI_{s.upper()}_DATABASE_URL": pg_url(name) for s, name in databases.items()},
    }
    try:
        yield env
    finally:
        make("down", env)  # whatever the test left running
        if vhost:
            delete_vhost(vhost)


def test_make_up_serves_through_the_gateway_and_make_down_stops_everything(environment: dict[str, str]) -> None:
    run_dir = Path(environment["GONGKAI_DATA_DIR"]) / "run"
    gateway = f"http://127.0.0.1:{environment['GONGKAI_PORT']}"

    up = make("up", environment)
    assert up.returncode == 0, up.stdout + up.stderr
    assert gateway in up.stdout
    pids = {pid_file.stem: int(pid_file.read_text()) for pid_file in run_dir.glob("*.pid")}
    assert set(pids) == PROCESSES
    assert {log.stem for log in (run_dir.parent / "log").glob("*.log")} == PROCESSES

    office = mint_dev_token(make_settings(), sub="test-up", roles=["office"])
    with httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {office}"}, trust_env=False) as client:
        units = client.get("/api/v1/units")
        assert units.status_code == 200, units.text
        assert units.json()["items"], "seed-demo filled the units directory"
        assert client.get("/readyz").json()["status"] == "ready"

    again = make("up", environment)
    assert again.returncode == 0 and "already running" in again.stdout, again.stdout + again.stderr
    assert {pid_file.stem: int(pid_file.read_text()) for pid_file in run_dir.glob("*.pid")} == pids

    down = make("down", environment)
    assert down.returncode == 0, down.stdout + down.stderr
    assert [pid for pid in pids.values() if not gone(pid)] == []
    assert list(run_dir.glob("*.pid")) == []
    assert _refused(gateway)
    assert "nothing running" in make("down", environment).stdout


def _refused(url: str) -> bool:
    try:
        httpx.get(url + "/healthz", trust_env=False)
    except httpx.ConnectError:
        return True
    return False
