"""Applications the applicant let lapse are concluded by the sweep (条例 第三十条; 国办函〔2020〕109号)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.requests.helpers import Api, api

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNIT = {"name": "市财政局", "kind": "department", "region": "130400", "contacts": []}
PAPER = {
    "unit_code": "U001",
    "channel": "in_person",
    "applicant": {
        "type": "natural_person",
        "name": "张三",
        "id_type": "resident_id",
        "id_number": "110101199003071234",
    },
    "description": "2026年度部门预算",
    "delivery": {"format": "paper", "method": "pickup"},
}


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=SHANGHAI)


async def start(a: Api) -> tuple[dict, dict]:
    a.runtime.clock.set(at("2026-09-25"), frozen=True)
    await a.client.put("/api/v1/units/U001", json=UNIT, headers=a.auth("office"))
    staff = a.auth("handler", units=("U001",))
    created = await a.client.post("/api/v1/requests", json=PAPER, headers=staff)
    return created.json(), {**staff, "If-Match": created.headers["etag"]}


async def sweep(a: Api, day: str) -> dict:
    a.runtime.clock.set(at(day), frozen=True)
    response = await a.client.post("/api/v1/admin/requests/sweeps/deadlines", headers=a.auth("office"))
    assert response.status_code == 200, response.text
    return response.json()


async def test_no_correction_within_the_period_the_office_set_concludes_as_correction_lapsed(database_url: str) -> None:
    async with api(database_url) as a:
        application, headers = await start(a)
        a.runtime.clock.set(at("2026-09-28"), frozen=True)
        response = await a.client.post(
            f"/api/v1/requests/{application['id']}/request-correction",
            json={"allowed_working_days": 5, "note": "请补充所需信息的文号"},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        # Five working days after 09-28: 09-29, 09-30, 10-08, 10-09 and the make-up Saturday 10-10.
        assert response.json()["correction_lapse_on"] == "2026-10-10"
        assert (await sweep(a, "2026-10-10"))["lapsed"] == 0, "the last day of the period still counts"
        assert (await sweep(a, "2026-10-11"))["lapsed"] == 1
        concluded = (await a.client.get(f"/api/v1/requests/{application['id']}", headers=a.auth("office"))).json()
        assert concluded["state"] == "replied" and concluded["outcome"] == "other.correction_lapsed"
        assert concluded["concluded_on"] == "2026-10-11"
        assert (await sweep(a, "2026-10-12"))["lapsed"] == 0, "concluded once"


async def test_an_unpaid_fee_after_20_working_days_concludes_as_fee_unpaid(database_url: str) -> None:
    async with api(database_url) as a:
        application, headers = await start(a)
        path = f"/api/v1/requests/{application['id']}"
        assigned = await a.client.post(
            f"{path}/assign", json={"handler_id": "c1", "handler_name": "李四"}, headers=headers
        )
        notice = await a.client.post(
            f"{path}/fee-notice",
            json={"method": "per_page", "pages": 120},
            headers={**headers, "If-Match": assigned.headers["etag"]},
        )
        assert notice.status_code == 200, notice.text
        fee = notice.json()["fee"]
        assert fee["amount"] == 70 * 10 + 20 * 20  # pages 31–100 at 10 yuan, 101–120 at 20 yuan
        assert fee["due_on"] == "2026-10-29"  # 20 working days after 09-25, over 中秋 and 国庆
        assert (await sweep(a, "2026-10-29"))["lapsed"] == 0
        assert (await sweep(a, "2026-10-30"))["lapsed"] == 1
        concluded = (await a.client.get(path, headers=a.auth("office"))).json()
        assert concluded["state"] == "replied" and concluded["outcome"] == "other.fee_unpaid"


async def test_a_lapse_is_concluded_on_the_first_working_day_after_the_period_even_when_the_sweep_comes_later_and_is_not_late(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        application, headers = await start(a)
        path = f"/api/v1/requests/{application['id']}"
        assigned = await a.client.post(
            f"{path}/assign", json={"handler_id": "c1", "handler_name": "李四"}, headers=headers
        )
        await a.client.post(
            f"{path}/fee-notice",
            json={"method": "per_page", "pages": 120},
            headers={**headers, "If-Match": assigned.headers["etag"]},
        )
        assert (await sweep(a, "2026-11-09"))["lapsed"] == 1  # a week of outage after the 10-29 deadline
        concluded = (await a.client.get(path, headers=a.auth("office"))).json()
        assert concluded["concluded_on"] == "2026-10-30"
        assert concluded["on_time"] is True and concluded["overdue_since"] is None
        replied = (await a.events("request.replied"))[-1]["data"]
        assert replied["on_time"] is True and replied["outcome"] == "other.fee_unpaid"
