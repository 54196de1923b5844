"""Issue 7, item 5: no silent 503s. A keyed request finding no database (since issue 8 its key is
taken by the route's session dependency) is logged with its request id and counted under its
route template, like every other 5xx."""

from __future__ import annotations

import logging

import pytest

from services.requests.app import create_app
from tests.foundation import serving
from tests.reliability.servers import application_body, free_port
from tests.support import make_settings


async def test_a_503_from_the_idempotency_middleware_is_logged_and_counted_under_its_route(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/gongkai"  # refuses connections
    settings = make_settings(requests_database_url=nowhere, run_background_jobs=False)
    async with serving(create_app(settings)) as client:
        with caplog.at_level(logging.INFO):
            response = await client.post(
                "/api/v1/requests",
                json=application_body(1),
                headers={"Idempotency-Key": "k-1", "X-Request-ID": "req-5xx-1"},
            )
        metrics = (await client.get("/metrics")).text

    assert response.status_code == 503 and response.json()["code"] == "database_unavailable"
    access = [r for r in caplog.records if r.name == "gongkai.access" and r.__dict__.get("status") == 503]
    assert len(access) == 1
    assert access[0].levelno == logging.ERROR
    assert access[0].__dict__["route"] == "/api/v1/requests"
    assert access[0].__dict__["request_id"] == "req-5xx-1"
    # Since issue 8 the key is first looked at by the route's session dependency (a replay only
    # after the route's checks), so the error is logged by the app's handler, not the middleware.
    assert any(
        r.name in ("gongkai.idempotency", "shared.errors")
        and r.levelno == logging.ERROR
        and "database" in r.getMessage()
        for r in caplog.records
    )
    assert 'gongkai_http_requests_total{method="POST",route="/api/v1/requests",status="503"}' in metrics
