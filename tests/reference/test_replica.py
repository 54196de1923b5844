"""The replica of units and the calendar in a consuming service (issue 10), event by event through
the service's inbox, on SQLite and PostgreSQL: ordering by the owner's version, idempotence,
deactivation, the read side, and malformed data refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.scoring.app import SPEC
from shared.bus import create_bus
from shared.calendar import CalendarError
from shared.clock import Clock
from shared.events import CloudEvent, InvalidEvent
from shared.reference import load_replicated_calendar, units
from shared.runtime import ServiceRuntime
from tests.reference.support import (
    LEADERS,
    MAKEUP_2027,
    calendar_2027,
    calendar_event,
    replicated,
    unit_event,
)
from tests.support import make_settings

NEW_YEAR_EVE = date(2026, 12, 31)


@pytest.fixture
async def scoring(scoring_url: str) -> AsyncIterator[ServiceRuntime[None]]:
    runtime = ServiceRuntime(
        SPEC, make_settings(), clock=Clock(), bus=create_bus("memory://"), database_url=scoring_url
    )
    yield runtime
    await runtime.stop()


async def deliver(runtime: ServiceRuntime[None], *events: CloudEvent) -> list[BaseException | None]:
    """What the bus does with a batch: hand it to the service's inbox consumer."""
    return await runtime.consumer(list(events))


async def test_a_rename_delivered_before_the_create_stands(scoring: ServiceRuntime[None]) -> None:
    create = unit_event("U1", "市教育局", version=1)
    rename = unit_event("U1", "市教育体育局", version=2)

    assert await deliver(scoring, rename) == [None]
    assert await deliver(scoring, create) == [None]

    unit = await replicated(scoring, "U1")
    assert unit is not None
    assert (unit.name, unit.version) == ("市教育体育局", 2)


async def test_in_order_updates_in_one_batch_end_with_the_last(scoring: ServiceRuntime[None]) -> None:
    events = [unit_event("U1", f"名称{v}", version=v) for v in (1, 2, 3)]
    assert await deliver(scoring, *events) == [None] * 3
    unit = await replicated(scoring, "U1")
    assert unit is not None and (unit.name, unit.version) == ("名称3", 3)


async def test_twice_delivered_and_republished_events_change_nothing(scoring: ServiceRuntime[None]) -> None:
    create = unit_event("U1", "市教育局", version=1, contacts=LEADERS)
    assert await deliver(scoring, create) == [None]
    # The same event again (a redelivery: the inbox drops it), and the same version under a new id
    # (a republish for catch-up: the version comparison drops it).
    republished = unit_event("U1", "市教育局", version=1, contacts=LEADERS)
    assert await deliver(scoring, create) == [None]
    assert await deliver(scoring, republished) == [None]

    table = SPEC.tables.metadata.tables["ref_units"]
    async with scoring.sessions() as session:
        rows = (await session.execute(select(table))).all()
    assert [(r.unit_code, r.version, r.event_id) for r in rows] == [("U1", 1, create.id)]


async def test_events_without_a_version_are_ordered_by_their_time(scoring: ServiceRuntime[None]) -> None:
    """Events published before the catalogue carried ``version`` still order correctly."""
    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
    older = unit_event("U1", "旧名称", version=None, at=t0)
    newer = unit_event("U1", "新名称", version=None, at=t0 + timedelta(minutes=1))
    assert await deliver(scoring, newer) == [None]
    assert await deliver(scoring, older) == [None]
    unit = await replicated(scoring, "U1")
    assert unit is not None and (unit.name, unit.version) == ("新名称", None)

    # Once versions arrive, a versioned event newer in time takes over; then versions decide.
    assert await deliver(scoring, unit_event("U1", "有版本", version=5, at=t0 + timedelta(minutes=2))) == [None]
    assert await deliver(scoring, unit_event("U1", "旧版本", version=4, at=t0 + timedelta(minutes=3))) == [None]
    unit = await replicated(scoring, "U1")
    assert unit is not None and (unit.name, unit.version) == ("有版本", 5)


