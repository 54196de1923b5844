"""Issue 11, items 7–10: rules of the sources that had no home — 条例 第三十五条 (reasons, deferral,
``not_processed.unreasonable_volume``), 第三十六条(六) (a possible repeat, flagged), 第三十一条
(``request.unconfirmed``), seed 001 (the 保密审查 opinion in 15 working days; a refusal reported up
within 5). Real 2026 dates: received 2026-03-02 (Mon) → due 2026-03-30."""

from __future__ import annotations

from datetime import date

from tests.requests.applications_support import Desk, open_desk, problem
from tests.requests.helpers import Api, api

D = date
REPLY = {"legal_basis": "条例第三十五条", "text": "答复"}
RECEIVED = D(2026, 3, 2)


async def sweep(a: Api, desk: Desk, day: date) -> dict:
    desk.today(day)
    r = await a.client.post("/api/v1/admin/requests/sweeps/deadlines", headers=a.auth("office"))
    assert r.status_code == 200, r.text
    return r.json()


async def in_progress(desk: Desk, day: date = RECEIVED, **overrides: object) -> str:
    desk.today(day)
    app = await desk.create(channel="in_person", **overrides)
    await desk.to_in_progress(app["id"])
    return app["id"]


async def reply(desk: Desk, app_id: str, outcome: str, opinion: str = "withhold", **extra: object) -> dict:
    await desk.act(app_id, "review", {"opinion": opinion, "reviewer": "保密办"})
    return await desk.act(app_id, "reply", {**REPLY, "outcome": outcome, **extra})


# -- 7: 条例 第三十五条 ---------------------------------------------------------------------------------


