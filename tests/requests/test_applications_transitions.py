"""Every illegal transition is a 409 problem ``illegal_transition``, never a 500 (DESIGN §5):
for each state an application can reach, every action the state table does not allow."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.requests.domain.states import STATES, allowed_actions
from tests.requests.applications_support import Desk, open_desk, problem
from tests.requests.helpers import api

# The API's actions (path under /requests/{id}/) with a valid body; the name is the state table's.
ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "register": ("register", {}),
    "request-correction": ("request-correction", {"note": "请补充文号"}),
    "receive-correction": ("receive-correction", {}),
    "assign": ("assign", {"handler_id": "clerk-2", "handler_name": "赵六"}),
    "start-consultation": ("consultations", {"party": "某公司", "kind": "third_party"}),
    "close-consultation": ("consultations/{cid}/close", {"opinion": "无意见"}),
    "extend": ("extend", {"working_days": 5, "reason": "需调取档案", "approver": "王局长"}),
    "fee-notice": ("fee-notice", {"method": "per_page", "pages": 50}),
    "fee-payment": ("fee-payment", {}),
    "review": ("review", {"opinion": "disclose", "reviewer": "王五"}),
    "reply": ("reply", {"outcome": "disclosed", "legal_basis": "条例第三十六条", "text": "予以公开"}),
    "withdraw": ("withdraw", {"reason": "不再需要"}),
    "archive": ("archive", {}),
    # issue 11: 条例 第三十五条; seed 001
    "request-reasons": ("request-reasons", {"note": "频次明显超过合理范围"}),
    "receive-reasons": ("receive-reasons", {"answer": "课题研究需要"}),
    "defer": ("defer", {"due_on": "2026-12-31", "reason": "涉及120项"}),
    "request-review": ("request-review", {}),
    "report-up": ("report-up", {"to": "市政务公开办"}),
}
SYSTEM_ACTIONS = {"lapse-correction", "lapse-fee", "lapse-consultation", "lapse-reasons"}
API_ACTIONS = set(ACTIONS)


async def in_state(desk: Desk, state: str) -> tuple[str, str | None]:
    """An application walked to ``state`` (and the id of its consultation, if it has one)."""
    cid = None
    if state == "submitted":
        return (await desk.create(channel="online", headers={}))["id"], None
    app_id = (await desk.create(channel="in_person"))["id"]
    if state == "registered":
        return app_id, None
    if state == "correction_requested":
        await desk.act(app_id, "request-correction", {"note": "补充"})
        return app_id, None
    if state == "withdrawn":
        await desk.act(app_id, "withdraw")
        return app_id, None
    await desk.to_in_progress(app_id)
    if state == "consulting":
        cid = (await desk.act(app_id, "consultations", {"party": "p", "kind": "agency"}))["id"]
    elif state == "fee_pending":
        await desk.act(app_id, "fee-notice", {"method": "per_page", "pages": 40})
    elif state in ("review", "replied", "archived"):
        await desk.act(app_id, "review", {"opinion": "disclose", "reviewer": "王五"})
        if state != "review":
            await desk.act(app_id, "reply", ACTIONS["reply"][1])
        if state == "archived":
            await desk.act(app_id, "archive")
    return app_id, cid


@pytest.mark.parametrize("state", STATES)
async def test_every_action_the_state_does_not_allow_is_409_illegal_transition(database_url: str, state: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 9, 28))
        app_id, cid = await in_state(desk, state)
        before = await desk.get(app_id)
        assert before["state"] == state
        # Offered: the table's actions less the system's lapses and used-up limits (issue 9).
        offered = {a["action"] for a in before["allowed_actions"]}
        assert offered <= set(allowed_actions(state)) <= API_ACTIONS | SYSTEM_ACTIONS
        illegal = sorted(API_ACTIONS - set(allowed_actions(state)))
        assert illegal, state
        for action in illegal:
            path, body = ACTIONS[action]
            path = path.format(cid=cid or "00000000-0000-0000-0000-000000000000")
            r = await desk.post(app_id, path, body)
            found = problem(r, 409, "illegal_transition")
            assert found["current_state"] == state and found["action"] == action, found
            assert set(found["allowed_actions"]) == set(allowed_actions(state))
        after = await desk.get(app_id)
        assert after["state"] == state and after["version"] == before["version"]
