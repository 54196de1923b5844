"""Cases through the HTTP API (issue 14 §1–§3), on SQLite and PostgreSQL: opening, the hearing guard,
assessment with attribution, the decision, its letter, departures, access."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from docx import Document

from tests.accountability.support import HANDLER, LEADER, MEMBER, PRINCIPAL, api


async def test_decision_is_refused_before_the_hearing_then_issued_with_its_letter(
    database_url: str, tmp_path: Path
) -> None:
    async with api(database_url, tmp_path) as a:
        a.set_day(date(2026, 9, 29))
        case_id = await a.open_case("U001", [HANDLER, LEADER])
        case = await a.case(case_id)
        assert case["state"] == "open" and case["opened_via"] == "manual"
        assert [p["role"] for p in case["persons"]] == ["handler", "leader_in_charge"]
        assert (await a.events("accountability.case_opened"))[0]["data"]["case_id"] == case_id

        await a.step(case_id, "investigate")
        await a.step(case_id, "start-hearing")
        await a.step(case_id, "assessment", {"severity": "serious", "approval": "leader_in_charge"})
        # seed 004 第二十八条: nobody heard yet → 409 naming both.
        refused = await a.step(case_id, "decide", {"facts": "逾期答复"}, expect=409)
        assert refused["code"] == "hearing_incomplete" and set(refused["missing"]) == {"p-handler", "p-leader"}
        assert refused["title"].startswith("尚有当事人")
        await a.step(
            case_id, "statements", {"person_id": "p-leader", "kind": "statement", "text": "工作量大，已整改。"}
        )
        refused = await a.step(case_id, "decide", {"facts": "逾期答复"}, expect=409)
        assert refused["missing"] == ["p-handler"]
        await a.step(case_id, "statements", {"person_id": "p-handler", "kind": "waiver"})

        decided = await a.step(case_id, "decide", {"facts": "某申请逾期12个工作日未答复。"})
        assert decided["state"] == "decided"
        decision = decided["decision"]
        # handan ladder, 情节较重: unit 通报批评, the approving leader 约谈; the handler nothing (第二十七条(三)2).
        assert decision["unit_sanctions"] == ["public_criticism"]
        assert decision["person_sanctions"] == {"p-leader": ["interview"]}
        assert decision["appeal_last_day"] == "2026-10-12"
        issued = (await a.events("accountability.decision_issued"))[0]["data"]
        assert issued["sanctions"] == ["public_criticism", "interview"] and set(issued["persons"]) == {
            "p-handler",
            "p-leader",
        }

        letter = await a.get(f"/api/v1/cases/{case_id}/decision-letter")
        assert letter.status_code == 200
        text = "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
        assert "张承办" in text and "李分管" in text and "某申请逾期12个工作日未答复。" in text
        assert "通报批评" in text and "约谈" in text and "2026年10月12日" in text and "5个工作日" in text

        timeline = await a.get(f"/api/v1/cases/{case_id}/timeline")
        actions = [e["action"] for e in timeline.json()]
        assert actions[:2] == ["open", "event:accountability.case_opened"] and "decide" in actions


async def test_the_three_attribution_rules(database_url: str, tmp_path: Path) -> None:
    """seed 004 第二十七条(三)1–3."""
    async with api(database_url, tmp_path) as a:
        persons = [HANDLER, LEADER, PRINCIPAL, MEMBER]
        shares = {}
        for approval in ("none", "leader_in_charge", "collective"):
            case_id = await a.open_case(f"U-{approval}", persons)
            out = await a.step(case_id, "assessment", {"severity": "serious", "approval": approval})
            shares[approval] = {pid: p["share"] for pid, p in out["recommendation"]["persons"].items()}
        assert shares["none"] == {"p-handler": "sole"}
        assert shares["leader_in_charge"] == {"p-leader": "sole"}
        assert shares["collective"] == {"p-principal": "primary", "p-leader": "secondary", "p-member": "secondary"}
        # No handler named, acted without approval: no one to attribute it to → 422.
        case_id = await a.open_case("U-x", [LEADER])
        refused = await a.step(case_id, "assessment", {"severity": "minor", "approval": "none"}, expect=422)
        assert refused["code"] == "handler_missing"


async def test_departing_from_the_recommendation_needs_a_written_reason_which_is_kept(
    database_url: str, tmp_path: Path
) -> None:
    async with api(database_url, tmp_path) as a:
        case_id = await a.open_case()
        await a.step(case_id, "investigate")
        await a.step(case_id, "start-hearing")
        await a.step(case_id, "statements", {"person_id": "p-handler", "kind": "waiver"})
        await a.step(case_id, "assessment", {"severity": "minor", "approval": "none"})
        body = {"facts": "逾期答复", "unit_sanctions": ["rectification_order", "public_criticism"]}
        refused = await a.step(case_id, "decide", body, expect=422)
        assert refused["code"] == "departure_reason_required"
        decided = await a.step(case_id, "decide", {**body, "departure_reason": "同类问题反复出现，予以通报"})
        departure = decided["decision"]["departure"]
        assert departure["reason"] == "同类问题反复出现，予以通报" and departure["unit"]["added"] == [
            "public_criticism"
        ]
        # 责令整改 in the decision issues an order due 20 working days later.
        orders = (await a.get("/api/v1/rectification-orders", case_id=case_id)).json()["items"]
        assert [o["basis"] for o in orders] == ["case_decision"]


async def test_who_sees_a_case(database_url: str, tmp_path: Path) -> None:
    async with api(database_url, tmp_path) as a:
        case_id = await a.open_case("U001")
        own = a.auth("handler", units=("U001",), sub="clerk")
        other = a.auth("handler", units=("U002",), sub="clerk2")
        person = a.auth("applicant", sub="p-handler")
        assessor = a.auth("assessor", sub="a1")
        assert (await a.get(f"/api/v1/cases/{case_id}", headers=own)).status_code == 200
        assert (await a.get(f"/api/v1/cases/{case_id}", headers=person)).status_code == 200
        for outsider in (other, assessor):
            missing = await a.get(f"/api/v1/cases/{case_id}", headers=outsider)
            assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        assert [c["id"] for c in (await a.get("/api/v1/cases", headers=own)).json()["items"]] == [case_id]
        assert (await a.get("/api/v1/cases", headers=other)).json()["items"] == []
        assert [c["id"] for c in (await a.get("/api/v1/cases", headers=person)).json()["items"]] == [case_id]
        # Only inspectors and the office run cases.
        refused = await a.post(
            "/api/v1/cases", {"unit_code": "U001", "violations": ["other"], "facts": "x"}, headers=own
        )
        assert refused.status_code == 403
        # The unit writes its person's statement during the hearing.
        await a.step(case_id, "investigate")
        await a.step(case_id, "start-hearing")
        etag = (await a.get(f"/api/v1/cases/{case_id}")).headers["ETag"]
        wrote = await a.post(
            f"/api/v1/cases/{case_id}/statements",
            {"person_id": "p-handler", "kind": "statement", "text": "说明情况"},
            headers=own,
            etag=etag,
        )
        assert wrote.status_code == 200, wrote.text


async def test_evidence_is_kept_with_the_case(database_url: str, tmp_path: Path) -> None:
    async with api(database_url, tmp_path) as a:
        case_id = await a.open_case()
        uploaded = await a.client.post(
            f"/api/v1/cases/{case_id}/evidence",
            files={"file": ("答复记录.pdf", b"%PDF-1.4 evidence", "application/pdf")},
            data={"description": "系统答复记录截图"},
            headers=a.inspector,
        )
        assert uploaded.status_code == 201, uploaded.text
        evidence_id = uploaded.json()["id"]
        listed = (await a.get(f"/api/v1/cases/{case_id}/evidence")).json()
        assert [e["filename"] for e in listed] == ["答复记录.pdf"]
        downloaded = await a.get(f"/api/v1/cases/{case_id}/evidence/{evidence_id}")
        assert downloaded.content == b"%PDF-1.4 evidence"
        assert downloaded.headers["content-type"] == "application/pdf"


async def test_evidence_that_could_run_in_a_browser_is_served_as_an_inert_download(
    database_url: str, tmp_path: Path
) -> None:
    # Issue 8: an uploaded text/html or image/svg+xml never runs script in the API's origin.
    async with api(database_url, tmp_path) as a:
        case_id = await a.open_case()
        uploaded = await a.client.post(
            f"/api/v1/cases/{case_id}/evidence",
            files={"file": ("../截图.svg", b"<svg onload=alert(1)>", "image/svg+xml")},
            headers=a.inspector,
        )
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["filename"] == "截图.svg"
        downloaded = await a.get(f"/api/v1/cases/{case_id}/evidence/{uploaded.json()['id']}")
        assert downloaded.headers["content-type"] == "application/octet-stream"
        assert downloaded.headers["x-content-type-options"] == "nosniff"
        assert downloaded.headers["content-disposition"].startswith("attachment;")


async def test_malformed_input_is_a_4xx_problem(database_url: str, tmp_path: Path) -> None:
    async with api(database_url, tmp_path) as a:
        case_id = await a.open_case()
        bad = [
            await a.post("/api/v1/cases", {"unit_code": "U001", "violations": ["stealing"], "facts": "x"}),
            await a.post("/api/v1/cases", {"unit_code": "U 1", "violations": [], "facts": ""}),
            await a.post("/api/v1/cases", [1, 2, 3]),
            await a.client.post(
                "/api/v1/cases", content=b"{not json", headers={**a.inspector, "Content-Type": "application/json"}
            ),
            await a.post("/api/v1/cases", {"unit_code": "U001", "violations": ["other"], "facts": "a\x00b"}),
            await a.post(f"/api/v1/cases/{case_id}/assessment", {"severity": "huge", "approval": "none"}),
            await a.post(f"/api/v1/cases/{case_id}/teleport"),
            await a.post(f"/api/v1/cases/{case_id}/investigate"),  # no If-Match → 428
            await a.post(f"/api/v1/cases/{case_id}/investigate", etag='"99"'),  # stale → 412
            await a.post(f"/api/v1/cases/{case_id}/decide", {"facts": "x"}, etag='"1"'),  # open → 409
            await a.get("/api/v1/cases", year="abc"),
            await a.get("/api/v1/cases", cursor="!!!"),
            await a.get("/api/v1/cases/nope"),
            await a.post("/api/v1/rectification-orders", {"unit_code": "U001", "problems": []}),
            await a.post("/api/v1/appeals/nope/decide", {"result": "maybe", "reason": "x"}),
        ]
        for response in bad:
            assert 400 <= response.status_code < 500, (response.status_code, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            title = response.json()["title"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in title), title
        assert [r.status_code for r in bad[7:10]] == [428, 412, 409]
