"""Roles and scoping (issue 12 §5) and bad input of any shape → 4xx problem+json with a Chinese title."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.scoring.helpers import api, example_document


def refused(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"]), body
    if code:
        assert body["code"] == code, body
    return body


async def test_a_scheme_whose_leaves_do_not_add_up_is_refused_naming_the_indicator(database_url: str) -> None:
    document = example_document()
    document["categories"][0]["indicators"][0]["children"][0]["max_points"] = 9  # A1.1 组织领导: 4 + 4 ≠ 9
    async with api(database_url) as a:
        response = await a.client.post("/api/v1/schemes", json=document, headers=a.office)
        body = refused(response, 422, "indicator_points_mismatch")
        assert body["indicator"] == "A1.1" and "A1.1" in body["detail"]
        document = example_document()
        document["categories"][0]["total"] = 90  # the A table adds up to 100
        body = refused(await a.client.post("/api/v1/schemes", json=document, headers=a.office), 422)
        assert body["code"] == "indicator_points_mismatch" and body["category"] == "A"


MALFORMED_SCHEMES = [
    ("application/yaml", b"year: [unclosed", 422, "scheme_document_unreadable"),
    ("application/json", b"{not json", 422, "scheme_document_unreadable"),
    ("application/json", b"[1, 2]", 422, "scheme_document_invalid"),
    (
        "application/json",
        json.dumps({**example_document(), "colour": "red"}, default=str).encode(),
        422,
        "scheme_document_invalid",
    ),
    ("application/json", json.dumps({"year": "2023", "name": "x"}).encode(), 422, "scheme_document_invalid"),
    ("text/plain", b"year: 2023", 415, None),
    ("application/yaml", b"", 422, "scheme_document_invalid"),
]


@pytest.mark.parametrize(("content_type", "body", "status", "code"), MALFORMED_SCHEMES)
async def test_malformed_schemes_are_4xx_problems(
    database_url: str, content_type: str, body: bytes, status: int, code: str | None
) -> None:
    if database_url.startswith("postgresql"):
        pytest.skip("parsing does not touch the database: once is enough")
    async with api(database_url) as a:
        response = await a.client.post(
            "/api/v1/schemes", content=body, headers={**a.office, "Content-Type": content_type}
        )
        refused(response, status, code)


MALFORMED_ENTRIES: list[tuple[dict[str, Any], int]] = [
    ({"indicator": "Z9.9", "occurrences": 1}, 422),
    ({"indicator": "A1.1", "occurrences": 1}, 422),  # a parent
    ({"indicator": "A2.1.2", "occurrences": 0}, 422),
    ({"indicator": "A2.1.2", "occurrences": "many"}, 422),
    ({"indicator": "A2.1.2", "occurrences": 1, "points": 3}, 422),
    ({"indicator": "A2.1.2", "ratio": 0.5}, 422),  # a deduct leaf takes occurrences
    ({"indicator": "A2.1.2", "points": 11}, 422),  # over the maximum
    ({"indicator": "A4.1.2", "occurrences": 1, "participant": "mayor"}, 422),
    ({"indicator": "A2.1.2", "occurrences": 1, "method": "telepathy"}, 422),
    ({"indicator": "A2.1.2", "occurrences": 1, "method": "ranking"}, 422),  # not this leaf's method
    ({"indicator": "A2.1.2", "occurrences": 1, "on": "2999-01-01"}, 422),
    ({"indicator": "A2.1.2", "occurrences": 1, "colour": "red"}, 422),
    ({"indicator": "A2.1.2", "measure": "NaN"}, 422),
    ({"indicator": "A2.1.2\u0000", "occurrences": 1}, 400),  # refused before validation
]


async def test_malformed_entries_are_4xx_problems(database_url: str) -> None:
    async with api(database_url) as a:
        scheme = await a.publish(await a.import_scheme())
        sheet_id = (await a.sheets(scheme["id"]))["A01"]
        for body, status in MALFORMED_ENTRIES:
            refused(await a.entry(sheet_id, **body), status)
        refused(
            await a.client.post(
                f"/api/v1/sheets/{sheet_id}/entries",
                content=b"{",
                headers={**a.assessor, "Content-Type": "application/json"},
            ),
            400,
        )
        refused(await a.client.post(f"/api/v1/sheets/{sheet_id}/review", headers=a.assessor), 428)
        refused(
            await a.client.post(f"/api/v1/sheets/{sheet_id}/review", headers={**a.assessor, "If-Match": '"99"'}), 412
        )
        refused(
            await a.client.post(f"/api/v1/sheets/{sheet_id}/review", headers={**a.assessor, "If-Match": '"1"'}),
            409,
            "sheet_transition_invalid",
        )
        refused(
            await a.client.post(
                f"/api/v1/sheets/{sheet_id}/vetoes", json={"code": "nope", "evidence": "某事"}, headers=a.assessor
            ),
            422,
            "veto_unknown",
        )
        refused(await a.client.get("/api/v1/sheets/no-such-sheet", headers=a.office), 404)
        refused(await a.client.get("/api/v1/sheets", params={"cursor": "garbage!"}, headers=a.office), 400)


async def test_roles_scope_every_read_and_write(database_url: str) -> None:
    async with api(database_url) as a:
        draft = await a.import_scheme()
        # Drafts are invisible to a unit; only the office publishes.
        refused(await a.client.get(f"/api/v1/schemes/{draft['id']}", headers=a.staff("A01")), 404)
        refused(
            await a.client.post(f"/api/v1/schemes/{draft['id']}/publish", headers={**a.assessor, "If-Match": '"1"'}),
            403,
        )
        refused(await a.client.post("/api/v1/schemes", json=example_document(year=2024), headers=a.staff("A01")), 403)
        refused(await a.client.get("/api/v1/schemes", headers={}), 401)
        scheme = await a.publish(draft)
        sheets = await a.sheets(scheme["id"])
        own, other = sheets["A01"], sheets["A02"]
        # A unit reads its own sheet, not another's (404, no existence hint), and lists only its own.
        assert (await a.client.get(f"/api/v1/sheets/{own}", headers=a.staff("A01"))).status_code == 200
        refused(await a.client.get(f"/api/v1/sheets/{other}", headers=a.staff("A01")), 404)
        listed = (await a.client.get("/api/v1/sheets", headers=a.staff("A01"))).json()["items"]
        assert [s["unit_code"] for s in listed] == ["A01"]
        # It writes only its self-check (自查), kept apart from the assessors' figures.
        refused(await a.entry(own, a.staff("A01"), indicator="A2.1.2", occurrences=1, source="assessor"), 403)
        refused(await a.entry(other, a.staff("A01"), indicator="A2.1.2", occurrences=1), 404)
        mine = await a.entry(own, a.staff("A01"), indicator="A2.1.2", points=10, on="2023-12-20")
        assert mine.status_code == 201 and mine.json()["source"] == "self"
        assert (await a.entry(own, indicator="A2.1.2", occurrences=4)).json()["source"] == "assessor"
        sheet = await a.sheet(own, a.staff("A01"))
        assert [x["action"] for x in sheet["allowed_actions"]] == ["self_assess"]
        assert sheet["allowed_actions"][0]["href"] == f"/api/v1/sheets/{own}/self-assess"
        gaps = (await a.client.get(f"/api/v1/sheets/{own}/gaps", headers=a.staff("A01"))).json()["gaps"]
        gap = next(g for g in gaps if g["code"] == "A2.1.2")
        assert (gap["self_points"], gap["assessed_points"], gap["difference"]) == (10, 6, 4)
        # The assessors review only after the self-check; finalizing needs the office.
        refused(
            await a.client.post(
                f"/api/v1/sheets/{own}/self-assess", headers={**a.assessor, "If-Match": f'"{sheet["version"]}"'}
            ),
            403,
        )
        await a.step(own, "self-assess", a.staff("A01"))
        refused(await a.entry(own, a.staff("A01"), indicator="A2.1.2", occurrences=1), 409, "sheet_closed_for_entries")
        refused(await a.client.post(f"/api/v1/schemes/{scheme['id']}/categories/A/finalize", headers=a.assessor), 403)
        refused(
            await a.client.get(f"/api/v1/schemes/{scheme['id']}/categories/Z/league", headers=a.office),
            422,
            "category_unknown",
        )


async def test_the_scheme_document_round_trips_and_its_json_schema_is_served(database_url: str) -> None:
    async with api(database_url) as a:
        schema = await a.client.get("/api/v1/schemes/json-schema")
        assert schema.status_code == 200 and schema.json()["title"] == "年度政务公开工作考核方案"
        scheme = await a.import_scheme()
        exported = await a.client.get(
            f"/api/v1/schemes/{scheme['id']}/export", params={"format": "yaml"}, headers=a.office
        )
        assert exported.status_code == 200
        again = await a.client.post(
            "/api/v1/schemes", content=exported.content, headers={**a.office, "Content-Type": "application/yaml"}
        )
        assert again.status_code == 201 and again.json()["document"] == scheme["document"]
        as_json = await a.client.get(
            f"/api/v1/schemes/{scheme['id']}/export", params={"format": "json"}, headers=a.office
        )
        assert json.loads(as_json.text) == scheme["document"]
        # Edited while draft (If-Match), not after publication; overlapping periods refused.
        edited = yaml.safe_dump(example_document(name="XX区2023年度考核方案（修订）"), allow_unicode=True)
        put = await a.client.put(
            f"/api/v1/schemes/{scheme['id']}",
            content=edited.encode(),
            headers={**a.office, "Content-Type": "application/yaml", "If-Match": '"1"'},
        )
        assert put.status_code == 200 and put.json()["name"] == "XX区2023年度考核方案（修订）"
        published = await a.publish(put.json())
        refused(
            await a.client.put(
                f"/api/v1/schemes/{scheme['id']}",
                json=example_document(),
                headers={**a.office, "If-Match": f'"{published["version"]}"'},
            ),
            409,
            "scheme_not_draft",
        )
        refused(
            await a.client.post(
                f"/api/v1/schemes/{again.json()['id']}/publish", headers={**a.office, "If-Match": '"1"'}
            ),
            409,
            "scheme_period_overlap",
        )
        refused(
            await a.client.post(
                f"/api/v1/schemes/{scheme['id']}/close", headers={**a.office, "If-Match": f'"{published["version"]}"'}
            ),
            409,
            "scheme_not_finalized",
        )
