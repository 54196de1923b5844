"""The requests side of the reference data (issue 10): units and a calendar year written through the
REAL requests service's HTTP API reach all four consumers' replicas — in the embedded mode (one
process, in-process bus, SQLite) and on RabbitMQ + PostgreSQL — and a consumer whose replica was
wiped catches up by republish: ``POST /api/v1/admin/requests/republish``, ``gongkai reference
republish``, and the embedded mode's start. Republished and twice-delivered events change nothing
in a replica that already holds them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from services import supervisor
from services.cli import app as gongkai
from services.embedded import catch_up_replicas, create_app, empty_replicas, spec_of
from shared.app import build_app
from shared.auth import mint_dev_token
from shared.bus import create_bus
from shared.clock import Clock
from shared.events import CloudEvent
from shared.reference import units
from shared.runtime import ServiceRuntime
from shared.settings import Settings, get_settings
from tests.bus.harness import delete_test_queues
from tests.foundation import serving
from tests.infra import AMQP_URL, require_rabbitmq
from tests.reference.support import (
    CONSUMERS,
    HOLIDAYS_2027,
    MAKEUP_2027,
    applied,
    eventually,
    replica_rows,
    replicated,
    wipe_replica,
)
from tests.support import make_settings

NEW_YEAR_EVE = date(2026, 12, 31)
LEADERS = [
    {"name": "李主任", "role": "principal_leader", "title": "局长"},
    {"name": "王敏", "role": "disclosure_contact", "title": "政务公开专员", "phone": "0571-87000000"},
    {"name": "赵副", "role": "leader_in_charge", "title": "副局长"},
]
ARRANGEMENT_2027 = {
    "holidays": [{"day": d.day.isoformat(), "name": d.name} for d in HOLIDAYS_2027],
    "makeup_workdays": [{"day": d.day.isoformat(), "name": d.name} for d in MAKEUP_2027],
}


def unit_json(name: str, *, active: bool = True, contacts: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    return {"name": name, "kind": "department", "region": "330102", "contacts": list(contacts), "active": active}


def auth(settings: Settings, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(settings, sub=f'{role}-1', roles=[role])}"}


async def put(client: httpx.AsyncClient, settings: Settings, path: str, body: dict[str, Any], status: int) -> None:
    response = await client.put(path, json=body, headers=auth(settings, "office"))
    assert response.status_code == status, response.text


async def states(consumers: Sequence[ServiceRuntime[Any]], code: str) -> list[tuple[Any, ...] | None]:
    """What each replica holds of the unit: name, version, active, leaders' names."""
    found: list[tuple[Any, ...] | None] = []
    for consumer in consumers:
        unit = await replicated(consumer, code)
        if unit is None:
            found.append(None)
            continue
        async with consumer.sessions() as session:
            leaders = [c.name for c in await units.leaders(session, code)]
        found.append((unit.name, unit.version, unit.active, leaders))
    return found


async def day_after_new_year_eve(consumers: Sequence[ServiceRuntime[Any]]) -> list[tuple[date, bool]]:
    return [(r.day, r.provisional) for r in (c.calendar.add_working_days(NEW_YEAR_EVE, 1) for c in consumers)]


async def written_through_the_requests_api(
    client: httpx.AsyncClient, settings: Settings, consumers: Sequence[ServiceRuntime[Any]], tag: str
) -> tuple[str, str]:
    """A unit created then renamed, another created then deactivated, and the 2027 arrangement —
    through the requests service's API; every consumer ends with all of it. Returns the codes."""
    renamed, retired = f"EDU{tag}", f"OLD{tag}"
    await put(client, settings, f"/api/v1/units/{renamed}", unit_json("市教育局", contacts=LEADERS), 201)
    await put(client, settings, f"/api/v1/units/{retired}", unit_json("市粮食局"), 201)
    await put(client, settings, f"/api/v1/units/{renamed}", unit_json("市教育体育局", contacts=LEADERS), 200)
    # Merged into another unit: an upsert with active false, never a delete.
    await put(client, settings, f"/api/v1/units/{retired}", unit_json("市粮食局", active=False), 200)
    await put(client, settings, "/api/v1/calendar/2027", ARRANGEMENT_2027, 200)

    everywhere = [("市教育体育局", 2, True, ["李主任", "赵副"])] * len(consumers)
    assert await eventually(lambda: states(consumers, renamed), lambda v: v == everywhere) == everywhere
    gone = [("市粮食局", 2, False, [])] * len(consumers)
    assert await eventually(lambda: states(consumers, retired), lambda v: v == gone) == gone
    # 2027-01-01 to 03 are 元旦: the first working day after New Year's Eve is Monday 4 January,
    # exactly (not provisional: the year is known from the replicated arrangement).
    exact = [(date(2027, 1, 4), False)] * len(consumers)
    assert await eventually(lambda: day_after_new_year_eve(consumers), lambda v: v == exact) == exact
    for consumer in consumers:
        async with consumer.sessions() as session:
            active = [u.unit_code for u in await units.in_category(session, kinds=["department"])]
        assert retired not in active and renamed in active
    return renamed, retired


