"""``Idempotency-Key`` on POSTs (DESIGN §10), through a real app on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, Depends, FastAPI, Header
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.app import build_app
from shared.audit import record_audit
from shared.auth import Principal, TokenVerifier, mint_dev_token, require_roles
from shared.errors import ProblemError
from shared.runtime import ServiceRuntime, ServiceSpec, runtime_dependency, session_dependency
from shared.settings import Settings
from tests.foundation import serving
from tests.support import FOUNDATION, FOUNDATION_VERSIONS, make_settings

THINGS = "/api/v1/things"


class ThingIn(BaseModel):
    name: str


async def require_signature_header(x_signed: Annotated[str | None, Header()] = None) -> None:
    """A stand-in for an integration's signature check: a 401 without ``X-Signed: yes``."""
    if x_signed != "yes":
        raise ProblemError(401, "signature_missing", "缺少签名")


def things_router(calls: list[str]) -> APIRouter:
    """``POST /api/v1/things``: writes an audit row and answers 201 with a fresh id.

    Names steer it: ``slow`` takes a while (so duplicates overlap), ``flaky`` answers 500 the
    first time, ``crash`` raises the first time.
    """
    router = APIRouter()

    @router.post(THINGS, status_code=201)
    async def create_thing(
        body: ThingIn,
        rt: Annotated[ServiceRuntime, Depends(runtime_dependency("requests"))],
        session: Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")],
    ) -> dict[str, str]:
        calls.append(body.name)
        first = calls.count(body.name) == 1
        if body.name == "slow":
            await asyncio.sleep(0.1)
        if body.name == "flaky" and first:
            raise ProblemError(500, "internal_error", "服务器内部错误")
        if body.name == "crash" and first:
            raise RuntimeError("the handler fell over")
        thing_id = str(uuid.uuid4())
        await record_audit(
            session,
            rt.tables.audit_log,
            at=rt.clock.now(),
            actor_sub="tester",
            actor_name=None,
            action="thing.created",
            entity_type="thing",
            entity_id=thing_id,
            after={"name": body.name},
        )
        return {"id": thing_id, "name": body.name}

    @router.post(f"{THINGS}/guarded", status_code=201)
    async def create_guarded_thing(
        body: ThingIn,
        # Declared before the checks on purpose: build_app resolves it after them (issue 8).
        _session: Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")],
        _admin: Annotated[Principal, Depends(require_roles("admin"))],
        _signed: Annotated[None, Depends(require_signature_header)],
    ) -> dict[str, str]:
        calls.append(body.name)
        return {"id": str(uuid.uuid4()), "name": body.name}

    @router.post(f"{THINGS}/unkeyed", status_code=201)
    async def create_without_a_transaction(body: ThingIn) -> dict[str, str]:
        calls.append(body.name)
        return {"id": str(uuid.uuid4()), "name": body.name}

    return router


@dataclass(frozen=True)
class Things:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    runtime: ServiceRuntime
    calls: list[str]

    def bearer(self, sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_dev_token(self.settings, sub=sub, roles=['handler'])}"}

    async def count(self, table_name: str) -> int:
        table = getattr(self.runtime.tables, table_name)
        async with self.runtime.sessions() as session:
            return (await session.execute(select(func.count()).select_from(table))).scalar_one()


@pytest.fixture
async def things(database_url: str) -> AsyncIterator[Things]:
    # build_app takes a service's database from settings, which knows only the five services:
    # so the test spec is called "requests"; its database holds the foundation tables alone.
    calls: list[str] = []
    spec = ServiceSpec(
        name="requests",
        title="things",
        description="a test service",
        tables=FOUNDATION,
        versions_dir=FOUNDATION_VERSIONS,
        path_prefixes=(THINGS,),
        routers=[things_router(calls)],
    )
    settings = make_settings(requests_database_url=database_url)
    app = build_app([spec], settings)
    # A crashing handler must reach the client as the app's 500, not as a raised exception.
    async with serving(app, raise_app_exceptions=False) as client:
        yield Things(app, client, settings, app.state.runtimes["requests"], calls)


async def post(things: Things, name: str, key: str | None, headers: dict[str, str] | None = None) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return await things.client.post(THINGS, json={"name": name}, headers={**extra, **(headers or {})})


