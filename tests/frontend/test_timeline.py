"""A timeline a clerk can read (issue 9 item 6): each entry says in words what happened, who did it,
and only the fields that changed; the events follow the action that caused them; identity numbers
masked as everywhere else."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.requests.service.applications.timeline import FIELD_LABELS
from tests.frontend.support import chinese
from tests.requests.applications_support import ID_NUMBER, MASKED, open_desk
from tests.requests.helpers import api


def _one(entries: list[dict[str, Any]], action: str) -> tuple[int, dict[str, Any]]:
    found = [(i, e) for i, e in enumerate(entries) if e["action"] == action]
    assert len(found) == 1, (action, [e["action"] for e in entries])
    return found[0]


async def test_a_timeline_entry_for_each_action_in_words_with_only_the_changed_fields(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 3, 2))
        app_id = (await desk.create(channel="in_person"))["id"]
        desk.today(date(2026, 3, 3))
        await desk.act(app_id, "request-correction", {"note": "请写明所需文件的名称或文号"})
        desk.today(date(2026, 3, 5))
        await desk.act(app_id, "receive-correction")
        await desk.act(app_id, "assign", {"handler_id": "liu.fang", "handler_name": "刘芳"})
        desk.today(date(2026, 3, 6))
        await desk.act(app_id, "extend", {"working_days": 10, "reason": "需调档核实", "approver": "王主任"})
        desk.today(date(2026, 3, 9))
        consultation = await desk.act(
            app_id, "consultations", {"party": "邯郸市宏达建材有限公司", "kind": "third_party"}
        )
        desk.today(date(2026, 3, 12))
        await desk.act(app_id, f"consultations/{consultation['id']}/close", {"opinion": "同意公开"})
        desk.today(date(2026, 3, 13))
        await desk.act(app_id, "fee-notice", {"method": "per_page", "pages": 150})
        desk.today(date(2026, 3, 16))
        await desk.act(app_id, "fee-payment")
        desk.today(date(2026, 3, 18))
        await desk.act(app_id, "review", {"opinion": "disclose", "reviewer": "保密员 赵磊"})
        desk.today(date(2026, 3, 19))
        reply = {"outcome": "disclosed", "legal_basis": "条例第三十六条第（二）项", "text": "予以公开，见附件"}
        await desk.act(app_id, "reply", reply)
        await desk.act(app_id, "archive")

        staff_view = (await a.client.get(f"/api/v1/requests/{app_id}/timeline", headers=desk.headers)).json()
        r = await a.client.get(f"/api/v1/requests/{app_id}/timeline", headers=a.auth("office"))
        assert r.status_code == 200, r.text
        entries = r.json()
        for entry in entries:
            assert entry["at"].endswith("+08:00") and chinese(entry["label"]) and chinese(entry["summary"]), entry
            for change in entry["changes"]:
                assert change["field"] in FIELD_LABELS and change["before"] != change["after"], change
                assert chinese(change["label"])
            if entry["kind"] != "event":
                assert set(entry["after"] or {}) == {c["field"] for c in entry["changes"]}

        _, created = _one(entries, "application.created")
        assert created["summary"].startswith("收到申请（当面提交），申请人 张三（自然人），答复期限至 2026-03-30")
        assert created["after"]["applicant_id_number"] == MASKED  # masked as elsewhere, not ***
        assert _one(staff_view, "application.created")[1]["after"]["applicant_id_number"] == ID_NUMBER

        i, notice = _one(entries, "application.request-correction")
        assert notice["summary"].startswith("补正告知：请写明所需文件的名称或文号（补正期限至 ")
        assert {c["field"] for c in notice["changes"]} <= {"state", "due_on", "clock_running", "correction_lapse_on"}
        assert entries[i + 1]["action"] == "event:request.correction_requested"  # the event after its action
        assert all(e["action"] != "application.correction_note" for e in entries)  # folded into the notice

        _, assigned = _one(entries, "application.assign")
        assert assigned["summary"] == "分派承办人 刘芳" and assigned["actor"] == "clerk-1"
        assert {c["field"] for c in assigned["changes"]} == {"state", "handler_id", "handler_name"}

        i, extended = _one(entries, "application.extend")
        due = extended["after"]["due_on"]
        assert extended["summary"].startswith(f"延期 10 个工作日（至 {due}），审批人 王主任")
        assert [c["field"] for c in extended["changes"]] == ["due_on"]
        assert entries[i + 1]["action"] == "event:request.extended" and entries[i + 1]["kind"] == "event"

        _, consulted = _one(entries, "application.start-consultation")
        assert consulted["summary"].startswith("征求第三方意见：邯郸市宏达建材有限公司")
        _, closed = _one(entries, "application.close-consultation")
        assert closed["summary"] == "征求意见结束：邯郸市宏达建材有限公司，意见：同意公开"
        _, fee = _one(entries, "application.fee-notice")
        assert fee["summary"].startswith("收费通知：按量计收，") and " 元，缴费期限至 " in fee["summary"]
        _, review = _one(entries, "application.review")
        assert review["summary"] == "保密审查意见：同意公开，审查人 保密员 赵磊"
        i, replied = _one(entries, "application.reply")
        assert replied["summary"] == "答复：予以公开；依据 条例第三十六条第（二）项"
        assert entries[i + 1]["action"] == "event:request.replied"
        _, archived = _one(entries, "application.archive")
        assert archived["summary"] == "归档：状态 已归档，归档日期 2026-03-19" and [
            c["field"] for c in archived["changes"]
        ] == ["state", "archived_on"]
