"""Calendar administration (节假日安排, DESIGN §4): built-in and loaded years over HTTP, validation,
``calendar.updated``, the runtime calendar counting with a loaded year, and the startup hook
loading stored years again after a restart — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from tests.requests.helpers import api

CAL = "/api/v1/calendar"

ARRANGEMENT_2027 = {
    "holidays": [
        {"day": "2027-01-01", "name": "元旦"},
        {"day": "2027-01-02", "name": "元旦"},
        {"day": "2027-01-03", "name": "元旦"},
        *({"day": f"2027-02-{d:02d}", "name": "春节"} for d in range(6, 14)),
    ],
    "makeup_workdays": [
        {"day": "2027-02-20", "name": "春节调休上班"},
        {"day": "2027-02-14", "name": "春节调休上班"},
    ],
}


async def test_builtin_and_unknown_years_are_public(database_url: str) -> None:
    async with api(database_url) as a:
        builtin = await a.client.get(f"{CAL}/2026")
        assert builtin.status_code == 200, builtin.text
        body = builtin.json()
        assert body["known"] is True and body["source"] == "builtin" and body["version"] is None
        assert {"day": "2026-10-01", "name": "国庆节"} in body["holidays"]
        assert {"day": "2026-10-10", "name": "国庆节调休上班"} in body["makeup_workdays"]

        unknown = (await a.client.get(f"{CAL}/2027")).json()
        assert unknown == {
            "year": 2027,
            "known": False,
            "source": None,
            "holidays": [],
            "makeup_workdays": [],
            "version": None,
            "updated_at": None,
            "updated_by": None,
        }
        for year in (1999, 2101):
            response = await a.client.get(f"{CAL}/{year}")
            assert response.status_code == 422 and response.json()["code"] == "validation_failed"


async def test_put_a_year_then_count_with_it_and_survive_a_restart(database_url: str) -> None:
    async with api(database_url) as a:
        calendar = a.runtime.calendar
        before = calendar.add_working_days(date(2027, 2, 5), 1)
        assert (before.day, before.provisional) == (date(2027, 2, 8), True)  # weekends only

        assert (await a.client.put(f"{CAL}/2027", json=ARRANGEMENT_2027)).status_code == 401
        assert (
            await a.client.put(f"{CAL}/2027", json=ARRANGEMENT_2027, headers=a.auth("unit_admin"))
        ).status_code == 403
        response = await a.client.put(f"{CAL}/2027", json=ARRANGEMENT_2027, headers=a.auth("office", sub="clerk-7"))
        assert response.status_code == 200, response.text
        assert response.headers["ETag"] == '"1"'
        body = response.json()
        assert body["source"] == "loaded" and body["known"] is True and body["updated_by"] == "clerk-7"
        assert [d["day"] for d in body["makeup_workdays"]] == ["2027-02-14", "2027-02-20"]

        got = (await a.client.get(f"{CAL}/2027")).json()
        assert got["source"] == "loaded" and len(got["holidays"]) == 11

        # The Spring Festival is skipped and the make-up Sunday counts: exactly 2027-02-14.
        after = calendar.add_working_days(date(2027, 2, 5), 1)
        assert (after.day, after.provisional) == (date(2027, 2, 14), False)
        assert calendar.add_working_days(date(2026, 12, 31), 1).day == date(2027, 1, 4)

        events = await a.events("calendar.updated")
        assert len(events) == 1
        assert events[0]["subject"] == "2027"
        assert events[0]["data"]["year"] == 2027
        assert events[0]["data"]["version"] == 1  # the replicas order a year's updates by it
        assert events[0]["data"]["makeup_workdays"][0] == {"day": "2027-02-14", "name": "春节调休上班"}
        assert len(events[0]["data"]["holidays"]) == 11
        audit = await a.audit("calendar_year")
        assert [(r.action, r.entity_id, r.actor_sub) for r in audit] == [("calendar.year_loaded", "2027", "clerk-7")]

        # The same arrangement again changes nothing and emits nothing.
        again = await a.client.put(f"{CAL}/2027", json=ARRANGEMENT_2027, headers=a.auth("admin"))
        assert again.status_code == 200 and again.json()["version"] == 1
        assert len(await a.events("calendar.updated")) == 1
        stale = await a.client.put(
            f"{CAL}/2027",
            json={**ARRANGEMENT_2027, "makeup_workdays": []},
            headers={**a.auth("admin"), "If-Match": '"7"'},
        )
        assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
        replaced = await a.client.put(
            f"{CAL}/2027", json={**ARRANGEMENT_2027, "makeup_workdays": []}, headers=a.auth("admin")
        )
        assert replaced.status_code == 200 and replaced.json()["version"] == 2
        assert [e["data"]["version"] for e in await a.events("calendar.updated")] == [1, 2]

    # A new app on the same database: the startup hook loads the stored year.
    async with api(database_url) as b:
        restarted = b.runtime.calendar
        assert restarted.is_known(2027)
        # The replaced arrangement (no make-up days): the first working day after 春节 is Monday 15 February.
        assert restarted.add_working_days(date(2027, 2, 5), 1).day == date(2027, 2, 15)
        assert restarted.arrangement(2027).source == "loaded"  # type: ignore[union-attr]


async def test_invalid_arrangements_are_422(database_url: str) -> None:
    async with api(database_url) as a:
        office = a.auth("office")
        weekday = {"holidays": [], "makeup_workdays": [{"day": "2027-02-12", "name": "春节调休上班"}]}
        response = await a.client.put(f"{CAL}/2027", json=weekday, headers=office)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "invalid_calendar"
        assert "2027-02-12" in response.json()["detail"]

        other_year = {"holidays": [{"day": "2026-01-01", "name": "元旦"}]}
        assert (await a.client.put(f"{CAL}/2027", json=other_year, headers=office)).json()["code"] == "invalid_calendar"
        twice = {"holidays": [{"day": "2027-01-01", "name": "元旦"}] * 2}
        assert (await a.client.put(f"{CAL}/2027", json=twice, headers=office)).json()["code"] == "invalid_calendar"
        both = {
            "holidays": [{"day": "2027-02-14", "name": "春节"}],
            "makeup_workdays": [{"day": "2027-02-14", "name": "春节调休上班"}],
        }
        assert (await a.client.put(f"{CAL}/2027", json=both, headers=office)).json()["code"] == "invalid_calendar"
        bad_date = {"holidays": [{"day": "2027-02-30", "name": "x"}]}
        assert (await a.client.put(f"{CAL}/2027", json=bad_date, headers=office)).json()["code"] == "validation_failed"

        assert not a.runtime.calendar.is_known(2027)
        assert (await a.client.get(f"{CAL}/2027")).json()["known"] is False
        assert await a.events("calendar.updated") == []
