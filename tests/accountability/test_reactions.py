"""Each reaction of DESIGN §3 / issue 14 §1 through the service's inbox, on SQLite and PostgreSQL:
opening or appending correctly, once under redelivery."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from shared.events import (
    AppraisalUnitUnsatisfied,
    HotlineComplaintReceived,
    RequestOverdue,
    ScoringGradeFailed,
    ScoringSheetFinalized,
)
from tests.accountability.support import api, event


def overdue(unit: str, n: int, handler: str | None = "h-1") -> RequestOverdue:
    return RequestOverdue(
        request_id=f"r-{unit}-{n}",
        tracking_no=f"T{n:05d}",
        unit_code=unit,
        handler_id=handler,
        due_on=date(2026, 10, 29),
    )


async def test_request_overdue_opens_a_case_then_appends_findings_once_under_redelivery(
    database_url: str, tmp_path: Path
) -> None:
    """责任追究办法 第五条(五)."""
    async with api(database_url, tmp_path) as a:
        first, second, third = event(overdue("U001", 1)), event(overdue("U001", 2, "h-2")), event(overdue("U002", 3))
        await a.deliver(first)
        await a.deliver(second, third)  # (a batch is applied in id order: these two are independent)
        await a.deliver(first, second)  # redelivered: nothing more
        await a.deliver(third)
        cases = (await a.get("/api/v1/cases")).json()["items"]
        assert sorted(c["unit_code"] for c in cases) == ["U001", "U002"]
        u1 = await a.case(next(c["id"] for c in cases if c["unit_code"] == "U001"))
        assert u1["opened_via"] == "event" and u1["trigger_event_id"] == first.id
        assert u1["violations"] == ["application_mishandled"]
        assert u1["trigger_events"] == [first.id, second.id]
        assert ["T00001" in f["text"] for f in u1["findings"]] == [True, False]
        assert {(p["person_id"], p["role"]) for p in u1["persons"]} == {("h-1", "handler"), ("h-2", "handler")}
        opened = await a.events("accountability.case_opened")
        assert sorted(e["data"]["trigger_event_id"] for e in opened) == sorted([first.id, third.id])

        # A decided case takes no more findings: the next event opens a new case.
        a.set_day(date(2026, 11, 2))
        await a.step(u1["id"], "investigate")
        await a.step(u1["id"], "start-hearing")
        for person in ("h-1", "h-2"):
            await a.step(u1["id"], "statements", {"person_id": person, "kind": "waiver"})
        await a.step(u1["id"], "assessment", {"severity": "minor", "approval": "none"})
        await a.step(u1["id"], "decide", {"facts": "逾期"})
        await a.deliver(event(overdue("U001", 4)))
        listed = (await a.get("/api/v1/cases", unit_code="U001")).json()["items"]
        assert len(listed) == 2 and {c["state"] for c in listed} == {"open", "decided"}


async def test_hotline_complaints_about_disclosure_open_a_case_others_are_ignored(
    database_url: str, tmp_path: Path
) -> None:
    """责任追究办法 第五条(九)."""
    async with api(database_url, tmp_path) as a:
        now = datetime(2026, 10, 9, 2, tzinfo=UTC)
        about = event(
            HotlineComplaintReceived(
                workorder_no="W-1", unit_code="U001", content="申请政府信息公开被拖延", received_at=now
            )
        )
        other = event(
            HotlineComplaintReceived(workorder_no="W-2", unit_code="U001", content="路灯不亮", received_at=now)
        )
        await a.deliver(about, other, about)
        cases = (await a.get("/api/v1/cases", violation="complaint_mishandled")).json()["items"]
        assert len(cases) == 1
        assert (await a.case(cases[0]["id"]))["findings"][0]["ref"] == "workorder:W-1"


async def test_grade_failed_opens_a_case_with_a_rectification_order_due_in_20_working_days(
    database_url: str, tmp_path: Path
) -> None:
    """考核办法 第十一条."""
    async with api(database_url, tmp_path) as a:
        a.set_day(date(2026, 9, 29))
        failed = event(
            ScoringGradeFailed(
                scheme_id="s-2026", year=2026, unit_code="U009", total=70.5, veto_reasons=["发生泄密事件"]
            ),
            source="gongkai/scoring",
        )
        await a.deliver(failed, failed)
        [case] = (await a.get("/api/v1/cases", violation="appraisal_failed")).json()["items"]
        [order] = (await a.get("/api/v1/rectification-orders", unit_code="U009")).json()["items"]
        # 20 working days after 2026-09-29, over 国庆节 (10-01…10-07) with the make-up Saturday 10-10 counted.
        assert (order["case_id"], order["basis"], order["issued_on"], order["due_on"]) == (
            case["id"],
            "appraisal_failed",
            "2026-09-29",
            "2026-11-02",
        )
        assert order["problems"] == ["发生泄密事件"]
        [ordered] = await a.events("accountability.rectification_ordered")
        assert ordered["data"]["case_id"] == case["id"] and ordered["data"]["order_id"] == order["id"]


async def test_shortfalls_and_unsatisfied_appraisals_order_rectification_without_a_case(
    database_url: str, tmp_path: Path
) -> None:
    """考核方案 四(一); 社会评议办法 第九条."""
    async with api(database_url, tmp_path) as a:
        shortfall = {"code": "1", "name": "政策解读", "points": 4.0, "max_points": 10.0, "threshold": 6.0}
        finalized = event(
            ScoringSheetFinalized(
                scheme_id="s-2026",
                year=2026,
                unit_code="U003",
                total=86.0,
                grade="good",
                rank=5,
                shortfalls=[shortfall],
            ),
            source="gongkai/scoring",
        )
        clean = event(
            ScoringSheetFinalized(
                scheme_id="s-2026", year=2026, unit_code="U004", total=96.0, grade="excellent", rank=1
            )
        )
        unsatisfied = event(
            AppraisalUnitUnsatisfied(
                campaign_id="c-1", year=2026, unit_code="U005", score=52.0, problems=["办事指南更新不及时"]
            ),
            source="gongkai/appraisal",
        )
        await a.deliver(finalized, clean, unsatisfied, unsatisfied)
        orders = (await a.get("/api/v1/rectification-orders")).json()["items"]
        assert sorted((o["unit_code"], o["basis"], o["case_id"]) for o in orders) == [
            ("U003", "appraisal_shortfall", None),
            ("U005", "public_appraisal", None),
        ]
        assert next(o for o in orders if o["unit_code"] == "U003")["problems"] == ["政策解读（4.0/10.0分）"]
        assert (await a.get("/api/v1/cases")).json()["items"] == []
        assert {e["data"]["case_id"] for e in await a.events("accountability.rectification_ordered")} == {""}
