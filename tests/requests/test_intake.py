"""12345 hotline and provincial-platform intake (DESIGN §9; issue 3 item 8): signed inbound calls,
work orders and their answers."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from services.requests.app import create_app
from services.requests.config import get_requests_settings
from shared.pagination import encode_cursor
from shared.signing import sign
from tests.foundation import serving
from tests.requests.helpers import Api
from tests.support import make_settings

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 25, 9, 0, tzinfo=SH)  # a Friday
HOTLINE_OLD, HOTLINE_NEW, PROVINCIAL = "hotline-secret-2025", "hotline-secret-2026", "provincial-secret"
WORKORDERS = "/api/v1/integrations/hotline/workorders"
PROVINCIAL_PATH = "/api/v1/integrations/provincial/applications"
UNIT = {"name": "市财政局", "kind": "department", "region": "130400", "contacts": []}


@pytest.fixture(autouse=True)
def integration_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GONGKAI_REQUESTS_HOTLINE_SECRETS", f"{HOTLINE_OLD}, {HOTLINE_NEW}")
    monkeypatch.setenv("GONGKAI_REQUESTS_PROVINCIAL_SECRETS", PROVINCIAL)
    get_requests_settings.cache_clear()
    yield
    get_requests_settings.cache_clear()


@asynccontextmanager
async def intake_api(database_url: str) -> AsyncIterator[Api]:
    settings = make_settings(requests_database_url=database_url, run_background_jobs=False)
    app = create_app(settings)
    async with serving(app) as client:
        a = Api(app, settings, client)
        a.runtime.clock.set(NOW, frozen=True)
        office = a.auth("office", sub="office-1")
        for code in ("U001", "U002"):
            assert (await client.put(f"/api/v1/units/{code}", json=UNIT, headers=office)).status_code == 201
        yield a


def workorder(no: str = "GD20260925000123", category: str = "disclosure_request", **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "workorder_no": no,
        "category": category,
        "unit_code": "U001",
        "content": "申请公开本市2026年度部门预算",
        "received_at": "2026-09-25T08:30:00+08:00",
        "due_at": "2026-09-30T17:30:00+08:00",
        "hotline_operator": "话务员007",  # a field we do not know: dropped (issue 8), and counted
    }
    if category == "disclosure_request":
        doc |= {
            "applicant": {
                "type": "natural_person",
                "name": "张三",
                "id_type": "resident_id",
                "id_number": "110101199003071234",
                "phone": "13800000000",
            },
            "purpose": "了解财政支出",
            "delivery": {"format": "electronic", "method": "email"},
        }
    doc.update(overrides)
    return doc


def provincial(pid: str = "SZW-2026-0001", **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "provincial_id": pid,
        "unit_code": "U001",
        "applicant": {
            "type": "commercial_enterprise",
            "name": "某某有限公司",
            "organization": "某某有限公司",
            "email": "law@example.com",
        },
        "description": "2026年政府采购合同",
        "delivery": {"format": "electronic", "method": "online"},
    }
    doc.update(overrides)
    return doc


async def post_signed(
    a: Api,
    path: str,
    doc: Any,
    *,
    secret: str = HOTLINE_OLD,
    ts: int | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
    stamp = ts if ts is not None else now_ts(a)
    return await a.client.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", **sign(secret, body, timestamp=stamp), **(headers or {})},
    )


def now_ts(_a: Api) -> int:
    """Signatures are checked against the wall clock, not the service's (frozen) clock (issue 8)."""
    return int(time.time())


# -- work orders ----------------------------------------------------------------------------------


