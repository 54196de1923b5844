"""The five services as separate ``gongkai serve-one`` processes (DESIGN §2, local distributed mode),
for the system test and ``bench/system.py``: replicas started, SIGKILLed and started again, the dev
clock set on every one of them (it is per process and in memory), a RabbitMQ vhost of their own so
their queues ``gongkai.<service>`` are nobody else's, and every process stopped at the end.

Children are asked to die with this process (``PR_SET_PDEATHSIG``), so even a test run killed hard
leaves no server behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from services.embedded import spec_of
from shared.auth import mint_dev_token
from shared.migrations import upgrade
from shared.settings import SERVICE_NAMES, Settings

CONSUMERS: tuple[str, ...] = tuple(s for s in SERVICE_NAMES if s != "requests")
READY_SECONDS = 180.0
STOP_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A free port below the ephemeral range: no outgoing connection (to PostgreSQL, say) takes it
    between now and the bind, nor while a killed replica is down before it binds it again."""
    try:
        ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except OSError:
        ephemeral = 32768
    for _ in range(100):
        port = random.randrange(10_000, ephemeral)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


# -- RabbitMQ vhost and PostgreSQL databases --------------------------------------------------------


def rabbitmqctl_available() -> bool:
    return shutil.which("rabbitmqctl") is not None


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def create_vhost(name: str) -> None:
    """A vhost of our own (dropped first if a killed run left it), open to guest."""
    delete_vhost(name)
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")


def delete_vhost(name: str) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):
        _rabbitmqctl("delete_vhost", name)


async def recreate_database(url: str) -> None:
    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, database="postgres"
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await connection.close()


def migrate_all(urls: Mapping[str, str]) -> None:
    """Each service's migrations on its database: a step of its own before any replica starts
    (DESIGN §10), as ``gongkai migrate`` does."""
    for service, url in urls.items():
        spec = spec_of(service)
        upgrade(service, url, spec.versions_dir, spec.tables.metadata)


