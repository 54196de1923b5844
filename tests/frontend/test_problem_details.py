"""Problem details in words (issue 9 item 7): a walk over the problems a sample of each service's
endpoints raises — validation, unknown filter values, illegal steps, missing resources, refusals —
asserting that every ``detail`` is a Chinese sentence naming codes by their labels only (no
snake_case codes, no vocabulary code) and instants in Beijing time (no raw UTC), while the codes stay
in the machine-readable members (``errors``, ``allowed``, ``current_state``, ``allowed_actions``)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from shared.auth import mint_dev_token
from tests.foundation import serving
from tests.frontend.support import chinese, embedded, is_problem
from tests.requests.applications_support import application_json, unit_json

# A code as the APIs write it: snake_case or dotted (``in_progress``, ``withheld.state_secret``).
SNAKE_CODE = re.compile(r"(?<![\w.\-])[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+(?![\w\-])")
WORD = re.compile(r"(?<![\w\-])[a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*(?![\w\-])")
UTC_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|\+00:00)")
# What the caller sent, quoted back (「bogus」), is theirs, not an internal code.
QUOTED = re.compile(r"「[^」]*」")


def _codes_in(detail: str, vocabulary: set[str]) -> list[str]:
    text = QUOTED.sub("", detail)
    return SNAKE_CODE.findall(text) + [w for w in WORD.findall(text) if w in vocabulary and len(w) > 3]


async def _vocabulary(client: httpx.AsyncClient) -> set[str]:
    sets = (await client.get("/api/v1/labels")).json()["sets"]
    return {item["code"] for labelled in sets.values() for item in labelled["items"]}


async def test_problem_details_of_every_service_are_sentences_without_codes_or_utc(tmp_path: Path) -> None:
    app, settings = embedded(tmp_path, run_background_jobs=False)

    def auth(*roles: str, units: tuple[str, ...] = ()) -> dict[str, str]:
        token = mint_dev_token(settings, sub=f"{roles[0]}-1", name="测试", roles=list(roles), unit_codes=list(units))
        return {"Authorization": f"Bearer {token}"}

    office, inspector, admin = auth("office"), auth("inspector"), auth("admin")
    stale = {"If-Match": '"999"'}
    async with serving(app) as client:
        assert (await client.put("/api/v1/units/U001", json=unit_json(), headers=office)).status_code == 201
        application = (await client.post("/api/v1/requests", json=application_json(), headers=office)).json()
        case = await client.post(
            "/api/v1/cases",
            json={"unit_code": "U001", "violations": ["application_mishandled"], "facts": "逾期答复政府信息公开申请"},
            headers=inspector,
        )
        assert case.status_code == 201, case.text
        case_id, app_id = case.json()["id"], application["id"]
        order = await client.post(
            "/api/v1/rectification-orders",
            json={"unit_code": "U001", "problems": ["申请登记台账不完整"]},
            headers=inspector,
        )
        assert order.status_code == 201, order.text
        sent: list[httpx.Response] = [
            # requests
            await client.get("/api/v1/requests", params={"state": "bogus"}, headers=office),
            await client.post("/api/v1/requests", json={"channel": "telegram"}, headers=office),
            await client.post(f"/api/v1/requests/{app_id}/archive", json={}, headers={**office, "If-Match": '"1"'}),
            await client.post(f"/api/v1/requests/{app_id}/extend", json={"working_days": 21}, headers=office),
            await client.get("/api/v1/requests", headers=auth("handler")),
            await client.get("/api/v1/requests/00000000-0000-0000-0000-000000000000", headers=office),
            # scoring
            await client.get("/api/v1/sheets", params={"state": "bogus"}, headers=office),
            await client.get("/api/v1/schemes", params={"state": "bogus"}, headers=office),
            await client.post("/api/v1/schemes", json={"year": 2026}, headers=office),
            await client.post("/api/v1/sheets/x/entries", json={"indicator": "A1", "ratio": 2}, headers=office),
            await client.get("/api/v1/schemes/nope", headers=office),
            # appraisal
            await client.get("/api/v1/campaigns", params={"state": "bogus"}, headers=office),
            await client.post(
                "/api/v1/campaigns",
                json={"year": 2026, "name": "评议", "methods": [{"method": "mail", "weight": "0.5"}]},
                headers=office,
            ),
            await client.get("/api/v1/campaigns/00000000-0000-0000-0000-000000000000", headers=office),
            # accountability
            await client.get("/api/v1/cases", params={"state": "bogus"}, headers=inspector),
            await client.post("/api/v1/cases", json={"unit_code": "U001", "violations": ["late"]}, headers=inspector),
            await client.post(f"/api/v1/cases/{case_id}/close", headers={**inspector, "If-Match": '"1"'}),
            await client.post(f"/api/v1/cases/{case_id}/investigate", headers={**inspector, **stale}),
            await client.post(
                f"/api/v1/cases/{case_id}/decide",
                json={"facts": "未按时公开"},
                headers={**inspector, "If-Match": '"1"'},
            ),
            await client.post("/api/v1/rectification-orders/nope/accept", json={}, headers=inspector),
            await client.post(
                f"/api/v1/rectification-orders/{order.json()['id']}/accept",
                json={},
                headers={**inspector, "If-Match": '"1"'},
            ),
            await client.get(f"/api/v1/cases/{case_id}", headers=auth("handler", units=("U002",))),
            # notifier
            await client.get("/api/v1/notifications", params={"status": "bogus"}, headers=admin),
            await client.post(
                "/api/v1/webhooks", json={"name": "x", "url": "ftp://x", "target": "pager"}, headers=admin
            ),
            await client.post("/api/v1/subscriptions", json={}, headers=office),
            await client.post("/api/v1/notifications/templates/nope/sms/preview", json={}, headers=admin),
        ]
        vocabulary = await _vocabulary(client)
    failures, statuses = [], set()
    for r in sent:
        if not 400 <= r.status_code < 500:
            failures.append(f"{r.request.method} {r.request.url}: {r.status_code}, not a 4xx problem")
            continue
        problem = is_problem(r)
        statuses.add(r.status_code)
        detail = problem["detail"]
        where = f"{r.request.method} {r.request.url.path} {r.status_code} {problem['code']}: {detail}"
        if detail is not None and (not chinese(detail) or _codes_in(detail, vocabulary) or UTC_INSTANT.search(detail)):
            failures.append(f"{where} — {_codes_in(detail, vocabulary)}")
    assert not failures, "\n".join(failures)
    assert {403, 404, 409, 412, 422} <= statuses, statuses
