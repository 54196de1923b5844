"""Labels (issue 9 item 3): every code the APIs return is in ``GET /api/v1/labels`` with its Chinese
label — found by walking the OpenAPI enums of all five services — and the JSON annual report
carries its row and column labels beside the codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from services.embedded import spec_of
from services.requests.domain.deadlines import Period
from services.requests.domain.states import ACTIONS, STATES
from shared.settings import SERVICE_NAMES
from tests.frontend.support import chinese, client_of, embedded, is_problem
from tests.requests.applications_support import unit_json
from tests.requests.helpers import api


def _enums(node: Any, where: str = "") -> set[tuple[str, str]]:
    """Every (value, where) of an ``enum`` or ``const`` anywhere in an OpenAPI document."""
    found: set[tuple[str, str]] = set()
    if isinstance(node, dict):
        for value in node.get("enum", []):
            found.add((str(value), where))
        if "const" in node:
            found.add((str(node["const"]), where))
        for key, child in node.items():
            found |= _enums(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found |= _enums(child, f"{where}/{index}")
    return found


def _codes(labels: dict[str, Any]) -> set[str]:
    return {item["code"] for labelled in labels["sets"].values() for item in labelled["items"]}


async def test_every_enum_in_the_openapi_of_all_five_services_is_in_labels(tmp_path: Path) -> None:
    app, _ = embedded(tmp_path)
    async with client_of(app) as client:
        labels = (await client.get("/api/v1/labels")).json()
        document = (await client.get("/openapi.json")).json()
    for name in SERVICE_NAMES:  # the walk covers every service's paths
        prefixes = spec_of(name).path_prefixes
        assert any(path.startswith(prefixes) for path in document["paths"]), name
    enums = _enums(document)
    values = {value for value, _ in enums}
    assert len(values) > 50
    # a code of each service: application, sheet, campaign, case and order states, delivery status
    assert {"in_progress", "self_assessed", "published", "investigating", "submitted", "dead"} <= values
    missing = sorted({(value, where) for value, where in enums if value not in _codes(labels)})
    assert not missing, f"codes in the OpenAPI without a label in /api/v1/labels: {missing[:20]}"


async def test_every_label_is_chinese_and_each_set_says_what_it_is(tmp_path: Path) -> None:
    app, _ = embedded(tmp_path)
    async with client_of(app) as client:
        r = await client.get("/api/v1/labels")
        assert r.status_code == 200 and r.headers["cache-control"].startswith("public")
        again = await client.get("/api/v1/labels", headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304
    sets = r.json()["sets"]
    for name, labelled in sets.items():
        assert chinese(labelled["title"]), name
        for item in labelled["items"]:
            assert name == "problem" or chinese(item["label"]), (name, item)
    outcomes = {i["code"]: i for i in sets["outcome"]["items"]}
    assert outcomes["withheld.third_party_rights"] == {
        "code": "withheld.third_party_rights",
        "label": "保护第三方合法权益",
        "group": "不予公开",
        "source": "条例 第十五条",
    }
    assert sets["channel"]["source"] == "条例 第二十九条, 第三十一条"
    assert {"hotline_12345", "provincial"} <= {i["code"] for i in sets["channel"]["items"]}


async def test_the_codes_the_applications_api_returns_are_labelled(tmp_path: Path) -> None:
    app, _ = embedded(tmp_path)
    async with client_of(app) as client:
        sets = (await client.get("/api/v1/labels")).json()["sets"]
    codes = {name: {i["code"] for i in labelled["items"]} for name, labelled in sets.items()}
    assert set(STATES) <= codes["application_state"]
    assert set(ACTIONS) <= codes["application_action"]
    assert (
        set(get_args(Period.__annotations__["kind"])) <= codes["deadline_period_kind"]
        or set(get_args(Period.__dataclass_fields__["kind"].type)) <= codes["deadline_period_kind"]
    )
    assert {"holiday", "weekend", "makeup_workday"} <= codes["day_kind"]
    assert {"applicant", "handler", "office", "integration"} <= codes["role"]
    assert {"received", "concluded_total", "carried_over_to_next_year"} <= codes["report_row"]
    problems = {i["code"]: i["label"] for i in sets["problem"]["items"]}
    for code in (
        "validation_failed",
        "illegal_transition",
        "extension_already_granted",
        "correction_notice_late",
        "cors_preflight_refused",
        "dev_token_invalid",
        "not_found",
        "precondition_failed",
    ):
        assert chinese(problems.get(code)), code


async def test_the_json_annual_report_carries_its_labels_and_an_unknown_unit_is_422(database_url: str) -> None:
    async with api(database_url) as a:
        office = a.auth("office")
        assert (await a.client.put("/api/v1/units/U001", json=unit_json("市财政局"), headers=office)).status_code == 201
        r = await a.client.get("/api/v1/reports/annual/2026", params={"unit_code": "U001"}, headers=office)
        assert r.status_code == 200, r.text
        report = r.json()
        labels = report["labels"]
        assert set(labels["table3_rows"]) == set(report["table3"]["rows"])
        assert labels["table3_rows"]["received"] == "一、本年新收政府信息公开申请数量"
        assert labels["table3_rows"]["withheld.state_secret"] == "三、本年度办理结果 — 不予公开 — 属于国家秘密"
        assert set(labels["table3_columns"]) == set(report["table3"]["rows"]["received"])
        assert set(labels["table4_columns"]) == set(report["table4"])
        assert all(chinese(v) for group in labels.values() for v in group.values())
        unknown = await a.client.get("/api/v1/reports/annual/2026", params={"unit_code": "U404"}, headers=office)
        body = is_problem(unknown, 422)
        assert body["errors"][0]["field"] == "query.unit_code" and "U001（市财政局）" in body["errors"][0]["message"]
