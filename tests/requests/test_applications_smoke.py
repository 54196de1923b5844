"""A first walk through an application's life (the detailed rules are in test_applications_*.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.requests.helpers import api

UNIT = {"name": "市财政局", "kind": "department", "region": "130400", "contacts": []}


async def test_an_application_walks_from_online_submission_to_archive(database_url: str) -> None:
    async with api(database_url) as a:
        a.runtime.clock.set(datetime(2026, 9, 25, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), frozen=True)
        office = a.auth("office", sub="office-1")
        assert (await a.client.put("/api/v1/units/U001", json=UNIT, headers=office)).status_code == 201
        body = {
            "unit_code": "U001",
            "channel": "online",
            "applicant": {
                "type": "natural_person",
                "name": "张三",
                "id_type": "resident_id",
                "id_number": "110101199003071234",
                "email": "zs@example.com",
            },
            "description": "2026年度部门预算",
            "delivery": {"format": "electronic", "method": "email"},
        }
        created = await a.client.post("/api/v1/requests", json=body)
        assert created.status_code == 201, created.text
        app = created.json()
        assert app["state"] == "submitted" and app["query_code"]
        assert app["applicant"]["id_number"] == "11************1234"
        staff = a.auth("handler", units=("U001",), sub="clerk-1")
        etag = created.headers["etag"]
        r = await a.client.post(f"/api/v1/requests/{app['id']}/register", json={}, headers={**staff, "If-Match": etag})
        assert r.status_code == 200, r.text
        assert r.json()["due_on"] == "2026-10-29" and r.json()["applicant"]["id_number"] == "110101199003071234"
        r = await a.client.post(
            f"/api/v1/requests/{app['id']}/assign",
            json={"handler_id": "clerk-1", "handler_name": "李四"},
            headers={**staff, "If-Match": r.headers["etag"]},
        )
        assert r.status_code == 200, r.text
        r = await a.client.post(
            f"/api/v1/requests/{app['id']}/review",
            json={"opinion": "disclose", "reviewer": "王五"},
            headers={**staff, "If-Match": r.headers["etag"]},
        )
        assert r.status_code == 200, r.text
        r = await a.client.post(
            f"/api/v1/requests/{app['id']}/reply",
            json={"outcome": "disclosed", "legal_basis": "条例第三十六条第一项", "text": "予以公开"},
            headers={**staff, "If-Match": r.headers["etag"]},
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "replied" and r.json()["on_time"] is True
        r = await a.client.post(
            f"/api/v1/requests/{app['id']}/archive", json={}, headers={**staff, "If-Match": r.headers["etag"]}
        )
        assert r.status_code == 200, r.text
        d = await a.client.get(f"/api/v1/requests/{app['id']}/deadline", headers=staff)
        assert d.status_code == 200 and any(s["name"] == "国庆节" for s in d.json()["skipped"])
        t = await a.client.get(f"/api/v1/requests/{app['id']}/timeline", headers=staff)
        actions = [e["action"] for e in t.json()]
        assert "event:request.registered" in actions and "event:request.replied" in actions
        track = await a.client.get(
            f"/api/v1/requests/track/{app['tracking_no']}", params={"query_code": app["query_code"]}
        )
        assert track.status_code == 200 and track.json()["state"] == "archived"
        listing = await a.client.get("/api/v1/requests", headers=staff)
        assert [i["id"] for i in listing.json()["items"]] == [app["id"]]
        assert (await a.events("request.replied"))[0]["data"]["applicant_contact"] == {
            "email": "zs@example.com",
            "phone": None,
        }