async def republished_events(owner: ServiceRuntime[Any], count: int) -> list[CloudEvent]:
    """The last ``count`` events in the requests service's outbox (those of the republish)."""
    outbox = owner.tables.outbox
    async with owner.sessions() as session:
        payloads = (await session.scalars(select(outbox.c.payload).order_by(outbox.c.seq.desc()).limit(count))).all()
    return [CloudEvent.from_json_bytes(p) for p in reversed(payloads)]


async def caught_up(
    owner: ServiceRuntime[Any],
    consumers: Sequence[ServiceRuntime[Any]],
    wiped: ServiceRuntime[Any],
    before: list[dict[str, list[tuple[Any, ...]]]],
    codes: tuple[str, str],
) -> None:
    """After a republish of the two units and 2027: the wiped replica holds them again, at their
    versions; every other replica applied the republished events as no-ops (same rows, same
    event ids); delivering them, or an older event, once more changes nothing anywhere."""
    events = await republished_events(owner, 3)
    assert sorted((e.type, e.subject) for e in events) == sorted(
        [("unit.upserted", codes[0]), ("unit.upserted", codes[1]), ("calendar.updated", "2027")]
    )
    ids = [e.id for e in events]
    done = [set(ids)] * len(consumers)
    assert await eventually(lambda: applied(consumers, ids), lambda v: v == done) == done

    after = [await replica_rows(c) for c in consumers]
    for consumer, old, new in zip(consumers, before, after, strict=True):
        if consumer is wiped:
            assert [row[:2] for row in new["ref_units"]] == sorted([(codes[0], 2), (codes[1], 2)])
            assert [row[:2] for row in new["ref_calendar_years"]] == [(2027, 1)]
            assert {row[2] for row in new["ref_units"] + new["ref_calendar_years"]} == set(ids)
        else:
            assert new == old, consumer.spec.name
    assert await states([wiped], codes[0]) == [("市教育体育局", 2, True, ["李主任", "赵副"])]

    # Twice delivered (the same ids again: the inbox drops them) changes nothing.
    for consumer in consumers:
        assert await consumer.consumer(events) == [None] * len(events)
    assert [await replica_rows(c) for c in consumers] == after


# -- the embedded mode ---------------------------------------------------------------------------


@pytest.fixture
def embedded_settings(embedded_database_urls: dict[str, str]) -> Settings:
    """The embedded mode's settings: every service on its SQLite file, the in-process bus."""
    return make_settings(run_background_jobs=False, **embedded_database_urls)


async def test_embedded_mode_units_and_2027_from_the_requests_api_reach_every_consumer_and_republish_catches_up(
    embedded_settings: Settings,
) -> None:
    settings = embedded_settings
    app = create_app(settings)
    async with serving(app) as client:
        runtimes = app.state.runtimes
        owner, consumers = runtimes["requests"], [runtimes[name] for name in CONSUMERS]
        codes = await written_through_the_requests_api(client, settings, consumers, uuid.uuid4().hex[:6])

        wiped = runtimes["notifier"]
        await wipe_replica(wiped)
        assert await empty_replicas({c.spec.name: c.sessions for c in consumers}) == ["notifier"]
        before = [await replica_rows(c) for c in consumers]

        assert (await client.post("/api/v1/admin/requests/republish")).status_code == 401
        refused = await client.post("/api/v1/admin/requests/republish", headers=auth(settings, "office"))
        assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
        response = await client.post("/api/v1/admin/requests/republish", headers=auth(settings, "admin"))
        assert response.status_code == 200, response.text
        assert response.json() == {"units": 2, "calendar_years": [2027]}
        await caught_up(owner, consumers, wiped, before, codes)