async def test_a_signed_disclosure_request_becomes_a_submitted_hotline_application_registered_only_by_the_office(
    database_url: str,
) -> None:
    async with intake_api(database_url) as a:
        r = await post_signed(a, WORKORDERS, workorder())
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["repeated"] is False and out["application"]["state"] == "submitted"
        assert out["application"]["query_code"] and out["application"]["tracking_no"].startswith("GK20260925")
        app_id = out["application"]["id"]
        office = a.auth("office", sub="office-1")
        got = await a.client.get(f"/api/v1/requests/{app_id}", headers=office)
        assert got.status_code == 200, got.text
        assert got.json()["channel"] == "hotline_12345" and got.json()["source_ref"] == "GD20260925000123"
        assert got.json()["received_on"] is None and got.json()["due_on"] is None
        assert await a.events("request.registered") == []
        # The citizen follows it with what the hotline passed on.
        track = await a.client.get(
            f"/api/v1/requests/track/{out['application']['tracking_no']}",
            params={"query_code": out["application"]["query_code"]},
        )
        assert track.status_code == 200 and track.json()["state"] == "submitted"
        r = await a.client.post(
            f"/api/v1/requests/{app_id}/register", json={}, headers={**office, "If-Match": got.headers["etag"]}
        )
        assert r.status_code == 200, r.text
        assert r.json()["received_on"] == "2026-09-25"
        [registered] = await a.events("request.registered")
        assert (
            registered["data"]["channel"] == "hotline_12345" and registered["data"]["source_ref"] == "GD20260925000123"
        )
        # The work order points at its application; the identity number is not kept in clear.
        wo = await a.client.get("/api/v1/hotline/workorders/GD20260925000123", headers=office)
        assert wo.status_code == 200, wo.text
        assert wo.json()["application_id"] == app_id and wo.json()["tracking_no"] == out["application"]["tracking_no"]
        assert wo.json()["payload"]["applicant"]["id_number"] == "11************1234"
        assert "hotline_operator" not in wo.json()["payload"]
        assert "110101199003071234" not in json.dumps(
            [e._asdict() for e in await a.audit("hotline_workorder")], default=str
        )


async def test_a_complaint_work_order_emits_hotline_complaint_received_into_the_outbox(database_url: str) -> None:
    async with intake_api(database_url) as a:
        r = await post_signed(
            a, WORKORDERS, workorder("GD20260925000200", "complaint", content="政府网站信息长期未更新")
        )
        assert r.status_code == 201, r.text
        assert r.json()["application"] is None
        [event] = await a.events("hotline.complaint_received")
        assert event["data"]["workorder_no"] == "GD20260925000200" and event["data"]["unit_code"] == "U001"
        assert event["data"]["content"] == "政府网站信息长期未更新"
        assert datetime.fromisoformat(event["data"]["received_at"]) == datetime(2026, 9, 25, 8, 30, tzinfo=SH)
        assert event["subject"] == "GD20260925000200"


async def test_consultations_are_stored_only(database_url: str) -> None:
    async with intake_api(database_url) as a:
        r = await post_signed(
            a, WORKORDERS, workorder("GD20260925000300", "consultation", content="如何申请政府信息公开？")
        )
        assert r.status_code == 201, r.text
        assert await a.events("hotline.complaint_received") == []
        listing = await a.client.get("/api/v1/requests", headers=a.auth("office"))
        assert listing.json()["items"] == []


async def test_the_unit_answers_a_work_order_once_and_other_units_staff_may_not(database_url: str) -> None:
    async with intake_api(database_url) as a:
        assert (await post_signed(a, WORKORDERS, workorder("GD1", "complaint"))).status_code == 201
        path = "/api/v1/hotline/workorders/GD1/answer"
        other = a.auth("handler", units=("U002",), sub="clerk-2")
        r = await a.client.post(path, json={"answer": "已处理"}, headers=other)
        assert r.status_code == 404, r.text  # another unit's order: as if there were none (issue 8)
        assert (await a.client.get("/api/v1/hotline/workorders/GD1", headers=other)).status_code == 404
        assessor = a.auth("assessor", sub="assessor-1")  # reads every unit, acts on none
        r = await a.client.post(path, json={"answer": "已处理"}, headers=assessor)
        assert r.status_code == 403, r.text
        staff = a.auth("handler", units=("U001",), sub="clerk-1")
        r = await a.client.post(path, json={"answer": "网站栏目已于9月25日更新"}, headers=staff)
        assert r.status_code == 200, r.text
        assert r.json()["answer"] == "网站栏目已于9月25日更新" and r.json()["answered_on_time"] is True
        assert datetime.fromisoformat(r.json()["answered_at"]) == NOW
        again = await a.client.post(path, json={"answer": "再次回复"}, headers=staff)
        assert again.status_code == 409 and again.json()["code"] == "workorder_already_answered"
        got = await a.client.get("/api/v1/hotline/workorders/GD1", headers=staff)
        assert got.json()["answer"] == "网站栏目已于9月25日更新"
        assert (
            await a.client.post("/api/v1/hotline/workorders/NOPE/answer", json={"answer": "x"}, headers=staff)
        ).status_code == 404
        assert (await a.client.post(path, json={"answer": "x"})).status_code == 401


