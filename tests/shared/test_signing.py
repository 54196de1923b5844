"""Signed integration calls: HMAC headers, the time window, rotation and replay (DESIGN §9)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import MetaData, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import create_engine, session_factory
from shared.errors import PROBLEM_MEDIA_TYPE, ProblemError, install_problem_handlers
from shared.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SqlReplayGuard,
    sign,
    signature_nonces_table,
    verify,
    verify_request,
)

SECRET = "hotline-shared-secret"
NEW_SECRET = "hotline-shared-secret-2026"
BODY = b'{"workorder_no": "GD20260301001", "category": "disclosure_request"}'
NOW = 1_772_000_000  # 2026-02-25, unix seconds


def problem_code(secrets: str | list[str], body: bytes, headers: dict[str, str], now: float = NOW) -> str:
    with pytest.raises(ProblemError) as caught:
        verify(secrets, body, headers, now=now)
    assert caught.value.status == 401
    assert caught.value.headers and "WWW-Authenticate" in caught.value.headers
    return caught.value.code


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    headers = sign(SECRET, BODY, timestamp=NOW)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers == {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: f"v1={expected}"}


def test_valid_signature_is_accepted() -> None:
    headers = sign(SECRET, BODY, timestamp=NOW)
    assert verify(SECRET, BODY, headers, now=NOW + 10) == headers[SIGNATURE_HEADER].removeprefix("v1=")


def test_header_names_are_case_insensitive() -> None:
    headers = {k.lower(): v for k, v in sign(SECRET, BODY, timestamp=NOW).items()}
    verify(SECRET, BODY, headers, now=NOW)


def test_changed_body_is_invalid() -> None:
    headers = sign(SECRET, BODY, timestamp=NOW)
    assert problem_code(SECRET, BODY.replace(b"disclosure", b"complaint__"), headers) == "signature_invalid"


def test_wrong_secret_is_invalid() -> None:
    headers = sign("someone-else", BODY, timestamp=NOW)
    assert problem_code(SECRET, BODY, headers) == "signature_invalid"


def test_changed_timestamp_is_invalid() -> None:
    headers = sign(SECRET, BODY, timestamp=NOW) | {TIMESTAMP_HEADER: str(NOW + 1)}
    assert problem_code(SECRET, BODY, headers) == "signature_invalid"


@pytest.mark.parametrize("age", [-300, 0, 300])
def test_timestamp_within_five_minutes_either_way_is_accepted(age: int) -> None:
    verify(SECRET, BODY, sign(SECRET, BODY, timestamp=NOW - age), now=NOW)


@pytest.mark.parametrize("age", [301, -301, NOW])
def test_timestamp_too_old_or_too_far_ahead_is_expired(age: int) -> None:
    assert problem_code(SECRET, BODY, sign(SECRET, BODY, timestamp=NOW - age)) == "signature_expired"


@pytest.mark.parametrize("missing", [TIMESTAMP_HEADER, SIGNATURE_HEADER])
def test_absent_header_is_missing(missing: str) -> None:
    headers = sign(SECRET, BODY, timestamp=NOW)
    del headers[missing]
    assert problem_code(SECRET, BODY, headers) == "signature_missing"
    assert problem_code(SECRET, BODY, headers | {missing: ""}) == "signature_missing"


@pytest.mark.parametrize(
    "timestamp, signature",
    [
        ("yesterday", None),
        ("-1772000000", None),
        ("1772000000.5", None),
        ("١٧٧٢٠٠٠٠٠٠", None),  # Arabic-Indic digits: int() would accept them
        (None, "sha256=" + "0" * 64),
        (None, "v1=" + "0" * 63),
        (None, "v1=" + "g" * 64),
        (None, "v1="),
        (None, "garbage"),
    ],
)
def test_garbled_header_is_malformed(timestamp: str | None, signature: str | None) -> None:
    headers = sign(SECRET, BODY, timestamp=NOW)
    if timestamp is not None:
        headers[TIMESTAMP_HEADER] = timestamp
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    assert problem_code(SECRET, BODY, headers) == "signature_malformed"


def test_rotation_accepts_either_secret_and_either_of_several_signatures() -> None:
    old = sign(SECRET, BODY, timestamp=NOW)[SIGNATURE_HEADER]
    new = sign(NEW_SECRET, BODY, timestamp=NOW)[SIGNATURE_HEADER]
    both = {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: f"{old}, {new}"}
    # Receiver rotated first (holds both), sender still on the old secret.
    verify([NEW_SECRET, SECRET], BODY, {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: old}, now=NOW)
    # Sender rotated first (signs with both), receiver still on the old secret.
    verify(SECRET, BODY, both, now=NOW)
    # Unknown versions are skipped, so senders can add one ahead of receivers.
    verify(SECRET, BODY, both | {SIGNATURE_HEADER: f"v2=abc, {old}"}, now=NOW)
    assert problem_code("retired", BODY, both) == "signature_invalid"


def test_replay_key_is_the_same_whichever_rotated_signature_is_presented() -> None:
    old = sign(SECRET, BODY, timestamp=NOW)[SIGNATURE_HEADER]
    new = sign(NEW_SECRET, BODY, timestamp=NOW)[SIGNATURE_HEADER]
    keys = {
        verify([NEW_SECRET, SECRET], BODY, {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: header}, now=NOW)
        for header in (old, new, f"{old},{new}")
    }
    assert keys == {new.removeprefix("v1=")}


def test_empty_secret_is_a_configuration_error() -> None:
    headers = sign(SECRET, BODY, timestamp=NOW)
    for secrets in ("", [], [SECRET, ""]):
        with pytest.raises(ValueError, match="secret"):
            verify(secrets, BODY, headers, now=NOW)


# --- replay protection on a real database ---


async def nonce_store(url: str) -> tuple[AsyncEngine, SqlReplayGuard, Table]:
    """An engine on ``url`` with the signature_nonces table (migrations will own it), and its guard."""
    engine = create_engine(url)
    metadata = MetaData()
    table = signature_nonces_table(metadata)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return engine, SqlReplayGuard(session_factory(engine), table), table


async def test_replay_guard_admits_a_signature_once_and_purges_expired(database_url: str) -> None:
    engine, guard, table = await nonce_store(database_url)
    try:
        assert await guard.first_use("a" * 64, NOW + 300) is True
        assert await guard.first_use("a" * 64, NOW + 300) is False
        assert await guard.first_use("b" * 64, NOW + 600) is True
        assert await guard.purge_expired(NOW + 301) == 1
        async with engine.connect() as connection:
            assert (await connection.scalars(select(table.c.signature))).all() == ["b" * 64]
    finally:
        await engine.dispose()


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    engine, guard, _ = await nonce_store(f"sqlite+aiosqlite:///{tmp_path / 'nonces.sqlite3'}")

    @app.post("/api/v1/integrations/hotline/workorders")
    async def receive(request: Request) -> dict:
        body = await verify_request(request, [NEW_SECRET, SECRET], guard, now=NOW)
        return {"bytes": len(body)}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as c:
        yield c
    await engine.dispose()


async def post(client: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/api/v1/integrations/hotline/workorders", content=body, headers=headers)


async def test_signed_request_passes_and_returns_its_body(client: httpx.AsyncClient) -> None:
    response = await post(client, BODY, sign(SECRET, BODY, timestamp=NOW))
    assert response.status_code == 200
    assert response.json() == {"bytes": len(BODY)}


async def test_replayed_request_is_refused(client: httpx.AsyncClient) -> None:
    headers = sign(SECRET, BODY, timestamp=NOW)
    assert (await post(client, BODY, headers)).status_code == 200
    replay = await post(client, BODY, headers)
    assert replay.status_code == 401
    assert replay.json()["code"] == "signature_replayed"
    assert replay.json()["title"] == "请求重放"
    # Re-signed with a new timestamp, the same body is a new request.
    assert (await post(client, BODY, sign(SECRET, BODY, timestamp=NOW + 1))).status_code == 200


async def test_replay_with_the_other_rotated_signature_is_refused(client: httpx.AsyncClient) -> None:
    old = sign(SECRET, BODY, timestamp=NOW)
    new = sign(NEW_SECRET, BODY, timestamp=NOW)
    both = old | {SIGNATURE_HEADER: f"{old[SIGNATURE_HEADER]},{new[SIGNATURE_HEADER]}"}
    assert (await post(client, BODY, both)).status_code == 200
    assert (await post(client, BODY, old)).json()["code"] == "signature_replayed"
    assert (await post(client, BODY, new)).json()["code"] == "signature_replayed"


@pytest.mark.parametrize(
    "headers, code, title",
    [
        ({}, "signature_missing", "缺少签名"),
        ({TIMESTAMP_HEADER: "soon", SIGNATURE_HEADER: "v1=00"}, "signature_malformed", "签名格式错误"),
        (sign(SECRET, BODY, timestamp=NOW - 301), "signature_expired", "时间戳超出允许范围"),
        (sign("wrong", BODY, timestamp=NOW), "signature_invalid", "签名无效"),
    ],
)
async def test_refusals_are_401_problems(
    client: httpx.AsyncClient, headers: dict[str, str], code: str, title: str
) -> None:
    response = await post(client, BODY, headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["www-authenticate"].startswith("Gongkai-HMAC-SHA256")
    problem = response.json()
    assert (problem["code"], problem["title"], problem["status"]) == (code, title, 401)
    assert problem["type"].endswith("/" + code)
    assert problem["instance"] == "/api/v1/integrations/hotline/workorders"
