"""The injectable clock and its dev/test HTTP API (DESIGN §4)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import TokenVerifier, mint_dev_token
from shared.clock import SHANGHAI, Clock, dev_clock_router, legal_date
from shared.errors import install_problem_handlers
from tests.support import make_settings

SETTINGS = make_settings()


class FakeWall:
    """Real time as the test decides it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_legal_date_is_the_shanghai_calendar_date() -> None:
    # 16:00 UTC on 30 September is already 1 October in Beijing.
    assert legal_date(datetime(2026, 9, 30, 16, 0, tzinfo=UTC)) == date(2026, 10, 1)
    assert legal_date(datetime(2026, 9, 30, 15, 59, tzinfo=UTC)) == date(2026, 9, 30)


def test_legal_date_reads_naive_datetime_as_shanghai_wall_time() -> None:
    assert legal_date(datetime(2026, 10, 1, 0, 30)) == date(2026, 10, 1)


def test_real_clock_is_aware_utc() -> None:
    clock = Clock()
    assert clock.now().utcoffset() == timedelta(0)
    assert clock.state()["real"] is True


def test_frozen_clock_stands_still_while_real_time_passes() -> None:
    wall = FakeWall(datetime(2026, 1, 5, 1, 0, tzinfo=UTC))
    clock = Clock(wall)
    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI), frozen=True)
    wall.now += timedelta(hours=5)
    assert clock.now() == datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    assert clock.today() == date(2026, 10, 1)


def test_unfrozen_clock_keeps_ticking_from_the_set_moment() -> None:
    wall = FakeWall(datetime(2026, 1, 5, 1, 0, tzinfo=UTC))
    clock = Clock(wall)
    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI))
    wall.now += timedelta(minutes=10)
    assert clock.now() == datetime(2026, 10, 1, 1, 10, tzinfo=UTC)
    assert clock.state()["frozen"] is False
    assert clock.state()["real"] is False


def test_set_reads_naive_datetime_as_shanghai_wall_time() -> None:
    clock = Clock(FakeWall(datetime(2026, 1, 5, tzinfo=UTC)))
    clock.set(datetime(2026, 10, 1, 0, 30), frozen=True)
    assert clock.now() == datetime(2026, 9, 30, 16, 30, tzinfo=UTC)
    assert clock.today() == date(2026, 10, 1)


def test_advance_moves_frozen_and_running_clocks_alike() -> None:
    wall = FakeWall(datetime(2026, 1, 5, tzinfo=UTC))
    frozen, running = Clock(wall), Clock(wall)
    frozen.set(datetime(2026, 10, 1, tzinfo=UTC), frozen=True)
    running.set(datetime(2026, 10, 1, tzinfo=UTC))
    for clock in (frozen, running):
        clock.advance(days=3, seconds=60)
        assert clock.now() == datetime(2026, 10, 4, 0, 1, tzinfo=UTC)
        clock.advance(days=-1.5)
        assert clock.now() == datetime(2026, 10, 2, 12, 1, tzinfo=UTC)


def test_reset_returns_to_real_time() -> None:
    wall = FakeWall(datetime(2026, 1, 5, tzinfo=UTC))
    clock = Clock(wall)
    clock.set(datetime(2030, 1, 1, tzinfo=UTC), frozen=True)
    clock.reset()
    assert clock.now() == wall.now
    assert clock.state() == {
        "now": "2026-01-05T00:00:00+00:00",
        "today": "2026-01-05",
        "frozen": False,
        "offset_seconds": 0.0,
        "real": True,
    }


def test_state_reports_offset_from_real_time() -> None:
    clock = Clock(FakeWall(datetime(2026, 1, 5, tzinfo=UTC)))
    clock.set(datetime(2026, 1, 6, tzinfo=UTC))
    assert clock.state()["offset_seconds"] == 86400.0


