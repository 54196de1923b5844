"""The units directory over HTTP (DESIGN §5 Units, §10): create, replace, read, list, ETag/If-Match,
roles, hierarchy rules, and one ``unit.upserted`` per change — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from tests.requests.helpers import api, unit_body

UNITS = "/api/v1/units"


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    return body


async def test_create_read_update_and_events(database_url: str) -> None:
    async with api(database_url) as a:
        office = a.auth("office")
        created = await a.client.put(f"{UNITS}/GOV", json=unit_body(), headers=office)
        assert created.status_code == 201, created.text
        assert created.headers["ETag"] == '"1"'
        assert created.headers["Location"] == f"{UNITS}/GOV"
        body = created.json()
        assert body["unit_code"] == "GOV" and body["version"] == 1 and body["active"] is True
        assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None

        read = await a.client.get(f"{UNITS}/GOV")  # public: no token, no contacts
        assert read.status_code == 200 and read.headers["ETag"] == '"1"'
        assert read.json()["name"] == "某市人民政府办公室" and read.json()["contacts"] is None
        staff = await a.client.get(f"{UNITS}/GOV", headers=office)
        assert staff.json()["contacts"][0]["name"] == "张三"

        # The same body again: 200, nothing changes, no event.
        same = await a.client.put(f"{UNITS}/GOV", json=unit_body(), headers=office)
        assert same.status_code == 200 and same.json()["version"] == 1

        changed = await a.client.put(
            f"{UNITS}/GOV", json=unit_body(name="某市人民政府"), headers={**office, "If-Match": '"1"'}
        )
        assert changed.status_code == 200, changed.text
        assert changed.headers["ETag"] == '"2"' and changed.json()["name"] == "某市人民政府"

        events = await a.events("unit.upserted")
        assert [e["data"]["name"] for e in events] == ["某市人民政府办公室", "某市人民政府"]
        assert events[0]["subject"] == "GOV" and events[0]["source"] == "gongkai/requests"
        assert events[0]["data"]["kind"] == "government" and events[0]["data"]["region"] == "110101"
        assert events[0]["data"]["contacts"][0]["email"] == "zhang@example.gov.cn"
        # What the replicas need to order and read it (docs/reference-data.md).
        assert [(e["data"]["version"], e["data"]["active"]) for e in events] == [(1, True), (2, True)]
        assert events[0]["data"]["contacts"][0]["role"] == "other"
        audit = await a.audit("unit")
        assert [(r.action, r.entity_id) for r in audit] == [("unit.created", "GOV"), ("unit.updated", "GOV")]
        assert audit[1].before["name"] == "某市人民政府办公室" and audit[1].after["name"] == "某市人民政府"


async def test_unknown_unit_and_bad_input(database_url: str) -> None:
    async with api(database_url) as a:
        assert_problem(await a.client.get(f"{UNITS}/NOPE"), 404, "not_found")
        office = a.auth("office")
        assert_problem(
            await a.client.put(f"{UNITS}/bad code!", json=unit_body(), headers=office), 422, "validation_failed"
        )
        assert_problem(
            await a.client.put(f"{UNITS}/X", json=unit_body(kind="ministry"), headers=office), 422, "validation_failed"
        )
        assert_problem(
            await a.client.put(f"{UNITS}/X", json=unit_body(region="11"), headers=office), 422, "validation_failed"
        )


async def test_if_match_mismatch_is_412(database_url: str) -> None:
    async with api(database_url) as a:
        office = a.auth("admin")
        await a.client.put(f"{UNITS}/GOV", json=unit_body(), headers=office)
        await a.client.put(f"{UNITS}/GOV", json=unit_body(name="二"), headers=office)
        stale = await a.client.put(f"{UNITS}/GOV", json=unit_body(name="三"), headers={**office, "If-Match": '"1"'})
        assert_problem(stale, 412, "precondition_failed")
        # If-Match on a unit that does not exist yet fails too (RFC 9110).
        assert_problem(
            await a.client.put(f"{UNITS}/NEW", json=unit_body(), headers={**office, "If-Match": '"1"'}),
            412,
            "precondition_failed",
        )
        assert (await a.client.get(f"{UNITS}/GOV")).json()["name"] == "二"
        assert len(await a.events("unit.upserted")) == 2


async def test_roles(database_url: str) -> None:
    async with api(database_url) as a:
        assert_problem(await a.client.put(f"{UNITS}/GOV", json=unit_body()), 401, "unauthorized")
        assert_problem(
            await a.client.put(f"{UNITS}/GOV", json=unit_body(), headers=a.auth("handler")), 403, "forbidden"
        )
        # A unit admin cannot create a unit, not even one of its own codes.
        assert_problem(
            await a.client.put(f"{UNITS}/GOV", json=unit_body(), headers=a.auth("unit_admin", units=("GOV",))),
            403,
            "forbidden",
        )
        await a.client.put(f"{UNITS}/GOV", json=unit_body(), headers=a.auth("office"))
        await a.client.put(
            f"{UNITS}/EDU", json=unit_body(kind="department", parent_code="GOV"), headers=a.auth("office")
        )

        own = a.auth("unit_admin", units=("EDU",))
        ok = await a.client.put(
            f"{UNITS}/EDU", json=unit_body(kind="department", parent_code="GOV", name="教育局"), headers=own
        )
        assert ok.status_code == 200 and ok.json()["name"] == "教育局"
        assert_problem(await a.client.put(f"{UNITS}/GOV", json=unit_body(name="x"), headers=own), 403, "forbidden")
        # Where a unit sits in the directory is the office's decision.
        assert_problem(
            await a.client.put(f"{UNITS}/EDU", json=unit_body(kind="department", name="教育局"), headers=own),
            403,
            "forbidden",
        )
        assert_problem(
            await a.client.post(f"{UNITS}/import", files={"file": ("u.csv", b"unit_code\n")}, headers=own),
            403,
            "forbidden",
        )


async def test_parent_must_exist_and_no_cycles(database_url: str) -> None:
    async with api(database_url) as a:
        office = a.auth("office")
        assert_problem(
            await a.client.put(f"{UNITS}/A", json=unit_body(parent_code="MISSING"), headers=office),
            422,
            "parent_not_found",
        )
        assert_problem(
            await a.client.put(f"{UNITS}/A", json=unit_body(parent_code="A"), headers=office), 422, "unit_cycle"
        )
        assert (await a.client.put(f"{UNITS}/A", json=unit_body(), headers=office)).status_code == 201
        assert (await a.client.put(f"{UNITS}/B", json=unit_body(parent_code="A"), headers=office)).status_code == 201
        assert (await a.client.put(f"{UNITS}/C", json=unit_body(parent_code="B"), headers=office)).status_code == 201
        cycle = await a.client.put(f"{UNITS}/A", json=unit_body(parent_code="C"), headers=office)
        assert_problem(cycle, 422, "unit_cycle")
        assert (await a.client.get(f"{UNITS}/A")).json()["parent_code"] is None
        assert len(await a.events("unit.upserted")) == 3


async def test_list_filters_and_cursor_pages(database_url: str) -> None:
    async with api(database_url) as a:
        office = a.auth("office")
        await a.client.put(f"{UNITS}/GOV", json=unit_body(name="某县人民政府"), headers=office)
        for i in range(12):
            body = unit_body(
                name=f"某县第{i}局" if i % 3 else f"某县{i}镇人民政府",
                kind="department" if i % 3 else "township",
                parent_code="GOV",
                region="110101" if i % 2 else "110102",
                active=i != 5,
            )
            assert (await a.client.put(f"{UNITS}/U{i:02d}", json=body, headers=office)).status_code == 201

        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
            page = (await a.client.get(UNITS, params=params)).json()
            seen.extend(u["unit_code"] for u in page["items"])
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 3
        assert seen == sorted(seen) and len(seen) == len(set(seen)) == 13

        async def codes(**params: object) -> list[str]:
            response = await a.client.get(UNITS, params={**params, "limit": 100})
            assert response.status_code == 200, response.text
            return [u["unit_code"] for u in response.json()["items"]]

        assert await codes(kind="township") == ["U00", "U03", "U06", "U09"]
        assert await codes(region="110101", kind="department") == ["U01", "U05", "U07", "U11"]
        assert await codes(parent_code="GOV", active=False) == ["U05"]
        assert len(await codes(active=True)) == 12
        assert await codes(q="镇人民") == ["U00", "U03", "U06", "U09"]
        assert await codes(q="%") == []
        assert_problem(await a.client.get(UNITS, params={"cursor": "not-ours"}), 400, "invalid_cursor")
        assert_problem(await a.client.get(UNITS, params={"kind": "ministry"}), 422, "validation_failed")


LEADERSHIP = [
    {"name": "李主任", "role": "principal_leader", "title": "局长", "phone": "0571-87000001"},
    {"name": "赵副", "role": "leader_in_charge", "title": "副局长"},
    {"name": "王敏", "role": "disclosure_contact", "title": "政务公开专员", "email": "wang@example.gov.cn"},
    {"name": "钱七", "title": "科员"},
]


async def test_contact_roles_are_stored_published_and_shown_to_staff_only(database_url: str) -> None:
    """Each contact's role (政务公开联络员, 主要负责人, 分管负责人, 其他) is kept, carried by
    ``unit.upserted`` (with ``active`` and ``version``), and names, phones and e-mails are shown to
    staff only: the office, admins, assessors, inspectors and the unit's own staff."""
    async with api(database_url) as a:
        office = a.auth("office")
        await a.client.put(f"{UNITS}/GOV", json=unit_body(), headers=office)
        body = unit_body(kind="department", parent_code="GOV", name="市教育局", contacts=LEADERSHIP)
        created = await a.client.put(f"{UNITS}/EDU", json=body, headers=office)
        assert created.status_code == 201, created.text
        roles = [(c["name"], c["role"]) for c in created.json()["contacts"]]
        assert roles == [
            ("李主任", "principal_leader"),
            ("赵副", "leader_in_charge"),
            ("王敏", "disclosure_contact"),
            ("钱七", "other"),
        ]
        retired = await a.client.put(f"{UNITS}/EDU", json={**body, "active": False}, headers=office)
        assert retired.status_code == 200 and retired.json()["version"] == 2

        [_, first, second] = await a.events("unit.upserted")
        assert [c["role"] for c in first["data"]["contacts"]] == [r for _, r in roles]
        assert (first["data"]["version"], first["data"]["active"]) == (1, True)
        assert (second["data"]["version"], second["data"]["active"]) == (2, False)

        async def contacts(headers: dict[str, str] | None, path: str = f"{UNITS}/EDU") -> object:
            response = await a.client.get(path, headers=headers or {})
            assert response.status_code == 200, response.text
            assert "Authorization" in response.headers["Vary"]
            return response.json()["contacts"]

        for staff in (
            office,
            a.auth("admin"),
            a.auth("assessor"),
            a.auth("inspector"),
            a.auth("handler", units=("EDU",)),
            a.auth("unit_admin", units=("EDU",)),
        ):
            assert [c["name"] for c in await contacts(staff)] == ["李主任", "赵副", "王敏", "钱七"]  # type: ignore[attr-defined]
        for outsider in (None, a.auth("applicant"), a.auth("handler", units=("GOV",)), a.auth("integration")):
            assert await contacts(outsider) is None
        # The list too, unit by unit: a unit's staff see their own unit's contacts only.
        listed = (await a.client.get(UNITS, headers=a.auth("handler", units=("EDU",)))).json()["items"]
        assert {u["unit_code"]: u["contacts"] is not None for u in listed} == {"EDU": True, "GOV": False}
        public = (await a.client.get(UNITS)).json()["items"]
        assert [u["contacts"] for u in public] == [None, None]
        # A unit admin changing its own unit's contacts sees them in the answer.
        own = a.auth("unit_admin", units=("EDU",))
        fewer = {**body, "active": False, "contacts": LEADERSHIP[:1]}
        changed = await a.client.put(f"{UNITS}/EDU", json=fewer, headers=own)
        assert changed.status_code == 200 and changed.json()["contacts"][0]["role"] == "principal_leader"
        # A bad token is a 401, never a silent public view.
        bad = await a.client.get(f"{UNITS}/EDU", headers={"Authorization": "Bearer nonsense"})
        assert_problem(bad, 401, "invalid_token")


async def test_an_unknown_contact_role_is_422(database_url: str) -> None:
    async with api(database_url) as a:
        body = unit_body(contacts=[{"name": "李主任", "role": "boss"}])
        response = await a.client.put(f"{UNITS}/GOV", json=body, headers=a.auth("office"))
        problem = assert_problem(response, 422, "validation_failed")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["title"])  # a Chinese title
        assert await a.events("unit.upserted") == []