async def test_deactivation_is_an_upsert_that_keeps_the_unit(scoring: ServiceRuntime[None]) -> None:
    await deliver(
        scoring,
        unit_event("U1", "甲镇", version=1, kind="township", region="330102001"),
        unit_event("U2", "乙镇", version=1, kind="township", region="330102002"),
    )
    # 甲镇 merged into 乙镇: deactivated, never deleted.
    assert await deliver(scoring, unit_event("U1", "甲镇", version=2, kind="township", active=False)) == [None]

    unit = await replicated(scoring, "U1")
    assert unit is not None and unit.active is False
    async with scoring.sessions() as session:
        assert [u.unit_code for u in await units.in_category(session, kinds=["township"])] == ["U2"]
        everyone = await units.in_category(session, kinds=["township"], include_inactive=True)
        assert [u.unit_code for u in everyone] == ["U1", "U2"]
        assert await units.count(session) == 2


async def test_the_read_side(scoring: ServiceRuntime[None]) -> None:
    await deliver(
        scoring,
        unit_event("GOV", "某区人民政府", version=1, kind="government", region="330102"),
        unit_event("EDU", "区教育局", version=1, parent_code="GOV", region="330102", contacts=LEADERS),
        unit_event("TWN", "某街道", version=1, kind="township", parent_code="GOV", region="330102003"),
        unit_event("FAR", "他区教育局", version=1, region="330105"),
    )
    async with scoring.sessions() as session:
        unit = await units.get(session, "EDU")
        assert unit is not None
        assert (unit.name, unit.kind, unit.parent_code, unit.region) == ("区教育局", "department", "GOV", "330102")
        assert await units.get(session, "NOPE") is None

        assert [u.unit_code for u in await units.in_category(session, parent_code="GOV")] == ["EDU", "TWN"]
        # A county's code selects its townships' finer codes too.
        assert [u.unit_code for u in await units.in_category(session, region="330102")] == ["EDU", "GOV", "TWN"]
        assert [u.unit_code for u in await units.in_category(session, kinds=["department"])] == ["EDU", "FAR"]
        both = await units.in_category(session, kinds=["department", "township"], region="330102")
        assert [u.unit_code for u in both] == ["EDU", "TWN"]
        with pytest.raises(ValueError):
            await units.in_category(session, region="33%")

        leaders = await units.leaders(session, "EDU")
        assert [(c.name, c.role) for c in leaders] == [("李主任", "principal_leader"), ("赵副", "leader_in_charge")]
        liaison = await units.contacts(session, "EDU", role="disclosure_contact")
        assert [(c.name, c.phone) for c in liaison] == [("王敏", "0571-87000000")]
        assert len(await units.contacts(session, "EDU")) == 3
        assert await units.leaders(session, "NOPE") == []


async def test_a_contact_published_without_a_role_is_no_leader(scoring: ServiceRuntime[None]) -> None:
    event = unit_event("U1", "市档案馆", version=1)
    legacy = event.model_copy(update={"data": {**event.data, "contacts": [{"name": "张三"}]}})
    assert await deliver(scoring, legacy) == [None]
    async with scoring.sessions() as session:
        assert [(c.name, c.role) for c in await units.contacts(session, "U1")] == [("张三", "other")]
        assert await units.leaders(session, "U1") == []


async def test_a_2027_calendar_makes_counting_across_new_year_exact(scoring: ServiceRuntime[None]) -> None:
    before = scoring.calendar.add_working_days(NEW_YEAR_EVE, 1)
    assert (before.day, before.provisional) == (date(2027, 1, 1), True)

    assert await deliver(scoring, calendar_event(calendar_2027())) == [None]

    after = scoring.calendar.add_working_days(NEW_YEAR_EVE, 1)
    assert (after.day, after.provisional) == (date(2027, 1, 4), False)  # 元旦 1–3 January
    assert scoring.calendar.is_working_day(MAKEUP_2027[0].day)  # a Sunday, 调休上班

    # Another replica of the service (or this one restarted) learns it from the table at start.
    other = ServiceRuntime(SPEC, scoring.settings, clock=Clock(), bus=scoring.bus, database_url=scoring.database_url)
    try:
        assert not other.calendar.is_known(2027)
        await load_replicated_calendar(other)
        assert other.calendar.add_working_days(NEW_YEAR_EVE, 1) == after
    finally:
        await other.stop()


