"""Errors in Chinese (issue 9 item 7): every validation message in Chinese with the field's Chinese
name (the English kept apart), unknown filter values named with the allowed ones, a handler token
without units told so — and malformed input of any shape a 4xx problem+json."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from shared.validation_messages import COMMON_FIELD_LABELS, chinese_name
from tests.frontend.support import chinese, embedded, is_problem
from tests.requests.applications_support import application_json, open_desk
from tests.requests.helpers import api

BAD_BODIES = [
    ("/api/v1/requests", {}),
    ("/api/v1/requests", {"unit_code": "", "channel": "telegram", "applicant": {"type": "robot", "name": ""}}),
    ("/api/v1/requests", application_json("U001", "in_person", received_at="yesterday", extra=1)),
    ("/api/v1/requests", application_json("U001", "in_person", applicant={"phone": "call me", "email": "nope"})),
    ("/api/v1/requests", [1, 2, 3]),
    ("/api/v1/_dev/token", {"sub": "", "roles": ["mayor"], "unit_codes": ["bad code!"], "ttl_seconds": 5}),
]


async def test_a_validation_error_is_all_in_chinese_with_the_english_kept_apart(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 3, 2))
        app_id = (await desk.create())["id"]
        posts = [*BAD_BODIES]
        posts += [(f"/api/v1/requests/{app_id}/extend", {"working_days": 21, "reason": "", "approver": 7})]
        posts += [(f"/api/v1/requests/{app_id}/reply", {"outcome": "maybe", "on": "2026-02-30"})]
        posts += [(f"/api/v1/requests/{app_id}/fee-notice", {"method": "per_kilo", "pages": -1})]
        for path, body in posts:
            r = await a.client.post(path, json=body, headers={**desk.headers, "If-Match": '"1"'})
            problem = is_problem(r, 422)
            assert problem["code"] == "validation_failed" and chinese(problem["detail"]), problem
            for error in problem["errors"]:
                assert chinese(error["message"]) and chinese(error["field_label"]), (path, error)
                assert error["message_en"] and error["message_en"] != error["message"], error
        r = await a.client.post("/api/v1/requests", json={"channel": "telegram"})
        channel = next(e for e in r.json()["errors"] if e["field"] == "body.channel")
        assert channel["field_label"] == "申请渠道" and "hotline_12345（12345热线）" in channel["message"]
        r = await a.client.post(f"/api/v1/requests/{app_id}/extend", json={"working_days": 21}, headers=desk.headers)
        days = next(e for e in r.json()["errors"] if e["field"] == "body.working_days")
        assert days["message"] == "延长的工作日数不能大于 20" and days["type"] == "less_than_equal"


async def test_unknown_filter_values_are_422_naming_the_allowed_ones(database_url: str) -> None:
    async with api(database_url) as a:
        office = a.auth("office")
        for field, value, allowed in (
            ("state", "bogus", "registered（已登记）"),
            ("channel", "pigeon", "hotline_12345（12345热线）"),
            ("applicant_type", "alien", "natural_person（自然人）"),
        ):
            r = await a.client.get("/api/v1/requests", params={field: value}, headers=office)
            problem = is_problem(r, 422)
            assert problem["errors"][0]["field"] == f"query.{field}" and allowed in problem["errors"][0]["message"]
            assert value in problem["detail"] and allowed.split("（")[0] in problem["allowed"]
        ok = await a.client.get("/api/v1/requests", params={"state": "registered"}, headers=office)
        assert ok.status_code == 200


async def test_a_handler_token_without_units_is_told_so(database_url: str) -> None:
    async with api(database_url) as a:
        problem = is_problem(await a.client.get("/api/v1/requests", headers=a.auth("handler")), 403)
        assert "令牌中没有所属单位" in problem["detail"]


async def test_malformed_input_of_any_shape_is_a_4xx_problem(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 3, 2))
        app_id = (await desk.create())["id"]
        h = desk.headers
        sent = [
            await a.client.post(
                "/api/v1/requests", content=b"{not json", headers={**h, "Content-Type": "application/json"}
            ),
            await a.client.post(
                "/api/v1/requests", content=b"unit_code=U001", headers={**h, "Content-Type": "text/plain"}
            ),
            await a.client.post(
                "/api/v1/requests", content=b"\xff\xfe\x00", headers={**h, "Content-Type": "application/json"}
            ),
            await a.client.post("/api/v1/requests", json="a string", headers=h),
            await a.client.post("/api/v1/requests", json={"unit_code": "U001\u0000"}, headers=h),
            await a.client.post(f"/api/v1/requests/{app_id}/extend", json={"working_days": 10**40}, headers=h),
            await a.client.get("/api/v1/requests", params={"limit": "many", "due_before": "soon"}, headers=h),
            await a.client.get("/api/v1/requests", params={"cursor": "%%%"}, headers=h),
            await a.client.get(f"/api/v1/requests/{app_id}", headers={"Authorization": "Basic abc"}),
            await a.client.get("/api/v1/requests/not-an-id", headers=h),
            await a.client.delete(f"/api/v1/requests/{app_id}", headers=h),
            await a.client.get("/api/v1/reports/annual/99999", params={"unit_code": "U001"}, headers=h),
        ]
        for r in sent:
            is_problem(r)


async def test_a_problem_detail_names_codes_by_their_chinese_labels_only(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 3, 2))
        app_id = (await desk.create())["id"]
        problem = is_problem(await desk.post(app_id, "archive"), 409)
        assert problem["code"] == "illegal_transition" and problem["current_state"] == "registered"
        # labels only: the codes are in the machine-readable members
        assert "状态 已登记 不允许操作 归档" in problem["detail"] and "registered" not in problem["detail"]
        assert problem["action"] == "archive" and "assign" in problem["allowed_actions"]


def test_every_field_a_client_sends_has_a_chinese_name(tmp_path: Path) -> None:
    """Each field of every request body and each query and path parameter of all five services is
    named in Chinese in a 422 (its schema's title or description, else the table in
    ``shared.validation_messages``), never as ``字段「ratio」``."""
    app, _ = embedded(tmp_path)
    document = app.openapi()
    components = document["components"]["schemas"]

    def resolved(schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def named(name: str, *described: dict[str, Any]) -> bool:
        texts = [d.get(key) for d in described for key in ("title", "description")]
        return any(chinese_name(t) for t in texts) or name.lower() in COMMON_FIELD_LABELS

    unnamed: set[str] = set()

    def walk(schema: dict[str, Any], where: str, seen: set[str]) -> None:
        schema = resolved(schema)
        for option in schema.get("anyOf", []):
            walk(option, where, seen)
        if schema.get("type") == "array":
            walk(schema.get("items", {}), where, seen)
        for name, field in (schema.get("properties") or {}).items():
            if not named(name, field, resolved(field)):
                unnamed.add(f"{where}: {name}")
            if f"{where}.{name}" not in seen:
                walk(field, where, seen | {f"{where}.{name}"})

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path") and not named(
                    parameter["name"], parameter, parameter["schema"]
                ):
                    unnamed.add(f"{where}: {parameter['name']}")
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if body:
                walk(body.get("schema", {}), where, set())
    assert not unnamed, "no Chinese name (describe the field, or add it to COMMON_FIELD_LABELS):\n" + "\n".join(
        sorted(unnamed)
    )
