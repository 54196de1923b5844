"""Each service's app, and the embedded app, as a client meets it (DESIGN §2, §10): operations
endpoints, offline docs, the dev clock, the dead-letter admin API — and a problem+json 4xx for
every kind of malformed request."""

from __future__ import annotations

import base64
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services import embedded
from shared.auth import mint_dev_token
from shared.settings import SERVICE_NAMES, Settings
from tests.foundation import head_revision, serving
from tests.support import make_settings, migrate

APP_KINDS = (*SERVICE_NAMES, "embedded")
EMBEDDED_TITLE = "Gongkai 公开 — 政务公开平台 (embedded)"
CLOSED_PORT_BUS = "amqp://guest:guest@127.0.0.1:1/"
PROD_SECRET = "a-private-secret-for-the-prod-tests-0123456789"
PROD_FIELD_KEYS = "prod1:" + base64.b64encode(b"k" * 32).decode()
CLOCK = "/api/v1/_dev/clock"
# Large enough for the deep-nesting body to reach the JSON parser, small enough to exceed cheaply.
MAX_BODY_BYTES = 32 * 1024
REQUEST_ID = "abc-123"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def settings_for(db_dir: Path, **overrides: object) -> Settings:
    urls = {f"{name}_database_url": sqlite_url(db_dir / f"{name}.sqlite3") for name in SERVICE_NAMES}
    return make_settings(**{**urls, **overrides})


def create_app(kind: str, settings: Settings) -> FastAPI:
    if kind == "embedded":
        return embedded.create_app(settings)
    return import_module(f"services.{kind}.app").create_app(settings)


def services_of(kind: str) -> tuple[str, ...]:
    return SERVICE_NAMES if kind == "embedded" else (kind,)


def title_of(kind: str) -> str:
    return EMBEDDED_TITLE if kind == "embedded" else embedded.spec_of(kind).title


def admin_path(service: str) -> str:
    return f"/api/v1/admin/{service}/dead-letters"


@pytest.fixture(scope="module")
def migrated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per service; single-service apps never migrate on start."""
    db_dir = tmp_path_factory.mktemp("service-apps")
    for name in SERVICE_NAMES:
        migrate(embedded.spec_of(name), sqlite_url(db_dir / f"{name}.sqlite3"))
    return db_dir


@dataclass(frozen=True)
class Served:
    kind: str
    settings: Settings
    client: httpx.AsyncClient

    @property
    def admin_path(self) -> str:
        return admin_path(services_of(self.kind)[0])

    @property
    def create_path(self) -> str:
        """A POST path under the service's own prefixes, where Idempotency-Key is checked."""
        return embedded.spec_of(services_of(self.kind)[0]).path_prefixes[0]

    def bearer(self, *roles: str, settings: Settings | None = None, **claims: object) -> dict[str, str]:
        token = mint_dev_token(settings or self.settings, sub="tester", roles=roles, **claims)  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module", params=APP_KINDS)
async def served(request: pytest.FixtureRequest, migrated_dir: Path) -> AsyncIterator[Served]:
    """One running app per kind, shared by the module's tests (starting one per test is slow)."""
    settings = settings_for(migrated_dir, max_body_bytes=MAX_BODY_BYTES)
    async with serving(create_app(request.param, settings)) as client:
        yield Served(request.param, settings, client)


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] and (code is None or body["code"] == code)
    assert not body["title"].isascii(), "the title is for people and in Chinese"
    return body


# -- operations -----------------------------------------------------------------------------------


async def test_healthz_is_ok(served: Served) -> None:
    response = await served.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ok_with_every_database_and_the_bus(served: Served) -> None:
    response = await served.client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    # Services with startup hooks (the requests service loads its stored calendar years) are
    # ready only once those hooks have run.
    started = {f"startup:{name}": "ok" for name in services_of(served.kind) if embedded.spec_of(name).startup_hooks}
    assert checks == {**{f"database:{name}": "ok" for name in services_of(served.kind)}, "bus": "ok", **started}


