"""Buttons that name their URLs in the newer services (issue 9 item 4): a score sheet's, a campaign's
and a case's ``allowed_actions`` are ``{action, method, href, label}`` links, each called exactly as
given (with the resource's ETag and the body its OpenAPI example shows) until the workflow ends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from services.accountability.schemas.examples import EXAMPLES as CASE_BODIES
from services.scoring.schemas.examples import SCHEME_DOCUMENT
from shared.auth import mint_dev_token
from tests.foundation import serving
from tests.frontend.support import chinese, embedded, is_problem
from tests.requests.applications_support import unit_json

# The body each action's route takes (none: the action needs nothing).
BODIES: dict[str, dict[str, Any]] = {"decide": CASE_BODIES["DecisionIn"][0]}


class Buttons:
    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], resource: str) -> None:
        self.client, self.headers, self.resource = client, headers, resource
        self.pressed: list[str] = []

    async def offered(self, headers: dict[str, str] | None = None) -> tuple[dict[str, dict[str, Any]], str]:
        r = await self.client.get(self.resource, headers=headers or self.headers)
        assert r.status_code == 200, r.text
        links = r.json()["allowed_actions"]
        for link in links:
            assert set(link) == {"action", "method", "href", "label"} and link["method"] == "POST", link
            assert link["href"].startswith("/api/v1/") and chinese(link["label"]), link
        return {link["action"]: link for link in links}, r.headers["ETag"]

    async def press(self, action: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        links, tag = await self.offered(headers)
        assert action in links, (action, sorted(links))
        r = await self.client.post(
            links[action]["href"], json=BODIES.get(action), headers={**(headers or self.headers), "If-Match": tag}
        )
        assert r.status_code == 200, (action, r.text)
        self.pressed.append(action)
        return dict(r.json())


async def test_the_links_of_sheets_campaigns_and_cases_are_callable_as_given(tmp_path: Path) -> None:
    app, settings = embedded(tmp_path, run_background_jobs=False)

    def auth(role: str, *units: str) -> dict[str, str]:
        token = mint_dev_token(settings, sub=f"{role}-1", name="王静", roles=[role], unit_codes=list(units))
        return {"Authorization": f"Bearer {token}"}

    office, inspector = auth("office"), auth("inspector")
    app.state.clock.set(datetime(2026, 12, 2, 2, 0, tzinfo=UTC), frozen=True)
    async with serving(app) as client:
        for code in SCHEME_DOCUMENT["categories"][0]["units"]:
            assert (await client.put(f"/api/v1/units/{code}", json=unit_json(), headers=office)).status_code == 201

        # A case: investigate, hear (a waiver), assess, decide, close.
        case = await client.post("/api/v1/cases", json=CASE_BODIES["CaseCreate"][0], headers=inspector)
        assert case.status_code == 201, case.text
        buttons = Buttons(client, inspector, f"/api/v1/cases/{case.json()['id']}")
        await buttons.press("investigate")
        await buttons.press("start-hearing")
        for step, body in (
            ("statements", CASE_BODIES["StatementIn"][1]),
            ("assessment", {"severity": "minor", "approval": "none"}),
        ):
            _, tag = await buttons.offered()
            r = await client.post(f"{buttons.resource}/{step}", json=body, headers={**inspector, "If-Match": tag})
            assert r.status_code == 200, r.text
        await buttons.press("decide")
        assert {"appeal", "close"} <= set((await buttons.offered())[0])
        closed = await buttons.press("close")
        assert closed["state"] == "closed" and closed["allowed_actions"] == []

        # A campaign: open, close after its window, publish.
        created = await client.post(
            "/api/v1/campaigns", json={**CASE_UNITS_CAMPAIGN, "min_responses": 0}, headers=office
        )
        assert created.status_code == 201, created.text
        campaign = Buttons(client, office, f"/api/v1/campaigns/{created.json()['id']}")
        await campaign.press("open")
        app.state.clock.set(datetime(2027, 1, 5, 2, 0, tzinfo=UTC), frozen=True)
        await campaign.press("close")
        published = await campaign.press("publish")
        assert published["state"] == "published" and published["allowed_actions"] == []

        # A score sheet: the unit submits its self-check, the assessors their review.
        app.state.clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC), frozen=True)
        scheme = (await client.post("/api/v1/schemes", json=SCHEME_DOCUMENT, headers=office)).json()
        for _ in range(200):  # the scoring service's replica of the units fills from events
            r = await client.post(f"/api/v1/schemes/{scheme['id']}/publish", headers={**office, "If-Match": '"1"'})
            if r.status_code == 200:
                break
            await asyncio.sleep(0.05)
        assert r.status_code == 200, r.text
        sheets = (await client.get("/api/v1/sheets", params={"unit_code": "HD-CZJ"}, headers=office)).json()["items"]
        sheet = Buttons(client, auth("handler", "HD-CZJ"), f"/api/v1/sheets/{sheets[0]['id']}")
        self_assess = (await sheet.offered())[0]["self_assess"]["href"]
        await sheet.press("self_assess")
        # Pressed twice (a stale page): the 409 says it in words, the codes in its members.
        again = await client.post(self_assess, headers={**sheet.headers, "If-Match": (await sheet.offered())[1]})
        problem = is_problem(again, 409)
        assert "提交自查" in problem["detail"] and "已自查" in problem["detail"], problem
        assert "self_assess" not in problem["detail"] and problem["current_state"] == "self_assessed"
        reviewed = await sheet.press("review", auth("assessor"))
        assert reviewed["state"] == "reviewed"


# The campaign of the appraisal examples, on the units the test made.
CASE_UNITS_CAMPAIGN: dict[str, Any] = {
    "year": 2026,
    "name": "2026年度政务公开工作社会评议",
    "target_units": ["HD-CZJ", "HD-STHJ"],
    "methods": [{"method": "public", "weight": "1"}],
    "opens_at": "2026-12-01T09:00:00+08:00",
    "closes_at": "2026-12-31T17:30:00+08:00",
}