async def test_same_key_and_body_replays_the_first_response(things: Things) -> None:
    first = await post(things, "a", "key-1")
    again = await post(things, "a", "key-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "idempotent-replayed" not in first.headers
    assert things.calls == ["a"]
    assert await things.count("audit_log") == 1


async def test_same_key_with_a_different_body_is_422(things: Things) -> None:
    assert (await post(things, "a", "key-1")).status_code == 201
    response = await post(things, "b", "key-1")

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "idempotency_key_reused"
    assert things.calls == ["a"]


async def test_different_keys_run_separately(things: Things) -> None:
    first = await post(things, "a", "key-1")
    second = await post(things, "a", "key-2")

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert things.calls == ["a", "a"]


async def test_keys_are_scoped_per_subject(things: Things) -> None:
    alice = await post(things, "a", "shared-key", things.bearer("alice"))
    bob = await post(things, "a", "shared-key", things.bearer("bob"))
    alice_again = await post(things, "a", "shared-key", things.bearer("alice"))

    assert alice.status_code == bob.status_code == 201
    assert alice.json()["id"] != bob.json()["id"]
    assert alice_again.json() == alice.json()
    assert alice_again.headers["idempotent-replayed"] == "true"
    assert things.calls == ["a", "a"]


@pytest.mark.parametrize("name", ["flaky", "crash"])
async def test_a_5xx_is_not_stored_so_a_retry_runs_again(things: Things, name: str) -> None:
    failed = await post(things, name, "key-1")
    assert failed.status_code == 500
    assert await things.count("idempotency_keys") == 0

    retried = await post(things, name, "key-1")
    replayed = await post(things, name, "key-1")

    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert replayed.json() == retried.json()
    assert things.calls == [name, name]


async def test_concurrent_duplicates_run_the_handler_once(things: Things) -> None:
    responses = await asyncio.gather(*(post(things, "slow", "key-1") for _ in range(5)))

    assert things.calls == ["slow"]
    originals = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(originals) == 1
    for response in responses:
        if response.status_code == 201:
            assert response.json() == originals[0].json()
        else:
            assert response.status_code == 409, response.text
            assert response.json()["code"] == "idempotency_in_progress"
            assert response.headers["retry-after"] == "1"
    assert await things.count("audit_log") == 1


async def test_without_a_key_nothing_is_stored(things: Things) -> None:
    first = await post(things, "a", None)
    second = await post(things, "a", None)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert things.calls == ["a", "a"]
    assert await things.count("idempotency_keys") == 0


async def test_a_jwks_verified_subject_is_resolved_off_the_event_loop(things: Things) -> None:
    # With JWKS, verifying may fetch keys over the network with blocking I/O.
    key = ec.generate_private_key(ec.SECP256R1())
    resolver_threads: list[threading.Thread] = []

    def resolve(_token: str) -> object:
        resolver_threads.append(threading.current_thread())
        return key.public_key()

    things.app.state.token_verifier = TokenVerifier(things.settings, key_resolver=resolve)
    claims = {"sub": "alice", "roles": ["handler"], "exp": datetime.now(UTC) + timedelta(hours=1)}
    bearer = {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm='ES256')}"}

    first = await post(things, "a", "key-1", bearer)
    again = await post(things, "a", "key-1", bearer)

    assert first.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert resolver_threads
    assert threading.current_thread() not in resolver_threads


async def test_a_route_without_the_session_dependency_ignores_the_key(things: Things) -> None:
    # The key is only as good as the transaction it shares: such a route gets no replay.
    first = await things.client.post(f"{THINGS}/unkeyed", json={"name": "a"}, headers={"Idempotency-Key": "key-1"})
    again = await things.client.post(f"{THINGS}/unkeyed", json={"name": "a"}, headers={"Idempotency-Key": "key-1"})

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] != again.json()["id"]
    assert await things.count("idempotency_keys") == 0


async def test_a_4xx_under_a_key_stores_nothing_and_keeps_no_lock(things: Things) -> None:
    rejected = await things.client.post(THINGS, json={"nom": "a"}, headers={"Idempotency-Key": "key-1"})
    assert rejected.status_code == 422
    assert await things.count("idempotency_keys") == 0
    assert (await post(things, "a", "key-2")).status_code == 201


async def test_a_stored_response_is_replayed_only_after_the_routes_checks_pass(things: Things) -> None:
    """Issue 8, finding 5: the replay used to happen before routing, so a captured key and body
    got the stored response without the route's signature (or role) check."""
    path = f"{THINGS}/guarded"
    admin = {"Authorization": f"Bearer {mint_dev_token(things.settings, sub='alice', roles=['admin'])}"}
    clerk = {"Authorization": f"Bearer {mint_dev_token(things.settings, sub='alice', roles=['handler'])}"}
    key = {"Idempotency-Key": "guarded-1"}
    first = await things.client.post(path, json={"name": "a"}, headers={**admin, **key, "X-Signed": "yes"})
    assert first.status_code == 201, first.text

    unsigned = await things.client.post(path, json={"name": "a"}, headers={**admin, **key})
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "signature_missing"
    demoted = await things.client.post(path, json={"name": "a"}, headers={**clerk, **key, "X-Signed": "yes"})
    assert demoted.status_code == 403
    replayed = await things.client.post(path, json={"name": "a"}, headers={**admin, **key, "X-Signed": "yes"})
    assert replayed.status_code == 201 and replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == first.json() and things.calls == ["a"]


async def test_stored_responses_are_encrypted_at_rest(things: Things) -> None:
    first = await post(things, "secret-name-4711", "key-1")
    assert first.status_code == 201
    async with things.runtime.sessions() as session:
        [stored] = (await session.execute(select(things.runtime.tables.idempotency_keys.c.response_body))).scalars()
    assert b"secret-name-4711" not in stored and stored.startswith(b"v1.")
    assert (await post(things, "secret-name-4711", "key-1")).json() == first.json()
