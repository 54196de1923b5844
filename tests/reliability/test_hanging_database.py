"""Issue 7, item 2: a database that hangs instead of refusing (a proxy that stops forwarding and
closes nothing) costs a request its configured timeouts and a 503 problem, and /readyz answers
within its budget; when the database moves again, so does the service."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from services.requests.app import create_app
from shared.app import READY_TIMEOUT_SECONDS
from tests.foundation import serving
from tests.infra import PG_HOST
from tests.reliability.proxy import TcpProxy
from tests.reliability.servers import application_body
from tests.support import make_settings

TIMEOUT = 1.0  # test-sized connect, statement and pool timeouts


@pytest.fixture
async def frozen_able(pg_url: str) -> AsyncIterator[tuple[TcpProxy, httpx.AsyncClient]]:
    proxy = TcpProxy(5432, PG_HOST)
    await proxy.start()
    url = make_url(pg_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = make_settings(
        requests_database_url=url,
        run_background_jobs=False,
        database_connect_timeout_seconds=TIMEOUT,
        database_statement_timeout_seconds=TIMEOUT,
        database_pool_timeout_seconds=TIMEOUT,
    )
    try:
        async with serving(create_app(settings)) as client:
            yield proxy, client
    finally:
        proxy.resume()
        await proxy.stop()


async def timed(request: object) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await request  # type: ignore[misc]
    return response, time.perf_counter() - started


async def test_a_frozen_database_is_a_prompt_503_and_readyz_keeps_its_budget(
    frozen_able: tuple[TcpProxy, httpx.AsyncClient],
) -> None:
    proxy, client = frozen_able
    assert (await client.get("/readyz")).status_code == 200
    proxy.pause()

    (ready, ready_seconds), *writes = await asyncio.gather(
        timed(client.get("/readyz")),
        *(timed(client.post("/api/v1/requests", json=application_body(i))) for i in range(3)),
    )
    print(f"\nfrozen database: /readyz {ready_seconds:.2f} s, writes {', '.join(f'{s:.2f} s' for _, s in writes)}")
    assert ready.status_code == 503 and ready.json()["checks"]["database:requests"].startswith("TimeoutError")
    assert ready_seconds < READY_TIMEOUT_SECONDS + 0.5
    for response, seconds in writes:
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "database_unavailable"
        # At worst: a pre-ping and a statement (each the statement timeout plus asyncpg's grace),
        # a reconnect, and dropping the frozen connection — seconds, not the 15–45 s of before.
        assert seconds < 8 * TIMEOUT

    proxy.resume()
    for _ in range(50):
        if (await client.get("/readyz")).status_code == 200:
            break
        await asyncio.sleep(0.1)
    assert (await client.get("/readyz")).status_code == 200
