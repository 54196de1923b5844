"""Where the real PostgreSQL and RabbitMQ of the test suite are, and how to reach them.

Locally a missing server skips the tests that need it (with the reason); under CI (``CI=true``)
it fails them, so a green CI always means both transports and both databases were exercised.
"""

from __future__ import annotations

import os
import socket
from functools import cache

import pytest

PG_HOST = os.environ.get("GONGKAI_TEST_PG_HOST", "127.0.0.1")
PG_USER = os.environ.get("GONGKAI_TEST_PG_USER", "postgres")
AMQP_URL = os.environ.get("GONGKAI_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def pg_url(database: str, driver: str = "asyncpg") -> str:
    return f"postgresql+{driver}://{PG_USER}@{PG_HOST}:5432/{database}"


@cache
def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(host: str, port: int, what: str) -> None:
    if _reachable(host, port):
        return
    message = f"{what} is not reachable on {host}:{port}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run every test)")
    pytest.skip(message)


def require_postgres() -> None:
    require(PG_HOST, 5432, "PostgreSQL")


def require_rabbitmq() -> None:
    require("127.0.0.1", 5672, "RabbitMQ")