class Databases:
    """One asyncpg pool per service database, for counting what each service did."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        self.urls = dict(urls)
        self.pools: dict[str, asyncpg.Pool] = {}

    async def open(self) -> None:
        for service, url in self.urls.items():
            parsed = make_url(url)
            self.pools[service] = await asyncpg.create_pool(
                host=parsed.host,
                port=parsed.port or 5432,
                user=parsed.username,
                database=parsed.database,
                min_size=0,
                max_size=2,
            )

    async def close(self) -> None:
        for pool in self.pools.values():
            await pool.close()
        self.pools.clear()

    async def value(self, service: str, sql: str, *args: object) -> Any:
        return await self.pools[service].fetchval(sql, *args)

    async def rows(self, service: str, sql: str, *args: object) -> list[asyncpg.Record]:
        return list(await self.pools[service].fetch(sql, *args))


# -- processes ---------------------------------------------------------------------------------------


@dataclass
class Replica:
    service: str
    index: int
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def name(self) -> str:
        return f"{self.service}-{self.index}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    """``replicas[service]`` processes of each service, all with ``env`` (database URLs, bus URL,
    settings) on top of the caller's environment."""

    env: Mapping[str, str]
    log_dir: Path
    replicas: Mapping[str, int] = field(default_factory=lambda: {"requests": 1, **dict.fromkeys(CONSUMERS, 2)})
    members: dict[str, list[Replica]] = field(init=False)

    def __post_init__(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.members = {
            service: [Replica(service, i, free_port(), self.log_dir / f"{service}-{i}.log") for i in range(count)]
            for service, count in self.replicas.items()
        }
        self.admin = self.token("admin", "office")
        self.http = httpx.AsyncClient(timeout=30)

    # -- who is where

    def all(self) -> Iterator[Replica]:
        for replicas in self.members.values():
            yield from replicas

    def url(self, service: str, index: int = 0) -> str:
        return self.members[service][index].url

    def token(self, *roles: str, units: Iterable[str] = (), sub: str = "system-test") -> dict[str, str]:
        """A dev token's header (the processes run with ``GONGKAI_ENV=test`` and the dev secret)."""
        settings = Settings(_env_file=None, env="test")  # type: ignore[call-arg]
        token = mint_dev_token(settings, sub=sub, roles=list(roles), unit_codes=list(units), name=sub)
        return {"Authorization": f"Bearer {token}"}

    # -- life cycle

    def _spawn(self, replica: Replica) -> None:
        log = replica.log_path.open("ab")
        try:
            replica.process = subprocess.Popen(
                [sys.executable, "-m", "services.cli", "serve-one", replica.service]
                + ["--host", "127.0.0.1", "--port", str(replica.port)],
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        finally:
            log.close()

    async def start(self) -> None:
        """Every replica, ready with its queue bound (``checks.bus`` ok): only then may anything be
        published, as RabbitMQ drops what reaches an exchange before a queue is bound."""
        for replica in self.all():
            self._spawn(replica)
        await asyncio.gather(*(self.wait_ready(r, bus=True) for r in self.all()))

    async def wait_ready(self, replica: Replica, *, bus: bool) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if not replica.alive:
                raise RuntimeError(f"{replica.name} exited while starting: see {replica.log_path}")
            with contextlib.suppress(httpx.HTTPError, ValueError):
                response = await self.http.get(f"{replica.url}/readyz", timeout=2)
                if response.status_code == 200 and (not bus or response.json()["checks"].get("bus") == "ok"):
                    return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{replica.name} not ready within {READY_SECONDS:.0f} s: see {replica.log_path}")

    def kill(self, service: str, index: int) -> None:
        """SIGKILL: no shutdown, no flush, what a node failure does."""
        replica = self.members[service][index]
        assert replica.process is not None
        replica.process.kill()
        replica.process.wait(STOP_SECONDS)

    async def restart(self, service: str, index: int, *, bus: bool = True) -> None:
        """Starts a replica again on its port and sets its clock to its siblings' (the dev clock lives
        in the process and died with it). ``bus=False``: ready once its database answers (while the
        broker is away)."""
        replica = self.members[service][index]
        self._spawn(replica)
        await self.wait_ready(replica, bus=bus)
        sibling = next(r for r in self.all() if r.alive and r is not replica)
        now = (await self.http.get(f"{sibling.url}/api/v1/_dev/clock", headers=self.admin)).json()["now"]
        await self._put_clock(replica, now)

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL whatever is still there after ``STOP_SECONDS``."""
        await self.http.aclose()  # an open keep-alive connection holds up a server's graceful exit
        running = [r for r in self.all() if r.alive]
        for replica in running:
            assert replica.process is not None
            replica.process.terminate()
        # Waited for without blocking the event loop: a broker proxy in it carries their goodbyes.
        deadline = time.monotonic() + STOP_SECONDS
        while any(r.alive for r in running) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for replica in running:
            assert replica.process is not None
            if replica.alive:
                replica.process.kill()
            replica.process.wait()

    # -- the dev clock, per process

    async def set_clock(self, moment: datetime) -> None:
        """The same running clock on every live replica (``/api/v1/_dev/clock``)."""
        await asyncio.gather(*(self._put_clock(r, moment.isoformat()) for r in self.all() if r.alive))

    async def _put_clock(self, replica: Replica, now: str) -> None:
        response = await self.http.put(
            f"{replica.url}/api/v1/_dev/clock", json={"now": now, "frozen": False}, headers=self.admin
        )
        response.raise_for_status()

    # -- HTTP

    async def call(
        self, method: str, service: str, path: str, *, expect: int | tuple[int, ...] = (200, 201), **kwargs: Any
    ) -> httpx.Response:
        """One request to the first live replica of ``service`` (as the office/admin by default);
        fails with the problem document when the status is not the expected one."""
        replica = next(r for r in self.members[service] if r.alive)
        kwargs.setdefault("headers", self.admin)
        response = await self.http.request(method, f"{replica.url}{path}", **kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in wanted:
            raise AssertionError(f"{method} {service}{path} → {response.status_code}: {response.text[:500]}")
        return response

    def log_tail(self, lines: int = 20) -> str:
        """The end of each replica's log, for a failure message."""
        parts = []
        for replica in self.all():
            text = replica.log_path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {replica.name} ---\n" + "\n".join(text))
        return "\n".join(parts)


async def eventually(probe: Any, done: Any, *, seconds: float, every: float = 0.25, what: str = "") -> Any:
    """Polls ``await probe()`` until ``done(value)``; the last value on success, AssertionError with
    it after ``seconds`` (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while True:
        value = await probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {seconds:.0f} s{': ' + what if what else ''}; last: {value!r}")
        await asyncio.sleep(every)