def test_clock_refuses_to_leave_the_plausible_range() -> None:
    clock = Clock(FakeWall(datetime(2026, 1, 5, tzinfo=UTC)))
    with pytest.raises(ValueError):
        clock.set(datetime(9999, 12, 31, tzinfo=UTC))
    with pytest.raises(ValueError):
        clock.advance(days=10**9)
    assert clock.state()["real"] is True


# -- HTTP ------------------------------------------------------------------------------------


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.clock = Clock(FakeWall(datetime(2026, 1, 5, tzinfo=UTC)))
    app.state.token_verifier = TokenVerifier(SETTINGS)
    install_problem_handlers(app)
    app.include_router(dev_clock_router())
    admin = mint_dev_token(SETTINGS, sub="admin-1", roles=["admin"])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://test", headers={"Authorization": f"Bearer {admin}"}
    ) as http:
        yield http


async def test_get_clock_returns_its_state(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/_dev/clock")
    assert response.status_code == 200
    assert response.json()["real"] is True
    assert response.json()["today"] == "2026-01-05"


async def test_put_clock_sets_it_and_post_advance_moves_it(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/_dev/clock", json={"now": "2026-10-01T09:00:00+08:00", "frozen": True})
    assert response.status_code == 200
    body = response.json()
    assert datetime.fromisoformat(body["now"]) == datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    assert (body["today"], body["frozen"], body["real"]) == ("2026-10-01", True, False)

    response = await client.post("/api/v1/_dev/clock/advance", json={"days": 3})
    assert response.status_code == 200
    assert response.json()["today"] == "2026-10-04"


async def test_put_clock_reads_naive_time_as_shanghai(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/_dev/clock", json={"now": "2026-10-01T00:30:00"})
    assert response.status_code == 200
    assert response.json()["today"] == "2026-10-01"
    assert response.json()["frozen"] is False


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/api/v1/_dev/clock", {"now": "yesterday"}),
        ("PUT", "/api/v1/_dev/clock", {}),
        ("PUT", "/api/v1/_dev/clock", {"now": "9999-12-31T00:00:00+00:00"}),
        # Issue 8: these overflowed (OverflowError, a 500) while being converted to UTC.
        ("PUT", "/api/v1/_dev/clock", {"now": "9999-12-31T23:00:00-14:00"}),
        ("PUT", "/api/v1/_dev/clock", {"now": "0001-01-01T00:30:00+08:00"}),
        ("PUT", "/api/v1/_dev/clock", {"now": "0001-01-01T00:00:00"}),
        ("POST", "/api/v1/_dev/clock/advance", {"days": 3661}),
        ("POST", "/api/v1/_dev/clock/advance", {"days": "three"}),
        ("POST", "/api/v1/_dev/clock/advance", {"seconds": 10**12}),
    ],
)
async def test_bad_clock_input_is_422_and_leaves_clock_alone(
    client: httpx.AsyncClient, method: str, path: str, body: dict
) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == 422
    assert (await client.get("/api/v1/_dev/clock")).json()["real"] is True


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/_dev/clock", None),
        ("PUT", "/api/v1/_dev/clock", {"now": "2030-01-01T00:00:00+08:00"}),
        ("POST", "/api/v1/_dev/clock/advance", {"days": 30}),
    ],
)
async def test_the_dev_clock_needs_role_admin(client: httpx.AsyncClient, method: str, path: str, body: dict) -> None:
    """Issue 8, finding 4: anyone could move the clock (and with it the deadlines) of a test system."""
    anonymous = await client.request(method, path, json=body, headers={"Authorization": ""})
    assert anonymous.status_code == 401
    handler = mint_dev_token(SETTINGS, sub="clerk", roles=["handler", "office"])
    refused = await client.request(method, path, json=body, headers={"Authorization": f"Bearer {handler}"})
    assert refused.status_code == 403
    assert (await client.get("/api/v1/_dev/clock")).json()["real"] is True
