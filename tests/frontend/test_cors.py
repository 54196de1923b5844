"""CORS (issue 9 item 1): browser front ends on other origins — a preflight for every route, a
credentialed cross-origin request readable, origins from ``GONGKAI_CORS_ORIGINS``."""

from __future__ import annotations

import re
from pathlib import Path

from shared.app import build_app
from shared.auth import mint_dev_token
from tests.frontend.support import ORIGIN, client_of, embedded, is_problem, prod_settings

USED_HEADERS = ("authorization", "content-type", "if-match", "idempotency-key")


async def test_a_preflight_for_every_route_answers_200_with_the_methods_and_headers_used(tmp_path: Path) -> None:
    app, _ = embedded(tmp_path)
    paths = app.openapi()["paths"]
    routes = [(path, method.upper()) for path, operations in paths.items() for method in operations]
    assert len(routes) > 40
    async with client_of(app) as client:
        for path, method in routes:
            url = re.sub(r"\{[^}]+\}", "x", path)
            r = await client.options(
                url,
                headers={
                    "Origin": ORIGIN,
                    "Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": ", ".join(USED_HEADERS),
                },
            )
            assert r.status_code == 200, (method, path, r.status_code, r.text)
            assert r.headers["access-control-allow-origin"] == ORIGIN
            assert r.headers["access-control-allow-credentials"] == "true"
            assert method in r.headers["access-control-allow-methods"]
            allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
            assert set(USED_HEADERS) <= allowed, (path, allowed)


async def test_a_credentialed_cross_origin_get_is_readable_with_etag_and_location_exposed(tmp_path: Path) -> None:
    app, settings = embedded(tmp_path)
    token = mint_dev_token(settings, sub="zhang.san", roles=["office"])
    async with client_of(app) as client:
        r = await client.get("/api/v1/me", headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert r.headers["access-control-allow-credentials"] == "true"
        exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
        assert {"etag", "location", "x-request-id"} <= exposed
        assert "origin" in r.headers["vary"].lower()
        # A problem is as readable: the browser shows its Chinese title, not a CORS error.
        denied = await client.get("/api/v1/me", headers={"Origin": ORIGIN})
        is_problem(denied, 401)
        assert denied.headers["access-control-allow-origin"] == ORIGIN


async def test_an_origin_not_allowed_gets_no_cors_headers_and_its_preflight_a_problem(tmp_path: Path) -> None:
    app, _ = embedded(tmp_path)
    async with client_of(app) as client:
        evil = "https://evil.example.com"
        r = await client.options("/api/v1/requests", headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
        body = is_problem(r, 400)
        assert body["code"] == "cors_preflight_refused" and "GONGKAI_CORS_ORIGINS" in body["detail"]
        r = await client.get("/api/v1/labels", headers={"Origin": evil})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


async def test_origins_come_from_GONGKAI_CORS_ORIGINS_and_prod_allows_none_by_default(tmp_path: Path) -> None:
    app, _ = embedded(tmp_path, cors_origins="https://gk.example.gov.cn, https://admin.gk.example.gov.cn/")
    async with client_of(app) as client:
        preflight = {"Access-Control-Request-Method": "GET"}
        ok = await client.options("/api/v1/labels", headers={"Origin": "https://admin.gk.example.gov.cn", **preflight})
        assert ok.status_code == 200
        is_problem(await client.options("/api/v1/labels", headers={"Origin": ORIGIN, **preflight}), 400)
    app, _ = embedded(tmp_path, cors_origins="*")
    async with client_of(app) as client:
        r = await client.get("/api/v1/labels", headers={"Origin": "https://any.example.org"})
        assert r.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in r.headers  # "*" never with credentials
    prod = build_app([], prod_settings())
    async with client_of(prod) as client:
        r = await client.get("/api/v1/labels", headers={"Origin": ORIGIN})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


async def test_the_last_resort_500_is_readable_cross_origin(tmp_path: Path) -> None:
    """An unhandled exception is answered inside the CORS layer: the browser reads the 500 problem
    (its request id included) instead of reporting a CORS error."""
    app, _ = embedded(tmp_path)

    @app.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    async with client_of(app) as client:  # raises the app's exceptions: none may escape
        r = await client.get("/api/v1/boom", headers={"Origin": ORIGIN})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "internal_error" and "a bug" not in r.text
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert r.headers["access-control-allow-credentials"] == "true"
    assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
    assert r.json()["request_id"] == r.headers["x-request-id"]
