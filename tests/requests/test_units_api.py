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

        read = await a.client.get(f"{UNITS}/GOV")  # public: no token
        assert read.status_code == 200 and read.headers["ETag"] == '"1"'
        assert read.json()["contacts"][0]["name"] == "张三"

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