async def test_work_orders_list_by_unit_answered_and_overdue_in_cursor_pages(database_url: str) -> None:
    async with intake_api(database_url) as a:
        for i, (unit, due) in enumerate(
            [
                ("U001", "2026-09-25T10:00:00+08:00"),
                ("U001", "2026-09-30T17:30:00+08:00"),
                ("U002", "2026-09-30T17:30:00+08:00"),
            ]
        ):
            doc = workorder(
                f"GD00{i}", "consultation", unit_code=unit, due_at=due, received_at=f"2026-09-25T08:0{i}:00+08:00"
            )
            assert (await post_signed(a, WORKORDERS, doc)).status_code == 201
        office = a.auth("office")
        await a.client.post("/api/v1/hotline/workorders/GD001/answer", json={"answer": "已答复"}, headers=office)
        a.runtime.clock.set(datetime(2026, 9, 25, 11, 0, tzinfo=SH), frozen=True)
        first = await a.client.get("/api/v1/hotline/workorders", params={"limit": 2}, headers=office)
        assert [w["workorder_no"] for w in first.json()["items"]] == ["GD002", "GD001"]
        second = await a.client.get(
            "/api/v1/hotline/workorders", params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=office
        )
        assert [w["workorder_no"] for w in second.json()["items"]] == ["GD000"] and second.json()["next_cursor"] is None
        overdue = await a.client.get("/api/v1/hotline/workorders", params={"overdue": "true"}, headers=office)
        assert [w["workorder_no"] for w in overdue.json()["items"]] == ["GD000"] and overdue.json()["items"][0][
            "overdue"
        ]
        not_overdue = await a.client.get("/api/v1/hotline/workorders", params={"overdue": "false"}, headers=office)
        assert {w["workorder_no"] for w in not_overdue.json()["items"]} == {"GD001", "GD002"}
        answered = await a.client.get("/api/v1/hotline/workorders", params={"answered": "true"}, headers=office)
        assert [w["workorder_no"] for w in answered.json()["items"]] == ["GD001"]
        staff = a.auth("handler", units=("U001",))
        mine = await a.client.get("/api/v1/hotline/workorders", headers=staff)
        assert [w["workorder_no"] for w in mine.json()["items"]] == ["GD001", "GD000"]
        by_unit = await a.client.get("/api/v1/hotline/workorders", params={"unit_code": "U002"}, headers=office)
        assert [w["workorder_no"] for w in by_unit.json()["items"]] == ["GD002"]
        assert (await a.client.get("/api/v1/hotline/workorders", headers=a.auth("applicant"))).status_code == 403


async def test_a_work_order_cursor_that_is_not_ours_is_a_400_not_a_500(database_url: str) -> None:
    async with intake_api(database_url) as a:
        office = a.auth("office")
        # A well-formed cursor of the right arity whose second element is not a work-order number.
        for key in (["2026-09-25T00:00:00+00:00", 7], ["2026-09-25T00:00:00", "GD1"], [None, "GD1"], "GD1"):
            cursor = encode_cursor(key if isinstance(key, list) else [key])
            r = await a.client.get("/api/v1/hotline/workorders", params={"cursor": cursor}, headers=office)
            assert r.status_code == 400, (key, r.text)
            assert r.json()["code"] == "invalid_cursor"


async def test_a_repeated_work_order_is_idempotent_and_a_conflicting_repeat_is_409(database_url: str) -> None:
    async with intake_api(database_url) as a:
        first = await post_signed(a, WORKORDERS, workorder())
        assert first.status_code == 201, first.text
        # The hotline retries, re-signed (new timestamp), keys in another order and the time in UTC.
        doc = dict(reversed(list(workorder(received_at="2026-09-25T00:30:00Z").items())))
        again = await post_signed(a, WORKORDERS, doc, ts=now_ts(a) - 125)
        assert again.status_code == 200, again.text
        assert again.json()["repeated"] is True
        assert again.json()["application"]["id"] == first.json()["application"]["id"]
        assert again.json()["application"]["query_code"] is None
        listing = await a.client.get("/api/v1/requests", headers=a.auth("office"))
        assert len(listing.json()["items"]) == 1
        changed = await post_signed(a, WORKORDERS, workorder(content="另一项诉求"), ts=now_ts(a) - 126)
        assert changed.status_code == 409 and changed.json()["code"] == "workorder_conflict"


