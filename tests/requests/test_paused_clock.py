"""While the clock is paused (条例 第三十二条: consultation), the application is not overdue and its
due date moves on day by day."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.requests.helpers import api

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNIT = {"name": "市财政局", "kind": "department", "region": "130400", "contacts": []}
PAPER = {
    "unit_code": "U001",
    "channel": "in_person",
    "applicant": {"type": "natural_person", "name": "张三"},
    "description": "某项目环评材料",
    "delivery": {"format": "paper", "method": "pickup"},
}


async def test_a_consultation_running_past_the_original_due_date_is_not_overdue_and_shows_the_moving_due_date(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        a.runtime.clock.set(datetime(2026, 9, 25, 10, tzinfo=SHANGHAI), frozen=True)
        await a.client.put("/api/v1/units/U001", json=UNIT, headers=a.auth("office"))
        staff = a.auth("handler", units=("U001",))
        created = await a.client.post("/api/v1/requests", json=PAPER, headers=staff)
        path = f"/api/v1/requests/{created.json()['id']}"
        assigned = await a.client.post(
            f"{path}/assign",
            json={"handler_id": "c", "handler_name": "李四"},
            headers={**staff, "If-Match": created.headers["etag"]},
        )
        a.runtime.clock.set(datetime(2026, 10, 26, 10, tzinfo=SHANGHAI), frozen=True)
        started = await a.client.post(
            f"{path}/consultations",
            json={"party": "某公司", "kind": "third_party"},
            headers={**staff, "If-Match": assigned.headers["etag"]},
        )
        assert started.status_code == 201, started.text
        # 2026-11-05: a week past the original due date (10-29), the consultation still open.
        a.runtime.clock.set(datetime(2026, 11, 5, 10, tzinfo=SHANGHAI), frozen=True)
        now = (await a.client.get(path, headers=staff)).json()
        assert now["state"] == "consulting" and now["clock_running"] is False
        assert now["overdue"] is False and now["overdue_since"] is None
        # 10-26 → 11-05 excludes 8 working days (10-27..10-30, 11-02..11-05): due 10-29 + 8 = 11-10.
        assert now["due_on"] == "2026-11-10"
        listing = (await a.client.get("/api/v1/requests", params={"overdue": "true"}, headers=staff)).json()
        assert listing["items"] == []


async def test_a_paused_application_past_its_original_due_date_can_still_be_extended(database_url: str) -> None:
    async with api(database_url) as a:
        a.runtime.clock.set(datetime(2026, 9, 25, 10, tzinfo=SHANGHAI), frozen=True)
        await a.client.put("/api/v1/units/U001", json=UNIT, headers=a.auth("office"))
        staff = a.auth("handler", units=("U001",))
        created = await a.client.post("/api/v1/requests", json=PAPER, headers=staff)
        path = f"/api/v1/requests/{created.json()['id']}"
        assigned = await a.client.post(
            f"{path}/assign",
            json={"handler_id": "c", "handler_name": "李四"},
            headers={**staff, "If-Match": created.headers["etag"]},
        )
        a.runtime.clock.set(datetime(2026, 10, 26, 10, tzinfo=SHANGHAI), frozen=True)
        await a.client.post(
            f"{path}/consultations",
            json={"party": "某公司", "kind": "third_party"},
            headers={**staff, "If-Match": assigned.headers["etag"]},
        )
        a.runtime.clock.set(datetime(2026, 11, 5, 10, tzinfo=SHANGHAI), frozen=True)
        current = await a.client.get(path, headers=staff)
        extended = await a.client.post(
            f"{path}/extend",
            json={"working_days": 10, "reason": "第三方意见未回", "approver": "王主任"},
            headers={**staff, "If-Match": current.headers["etag"]},
        )
        assert extended.status_code == 200, extended.text
