"""Rectification orders (issue 14 §4) and the reading side (§6) through the HTTP API, on SQLite and
PostgreSQL: report, return, acceptance; overdue once and escalated; counts, record and .xlsx."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from services.accountability.service.sweeps import sweep_deadlines
from shared.events import CloudEvent, UnitContact
from tests.accountability.support import Api, api, event
from tests.reference.support import unit_data

LEADERS = [
    UnitContact(name="李局长", role="principal_leader", title="局长"),
    UnitContact(name="王敏", role="disclosure_contact"),
    UnitContact(name="赵副局长", role="leader_in_charge", title="副局长"),
]


async def order(a: Api, unit_code: str = "U001") -> dict[str, object]:
    response = await a.post("/api/v1/rectification-orders", {"unit_code": unit_code, "problems": ["政策解读不到位"]})
    assert response.status_code == 201, response.text
    return {**response.json(), "etag": response.headers["ETag"]}


async def overdue_events(a: Api) -> list[CloudEvent]:
    return [CloudEvent.model_validate(e) for e in await a.events("accountability.rectification_overdue")]


async def test_report_returned_keeps_the_order_open_then_accepted(database_url: str, tmp_path: Path) -> None:
    async with api(database_url, tmp_path) as a:
        a.set_day(date(2026, 9, 29))
        made = await order(a)
        assert (made["issued_on"], made["due_on"], made["state"]) == ("2026-09-29", "2026-11-02", "open")
        unit = a.auth("unit_admin", units=("U001",), sub="clerk")
        path = f"/api/v1/rectification-orders/{made['id']}"
        reported = await a.post(f"{path}/report", {"text": "已完成整改"}, headers=unit, etag=made["etag"])
        assert reported.status_code == 200 and reported.json()["state"] == "submitted"
        # A unit cannot review its own report; the office returns it without a note → 422.
        assert (await a.post(f"{path}/accept", headers=unit, etag=reported.headers["ETag"])).status_code == 403
        assert (await a.post(f"{path}/return", {}, etag=reported.headers["ETag"])).status_code == 422
        returned = await a.post(f"{path}/return", {"note": "整改不到位"}, etag=reported.headers["ETag"])
        assert returned.json()["state"] == "open" and returned.json()["returned_count"] == 1
        assert returned.json()["due_on"] == "2026-11-02"
        again = await a.post(f"{path}/report", {"text": "补充整改"}, headers=unit, etag=returned.headers["ETag"])
        accepted = await a.post(f"{path}/accept", etag=again.headers["ETag"])
        assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
        # Another unit's staff do not see it.
        stranger = a.auth("handler", units=("U002",), sub="x")
        assert (await a.get(path, headers=stranger)).status_code == 404


async def test_overdue_emitted_once_then_interview_of_the_leaders_then_criticism(
    database_url: str, tmp_path: Path
) -> None:
    """考核办法 第十一条, 社会评议办法 第九条, 责任追究办法 第五条(十)."""
    async with api(database_url, tmp_path) as a:
        await a.deliver(event(unit_data("U001", "市教育局", version=1, contacts=LEADERS)))
        a.set_day(date(2026, 9, 29))
        made = await order(a)
        a.set_day(date(2026, 11, 2))  # the due day itself is still in time
        assert (await sweep_deadlines(a.runtime)).rectification_overdue_emitted == 0
        a.set_day(date(2026, 11, 3))
        overdue_list = (await a.get("/api/v1/rectification-orders", overdue="true")).json()["items"]
        assert [o["id"] for o in overdue_list] == [made["id"]]
        assert (await sweep_deadlines(a.runtime)).rectification_overdue_emitted == 1
        assert (await sweep_deadlines(a.runtime)).rectification_overdue_emitted == 0
        [first] = await overdue_events(a)
        assert (first.data["order_id"], first.data["overdue_count"], first.data["due_on"]) == (
            made["id"],
            1,
            "2026-11-02",
        )

        await a.deliver(first, first)
        escalated = (await a.get(f"/api/v1/rectification-orders/{made['id']}")).json()
        [interview] = escalated["escalations"]
        assert interview["sanction"] == "interview" and interview["scheduled"] is True
        assert [leader["name"] for leader in interview["leaders"]] == ["李局长", "赵副局长"]
        # Renewed: 20 working days after 11-03.
        assert escalated["due_on"] == "2026-12-01" and escalated["overdue"] is False

        a.set_day(date(2026, 12, 2))
        assert (await sweep_deadlines(a.runtime)).rectification_overdue_emitted == 1
        second = (await overdue_events(a))[-1]
        assert second.data["overdue_count"] == 2
        await a.deliver(second)
        escalated = (await a.get(f"/api/v1/rectification-orders/{made['id']}")).json()
        criticism = escalated["escalations"][-1]
        assert (criticism["sanction"], criticism["recommended"]) == ("public_criticism", ["public_criticism"])
        case = await a.case(criticism["case_id"])
        assert case["violations"] == ["obstructing_oversight"] and case["trigger_event_id"] == second.id


async def test_counts_record_and_xlsx_of_the_year(database_url: str, tmp_path: Path) -> None:
    async with api(database_url, tmp_path) as a:
        a.set_day(date(2026, 3, 2))
        await a.decided_case("U001", severity="serious", approval="none")
        await a.decided_case("U002", persons=[{"person_id": "p-9", "name": "钱", "role": "handler"}])
        await order(a, "U001")
        counts = (await a.get("/api/v1/cases/report/2026")).json()
        assert (counts["cases"], counts["revoked"], counts["persons"]) == (2, 0, 1)
        assert counts["by_violation"]["application_mishandled"] == 2
        assert counts["by_sanction"]["public_criticism"] == 1 and counts["by_sanction"]["interview"] == 1
        assert counts["by_sanction"]["rectification_order"] == 1
        # Orders: the manual one and the one the minor decision's 责令整改 issued.
        assert counts["rectification_orders"] == 2
        own = a.auth("handler", units=("U001",), sub="clerk")
        assert (await a.get("/api/v1/cases/report/2026", headers=own)).status_code == 403
        mine = await a.get("/api/v1/cases/report/2026", headers=own, unit_code="U001")
        assert mine.status_code == 200 and mine.json()["cases"] == 1

        record = (await a.get("/api/v1/cases/units/U001/record")).json()
        assert [(y["year"], y["cases_opened"], y["cases_decided"]) for y in record["years"]] == [(2026, 1, 1)]

        xlsx = await a.client.get(
            "/api/v1/cases/report/2026",
            headers={**a.inspector, "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        )
        assert xlsx.status_code == 200
        book = load_workbook(io.BytesIO(xlsx.content))
        assert book.sheetnames == ["责任追究情况", "案件", "整改"]
        assert book["责任追究情况"]["B2"].value == 2
        assert book["案件"].max_row == 3 and book["整改"].max_row == 3
