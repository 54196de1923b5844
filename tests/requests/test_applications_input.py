"""Malformed input of every kind is a 4xx problem+json, never a 500 (DESIGN §10); If-Match; lists
with every filter and cursor pages; administrative review / litigation records."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from shared.pagination import encode_cursor
from tests.requests.applications_support import (
    Desk,
    application_json,
    open_desk,
    problem,
)
from tests.requests.helpers import api


def _with(path: str, value: Any) -> dict[str, Any]:
    """A valid in-person application body with ``path`` (dotted) set to ``value``."""
    body = application_json("U001", "in_person")
    *parents, last = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    target[last] = value
    return body


BAD_BODIES = {
    "applicant is a string": _with("applicant", "张三"),
    "channel is a number": _with("channel", 5),
    "description is a list": _with("description", ["a"]),
    "unknown top-level field": _with("priority", "high"),
    "unknown applicant field": _with("applicant.nickname", "三儿"),
    "unknown delivery field": _with("delivery.speed", "fast"),
    "bad channel": _with("channel", "carrier_pigeon"),
    "bad applicant type": _with("applicant.type", "alien"),
    "bad id type": _with("applicant.id_type", "library_card"),
    "bad delivery format": _with("delivery.format", "vinyl"),
    "huge description": _with("description", "预" * 10_001),
    "huge name": _with("applicant.name", "张" * 201),
    "empty description": _with("description", "   "),
    "bad email": _with("applicant.email", "not-an-email"),
    "bad phone": _with("applicant.phone", "call me maybe"),
    "bad received_at": _with("received_at", "2026-13-01T10:00:00+08:00"),
    "received_at not a date": _with("received_at", "yesterday"),
    "received_at year 1": _with("received_at", "0001-01-01T00:00:00+14:00"),
    "received_at before the 条例": _with("received_at", "1999-01-01T00:00:00+08:00"),
    "NUL in description": _with("description", "预算\u0000执行"),
    "lone surrogate in name": _with("applicant.name", "张\ud800"),
    "missing applicant": {k: v for k, v in application_json().items() if k != "applicant"},
    "body is a list": [application_json()],
    "body is null": None,
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
async def test_a_malformed_application_is_422(database_url: str, case: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        content = json.dumps(BAD_BODIES[case])  # ASCII escapes: a lone surrogate travels as \\ud800
        r = await a.client.post(
            "/api/v1/requests", content=content, headers={**desk.headers, "Content-Type": "application/json"}
        )
        # NUL and lone surrogates never reach the schema: the shared input guard answers 400 (issue 8).
        problem(r, 400 if case in ("NUL in description", "lone surrogate in name") else 422)


async def test_unknown_unit_is_422_and_non_json_bodies_are_400_or_415(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        office = a.auth("office")
        problem(
            await a.client.post("/api/v1/requests", json=application_json("NOPE"), headers=office), 422, "unit_unknown"
        )
        problem(await a.client.post("/api/v1/requests", json=application_json("NOPE", "online")), 422, "unit_unknown")
        r = await a.client.post(
            "/api/v1/requests", content=b"{not json", headers={**desk.headers, "Content-Type": "application/json"}
        )
        problem(r, 400)
        r = await a.client.post(
            "/api/v1/requests", content=b"unit_code=U001", headers={**desk.headers, "Content-Type": "text/plain"}
        )
        assert r.status_code in (400, 415, 422) and r.headers["content-type"].startswith("application/problem+json")
        r = await a.client.post(
            "/api/v1/requests", content=b"\xff\xfe\x00", headers={**desk.headers, "Content-Type": "application/json"}
        )
        assert 400 <= r.status_code < 500
        deep = b"[" * 100_000 + b"]" * 100_000
        r = await a.client.post(
            "/api/v1/requests", content=deep, headers={**desk.headers, "Content-Type": "application/json"}
        )
        assert 400 <= r.status_code < 500


async def test_actions_need_if_match_428_stale_is_412_and_unknown_ids_are_404(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        app = await desk.create(channel="in_person")
        assign = {"handler_id": "c", "handler_name": "李四"}
        problem(await desk.post(app["id"], "assign", assign, if_match=None), 428, "precondition_required")
        problem(await desk.post(app["id"], "assign", assign, if_match='"7"'), 412, "precondition_failed")
        problem(await desk.post(app["id"], "assign", assign, if_match="garbage"), 412)
        out = await desk.act(app["id"], "assign", assign, if_match='W/"1"')
        problem(await desk.post(app["id"], "assign", assign, if_match='"1"'), 412)  # a second clerk's stale screen
        assert out["version"] == 2
        for path in ("", "/deadline", "/timeline"):
            problem(
                await a.client.get(
                    f"/api/v1/requests/00000000-0000-0000-0000-000000000000{path}", headers=desk.headers
                ),
                404,
            )
        problem(await desk.post("00000000-0000-0000-0000-000000000000", "assign", assign, if_match='"1"'), 404)
        problem(await a.client.get("/api/v1/requests/" + "x" * 65, headers=desk.headers), 422)
        # the consultation close of an unknown consultation
        cons = await desk.act(app["id"], "consultations", {"party": "p", "kind": "agency"})
        assert cons["id"]
        problem(await desk.post(app["id"], "consultations/nope/close"), 404)


ACTION_BAD_BODIES = [
    ("assign", {"handler_id": "c"}),
    ("assign", {"handler_id": "c", "handler_name": "n", "extra": 1}),
    ("assign", {"handler_id": "c", "handler_name": "n", "on": "2026-02-30"}),
    ("assign", {"handler_id": "c", "handler_name": "n", "on": "tomorrow"}),
    ("assign", {"handler_id": "c", "handler_name": "n", "on": "9999-12-31"}),
    ("assign", {"handler_id": "c", "handler_name": "n", "on": "0001-01-01"}),
    ("assign", {"handler_id": 1, "handler_name": "n"}),
    ("assign", {"handler_id": "c\u0000", "handler_name": "n"}),
    ("extend", {"working_days": "five", "reason": "r", "approver": "a"}),
    ("extend", {"working_days": 10**30, "reason": "r", "approver": "a"}),
    ("extend", {"working_days": 2.5, "reason": "r", "approver": "a"}),
    ("review", {"opinion": "maybe", "reviewer": "r"}),
    ("consultations", {"party": "p", "kind": "friend"}),
    ("fee-notice", {"method": "per_kilo", "pages": 3}),
    ("fee-notice", {"method": "per_page", "pages": -1}),
    ("fee-notice", {"method": "per_page", "pages": 10**12}),
    ("request-correction", {"note": "n", "allowed_working_days": 0}),
    ("register", {"on": None, "x": 1}),
    ("withdraw", {"reason": "r" * 2001}),
]


@pytest.mark.parametrize(
    ("action", "body"), ACTION_BAD_BODIES, ids=[f"{a}-{i}" for i, (a, _) in enumerate(ACTION_BAD_BODIES)]
)
async def test_a_malformed_action_body_is_422(database_url: str, action: str, body: dict) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        app = await desk.create(channel="in_person")
        r = await desk.post(app["id"], action, body)
        assert 400 <= r.status_code < 500 and r.status_code not in (404, 409), r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert (await desk.get(app["id"]))["version"] == 1


# -- lists -----------------------------------------------------------------------------------------


async def test_list_filters_and_cursor_pages_walked_to_the_end_without_repeats(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28), units=("U001", "U002"))
        office = Desk(a, a.auth("office"))
        old = await desk.create(
            channel="in_person", received_at="2026-08-03T10:00:00+08:00", description="采购合同 100%"
        )  # due 08-31
        mail = await desk.create(
            unit="U002",
            channel="mail",
            applicant={"type": "commercial_enterprise", "organization": "某公司", "name": "某公司"},
        )
        fax = await desk.create(channel="fax")
        ids = [old["id"], mail["id"], fax["id"]]
        for i in range(9):  # some created at the same instant, some not
            if i % 3 == 0:
                a.runtime.clock.advance(seconds=1)
            ids.append((await desk.create(unit=("U001", "U002")[i % 2], channel="in_person"))["id"])
        await desk.to_in_progress(ids[-1])

        async def listed(**params: Any) -> list[str]:
            r = await a.client.get("/api/v1/requests", params=params, headers=office.headers)
            assert r.status_code == 200, r.text
            return [i["id"] for i in r.json()["items"]]

        assert set(await listed()) == set(ids)
        assert set(await listed(unit_code="U002")) == {mail["id"], *ids[4::2]}
        assert await listed(state="in_progress") == [ids[-1]]
        assert set(await listed(state="submitted")) == {mail["id"], fax["id"]}
        assert await listed(overdue="true") == [old["id"]]
        assert old["id"] not in await listed(overdue="false") and len(await listed(overdue="false")) == 11
        assert await listed(due_before="2026-09-30") == [old["id"]]
        assert await listed(due_before="2026-08-31") == []
        assert await listed(channel="fax") == [fax["id"]]
        assert await listed(applicant_type="commercial_enterprise") == [mail["id"]]
        assert await listed(q="采购") == [old["id"]]
        assert await listed(q="100%") == [old["id"]]
        assert await listed(q="%") == [old["id"]]  # a literal percent sign, not a wildcard
        assert set(await listed(q=old["tracking_no"])) == {old["id"]}
        assert await listed(q="某公司") == [mail["id"]]
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 5}
            if cursor:
                params["cursor"] = cursor
            body = (await a.client.get("/api/v1/requests", params=params, headers=office.headers)).json()
            seen += [i["id"] for i in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert pages == 3 and len(seen) == len(set(seen)) == 12 and set(seen) == set(ids)


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",
        encode_cursor(["2026-09-28T00:00:00+00:00"]),
        encode_cursor([1, 2]),
        encode_cursor(["2026-09-28T00:00:00+00:00", {"id": 1}]),
        encode_cursor(["2026-09-28T00:00:00", "x"]),
        encode_cursor(["not a date", "x"]),
        encode_cursor([None, None]),
    ],
)
async def test_a_bad_cursor_is_400(database_url: str, cursor: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        await desk.create(channel="in_person")
        problem(
            await a.client.get("/api/v1/requests", params={"cursor": cursor}, headers=desk.headers),
            400,
            "invalid_cursor",
        )


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 100_000},
        {"limit": "ten"},
        {"overdue": "maybe"},
        {"due_before": "2026-02-30"},
        {"q": "x" * 201},
        {"state": "x" * 31},
        {"q": "a\x00b"},
        {"unit_code": "\x00"},
        {"channel": "fax\x00"},
    ],
)
async def test_bad_list_parameters_are_422(database_url: str, params: dict) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        nul = any("\x00" in str(v) for v in params.values())  # the shared input guard's 400 (issue 8)
        problem(await a.client.get("/api/v1/requests", params=params, headers=desk.headers), 400 if nul else 422)


# -- administrative review and litigation records ------------------------------------------------------


async def test_a_review_record_is_created_201_its_result_patched_with_if_match_and_review_decided_emitted(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        app = await desk.create(channel="in_person")
        url = f"/api/v1/requests/{app['id']}/reviews"
        r = await a.client.post(
            url, json={"kind": "litigation", "after_review": True, "filed_on": "2026-09-28"}, headers=desk.headers
        )
        assert r.status_code == 201, r.text
        record = r.json()
        assert record["result"] == "pending" and record["version"] == 1 and r.headers["etag"] == '"1"'
        patch = {"result": "corrected", "decided_on": "2026-09-28"}
        problem(await a.client.patch(f"{url}/{record['id']}", json=patch, headers=desk.headers), 428)
        problem(
            await a.client.patch(f"{url}/{record['id']}", json=patch, headers={**desk.headers, "If-Match": '"5"'}), 412
        )
        r = await a.client.patch(f"{url}/{record['id']}", json=patch, headers={**desk.headers, "If-Match": '"1"'})
        assert r.status_code == 200 and r.json()["result"] == "corrected" and r.headers["etag"] == '"2"'
        events = await a.events("request.review_decided")
        assert [(e["data"]["kind"], e["data"]["result"]) for e in events][-1] == ("litigation", "corrected")
        listed = (await a.client.get(url, headers=desk.headers)).json()
        assert [x["result"] for x in listed] == ["corrected"]
        problem(await a.client.patch(f"{url}/nope", json=patch, headers={**desk.headers, "If-Match": '"1"'}), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "administrative_review", "filed_on": "2026-09-01", "result": "pending", "decided_on": "2026-09-10"},
        {"kind": "administrative_review", "filed_on": "2026-09-01", "result": "upheld"},
        {"kind": "administrative_review", "filed_on": "2026-09-10", "result": "upheld", "decided_on": "2026-09-01"},
        {"kind": "administrative_review", "after_review": True, "filed_on": "2026-09-01"},
        {"kind": "litigation", "filed_on": "2026-10-01"},
        {"kind": "appeal", "filed_on": "2026-09-01"},
        {"kind": "litigation", "filed_on": "2026-09-31"},
        {"kind": "litigation", "filed_on": "2026-09-01", "judge": "x"},
    ],
)
async def test_an_inconsistent_review_record_is_422(database_url: str, body: dict) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        app = await desk.create(channel="in_person")
        problem(await a.client.post(f"/api/v1/requests/{app['id']}/reviews", json=body, headers=desk.headers), 422)
        assert await a.events("request.review_decided") == []


async def test_nul_in_path_or_tracking_parameters_is_4xx_not_500(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        app = await desk.create(channel="in_person")
        for path in ("/api/v1/requests/a%00b", "/api/v1/requests/a%00b/deadline"):
            r = await a.client.get(path, headers=desk.headers)
            assert 400 <= r.status_code < 500, (path, r.text)
        r = await a.client.patch(
            f"/api/v1/requests/{app['id']}/reviews/x%00",
            json={"result": "pending"},
            headers={**desk.headers, "If-Match": '"1"'},
        )
        assert 400 <= r.status_code < 500, r.text
        r = await a.client.get("/api/v1/requests/track/GK%00", params={"query_code": "ABCD"})
        assert 400 <= r.status_code < 500
        r = await a.client.get(f"/api/v1/requests/track/{app['tracking_no']}", params={"query_code": "AB\x00CD"})
        assert 400 <= r.status_code < 500
        r = await desk.post(app["id"], "consultations/a%00b/close")
        assert 400 <= r.status_code < 500