async def test_embedded_start_republishes_when_a_replica_is_empty(embedded_settings: Settings) -> None:
    """The embedded mode's start: a replica found empty (restored, wiped) catches up at once; a
    start with every replica filled republishes nothing."""
    settings = embedded_settings
    first = create_app(settings)
    async with serving(first) as client:
        consumers = [first.state.runtimes[name] for name in CONSUMERS]
        codes = await written_through_the_requests_api(client, settings, consumers, "T")
        await wipe_replica(first.state.runtimes["accountability"])

    restarted = create_app(settings)
    async with serving(restarted):
        runtimes = restarted.state.runtimes
        owner, consumers = runtimes["requests"], [runtimes[name] for name in CONSUMERS]
        wiped = runtimes["accountability"]
        ids = [e.id for e in await republished_events(owner, 3)]
        done = [set(ids)] * len(consumers)
        assert await eventually(lambda: applied(consumers, ids), lambda v: v == done) == done
        assert await states([wiped], codes[0]) == [("市教育体育局", 2, True, ["李主任", "赵副"])]
        # A new process: its calendar knows 2027 only from the replica, filled by the catch-up.
        exact = [(date(2027, 1, 4), False)]
        assert await eventually(lambda: day_after_new_year_eve([wiped]), lambda v: v == exact) == exact

        # What the next start does, every replica filled now: nothing.
        sent = await outbox_size(owner)
        assert await catch_up_replicas(runtimes) == []
        assert await outbox_size(owner) == sent


async def outbox_size(owner: ServiceRuntime[Any]) -> int:
    outbox = owner.tables.outbox
    async with owner.sessions() as session:
        return len((await session.scalars(select(outbox.c.seq))).all())


# -- RabbitMQ and PostgreSQL ---------------------------------------------------------------------


async def test_rabbitmq_and_postgresql_units_from_the_requests_api_reach_every_consumer_and_the_cli_catches_up(
    postgres_consumer_urls: dict[str, str], postgres_requests_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_rabbitmq()
    tag = uuid.uuid4().hex[:8]
    settings = make_settings(bus_url=AMQP_URL, requests_database_url=postgres_requests_url, run_background_jobs=False)
    # The real requests service (it consumes nothing, so no queue of its own on the shared broker).
    app = build_app([replace(spec_of("requests"), handlers={})], settings)
    bus = create_bus(AMQP_URL)
    await bus.start()
    # Queues of their own (gongkai.<name>_<tag>), so nothing else on the broker shares them.
    consumers = [
        ServiceRuntime(
            replace(spec_of(name), name=f"{name}_{tag}"),
            settings,
            clock=Clock(),
            bus=bus,
            database_url=postgres_consumer_urls[name],
        )
        for name in CONSUMERS
    ]
    try:
        for consumer in consumers:
            await consumer.run_startup_hooks()
            await consumer.start_consuming()
        async with serving(app) as client:
            owner = app.state.runtimes["requests"]
            codes = await written_through_the_requests_api(client, settings, consumers, tag)

            wiped = consumers[CONSUMERS.index("appraisal")]
            await wipe_replica(wiped)
            # What `make up` asks before republishing (services/supervisor.py).
            env = {f"GONGKAI_{name.upper()}_DATABASE_URL": url for name, url in postgres_consumer_urls.items()}
            assert await supervisor.empty_replicas_of(env) == ["appraisal"]
            before = [await replica_rows(c) for c in consumers]

            monkeypatch.setenv("GONGKAI_REQUESTS_DATABASE_URL", postgres_requests_url)
            get_settings.cache_clear()
            try:
                result = await asyncio.to_thread(CliRunner().invoke, gongkai, ["reference", "republish"])
            finally:
                get_settings.cache_clear()
            assert result.exit_code == 0, result.output
            assert "2 units" in result.output
            await caught_up(owner, consumers, wiped, before, codes)
    finally:
        for consumer in consumers:
            await consumer.stop()
        await bus.close()
        for consumer in consumers:
            await delete_test_queues(consumer.spec.name)
