"""Who sees and does what (DESIGN §10; issue 3 item 6), masked identity numbers, and tracking
without an account.

Scoping, as the code does it: a caller who may not read an application gets 404 on it — reads
and actions alike — so nobody learns that another unit's or applicant's application exists. A
caller who may read it but not act (assessor, inspector, the applicant themselves) gets 403 on
an action. Anonymous callers get 401 on every read and action (tracking is the exception)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from services.requests.models import applications
from tests.requests.applications_support import (
    ID_NUMBER,
    MASKED,
    Desk,
    open_desk,
    problem,
)
from tests.requests.helpers import Api, api

ASSIGN = {"handler_id": "clerk-9", "handler_name": "钱七"}


async def _world(a: Api) -> tuple[Desk, dict, dict, dict, dict]:
    """U001's staff recorded ``paper``; citizen-1 applied online to U001 (``own``), citizen-2 to U001
    (``other``); U002's staff recorded ``elsewhere``."""
    desk = await open_desk(a, date(2026, 9, 28), units=("U001", "U002"))
    u1 = Desk(a, a.auth("handler", units=("U001",), sub="clerk-1"))
    u2 = Desk(a, a.auth("handler", units=("U002",), sub="clerk-2"))
    paper = await u1.create(unit="U001", channel="in_person")
    own = await desk.create(unit="U001", channel="online", headers=a.auth("applicant", sub="citizen-1"))
    other = await desk.create(
        unit="U001",
        channel="online",
        headers=a.auth("applicant", sub="citizen-2"),
        applicant={"id_number": "110101198502025678"},
    )
    elsewhere = await u2.create(unit="U002", channel="in_person")
    return u1, paper, own, other, elsewhere


async def _read_paths(a: Api, app_id: str, headers: dict[str, str]) -> list[int]:
    return [
        (await a.client.get(f"/api/v1/requests/{app_id}{suffix}", headers=headers)).status_code
        for suffix in ("", "/deadline", "/timeline", "/consultations", "/reviews")
    ]


