"""Who am I (issue 9 item 2): ``GET /api/v1/me`` for every role, with the units' names and the
capabilities per unit; the dev token endpoint a browser app logs in with, absent in prod."""

from __future__ import annotations

from shared.app import build_app
from shared.auth import ROLES, UNIT_STAFF_ROLES, UNIT_WIDE_ROLES, Principal
from shared.me import capabilities_of
from tests.frontend.support import chinese, client_of, is_problem, prod_settings
from tests.requests.applications_support import unit_json
from tests.requests.helpers import api

# What each role may do, by capability code: its own, on every unit, on its units.
EXPECTED = {
    "applicant": ({"applications.apply"}, set(), set()),
    "handler": (set(), set(), {"applications.read", "applications.handle", "hotline.answer", "reports.read"}),
    "unit_admin": (set(), set(), {"applications.handle", "units.manage"}),
    "office": (set(), {"applications.handle", "reports.region", "calendar.manage", "appraisal.manage"}, set()),
    "assessor": (set(), {"applications.read", "scoring.assess"}, set()),
    "inspector": (set(), {"applications.read", "accountability.investigate"}, set()),
    "integration": ({"integrations.submit"}, set(), set()),
    "admin": ({"admin.operate"}, {"applications.handle", "calendar.manage"}, set()),
}
NEVER = {
    "applicant": {"applications.handle", "applications.read"},
    "assessor": {"applications.handle"},
    "inspector": {"applications.handle", "scoring.assess"},
    "integration": {"applications.read"},
    "handler": {"reports.region", "calendar.manage"},
}


async def test_me_for_every_role_lists_roles_units_with_names_and_capabilities_per_unit(database_url: str) -> None:
    async with api(database_url) as a:
        for code, name in (("U001", "市财政局"), ("U002", "市教育局")):
            r = await a.client.put(f"/api/v1/units/{code}", json=unit_json(name), headers=a.auth("office"))
            assert r.status_code == 201, r.text
        assert set(EXPECTED) == ROLES
        for role in sorted(ROLES):
            units = ("U001", "U404") if role in UNIT_STAFF_ROLES else ()
            r = await a.client.get("/api/v1/me", headers=a.auth(role, units=units, sub=f"{role}-1"))
            assert r.status_code == 200, (role, r.text)
            me = r.json()
            assert me["sub"] == f"{role}-1" and me["roles"][0]["code"] == role and chinese(me["roles"][0]["label"])
            assert me["all_units"] is (role in UNIT_WIDE_ROLES)
            own, everywhere, on_units = EXPECTED[role]
            held = {c["code"] for c in me["capabilities"]}
            assert own | {"units.read", "notifications.read"} <= held, role
            assert everywhere <= {c["code"] for c in me["all_units_capabilities"]}, role
            everything = held | {c["code"] for c in me["all_units_capabilities"]}
            if units:
                by_unit = {u["unit_code"]: u for u in me["units"]}
                assert by_unit["U001"]["name"] == "市财政局" and by_unit["U404"]["name"] is None
                assert on_units <= {c["code"] for c in by_unit["U001"]["capabilities"]}, role
                everything |= {c["code"] for u in me["units"] for c in u["capabilities"]}
            else:
                assert me["units"] == []
            assert not (NEVER.get(role, set()) & everything), role
            assert all(chinese(c["label"]) for c in me["capabilities"] + me["all_units_capabilities"])


def test_a_unit_wide_role_with_units_holds_its_all_units_capabilities_on_them_too() -> None:
    office = Principal(sub="o", name="o", roles=frozenset({"office"}), unit_codes=frozenset({"U001"}))
    derived = capabilities_of(office)
    assert set(derived["all_units_capabilities"]) <= set(derived["per_unit"]["U001"])


async def test_the_dev_token_logs_a_browser_app_in_and_is_absent_in_prod(database_url: str) -> None:
    async with api(database_url) as a:
        r = await a.client.post(
            "/api/v1/_dev/token",
            json={"sub": "zhang.san", "name": "张三", "roles": ["handler"], "unit_codes": ["U001"], "ttl_seconds": 600},
        )
        assert r.status_code == 200, r.text
        minted = r.json()
        assert minted["token_type"] == "bearer"
        me = await a.client.get("/api/v1/me", headers={"Authorization": f"Bearer {minted['access_token']}"})
        assert me.status_code == 200 and me.json()["name"] == "张三"
        assert [u["unit_code"] for u in me.json()["units"]] == ["U001"]
        for bad in ({"sub": "x", "roles": ["mayor"]}, {"sub": "x", "roles": []}, {"roles": ["handler"]}, []):
            body = is_problem(await a.client.post("/api/v1/_dev/token", json=bad), 422)
            assert all(chinese(e["message"]) for e in body["errors"])
        is_problem(await a.client.get("/api/v1/me"), 401)
    prod = build_app([], prod_settings())
    async with client_of(prod) as client:
        is_problem(await client.post("/api/v1/_dev/token", json={"sub": "x", "roles": ["admin"]}), 404)
        is_problem(await client.get("/api/v1/me"), 401)  # /me stays: prod tokens come from the identity provider