async def test_an_idempotency_key_replays_the_first_response_with_its_query_code(database_url: str) -> None:
    async with intake_api(database_url) as a:
        key = {"Idempotency-Key": "b9f7c7e2-5d1b-4d8e-9a55-0f3c4a1d2e77"}
        first = await post_signed(a, WORKORDERS, workorder(), headers=key)
        assert first.status_code == 201, first.text
        again = await post_signed(a, WORKORDERS, workorder(), ts=now_ts(a) - 121, headers=key)
        assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json() and again.json()["application"]["query_code"]


async def test_work_order_validation_after_a_valid_signature(database_url: str) -> None:
    async with intake_api(database_url) as a:
        r = await post_signed(a, WORKORDERS, b'{"workorder_no": "GD9", ')
        assert r.status_code == 400 and r.json()["code"] == "malformed_json"
        assert r.headers["content-type"].startswith("application/problem+json")
        r = await post_signed(a, WORKORDERS, workorder("GD10", unit_code="NOSUCH"))
        assert r.status_code == 422 and r.json()["code"] == "unit_unknown"
        r = await post_signed(a, WORKORDERS, workorder("GD11", received_at="2026-09-25T09:00:01+08:00"))
        assert r.status_code == 422 and r.json()["code"] == "received_at_in_future"
        r = await post_signed(a, WORKORDERS, workorder("GD12", due_at="2026-09-25T08:00:00+08:00"))
        assert r.status_code == 422 and r.json()["code"] == "due_at_before_received_at"
        doc = workorder("GD13")
        del doc["applicant"]
        r = await post_signed(a, WORKORDERS, doc)
        assert r.status_code == 422 and r.json()["code"] == "validation_failed"
        r = await post_signed(a, WORKORDERS, workorder("GD14", category="praise", received_at="yesterday"))
        assert r.status_code == 422
        assert {e["field"] for e in r.json()["errors"]} >= {"body.category", "body.received_at"}
        assert (await a.client.get("/api/v1/hotline/workorders", headers=a.auth("office"))).json()["items"] == []


# -- signatures (issue 3 item 8) ------------------------------------------------------------------


async def test_a_bad_signature_is_401_signature_invalid_and_reveals_no_validation(database_url: str) -> None:
    async with intake_api(database_url) as a:
        r = await post_signed(a, WORKORDERS, workorder(), secret="not-the-secret")
        assert r.status_code == 401 and r.json()["code"] == "signature_invalid"
        assert "WWW-Authenticate" in r.headers
        r = await post_signed(a, WORKORDERS, {"nonsense": True}, secret="not-the-secret")
        assert r.status_code == 401 and r.json()["code"] == "signature_invalid"
        r = await post_signed(a, WORKORDERS, b"{not json", secret="not-the-secret")
        assert r.status_code == 401 and r.json()["code"] == "signature_invalid"
        assert (await a.client.get("/api/v1/hotline/workorders", headers=a.auth("office"))).json()["items"] == []


async def test_a_stale_timestamp_is_401_signature_expired(database_url: str) -> None:
    async with intake_api(database_url) as a:
        r = await post_signed(a, WORKORDERS, workorder(), ts=now_ts(a) - 301)
        assert r.status_code == 401 and r.json()["code"] == "signature_expired"
        r = await post_signed(a, WORKORDERS, workorder(), ts=now_ts(a) + 301)
        assert r.status_code == 401 and r.json()["code"] == "signature_expired"
        r = await post_signed(
            a, WORKORDERS, workorder(), ts=now_ts(a) - 295
        )  # the wall clock runs on between signing and checking
        assert r.status_code == 201, r.text