async def test_an_applicant_sees_only_their_own_applications_masked_and_may_only_withdraw_them(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        u1, paper, own, other, elsewhere = await _world(a)
        citizen = a.auth("applicant", sub="citizen-1")
        assert await _read_paths(a, own["id"], citizen) == [200] * 5
        got = (await a.client.get(f"/api/v1/requests/{own['id']}", headers=citizen)).json()
        assert got["applicant"]["id_number"] == MASKED
        for app in (paper, other, elsewhere):
            assert await _read_paths(a, app["id"], citizen) == [404] * 5
            problem(await u1.post(app["id"], "withdraw", headers=citizen), 404)
        problem(await u1.post(own["id"], "assign", ASSIGN, headers=citizen), 403)
        listing = (await a.client.get("/api/v1/requests", headers=citizen)).json()
        assert [i["id"] for i in listing["items"]] == [own["id"]]
        assert listing["items"][0]["applicant"]["id_number"] == MASKED
        withdrawn = await u1.post(own["id"], "withdraw", {"reason": "不再需要"}, headers=citizen)
        assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


async def test_unit_staff_see_and_act_only_on_their_units_applications_with_the_identity_in_clear(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        u1, paper, own, other, elsewhere = await _world(a)
        for role in ("handler", "unit_admin"):
            mine = Desk(a, a.auth(role, units=("U001",), sub=f"{role}-1"))
            for app in (paper, own, other):
                assert await _read_paths(a, app["id"], mine.headers) == [200] * 5
            assert (await mine.get(paper["id"]))["applicant"]["id_number"] == ID_NUMBER
            assert (await mine.get(other["id"]))["applicant"]["id_number"] == "110101198502025678"
            # another unit's application: 404 on read and on act — no hint it exists
            assert await _read_paths(a, elsewhere["id"], mine.headers) == [404] * 5
            problem(await mine.post(elsewhere["id"], "assign", ASSIGN, if_match='"1"'), 404)
            listing = (await a.client.get("/api/v1/requests", headers=mine.headers)).json()
            assert {i["id"] for i in listing["items"]} == {paper["id"], own["id"], other["id"]}
            assert (await a.client.get("/api/v1/requests", params={"unit_code": "U002"}, headers=mine.headers)).json()[
                "items"
            ] == []
        assert (await u1.act(paper["id"], "assign", ASSIGN))["state"] == "in_progress"
        assert (await Desk(a, a.auth("unit_admin", units=("U001",))).act(own["id"], "register"))[
            "state"
        ] == "registered"


async def test_office_and_admin_read_and_act_on_all_units_with_the_identity_masked(database_url: str) -> None:
    async with api(database_url) as a:
        _, paper, own, other, elsewhere = await _world(a)
        everything = {paper["id"], own["id"], other["id"], elsewhere["id"]}
        for role in ("office", "admin"):
            desk = Desk(a, a.auth(role, sub=f"{role}-1"))
            listing = (await a.client.get("/api/v1/requests", headers=desk.headers)).json()
            assert {i["id"] for i in listing["items"]} == everything
            assert {i["applicant"]["id_number"] for i in listing["items"]} <= {MASKED, "11************5678"}
            assert await _read_paths(a, elsewhere["id"], desk.headers) == [200] * 5
        office = Desk(a, a.auth("office", sub="office-1"))
        out = await office.act(elsewhere["id"], "assign", ASSIGN)
        assert out["state"] == "in_progress" and out["applicant"]["id_number"] == MASKED
        assert (await Desk(a, a.auth("admin")).act(paper["id"], "withdraw"))["state"] == "withdrawn"


async def test_assessor_and_inspector_read_all_masked_but_cannot_act(database_url: str) -> None:
    async with api(database_url) as a:
        _, paper, _own, _other, elsewhere = await _world(a)
        for role in ("assessor", "inspector"):
            desk = Desk(a, a.auth(role, sub=f"{role}-1"))
            listing = (await a.client.get("/api/v1/requests", headers=desk.headers)).json()
            assert len(listing["items"]) == 4
            for app in (paper, elsewhere):
                assert await _read_paths(a, app["id"], desk.headers) == [200] * 5
                assert (await desk.get(app["id"]))["applicant"]["id_number"] == MASKED
                for action, body in (
                    ("assign", ASSIGN),
                    ("withdraw", {}),
                    ("extend", {"working_days": 2, "reason": "r", "approver": "a"}),
                ):
                    problem(await desk.post(app["id"], action, body), 403)
                r = await a.client.post(
                    f"/api/v1/requests/{app['id']}/reviews",
                    headers=desk.headers,
                    json={"kind": "administrative_review", "filed_on": "2026-09-28"},
                )
                problem(r, 403)
            problem(
                await a.client.post("/api/v1/requests", json=_paper_body(), headers=desk.headers),
                422,
                "channel_requires_staff",
            )


async def test_integration_cannot_read_or_act_on_applications_and_anonymous_gets_401(database_url: str) -> None:
    async with api(database_url) as a:
        u1, paper, *_ = await _world(a)
        integration = a.auth("integration", sub="hotline")
        assert await _read_paths(a, paper["id"], integration) == [404] * 5
        problem(await u1.post(paper["id"], "assign", ASSIGN, headers=integration), 404)
        problem(await a.client.get("/api/v1/requests", headers=integration), 403)
        for path in ("", "/deadline", "/timeline", "/consultations", "/reviews"):
            problem(await a.client.get(f"/api/v1/requests/{paper['id']}{path}"), 401)
        problem(await a.client.get("/api/v1/requests"), 401)
        problem(await u1.post(paper["id"], "assign", ASSIGN, headers={}), 401)
        problem(await a.client.get("/api/v1/requests", headers={"Authorization": "Bearer not-a-token"}), 401)


def _paper_body() -> dict:
    from tests.requests.applications_support import application_json

    return application_json("U001", "in_person")


# -- identity numbers ------------------------------------------------------------------------------


async def test_the_identity_number_is_never_stored_or_journalled_in_clear_and_the_timeline_shows_it_only_to_the_unit(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        u1, paper, own, *_ = await _world(a)
        await u1.act(paper["id"], "assign", ASSIGN)
        async with a.runtime.sessions() as session:
            rows = (await session.execute(select(applications))).all()
            stored = [r.applicant_id_number for r in rows]
        assert all(value and ID_NUMBER not in value and MASKED not in value for value in stored)
        assert all(ID_NUMBER not in json.dumps([str(v) for v in r._mapping.values()]) for r in rows)
        assert all(
            ID_NUMBER not in json.dumps([str(v) for v in e._mapping.values()]) for e in await a.audit("application")
        )
        for headers in (a.auth("office"), a.auth("inspector"), a.auth("assessor")):
            timeline = (await a.client.get(f"/api/v1/requests/{paper['id']}/timeline", headers=headers)).text
            assert ID_NUMBER not in timeline
        unit_view = (await a.client.get(f"/api/v1/requests/{paper['id']}/timeline", headers=u1.headers)).json()
        assert (
            next(e for e in unit_view if e["action"] == "application.created")["after"]["applicant_id_number"]
            == ID_NUMBER
        )
        office_view = (await a.client.get(f"/api/v1/requests/{paper['id']}/timeline", headers=a.auth("office"))).json()
        created = next(e for e in office_view if e["action"] == "application.created")
        assert created["after"]["applicant_id_number"] == MASKED  # masked as elsewhere (issue 9)
        mine = (
            await a.client.get(f"/api/v1/requests/{own['id']}/timeline", headers=a.auth("applicant", sub="citizen-1"))
        ).json()
        assert all(
            (e["after"] or {}).get("applicant_id_number") in (None, MASKED)
            for e in mine
            if isinstance(e["after"], dict)
        )


# -- tracking without an account --------------------------------------------------------------------


async def test_tracking_no_with_query_code_shows_the_status_and_wrong_code_or_unknown_number_are_the_same_404(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        _, paper, own, *_ = await _world(a)
        r = await a.client.get(
            f"/api/v1/requests/track/{paper['tracking_no']}", params={"query_code": paper["query_code"]}
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "registered" and r.json()["due_on"] == "2026-10-30"
        assert "applicant" not in r.json()
        lower = await a.client.get(
            f"/api/v1/requests/track/{own['tracking_no']}", params={"query_code": own["query_code"].lower()}
        )
        assert lower.status_code == 200 and lower.json()["state"] == "submitted"
        wrong = problem(
            await a.client.get(
                f"/api/v1/requests/track/{paper['tracking_no']}", params={"query_code": own["query_code"]}
            ),
            404,
        )
        unknown = problem(
            await a.client.get("/api/v1/requests/track/GK2026092800000000", params={"query_code": paper["query_code"]}),
            404,
        )
        assert wrong["title"] == unknown["title"] and wrong["detail"] == unknown["detail"]
        problem(await a.client.get(f"/api/v1/requests/track/{paper['tracking_no']}"), 422)  # no code at all