async def test_metrics_is_prometheus_text_with_the_http_counter(served: Served) -> None:
    await served.client.get("/healthz")
    response = await served.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE gongkai_http_requests_total counter" in response.text
    assert 'gongkai_http_requests_total{method="GET",route="/healthz",status="200"}' in response.text


async def test_openapi_is_valid_and_carries_the_service_title(served: Served) -> None:
    response = await served.client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == title_of(served.kind)
    assert {"/healthz", "/readyz", "/metrics", CLOCK}.issubset(document["paths"])
    assert {admin_path(name) for name in services_of(served.kind)}.issubset(document["paths"])


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_only_local_assets(served: Served, page: str) -> None:
    response = await served.client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    tags = re.findall(r"<(?:script|link)\b[^>]*>", response.text)
    assets = [m for tag in tags for m in re.findall(r'(?:src|href)="([^"]+)"', tag)]
    assert assets, "the page should load its bundle"
    for tag in tags:
        assert "cdn" not in tag.lower() and "http://" not in tag and "https://" not in tag, tag
    for asset in assets:
        assert asset.startswith("/")
        assert (await served.client.get(asset)).status_code == 200, asset


async def test_dev_clock_can_be_set_and_advanced_in_test_mode(served: Served) -> None:
    admin = served.bearer("admin")  # the dev clock needs role admin (issue 8)
    response = await served.client.put(CLOCK, json={"now": "2026-09-30T09:00:00+08:00", "frozen": True}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["today"] == "2026-09-30"
    assert response.json()["frozen"] is True

    response = await served.client.post(f"{CLOCK}/advance", json={"days": 2}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["today"] == "2026-10-02"
    assert (await served.client.get(CLOCK, headers=admin)).json()["today"] == "2026-10-02"


async def test_dead_letter_admin_requires_an_admin_token(served: Served) -> None:
    for name in services_of(served.kind):
        path = admin_path(name)
        assert_problem(await served.client.get(path), 401, "unauthorized")
        assert_problem(await served.client.get(path, headers=served.bearer("office", "handler")), 403, "forbidden")
        response = await served.client.get(path, headers=served.bearer("admin"))
        assert response.status_code == 200
        assert response.json() == {"items": []}


async def test_dead_letter_replay_with_nothing_parked_replays_zero(served: Served) -> None:
    for name in services_of(served.kind):
        response = await served.client.post(f"{admin_path(name)}/replay", headers=served.bearer("admin"))
        assert response.status_code == 200, response.text
        assert response.json() == {"replayed": 0}


@pytest.mark.parametrize("kind", SERVICE_NAMES)
async def test_readyz_says_503_when_the_database_is_unreachable(kind: str, migrated_dir: Path) -> None:
    # PostgreSQL on a closed port: the app starts, is alive, and says which check failed.
    settings = settings_for(migrated_dir, **{f"{kind}_database_url": "postgresql+asyncpg://postgres@127.0.0.1:1/none"})
    async with serving(create_app(kind, settings)) as client:
        assert (await client.get("/healthz")).status_code == 200
        body = assert_problem(await client.get("/readyz"), 503, "not_ready")
        assert body["checks"][f"database:{kind}"] != "ok"
        assert body["checks"]["bus"] == "ok"


@pytest.mark.parametrize("kind", APP_KINDS)
async def test_app_starts_with_the_bus_down_and_readyz_stays_ready_and_reports_it(
    kind: str, migrated_dir: Path
) -> None:
    # Writes go to the outbox and wait for the broker: a broker outage must not take replicas
    # out of the load balancer (issue 7); it is reported, not counted.
    settings = settings_for(migrated_dir, bus_url=CLOSED_PORT_BUS)
    async with serving(create_app(kind, settings)) as client:
        assert (await client.get("/healthz")).status_code == 200
        response = await client.get("/readyz")
        assert response.status_code == 200
        body = response.json()
        assert body["checks"]["bus"] != "ok"
        assert all(body["checks"][f"database:{name}"] == "ok" for name in services_of(kind))


@pytest.mark.parametrize("kind", APP_KINDS)
async def test_dev_clock_is_absent_in_prod(kind: str, migrated_dir: Path) -> None:
    # prod refuses the published dev secrets, so it gets its own (the field key of the requests service too)
    settings = settings_for(migrated_dir, env="prod", jwt_secret=PROD_SECRET, field_encryption_keys=PROD_FIELD_KEYS)
    async with serving(create_app(kind, settings)) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert_problem(await client.get(CLOCK), 404, "not_found")
        assert_problem(await client.put(CLOCK, json={"now": "2026-10-01T09:00:00+08:00"}), 404, "not_found")
        assert_problem(await client.post(f"{CLOCK}/advance", json={"days": 1}), 404, "not_found")
        assert CLOCK not in (await client.get("/openapi.json")).json()["paths"]


async def test_embedded_app_migrates_its_sqlite_files_on_start(tmp_path: Path) -> None:
    settings = make_settings(data_dir=tmp_path / "var")
    async with serving(embedded.create_app(settings)) as client:
        assert (await client.get("/readyz")).status_code == 200
    for name in SERVICE_NAMES:
        with sqlite3.connect(tmp_path / "var" / f"{name}.sqlite3") as connection:
            assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(name),)]


