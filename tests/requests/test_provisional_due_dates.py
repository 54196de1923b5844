"""A due date reaching into a year not yet loaded is provisional (weekends only) and is recomputed
when an administrator loads that year (DESIGN §4)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.calendar import WorkingDayCalendar
from tests.requests.helpers import api

UNIT = {"name": "市财政局", "kind": "department", "region": "130400", "contacts": []}
PAPER = {
    "unit_code": "U001",
    "channel": "in_person",
    "applicant": {"type": "natural_person", "name": "张三"},
    "description": "2026年度部门决算",
    "delivery": {"format": "paper", "method": "pickup"},
}
# A 2027 arrangement for the test (not the official notice, which is published each November).
YEAR_2027 = {
    "holidays": [
        {"day": "2027-01-01", "name": "元旦"},
        {"day": "2027-01-02", "name": "元旦"},
        {"day": "2027-01-03", "name": "元旦"},
    ],
    "makeup_workdays": [],
}


async def test_provisional_2027_due_dates_are_recomputed_after_loading_2027(database_url: str) -> None:
    async with api(database_url) as a:
        a.runtime.clock.set(datetime(2026, 12, 21, 10, tzinfo=ZoneInfo("Asia/Shanghai")), frozen=True)
        office = a.auth("office")
        await a.client.put("/api/v1/units/U001", json=UNIT, headers=office)
        created = await a.client.post("/api/v1/requests", json=PAPER, headers=a.auth("handler", units=("U001",)))
        application = created.json()
        weekends_only = WorkingDayCalendar(builtin_years=range(2004, 2027)).add_working_days(date(2026, 12, 21), 20)
        assert application["due_on_provisional"] is True
        assert application["due_on"] == weekends_only.day.isoformat() == "2027-01-18"

        loaded = await a.client.put("/api/v1/calendar/2027", json=YEAR_2027, headers=office)
        assert loaded.status_code in (200, 201), loaded.text
        after = (await a.client.get(f"/api/v1/requests/{application['id']}", headers=office)).json()
        # 元旦 2027-01-01, a Friday the weekends-only count took for a working day, no longer counts.
        exact = WorkingDayCalendar(builtin_years=range(2004, 2027))
        exact.load_year(2027, {date(2027, 1, d): "元旦" for d in (1, 2, 3)}, {})
        assert after["due_on_provisional"] is False
        assert after["due_on"] == exact.add_working_days(date(2026, 12, 21), 20).day.isoformat() == "2027-01-19"
        timeline = (await a.client.get(f"/api/v1/requests/{application['id']}/timeline", headers=office)).json()
        assert "application.due_recomputed" in [entry["action"] for entry in timeline]