async def test_art_35_reasons_pause_the_clock_until_the_answer(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        app_id = await in_progress(desk)
        desk.today(D(2026, 3, 4))
        asked = await desk.act(
            app_id, "request-reasons", {"note": "本月已提出40件同类申请", "allowed_working_days": 10}
        )
        assert asked["state"] == "in_progress" and asked["clock_running"] is False
        assert asked["reasons"]["due_on"] == "2026-03-18"
        problem(await desk.post(app_id, "request-reasons", {"note": "再次"}), 409, "reasons_already_requested")
        desk.today(D(2026, 3, 9))
        answered = await desk.act(app_id, "receive-reasons", {"answer": "课题研究需要"})
        # (03-04, 03-09] excludes 3 working days: due 03-30 → 04-02.
        assert answered["clock_running"] is True and answered["due_on"] == "2026-04-02"
        d = await desk.deadline(app_id)
        line = next(p for p in d["periods"] if p["kind"] == "reasons")
        assert line["working_days"] == 3 and "第三十五条" in line["note"]
        assert next(o for o in d["obligations"] if o["kind"] == "reasons")["status"] == "done"


async def test_art_35_unanswered_reasons_lapse_at_the_end_of_the_period_the_office_set(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        app_id = await in_progress(desk)
        desk.today(D(2026, 3, 4))
        await desk.act(app_id, "request-reasons", {"note": "频次明显超过合理范围", "allowed_working_days": 5})
        assert (await sweep(a, desk, D(2026, 3, 11)))["reasons_lapsed"] == 0  # 03-11: the 5th working day
        assert (await sweep(a, desk, D(2026, 3, 12)))["reasons_lapsed"] == 1
        now = await desk.get(app_id)
        assert now["reasons"]["lapsed_on"] == "2026-03-11" and now["clock_running"] is True
        assert now["due_on"] == "2026-04-07"  # 03-30 + the 5 paused working days, 清明 04-04..06 skipped


async def test_art_35_unreasonable_volume_needs_reasons_first_and_counts_in_row_4_of_not_processed(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        never_asked, asked = await in_progress(desk), await in_progress(desk)
        desk.today(D(2026, 3, 4))
        r = await desk.post(never_asked, "review", {"opinion": "withhold", "reviewer": "保密办"})
        assert r.status_code == 200
        r = await desk.post(never_asked, "reply", {**REPLY, "outcome": "not_processed.unreasonable_volume"})
        problem(r, 409, "reasons_not_requested")
        await desk.act(asked, "request-reasons", {"note": "频次明显超过合理范围"})
        desk.today(D(2026, 3, 6))
        await desk.act(asked, "receive-reasons", {"answer": "无"})
        out = await reply(desk, asked, "not_processed.unreasonable_volume")
        assert out["outcome"] == "not_processed.unreasonable_volume" and out["on_time"] is True
        replied = await a.events("request.replied")
        assert replied[-1]["data"]["outcome"] == "not_processed.unreasonable_volume"
        report = await a.client.get(
            "/api/v1/reports/annual/2026", params={"unit_code": "U001"}, headers=a.auth("office")
        )
        rows = report.json()["table3"]["rows"]
        assert rows["not_processed.excessive"]["total"] == 1 and "not_processed.unreasonable_volume" not in rows


async def test_art_35_a_deferred_due_date_has_no_cap_is_explained_and_a_reply_by_it_is_on_time(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        app_id = await in_progress(desk)
        desk.today(D(2026, 3, 4))
        problem(await desk.post(app_id, "defer", {"due_on": "2026-06-30", "reason": "量大"}), 409, "reasons_not_stated")
        await desk.act(app_id, "request-reasons", {"note": "一次申请120项"})
        desk.today(D(2026, 3, 6))
        await desk.act(app_id, "receive-reasons", {"answer": "课题研究需要"})
        r = await desk.post(app_id, "defer", {"due_on": "2026-03-20", "reason": "早于现行期限"})
        problem(r, 422, "deferral_not_later")
        # 60 working days past the statutory date: far beyond any 第三十三条 extension.
        deferred = await desk.act(app_id, "defer", {"due_on": "2026-06-30", "reason": "涉及120项，需逐项检索"})
        assert deferred["due_on"] == "2026-06-30" and deferred["clock_running"] is True
        d = await desk.deadline(app_id)
        assert d["deferred"] is True and d["due_on"] == "2026-06-30"
        line = next(p for p in d["periods"] if p["kind"] == "deferral")
        assert line["counted"] is True and "第三十五条" in line["note"] and "涉及120项" in line["note"]
        problem(
            await desk.post(app_id, "extend", {"working_days": 5, "reason": "r", "approver": "王"}),
            409,
            "already_deferred",
        )
        desk.today(D(2026, 6, 30))
        assert (await sweep(a, desk, D(2026, 6, 30)))["overdue_emitted"] == 0
        out = await reply(desk, app_id, "disclosed", opinion="disclose")
        assert out["on_time"] is True


# -- 8: 条例 第三十六条(六) — a possible repeat is flagged, never concluded -------------------------------


async def test_art_36_a_repeat_of_an_answered_application_is_flagged_with_a_link_to_the_earlier_one(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2), units=("U001", "U002"))
        first = await in_progress(desk, description="2026年度部门预算及其执行情况")
        desk.today(D(2026, 3, 10))
        await reply(desk, first, "withheld.process_info")
        again = await desk.create(channel="in_person", description=" 2026年度部门预算 及其执行情况。")
        assert again["possible_duplicate_of"] == first and again["state"] == "registered"  # flagged only
        other_year = await desk.create(channel="in_person", description="2025年度部门预算及其执行情况")
        other_unit = await desk.create(unit="U002", channel="in_person", description="2026年度部门预算及其执行情况")
        other_person = await desk.create(
            channel="in_person",
            description="2026年度部门预算及其执行情况",
            applicant={"name": "李四", "id_number": "110101198001011234"},
        )
        for app in (other_year, other_unit, other_person):
            assert app["possible_duplicate_of"] is None
        listed = await a.client.get("/api/v1/requests", params={"possible_duplicate": "true"}, headers=desk.headers)
        assert [i["id"] for i in listed.json()["items"]] == [again["id"]]


# -- 9: 条例 第三十一条 — confirming receipt --------------------------------------------------------------


async def test_art_31_an_application_unconfirmed_for_more_than_one_working_day_emits_request_unconfirmed_once(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 8, 7))  # a Friday
        desk.today(D(2026, 8, 7), hour=16)
        app = await desk.create(channel="online")
        paper = await desk.create(channel="in_person")
        # Monday 08-10 is the 1st working day after: still within the setting.
        assert (await sweep(a, desk, D(2026, 8, 10)))["unconfirmed_emitted"] == 0
        listed = await a.client.get("/api/v1/requests", params={"unconfirmed": "true"}, headers=desk.headers)
        assert listed.json()["items"] == []
        assert (await sweep(a, desk, D(2026, 8, 11)))["unconfirmed_emitted"] == 1
        assert (await sweep(a, desk, D(2026, 8, 12)))["unconfirmed_emitted"] == 0, "once"
        events = await a.events("request.unconfirmed")
        assert len(events) == 1 and events[0]["data"]["request_id"] == app["id"]
        assert events[0]["data"]["channel"] == "online"
        listed = await a.client.get("/api/v1/requests", params={"unconfirmed": "true"}, headers=desk.headers)
        assert [i["id"] for i in listed.json()["items"]] == [app["id"]]  # not the in-person one
        assert paper["state"] == "registered"
        d = await desk.deadline(app["id"])
        receipt = next(o for o in d["obligations"] if o["kind"] == "confirm_receipt")
        assert receipt["due_on"] == "2026-08-10" and receipt["status"] == "overdue"
        await desk.act(app["id"], "register")
        listed = await a.client.get("/api/v1/requests", params={"unconfirmed": "true"}, headers=desk.headers)
        assert listed.json()["items"] == []


# -- 10: seed 001 — the 保密审查 opinion in 15 working days; a refusal reported up within 5 ------------


async def test_seed_001_the_review_opinion_is_due_in_15_working_days_a_reminder_not_a_block(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        app_id = await in_progress(desk)
        desk.today(D(2026, 3, 5))
        requested = await desk.act(app_id, "request-review")
        assert requested["state"] == "review" and requested["review_due_on"] == "2026-03-26"
        desk.today(D(2026, 3, 26))
        assert (await desk.get(app_id))["review_overdue"] is False  # the 15th working day
        desk.today(D(2026, 3, 27))
        late = await desk.get(app_id)
        assert late["review_overdue"] is True and late["overdue"] is False
        d = await desk.deadline(app_id)
        review = next(o for o in d["obligations"] if o["kind"] == "review_opinion")
        assert review["status"] == "overdue" and review["blocks_reply"] is False and "第十条" in review["note"]
        out = await reply(desk, app_id, "disclosed", opinion="disclose")
        assert out["state"] == "replied" and out["review_due_on"] is None


async def test_seed_001_a_withheld_decision_is_reported_up_within_5_working_days_reminded_and_flagged_overdue(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        late, reported, disclosed = await in_progress(desk), await in_progress(desk), await in_progress(desk)
        desk.today(D(2026, 3, 20))
        for app_id in (late, reported):
            out = await reply(desk, app_id, "withheld.third_party_rights")
            assert out["report_up"] == {"due_on": "2026-03-27", "reported_on": None, "overdue": False}
        assert (await reply(desk, disclosed, "disclosed", opinion="disclose"))["report_up"] is None
        problem(await desk.post(disclosed, "report-up", {"to": "市政务公开办"}), 409, "report_up_not_required")
        assert (await sweep(a, desk, D(2026, 3, 24)))["report_up_due_soon_emitted"] == 0  # 3 working days left
        assert (await sweep(a, desk, D(2026, 3, 25)))["report_up_due_soon_emitted"] == 2  # 2 left
        assert (await sweep(a, desk, D(2026, 3, 26)))["report_up_due_soon_emitted"] == 0, "once"
        done = await desk.act(reported, "report-up", {"to": "市政务公开办", "note": "书面报告已送达"})
        assert done["report_up"]["reported_on"] == "2026-03-26" and done["state"] == "replied"
        problem(await desk.post(reported, "report-up", {"to": "市政务公开办"}), 409, "report_up_done")
        assert (await sweep(a, desk, D(2026, 3, 27)))["report_up_overdue_emitted"] == 0  # the due day
        assert (await sweep(a, desk, D(2026, 3, 30)))["report_up_overdue_emitted"] == 1
        assert (await sweep(a, desk, D(2026, 3, 31)))["report_up_overdue_emitted"] == 0, "once"
        assert [e["data"]["request_id"] for e in await a.events("request.report_up_overdue")] == [late]
        flagged = await desk.get(late)
        assert flagged["report_up"]["overdue"] is True
        listed = await a.client.get("/api/v1/requests", params={"report_up_overdue": "true"}, headers=desk.headers)
        assert [i["id"] for i in listed.json()["items"]] == [late]
        # Archived, the obligation stands.
        await desk.act(late, "archive")
        assert (await desk.act(late, "report-up", {"to": "市政务公开办"}))["report_up"]["overdue"] is False
