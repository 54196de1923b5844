"""The requests service as a real server process (uvicorn), to be killed and started again."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import httpx

UNIT = {"name": "市财政局", "kind": "department", "region": "130400", "contacts": []}


def application_body(i: int) -> dict[str, object]:
    return {
        "unit_code": "U001",
        "channel": "online",
        "applicant": {"type": "natural_person", "name": f"申请人{i}", "email": f"a{i}@example.com"},
        "description": f"2026年度部门预算 {i}",
        "delivery": {"format": "electronic", "method": "email"},
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RequestsServer:
    """``uvicorn services.requests.app:create_app`` on ``database_url``, in-process bus, no jobs."""

    def __init__(self, database_url: str, port: int, **env: str) -> None:
        self.database_url = database_url
        self.port = port
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self.base_url = f"http://127.0.0.1:{port}"

    async def start(self, **env: str) -> None:
        environment = {
            **os.environ,
            "GONGKAI_ENV": "test",
            "GONGKAI_REQUESTS_DATABASE_URL": self.database_url,
            "GONGKAI_BUS_URL": "memory://reliability",
            "GONGKAI_RUN_BACKGROUND_JOBS": "false",
            "GONGKAI_LOG_LEVEL": "WARNING",
            **self.env,
            **env,
        }
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "services.requests.app:create_app",
            "--port",
            str(self.port),
            "--no-access-log",
            env=environment,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with httpx.AsyncClient(base_url=self.base_url, timeout=1) as client:
            for _ in range(300):
                if self.process.returncode is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode} while starting")
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, what a node failure does."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()

    async def wait(self) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), 30)