# -- malformed requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Malformed:
    status: int
    code: str | None  # None where the exact code is the framework's to choose
    send: Callable[[Served, dict[str, str]], Awaitable[httpx.Response]]


JSON = {"Content-Type": "application/json"}


async def _streamed(size: int) -> AsyncIterator[bytes]:
    # An async body makes httpx send it chunked, without Content-Length.
    for _ in range(size // 4096 + 1):
        yield b" " * 4096


def _expired(s: Served) -> dict[str, str]:
    return s.bearer("admin", ttl_seconds=60, now=datetime.now(UTC) - timedelta(hours=1))


def _foreign(s: Served) -> dict[str, str]:
    return s.bearer("admin", settings=make_settings(jwt_secret="somebody-elses-secret-0123456789abcdef"))


MALFORMED: dict[str, Malformed] = {
    "unknown path": Malformed(404, "not_found", lambda s, h: s.client.get("/api/v1/no-such-thing", headers=h)),
    "wrong method": Malformed(405, "method_not_allowed", lambda s, h: s.client.delete("/healthz", headers=h)),
    "malformed json": Malformed(
        400,
        "malformed_json",
        lambda s, h: s.client.put(CLOCK, content=b'{"now": ', headers={**h, **s.bearer("admin"), **JSON}),
    ),
    "wrong types": Malformed(
        422,
        "validation_failed",
        lambda s, h: s.client.put(CLOCK, json={"now": "soon", "frozen": [1]}, headers={**h, **s.bearer("admin")}),
    ),
    "json as text/plain": Malformed(
        415,
        "unsupported_media_type",
        lambda s, h: s.client.put(
            CLOCK,
            content=b'{"now": "2026-10-01T09:00:00+08:00"}',
            headers={**h, **s.bearer("admin"), "Content-Type": "text/plain"},
        ),
    ),
    "missing body": Malformed(
        422, "validation_failed", lambda s, h: s.client.put(CLOCK, headers={**h, **s.bearer("admin"), **JSON})
    ),
    "body over the limit by content-length": Malformed(
        413,
        "payload_too_large",
        lambda s, h: s.client.put(
            CLOCK, content=b" " * (MAX_BODY_BYTES + 1), headers={**h, **s.bearer("admin"), **JSON}
        ),
    ),
    "streamed body over the limit": Malformed(
        413,
        "payload_too_large",
        lambda s, h: s.client.put(CLOCK, content=_streamed(MAX_BODY_BYTES), headers={**h, **s.bearer("admin"), **JSON}),
    ),
    "malformed content-length": Malformed(
        400,
        "bad_request",
        lambda s, h: s.client.put(
            CLOCK, content=b"{}", headers={**h, **s.bearer("admin"), **JSON, "Content-Length": "1e3"}
        ),
    ),
    "non-utf-8 body": Malformed(
        400,
        None,
        lambda s, h: s.client.put(CLOCK, content=b"\xff\xfe{\x00\x81\xc3(", headers={**h, **s.bearer("admin"), **JSON}),
    ),
    "deeply nested json": Malformed(
        400,
        None,
        lambda s, h: s.client.put(
            CLOCK, content=b"[" * 10_000 + b"]" * 10_000, headers={**h, **s.bearer("admin"), **JSON}
        ),
    ),
    "no token on admin route": Malformed(401, "unauthorized", lambda s, h: s.client.get(s.admin_path, headers=h)),
    "garbage bearer token": Malformed(
        401, "invalid_token", lambda s, h: s.client.get(s.admin_path, headers={**h, "Authorization": "Bearer x.y.z"})
    ),
    "expired token": Malformed(
        401, "invalid_token", lambda s, h: s.client.get(s.admin_path, headers={**h, **_expired(s)})
    ),
    "token signed with another key": Malformed(
        401, "invalid_token", lambda s, h: s.client.get(s.admin_path, headers={**h, **_foreign(s)})
    ),
    "basic scheme": Malformed(
        401,
        "unauthorized",
        lambda s, h: s.client.get(s.admin_path, headers={**h, "Authorization": "Basic YWRtaW46YWRtaW4="}),
    ),
    "wrong role": Malformed(
        403, "forbidden", lambda s, h: s.client.get(s.admin_path, headers={**h, **s.bearer("applicant")})
    ),
    "idempotency key too long": Malformed(
        400,
        "invalid_idempotency_key",
        lambda s, h: s.client.post(s.create_path, json={}, headers={**h, "Idempotency-Key": "k" * 300}),
    ),
    "idempotency key with a space": Malformed(
        400,
        "invalid_idempotency_key",
        lambda s, h: s.client.post(s.create_path, json={}, headers={**h, "Idempotency-Key": "two words"}),
    ),
}


@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_request_gets_a_problem_4xx(served: Served, case: Malformed) -> None:
    response = await case.send(served, {"X-Request-ID": REQUEST_ID})
    body = assert_problem(response, case.status, case.code)
    assert response.headers["x-request-id"] == REQUEST_ID
    assert body["request_id"] == REQUEST_ID
    if case.status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_wrong_types_list_each_invalid_field(served: Served) -> None:
    response = await served.client.put(CLOCK, json={"now": "soon", "frozen": [1]}, headers=served.bearer("admin"))
    body = assert_problem(response, 422, "validation_failed")
    assert {error["field"] for error in body["errors"]} == {"body.now", "body.frozen"}


async def test_garbage_query_string_on_the_dead_letter_list_is_not_a_5xx(served: Served) -> None:
    url = f"{served.admin_path}?limit=%ff%00&cursor=%%zz&limit=-1&%00=%c3%28&" + "x=" * 500
    response = await served.client.get(url, headers=served.bearer("admin"))
    if response.status_code == 200:
        assert response.json() == {"items": []}
    else:
        assert_problem(response, response.status_code)
        assert 400 <= response.status_code < 500


async def test_request_id_is_made_up_when_missing_or_unsafe(served: Served) -> None:
    generated = (await served.client.get("/healthz")).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    # An id that could break a log line is replaced rather than echoed.
    replaced = (await served.client.get("/healthz", headers={"X-Request-ID": "a b\tc"})).headers["x-request-id"]
    assert replaced != "a b\tc" and re.fullmatch(r"[0-9a-f]{32}", replaced)
