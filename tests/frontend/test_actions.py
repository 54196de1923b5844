"""Actions that name their URLs (issue 9 item 4): ``allowed_actions`` is a list of ``{action,
method, href, label}`` a button calls as it is — consultations and their closing included — and
an action whose limit is used up (the one extension, the one correction notice) is not offered.

Two walks on the real 2026 calendar take every step through an ``href`` read from the application
itself; every kind of action offered on the way is called at least once, each answering 2xx."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.frontend.support import chinese
from tests.requests.applications_support import Desk, open_desk
from tests.requests.helpers import Api, api

BODIES: dict[str, dict[str, Any]] = {
    "register": {},
    "request-correction": {"note": "请写明所需文件的名称或文号", "allowed_working_days": 10},
    "receive-correction": {},
    "assign": {"handler_id": "liu.fang", "handler_name": "刘芳"},
    "extend": {"working_days": 10, "reason": "需调取多个年度的档案", "approver": "王主任"},
    "start-consultation": {"party": "邯郸市宏达建材有限公司", "kind": "third_party"},
    "close-consultation": {"opinion": "同意公开"},
    "fee-notice": {"method": "per_page", "pages": 150},
    "fee-payment": {},
    "request-review": {},
    "review": {"opinion": "withhold", "reviewer": "保密员 赵磊", "reason": "属于内部事务信息"},
    "reply": {"outcome": "withheld.internal_affairs", "legal_basis": "条例第十六条第一款", "text": "不予公开"},
    "report-up": {"to": "邯郸市人民政府办公室"},
    "archive": {},
    "request-reasons": {"note": "本月已提交40件内容相近的申请", "allowed_working_days": 10},
    "receive-reasons": {"answer": "用于课题研究，需要逐年比对"},
    "defer": {"due_on": "2026-06-30", "reason": "涉及十年档案，需逐件检索"},
    "withdraw": {"reason": "申请人书面撤回"},
}


class Walk:
    def __init__(self, a: Api, desk: Desk, app_id: str) -> None:
        self.a, self.desk, self.app_id = a, desk, app_id
        self.offered: set[str] = set()
        self.called: set[str] = set()

    async def actions(self) -> dict[str, dict[str, Any]]:
        app = await self.desk.get(self.app_id)
        for action in app["allowed_actions"]:
            assert action["method"] == "POST" and action["href"].startswith(f"/api/v1/requests/{self.app_id}/")
            assert chinese(action["label"]), action
            assert not action["action"].startswith("lapse-"), "the system's lapses are no button"
        self.offered |= {action["action"] for action in app["allowed_actions"]}
        return {action["action"]: action for action in app["allowed_actions"]}

    async def take(self, action: str, day: date) -> dict[str, Any]:
        """Calls ``action`` exactly as the application offers it."""
        self.desk.today(day)
        offered = await self.actions()
        assert action in offered, (action, sorted(offered))
        r = await self.a.client.post(
            offered[action]["href"],
            json=BODIES[action],
            headers={**self.desk.headers, "If-Match": self.desk.etags[self.app_id]},
        )
        assert r.status_code in (200, 201), (action, r.status_code, r.text)
        assert r.headers.get("etag"), action  # the application's new ETag, sub-resources included
        self.called.add(action)
        return r.json()


async def test_every_offered_action_is_callable_as_given_and_used_up_limits_are_not_offered(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 3, 2))
        walk = Walk(a, desk, (await desk.create(channel="in_person"))["id"])
        online = await desk.create(channel="online", headers={})  # a citizen, without an account
        await walk.take("request-correction", date(2026, 3, 3))
        await walk.take("receive-correction", date(2026, 3, 5))
        assert "request-correction" not in await walk.actions()  # 条例 第三十条: one notice
        await walk.take("assign", date(2026, 3, 5))
        extended = await walk.take("extend", date(2026, 3, 6))
        assert "extend" not in await walk.actions()  # 条例 第三十三条: once
        # … and the action's own answer says so already, as a read does
        assert "extend" not in {action["action"] for action in extended["allowed_actions"]}
        consultation = await walk.take("start-consultation", date(2026, 3, 9))
        closing = (await walk.actions())["close-consultation"]
        assert closing["href"].endswith(f"/consultations/{consultation['id']}/close")
        assert consultation["party"] in closing["label"]
        await walk.take("close-consultation", date(2026, 3, 12))
        assert "close-consultation" not in await walk.actions()
        await walk.take("fee-notice", date(2026, 3, 13))
        assert "fee-notice" not in await walk.actions()
        await walk.take("fee-payment", date(2026, 3, 16))
        assert "fee-payment" not in await walk.actions()
        await walk.take("request-review", date(2026, 3, 17))
        await walk.take("review", date(2026, 3, 18))
        await walk.take("reply", date(2026, 3, 19))
        await walk.take("report-up", date(2026, 3, 20))
        assert "report-up" not in await walk.actions()  # seed 001: reported once
        await walk.take("archive", date(2026, 3, 23))
        assert await walk.actions() == {}

        second = Walk(a, Desk(a, a.auth("office", sub="office-2")), online["id"])
        await second.take("register", date(2026, 3, 3))
        await second.take("request-reasons", date(2026, 3, 4))
        assert "request-reasons" not in await second.actions() and "defer" not in await second.actions()
        await second.take("receive-reasons", date(2026, 3, 9))
        assert "receive-reasons" not in await second.actions()
        await second.take("defer", date(2026, 3, 10))
        assert "defer" not in await second.actions()
        await second.take("withdraw", date(2026, 3, 11))

        offered = walk.offered | second.offered
        assert offered <= set(BODIES), f"add a body for {sorted(offered - set(BODIES))}"
        assert offered <= walk.called | second.called, (
            f"offered, never called: {sorted(offered - walk.called - second.called)}"
        )