async def test_a_replay_of_the_exact_signed_request_is_401_signature_replayed(database_url: str) -> None:
    async with intake_api(database_url) as a:
        body = json.dumps(workorder("GD-R1", "complaint"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", **sign(HOTLINE_OLD, body, timestamp=now_ts(a))}
        assert (await a.client.post(WORKORDERS, content=body, headers=headers)).status_code == 201
        r = await a.client.post(WORKORDERS, content=body, headers=headers)
        assert r.status_code == 401 and r.json()["code"] == "signature_replayed"
        assert len(await a.events("hotline.complaint_received")) == 1


async def test_missing_signature_headers_are_401(database_url: str) -> None:
    async with intake_api(database_url) as a:
        body = json.dumps(workorder()).encode()
        r = await a.client.post(WORKORDERS, content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 401 and r.json()["code"] == "signature_missing"
        signed = sign(HOTLINE_OLD, body, timestamp=now_ts(a))
        r = await a.client.post(
            WORKORDERS,
            content=body,
            headers={"Content-Type": "application/json", "X-Gongkai-Timestamp": signed["X-Gongkai-Timestamp"]},
        )
        assert r.status_code == 401 and r.json()["code"] == "signature_missing"
        r = await a.client.post(
            WORKORDERS,
            content=body,
            headers={"Content-Type": "application/json", "X-Gongkai-Signature": signed["X-Gongkai-Signature"]},
        )
        assert r.status_code == 401 and r.json()["code"] == "signature_missing"
        # A bearer token is no substitute for the signature.
        r = await a.client.post(
            WORKORDERS, content=body, headers={"Content-Type": "application/json", **a.auth("office")}
        )
        assert r.status_code == 401


async def test_a_body_changed_after_signing_is_401(database_url: str) -> None:
    async with intake_api(database_url) as a:
        body = json.dumps(workorder(), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", **sign(HOTLINE_OLD, body, timestamp=now_ts(a))}
        tampered = body.replace(b"U001", b"U002")
        r = await a.client.post(WORKORDERS, content=tampered, headers=headers)
        assert r.status_code == 401 and r.json()["code"] == "signature_invalid"


async def test_during_a_rotation_the_second_secret_is_accepted(database_url: str) -> None:
    async with intake_api(database_url) as a:
        r = await post_signed(a, WORKORDERS, workorder("GD-NEW"), secret=HOTLINE_NEW)
        assert r.status_code == 201, r.text
        # A sender signing with both during the switch.
        body = json.dumps(workorder("GD-BOTH"), ensure_ascii=False).encode()
        stamp = now_ts(a)
        both = (
            f"{sign(HOTLINE_OLD, body, timestamp=stamp)['X-Gongkai-Signature']},"
            f"{sign(HOTLINE_NEW, body, timestamp=stamp)['X-Gongkai-Signature']}"
        )
        r = await a.client.post(
            WORKORDERS,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Gongkai-Timestamp": str(stamp),
                "X-Gongkai-Signature": both,
            },
        )
        assert r.status_code == 201, r.text


# -- provincial platform --------------------------------------------------------------------------


async def test_a_signed_provincial_application_is_created_with_channel_provincial(database_url: str) -> None:
    async with intake_api(database_url) as a:
        r = await post_signed(a, PROVINCIAL_PATH, provincial(), secret=PROVINCIAL)
        assert r.status_code == 201, r.text
        out = r.json()
        assert (
            out["repeated"] is False and out["application"]["state"] == "submitted" and out["application"]["query_code"]
        )
        got = await a.client.get(f"/api/v1/requests/{out['application']['id']}", headers=a.auth("office"))
        assert got.json()["channel"] == "provincial" and got.json()["source_ref"] == "SZW-2026-0001"
        again = await post_signed(a, PROVINCIAL_PATH, provincial(), secret=PROVINCIAL, ts=now_ts(a) - 121)
        assert again.status_code == 200 and again.json()["repeated"] is True
        assert (
            again.json()["application"]["id"] == out["application"]["id"]
            and again.json()["application"]["query_code"] is None
        )
        changed = await post_signed(
            a, PROVINCIAL_PATH, provincial(description="另一份合同"), secret=PROVINCIAL, ts=now_ts(a) - 122
        )
        assert changed.status_code == 409 and changed.json()["code"] == "provincial_application_conflict"
        r = await post_signed(a, PROVINCIAL_PATH, provincial("SZW-2026-0002", channel="online"), secret=PROVINCIAL)
        assert r.status_code == 422


async def test_a_provincial_call_with_a_bad_signature_is_401(database_url: str) -> None:
    async with intake_api(database_url) as a:
        # The hotline's secret is not the provincial platform's.
        r = await post_signed(a, PROVINCIAL_PATH, provincial(), secret=HOTLINE_OLD)
        assert r.status_code == 401 and r.json()["code"] == "signature_invalid"
        r = await post_signed(a, PROVINCIAL_PATH, provincial(), secret=PROVINCIAL, ts=now_ts(a) - 301)
        assert r.status_code == 401 and r.json()["code"] == "signature_expired"
        listing = await a.client.get("/api/v1/requests", headers=a.auth("office"))
        assert listing.json()["items"] == []
