"""Issue 8, integrations and the dev clock: findings 4–6 — the dev clock needs an admin and moves no
signature window, an idempotent replay is verified first, prod refuses published keys at start."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from services.requests.app import create_app
from shared.auth import TokenVerifier
from shared.errors import ProblemError
from shared.settings import Settings
from tests.security.support import WORKORDERS, post_signed, secured_api, signed_headers, workorder
from tests.security.support import use_secrets as _use_secrets

CLOCK = "/api/v1/_dev/clock"
SWEEP = "/api/v1/admin/requests/sweeps/deadlines"
PRIVATE_SECRET = "a-private-jwt-secret-of-the-security-tests-0123456789"
PRIVATE_FIELD_KEYS = "prod1:" + base64.b64encode(b"s" * 32).decode()


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _use_secrets(monkeypatch)
    yield


async def test_finding_4_the_dev_clock_needs_role_admin(database_url: str) -> None:
    async with secured_api(database_url) as a:
        move = {"now": "2027-01-01T09:00:00+08:00"}
        assert (await a.client.put(CLOCK, json=move)).status_code == 401
        assert (await a.client.put(CLOCK, json=move, headers=a.auth("office", "handler"))).status_code == 403
        assert (await a.client.post(f"{CLOCK}/advance", json={"days": 1})).status_code == 401
        assert a.runtime.clock.today().isoformat() == "2026-09-25"
        assert (await a.client.put(CLOCK, json=move, headers=a.auth("admin"))).status_code == 200


async def test_finding_4_moving_the_dev_clock_forward_sweeping_and_back_does_not_reopen_a_signature(
    database_url: str,
) -> None:
    async with secured_api(database_url) as a:
        admin = a.auth("admin")
        body = json.dumps(workorder("GD-CAPTURED", "complaint"), ensure_ascii=False).encode()
        captured = signed_headers(body)
        assert (await a.client.post(WORKORDERS, content=body, headers=captured)).status_code == 201
        # The service clock a day ahead: the window and the nonces follow the wall clock.
        r = await a.client.post(f"{CLOCK}/advance", json={"days": 1}, headers=admin)
        assert r.status_code == 200
        assert (await a.client.post(SWEEP, headers=admin)).json()["signatures_purged"] == 0
        await a.client.post(f"{CLOCK}/advance", json={"days": -1}, headers=admin)
        replayed = await a.client.post(WORKORDERS, content=body, headers=captured)
        assert replayed.status_code == 401 and replayed.json()["code"] == "signature_replayed"
        # A fresh signature is judged by the wall clock too, whatever the service clock says.
        await a.client.put(CLOCK, json={"now": "2031-06-01T09:00:00+08:00"}, headers=admin)
        fresh = await post_signed(
            a, WORKORDERS, workorder("GD-FRESH", "complaint", received_at="2026-09-25T08:30:00+08:00")
        )
        assert fresh.status_code == 201, fresh.text
        assert len(await a.events("hotline.complaint_received")) == 2


async def test_finding_5_an_idempotent_replay_is_verified_first(database_url: str) -> None:
    async with secured_api(database_url) as a:
        key = {"Idempotency-Key": "7d0b2f4e-captured"}
        body = json.dumps(workorder("GD-KEYED"), ensure_ascii=False).encode()
        first = await a.client.post(WORKORDERS, content=body, headers={**signed_headers(body), **key})
        assert first.status_code == 201, first.text
        assert first.json()["application"]["query_code"]

        unsigned = await a.client.post(WORKORDERS, content=body, headers={"Content-Type": "application/json", **key})
        assert unsigned.status_code == 401 and unsigned.json()["code"] == "signature_missing"
        assert "query_code" not in unsigned.text
        forged = await a.client.post(
            WORKORDERS, content=body, headers={**signed_headers(body, secret="guessed"), **key}
        )
        assert forged.status_code == 401 and forged.json()["code"] == "signature_invalid"
        stale = await a.client.post(
            WORKORDERS, content=body, headers={**signed_headers(body, ts=int(time.time()) - 3600), **key}
        )
        assert stale.status_code == 401 and stale.json()["code"] == "signature_expired"
        # The sender's real retry, signed afresh, gets the stored response.
        retry = await a.client.post(
            WORKORDERS, content=body, headers={**signed_headers(body, ts=int(time.time()) - 60), **key}
        )
        assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
        assert retry.json() == first.json()


def _prod(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "prod",
        "jwt_secret": PRIVATE_SECRET,
        "field_encryption_keys": PRIVATE_FIELD_KEYS,
        "log_json": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_finding_6_prod_refuses_to_start_with_the_dev_field_key() -> None:
    with pytest.raises(RuntimeError, match="dev field-encryption key"):
        create_app(_prod(field_encryption_keys=Settings(_env_file=None).field_encryption_keys))  # type: ignore[call-arg]
    create_app(_prod())  # private keys: starts


def test_finding_6_prod_refuses_a_short_hs_secret() -> None:
    with pytest.raises(RuntimeError, match="32 bytes"):
        create_app(_prod(jwt_secret="only-twenty-six-bytes-long"))


def test_finding_6_prod_with_a_jwks_requires_issuer_and_audience() -> None:
    jwks = "https://idp.example.gov.cn/.well-known/jwks.json"
    for missing in ({"jwt_issuer": None}, {"jwt_audience": None}):
        configured: dict[str, object] = {"jwt_issuer": "https://idp", "jwt_audience": "gongkai", **missing}
        settings = _prod(jwt_jwks_url=jwks, jwt_algorithms=["RS256"], **configured)
        with pytest.raises(RuntimeError, match="ISSUER"):
            TokenVerifier(settings)


@pytest.mark.parametrize("claim", ["iss", "aud"])
def test_finding_6_a_token_without_the_configured_iss_or_aud_is_refused(claim: str) -> None:
    settings = _prod(jwt_issuer="https://idp.example.gov.cn", jwt_audience="gongkai")
    claims = {
        "sub": "u1",
        "roles": ["office"],
        "iss": "https://idp.example.gov.cn",
        "aud": "gongkai",
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    del claims[claim]
    with pytest.raises(ProblemError) as refused:
        TokenVerifier(settings).verify(jwt.encode(claims, PRIVATE_SECRET, algorithm="HS256"))
    assert refused.value.status == 401
