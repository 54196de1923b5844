"""The deadline sweep (DESIGN §3, §5, §9) on the real 2026 calendar, on SQLite and PostgreSQL.

The factory's application was received 2026-09-25 (Fri) and is due 2026-10-29 (Thu): 20 working
days over 中秋节 (9-26/27) and 国庆节 (10-1…10-7; 10-11 is no make-up day this year, it is a Sunday
off). Working days left: 5 on Thu 10-22, 4 on Fri 10-23 (and on the weekend 10-24/25), 3 on Mon
10-26, 2 on 10-27, 1 on Wed 10-28, 0 on the due day; overdue from Fri 10-30.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from services.requests.api.admin import router as admin_router
from services.requests.app import create_app
from services.requests.domain.deadlines import due_soon_mark, working_days_left
from services.requests.domain.rules import rule_set
from services.requests.models import applications, hotline_workorders
from services.requests.service.sweeps import due_soon_targets, sweep_deadlines
from shared.calendar import WorkingDayCalendar
from tests.foundation import serving
from tests.requests.factories import application_row, insert_applications
from tests.requests.helpers import Api
from tests.support import make_settings

DUE = date(2026, 10, 29)


@asynccontextmanager
async def sweeps_api(database_url: str, **settings: Any) -> AsyncIterator[Api]:
    """The requests app with the admin router included (until app.py wires it)."""
    values: dict[str, Any] = {"requests_database_url": database_url, "run_background_jobs": False}
    values.update(settings)
    app_settings = make_settings(**values)
    app = create_app(app_settings)
    if not any(getattr(r, "path", None) == "/api/v1/admin/requests/sweeps/deadlines" for r in app.routes):
        app.include_router(admin_router)
    async with serving(app) as client:
        yield Api(app, app_settings, client)


async def insert(api: Api, *rows: dict[str, Any]) -> None:
    """One executemany per set of columns: executemany needs the same keys in every row."""
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    async with api.runtime.sessions.begin() as session:
        for group in by_keys.values():
            await session.execute(insert_applications(), group)


async def set_row(api: Api, application_id: str, **values: Any) -> None:
    async with api.runtime.sessions.begin() as session:
        await session.execute(update(applications).where(applications.c.id == application_id).values(**values))


async def data_of(api: Api, event_type: str) -> list[dict[str, Any]]:
    return [e["data"] for e in await api.events(event_type)]


def test_the_calendar_behind_these_tests() -> None:
    """The dates the tests below rely on, checked against the real 2026 arrangement."""
    calendar, rules = WorkingDayCalendar(), rule_set("national_2019")
    assert calendar.add_working_days(date(2026, 9, 25), 20).day == DUE
    marks = {d: due_soon_mark(rules, calendar, DUE, d) for d in (date(2026, 10, 15) + timedelta(i) for i in range(15))}
    assert {d: m for d, m in marks.items() if m} == {
        date(2026, 10, 22): 5,
        date(2026, 10, 26): 3,
        date(2026, 10, 28): 1,
    }
    assert working_days_left(calendar, DUE, date(2026, 10, 24)) == 4  # Saturday: reaches no mark


def test_reminder_targets_are_a_handful_of_due_dates_on_working_days_only() -> None:
    calendar = WorkingDayCalendar()
    assert due_soon_targets(calendar, (5, 3, 1), date(2026, 10, 24)) == []  # Saturday
    targets = due_soon_targets(calendar, (5, 3, 1), date(2026, 10, 22))
    # From Thu 10-22 the 5th working day after is Thu 10-29; every date up to it has reached a mark.
    assert [t.due_on for t in targets][-1] == DUE
    assert {t.due_on: (t.left, t.mark) for t in targets}[DUE] == (5, 5)
    assert {t.due_on: (t.left, t.mark) for t in targets}[date(2026, 10, 26)] == (2, 3)


# -- overdue -----------------------------------------------------------------------------------


async def test_overdue_is_emitted_the_day_after_the_due_day_and_never_again(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        row = application_row(handler_id="handler-1", source_ref="WO-2026-1")
        await insert(api, row)

        on_due_day = await sweep_deadlines(api.runtime, today=DUE)
        assert on_due_day.overdue_emitted == 0  # the reply may still go out on the due day

        day_after = await sweep_deadlines(api.runtime, today=date(2026, 10, 30))
        assert day_after.overdue_emitted == 1
        assert (await sweep_deadlines(api.runtime, today=date(2026, 10, 30))).overdue_emitted == 0
        assert (await sweep_deadlines(api.runtime, today=date(2026, 10, 31))).overdue_emitted == 0
        assert (await sweep_deadlines(api.runtime, today=date(2026, 11, 2))).overdue_emitted == 0

        assert await data_of(api, "request.overdue") == [
            {
                "request_id": row["id"],
                "tracking_no": row["tracking_no"],
                "unit_code": "U001",
                "handler_id": "handler-1",
                "due_on": "2026-10-29",
                "source_ref": "WO-2026-1",
            }
        ]
        [event] = await api.events("request.overdue")
        assert event["subject"] == row["id"] and event["source"] == "gongkai/requests"


async def test_a_new_due_date_may_fall_overdue_once_more(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        row = application_row()
        await insert(api, row)
        assert (await sweep_deadlines(api.runtime, today=date(2026, 10, 30))).overdue_emitted == 1

        # Extended by 20 working days on 10-28 (条例 第三十三条): due 2026-11-26.
        await set_row(api, row["id"], due_on=date(2026, 11, 26))
        assert (await sweep_deadlines(api.runtime, today=date(2026, 11, 26))).overdue_emitted == 0
        assert (await sweep_deadlines(api.runtime, today=date(2026, 11, 27))).overdue_emitted == 1
        assert (await sweep_deadlines(api.runtime, today=date(2026, 11, 30))).overdue_emitted == 0

        assert [d["due_on"] for d in await data_of(api, "request.overdue")] == ["2026-10-29", "2026-11-26"]


async def test_concluded_withdrawn_paused_or_unregistered_applications_are_never_overdue(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        await insert(
            api,
            application_row(
                state="replied", outcome="disclosed", replied_on=date(2026, 10, 28), concluded_on=date(2026, 10, 28)
            ),
            application_row(state="withdrawn", concluded_on=date(2026, 10, 20)),
            application_row(state="archived", concluded_on=date(2026, 10, 21), archived_on=date(2026, 10, 27)),
            # Consulting a third party (条例 第三十二条): the stored due date is stale while paused.
            application_row(state="consulting", clock_running=False),
            application_row(state="fee_pending", clock_running=False),
            application_row(state="correction_requested", clock_running=False, due_on=None),
            application_row(state="submitted", received_on=None, due_on=None),
        )
        for today in (date(2026, 10, 22), date(2026, 10, 26), date(2026, 10, 28), date(2026, 10, 30)):
            result = await sweep_deadlines(api.runtime, today=today)
            assert (result.overdue_emitted, result.due_soon_emitted, result.scanned) == (0, 0, 0)
        assert await api.events("request.overdue") == []
        assert await api.events("request.due_soon") == []


async def test_an_overdue_event_is_journaled_on_the_application_timeline(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        row = application_row()
        await insert(api, row)
        await sweep_deadlines(api.runtime, today=date(2026, 10, 30))
        [event] = await api.events("request.overdue")
        entries = [e for e in await api.audit("application") if e.entity_id == row["id"]]
        assert [(e.action, e.actor_sub) for e in entries] == [("event:request.overdue", "system")]
        assert entries[0].after["event_id"] == event["id"]
        assert entries[0].after["data"]["due_on"] == "2026-10-29"


# -- reminders ---------------------------------------------------------------------------------


async def test_due_soon_at_5_3_and_1_working_days_left_each_once(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        row = application_row()
        await insert(api, row)
        day = date(2026, 10, 15)
        while day <= DUE:
            await sweep_deadlines(api.runtime, today=day)
            await sweep_deadlines(api.runtime, today=day)  # a second replica, or a second run
            day += timedelta(days=1)
        assert await data_of(api, "request.due_soon") == [
            {
                "request_id": row["id"],
                "tracking_no": row["tracking_no"],
                "unit_code": "U001",
                "due_on": "2026-10-29",
                "working_days_left": left,
            }
            for left in (5, 3, 1)
        ]
        async with api.runtime.sessions() as session:
            stamp = (await session.execute(select(applications.c.due_soon_stamp))).scalar_one()
        assert stamp == "2026-10-29:1"


async def test_missed_days_emit_only_the_smallest_mark_reached(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        late, very_late = application_row(), application_row()
        await insert(api, late, very_late)
        # No sweep ran on 10-22 (5 left) nor 10-23; the weekend reaches nothing.
        assert (await sweep_deadlines(api.runtime, today=date(2026, 10, 24))).due_soon_emitted == 0
        await set_row(api, very_late["id"], due_soon_stamp="2026-10-29:5")  # it did get the 5-day reminder
        # Tue 10-27, 2 left: marks 5 and 3 were reached; only 3 goes out, saying 2 days are left.
        assert (await sweep_deadlines(api.runtime, today=date(2026, 10, 27))).due_soon_emitted == 2
        assert (await sweep_deadlines(api.runtime, today=date(2026, 10, 27))).due_soon_emitted == 0
        assert (await sweep_deadlines(api.runtime, today=date(2026, 10, 28))).due_soon_emitted == 2
        lefts = Counter(d["working_days_left"] for d in await data_of(api, "request.due_soon"))
        assert lefts == {2: 2, 1: 2}


async def test_a_missed_last_reminder_still_goes_out_on_the_due_day(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        await insert(api, application_row(due_soon_stamp="2026-10-29:3"))
        assert (await sweep_deadlines(api.runtime, today=DUE)).due_soon_emitted == 1
        assert (await sweep_deadlines(api.runtime, today=DUE)).due_soon_emitted == 0
        assert [d["working_days_left"] for d in await data_of(api, "request.due_soon")] == [0]


async def test_a_new_due_date_gets_its_own_reminders(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        row = application_row(due_soon_stamp="2026-10-29:1")  # all reminders for 10-29 went out
        await insert(api, row)
        await set_row(api, row["id"], due_on=date(2026, 11, 26))  # extended on 10-28
        # 5 working days before Thu 11-26 is Thu 11-19.
        assert (await sweep_deadlines(api.runtime, today=date(2026, 11, 18))).due_soon_emitted == 0
        assert (await sweep_deadlines(api.runtime, today=date(2026, 11, 19))).due_soon_emitted == 1
        assert [(d["due_on"], d["working_days_left"]) for d in await data_of(api, "request.due_soon")] == [
            ("2026-11-26", 5)
        ]


# -- 12345 work orders -------------------------------------------------------------------------


def workorder(no: str, due_at: datetime, answered_at: datetime | None = None) -> dict[str, Any]:
    return {
        "workorder_no": no,
        "category": "consultation",
        "unit_code": "U001",
        "content": "咨询政府信息公开申请的办理进度",
        "received_at": datetime(2026, 10, 20, 1, 0, tzinfo=UTC),
        "due_at": due_at,
        "answered_at": answered_at,
        "answer": "已答复" if answered_at else None,
        "unanswered_emitted": False,
        "application_id": None,
        "payload": {},
    }


async def test_an_unanswered_workorder_past_its_due_time_is_reported_once(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        due = datetime(2026, 10, 22, 9, 0, tzinfo=UTC)  # 17:00 in Beijing
        async with api.runtime.sessions.begin() as session:
            await session.execute(
                hotline_workorders.insert(),
                [
                    workorder("WO-LATE", due),
                    workorder("WO-ANSWERED", due, answered_at=due - timedelta(hours=2)),
                    workorder("WO-NOT-YET", due + timedelta(days=2)),
                ],
            )
        assert (await sweep_deadlines(api.runtime, now=due)).hotline_unanswered_emitted == 0  # not *after* due_at yet
        after = due + timedelta(minutes=1)
        assert (await sweep_deadlines(api.runtime, now=after)).hotline_unanswered_emitted == 1
        assert (await sweep_deadlines(api.runtime, now=after + timedelta(hours=1))).hotline_unanswered_emitted == 0
        [event] = await api.events("hotline.workorder_unanswered")
        assert event["subject"] == "WO-LATE"
        assert event["data"]["workorder_no"] == "WO-LATE" and event["data"]["unit_code"] == "U001"
        assert datetime.fromisoformat(event["data"]["due_at"]) == due
        entries = [e for e in await api.audit("hotline_workorder")]
        assert [(e.entity_id, e.action) for e in entries] == [("WO-LATE", "event:hotline.workorder_unanswered")]


# -- several replicas ----------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_overdue_is_emitted_once_under_two_concurrent_sweeps_on_postgresql(database_url: str) -> None:
    assert database_url.startswith("postgresql")
    async with sweeps_api(database_url) as one, sweeps_api(database_url) as two:
        assert one.runtime.engine is not two.runtime.engine
        rows = [application_row(id=str(uuid.uuid4())) for _ in range(2000)]
        # Half due 10-29 and half at the 1-day mark of 10-30, to race the reminders too.
        for row in rows[1000:]:
            row["due_on"] = date(2026, 10, 30)
        await insert(one, *rows)

        # Thu 10-29: nothing overdue yet.
        first = await asyncio.gather(*(sweep_deadlines(api.runtime, today=DUE, batch_size=100) for api in (one, two)))
        assert sum(r.overdue_emitted for r in first) == 0
        assert sum(r.due_soon_emitted for r in first) == 2000  # 1000 at 0 left (mark 1 missed), 1000 at 1 left
        results = await asyncio.gather(
            *(sweep_deadlines(api.runtime, today=date(2026, 10, 30), batch_size=100) for api in (one, two, one, two))
        )
        assert sum(r.overdue_emitted for r in results) == 1000

        overdue = Counter(d["request_id"] for d in await data_of(one, "request.overdue"))
        assert len(overdue) == 1000 and set(overdue.values()) == {1}
        due_soon = Counter(d["request_id"] for d in await data_of(one, "request.due_soon"))
        assert len(due_soon) == 2000 and set(due_soon.values()) == {1}
        timeline = Counter(e.entity_id for e in await one.audit("application") if e.action == "event:request.overdue")
        assert len(timeline) == 1000 and set(timeline.values()) == {1}


# -- the admin endpoint --------------------------------------------------------------------------

SWEEP = "/api/v1/admin/requests/sweeps/deadlines"


async def test_the_sweep_endpoint_needs_admin_or_office_and_returns_the_counts(database_url: str) -> None:
    async with sweeps_api(database_url) as api:
        await insert(api, application_row(), application_row(due_on=date(2026, 11, 5)))
        assert (await api.client.post(SWEEP)).status_code == 401
        forbidden = await api.client.post(SWEEP, headers=api.auth("handler", units=("U001",)))
        assert forbidden.status_code == 403

        response = await api.client.post(SWEEP, json={"today": "2026-10-30"}, headers=api.auth("office"))
        assert response.status_code == 200, response.text
        # 10-30: the 10-29 application is overdue; 11-05 has 4 working days left (mark 5, missed).
        assert response.json() == {
            "today": "2026-10-30",
            "scanned": 2,
            "due_soon_emitted": 1,
            "overdue_emitted": 1,
            "hotline_unanswered_emitted": 0,
            "lapsed": 0,
            "signatures_purged": 0,
            "consultations_lapsed": 0,
            "reasons_lapsed": 0,
            "unconfirmed_emitted": 0,
            "report_up_due_soon_emitted": 0,
            "report_up_overdue_emitted": 0,
        }
        again = await api.client.post(SWEEP, json={"today": "2026-10-30"}, headers=api.auth("admin"))
        assert again.status_code == 200
        assert (again.json()["overdue_emitted"], again.json()["due_soon_emitted"]) == (0, 0)

        # Without a body the service clock's today is used.
        api.runtime.clock.set(datetime(2026, 11, 3, 10, 0), frozen=True)  # Beijing wall time
        by_clock = await api.client.post(SWEEP, headers=api.auth("admin"))
        assert by_clock.status_code == 200 and by_clock.json()["today"] == "2026-11-03"

        bad = await api.client.post(SWEEP, json={"today": "2026-13-01"}, headers=api.auth("admin"))
        assert bad.status_code == 422
        unknown = await api.client.post(SWEEP, json={"day": "2026-10-30"}, headers=api.auth("admin"))
        assert unknown.status_code == 422

        runs = [e for e in await api.audit("sweep") if e.action == "sweep:deadlines"]
        assert [e.actor_sub for e in runs] == ["tester", "tester", "tester"]


async def test_production_sweeps_only_as_of_the_service_clock(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sweeps_api(database_url) as api:
        headers = api.auth("admin")  # minted before the switch: prod mints no dev tokens
        monkeypatch.setattr(api.runtime.settings, "env", "prod")
        response = await api.client.post(SWEEP, json={"today": "2026-10-30"}, headers=headers)
        assert response.status_code == 422
        assert response.json()["code"] == "sweep_date_not_allowed"
        assert await api.events("request.overdue") == []


# -- the background job --------------------------------------------------------------------------


async def test_the_background_job_sweeps_again_after_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from services.requests.service import sweeps

    calls: list[str] = []
    swept = asyncio.Event()

    async def flaky_sweep(_runtime: Any, **_: Any) -> Any:
        calls.append("sweep")
        if len(calls) == 1:
            raise RuntimeError("database went away")
        swept.set()
        return sweeps.SweepResult(today=DUE, overdue_emitted=1)

    monkeypatch.setattr(sweeps, "sweep_deadlines", flaky_sweep)
    resources = SimpleNamespace(settings=SimpleNamespace(sweep_interval_seconds=0.01))
    runtime = SimpleNamespace(started=True, resources=resources)
    job = asyncio.create_task(sweeps.deadline_sweep_job(runtime))  # type: ignore[arg-type]
    try:
        await asyncio.wait_for(swept.wait(), 5)
    finally:
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
    assert len(calls) >= 2