async def test_a_stale_calendar_year_never_overwrites_a_newer_one(scoring: ServiceRuntime[None]) -> None:
    newer = calendar_2027(version=2)
    older = calendar_2027(version=1)
    older = older.model_copy(update={"holidays": [d for d in older.holidays if d.day.month != 1]})
    assert await deliver(scoring, calendar_event(newer)) == [None]
    assert await deliver(scoring, calendar_event(older)) == [None]
    assert not scoring.calendar.is_working_day(date(2027, 1, 1))
    table = SPEC.tables.metadata.tables["ref_calendar_years"]
    async with scoring.sessions() as session:
        assert (await session.execute(select(table.c.year, table.c.version))).all() == [(2027, 2)]


async def test_a_calendar_of_a_rolled_back_batch_is_not_counted_with(scoring: ServiceRuntime[None]) -> None:
    """The calendar learns a year after the inbox commit, not before: a batch that fails is
    replayed event by event, and only what committed counts."""
    broken = unit_event("U1", "x", version=1).model_copy(update={"data": {"unit_code": "U1"}})
    results = await deliver(scoring, calendar_event(calendar_2027()), broken)
    assert results[0] is None and isinstance(results[1], InvalidEvent)
    assert scoring.calendar.is_known(2027)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"unit_code": "U1", "name": "x", "kind": "castle", "region": "330102", "contacts": []}, "kind"),
        ({"unit_code": "U1", "kind": "department", "region": "330102", "contacts": []}, "name"),
        ({"unit_code": "U1", "name": "x", "kind": "department", "region": "1", "contacts": [{}]}, "contacts"),
        (
            {"unit_code": "U1", "name": "x", "kind": "department", "region": "1", "contacts": [], "version": 0},
            "version",
        ),
    ],
)
async def test_malformed_unit_data_raises_and_stores_nothing(
    scoring: ServiceRuntime[None], data: dict[str, object], error: str
) -> None:
    event = unit_event("U1", "x", version=1).model_copy(update={"data": data})
    [result] = await deliver(scoring, event)
    assert isinstance(result, InvalidEvent) and error in str(result)
    assert await replicated(scoring, "U1") is None


async def test_a_calendar_the_runtime_could_not_load_raises_and_stores_nothing(scoring: ServiceRuntime[None]) -> None:
    data = calendar_2027().model_dump(mode="json")
    data["makeup_workdays"] = [{"day": "2027-01-04", "name": "周一调休"}]  # a Monday
    event = calendar_event(calendar_2027()).model_copy(update={"data": data})
    [result] = await deliver(scoring, event)
    assert isinstance(result, CalendarError)
    assert not scoring.calendar.is_known(2027)
    table = SPEC.tables.metadata.tables["ref_calendar_years"]
    async with scoring.sessions() as session:
        assert (await session.execute(select(table))).all() == []


def test_including_the_replica_is_naming_it_in_the_spec() -> None:
    from services.embedded import spec_of
    from shared.reference import REFERENCE_HANDLERS, replicated_calendar_sync_job

    for name in ("scoring", "appraisal", "accountability", "notifier"):
        spec = spec_of(name)
        assert REFERENCE_HANDLERS.items() <= spec.handlers.items()
        assert load_replicated_calendar in spec.startup_hooks
        assert replicated_calendar_sync_job in spec.background_jobs
        assert {"ref_units", "ref_calendar_years"} <= set(spec.tables.metadata.tables)
