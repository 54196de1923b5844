"""Issue 7, item 1: an Idempotency-Key lives in the use case's transaction. A server killed after
the commit and before its response replays the stored response to the retry; one killed before
leaves nothing behind — in neither case a second application, nor a minute of 409s."""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.auth import mint_dev_token
from shared.idempotency import CRASH_AFTER_COMMIT_EXIT_CODE
from tests.infra import require_postgres
from tests.reliability.servers import UNIT, RequestsServer, application_body, free_port
from tests.support import make_settings

pytestmark = pytest.mark.usefixtures("postgres")


@pytest.fixture
def postgres() -> None:
    require_postgres()


async def application_count(database_url: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(text("SELECT count(*) FROM applications")) or 0)
    finally:
        await engine.dispose()


async def create_unit(client: httpx.AsyncClient) -> None:
    office = {"Authorization": f"Bearer {mint_dev_token(make_settings(), sub='office-1', roles=['office'])}"}
    response = await client.put("/api/v1/units/U001", json=UNIT, headers=office)
    assert response.status_code == 201, response.text


async def test_a_server_killed_between_commit_and_response_replays_the_stored_response(pg_url: str) -> None:
    server = RequestsServer(pg_url, free_port())
    await server.start(GONGKAI_TEST_CRASH_AFTER_COMMIT="true")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = application_body(1)
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
            await create_unit(client)  # a PUT: no key, no crash
            with pytest.raises(httpx.TransportError):  # the process is gone before its 201 leaves
                await client.post("/api/v1/requests", json=body, headers=key)
        assert await server.wait() == CRASH_AFTER_COMMIT_EXIT_CODE
        assert await application_count(pg_url) == 1, "the use case committed before the process died"

        await server.start()  # at once: no lease to wait out
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
            retried = await client.post("/api/v1/requests", json=body, headers=key)
            again = await client.post("/api/v1/requests", json=body, headers=key)
    finally:
        server.kill()
    assert retried.status_code == 201, retried.text
    assert retried.headers["idempotent-replayed"] == "true"
    assert again.json() == retried.json()
    assert await application_count(pg_url) == 1, "one application, not two"


async def test_applications_created_under_kill_9_and_retried_with_their_keys_are_neither_lost_nor_doubled(
    pg_url: str,
) -> None:
    """The figure of README's "how nothing is lost": N keyed creations from 8 clients while the
    server is SIGKILLed again and again; each client retries with the same key until it has a 2xx."""
    total, kills = 200, int(os.environ.get("GONGKAI_TEST_KILLS", "3"))  # the README's figure: 7
    server = RequestsServer(pg_url, free_port())
    await server.start()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        await create_unit(client)
    keys = [str(uuid.uuid4()) for _ in range(total)]
    answers: dict[int, dict[str, object]] = {}
    replays = transport_errors = conflicts = 0
    pending = list(range(total))

    async def create_all() -> None:
        nonlocal replays, transport_errors, conflicts
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
            while pending:
                i = pending.pop()
                while True:
                    try:
                        response = await client.post(
                            "/api/v1/requests", json=application_body(i), headers={"Idempotency-Key": keys[i]}
                        )
                    except httpx.TransportError:
                        transport_errors += 1
                        await asyncio.sleep(0.05)
                        continue
                    if response.status_code == 201:
                        replays += response.headers.get("idempotent-replayed") == "true"
                        answers[i] = response.json()
                        break
                    conflicts += response.status_code == 409
                    assert response.status_code in (409, 503), response.text
                    await asyncio.sleep(0.05)

    async def kill_again_and_again() -> None:
        for _ in range(kills):
            await asyncio.sleep(random.uniform(0.3, 0.8))
            server.kill()
            await server.wait()
            await server.start()

    started = time.perf_counter()
    try:
        clients = asyncio.gather(*(create_all() for _ in range(8)))
        await kill_again_and_again()
        await clients
    finally:
        server.kill()
    elapsed = time.perf_counter() - started

    stored = await application_count(pg_url)
    ids = {answer["id"] for answer in answers.values()}
    print(
        f"\nkill -9 test: {total} keyed creations, {kills} SIGKILLs in {elapsed:.1f} s; "
        f"{transport_errors} requests cut off, {replays} answered by replay, {conflicts} 409s; "
        f"applications stored {stored}: lost {total - len(ids)}, doubled {stored - len(ids)}"
    )
    assert len(answers) == total and len(ids) == total, "every creation got its own application"
    assert stored == total, "0 lost, 0 doubled"
