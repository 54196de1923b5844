"""Issue 11, items 1–6: workflow rules around the clock that were wrong, each a dated scenario on the
real 2026 calendar that failed before the fix (清明 2026-04-04..06; no holiday in March or August).

Received 2026-03-02 (Mon) → due 2026-03-30 (20 working days). Received 2026-08-03 (Mon) → the 7th
working day after it is 08-12, the 8th 08-13."""

from __future__ import annotations

from datetime import date

from tests.requests.applications_support import Desk, open_desk, problem
from tests.requests.helpers import Api, api

D = date


async def sweep(a: Api, desk: Desk, day: date) -> dict:
    desk.today(day)
    r = await a.client.post("/api/v1/admin/requests/sweeps/deadlines", headers=a.auth("office"))
    assert r.status_code == 200, r.text
    return r.json()


async def received(desk: Desk, day: date, **overrides: object) -> dict:
    desk.today(day)
    return await desk.create(channel="in_person", **overrides)


# -- 1, 2: 条例 第三十条 — a correction notice in any state before the reply, once ---------------------


async def test_art_30_correction_notice_after_assignment_is_allowed_on_the_7th_working_day_and_409_on_the_8th(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 8, 3))
        early, seventh, eighth = [await received(desk, D(2026, 8, 3)) for _ in range(3)]
        for app in (early, seventh, eighth):
            await desk.to_in_progress(app["id"])
        desk.today(D(2026, 8, 13))
        # The reproduction: assigned the same day, a notice on 08-05 (2nd working day) was a 409.
        out = await desk.act(early["id"], "request-correction", {"note": "请补充文号", "on": "2026-08-05"})
        assert out["state"] == "correction_requested" and out["due_on"] is None
        assert (await desk.act(seventh["id"], "request-correction", {"note": "补充", "on": "2026-08-12"}))[
            "state"
        ] == "correction_requested"
        r = await desk.post(eighth["id"], "request-correction", {"note": "补充", "on": "2026-08-13"})
        assert problem(r, 409, "correction_notice_late")["notice_due_on"] == "2026-08-12"
        # The corrected application restarts the period and the work resumes where it stood: assigned.
        back = await desk.act(early["id"], "receive-correction", {"on": "2026-08-10"})
        assert back["state"] == "in_progress" and back["handler"]["id"] == "clerk-1"
        assert back["due_on"] == "2026-09-07"  # 20 working days after 08-10


async def test_art_30_correction_notice_while_consulting_keeps_the_consultation_open(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 8, 3))
        app = await received(desk, D(2026, 8, 3))
        await desk.to_in_progress(app["id"])
        desk.today(D(2026, 8, 4))
        await desk.act(app["id"], "consultations", {"party": "某公司", "kind": "third_party"})
        out = await desk.act(app["id"], "request-correction", {"note": "补充"})
        assert out["state"] == "correction_requested"
        desk.today(D(2026, 8, 6))
        assert (await desk.act(app["id"], "receive-correction"))["state"] == "consulting"


async def test_art_30_one_notice_a_second_after_the_corrected_application_is_409_naming_the_first(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 8, 3))
        app = await received(desk, D(2026, 8, 3))
        desk.today(D(2026, 8, 5))
        await desk.act(app["id"], "request-correction", {"note": "请补充文号"})
        desk.today(D(2026, 8, 6))
        await desk.act(app["id"], "receive-correction")
        r = await desk.post(app["id"], "request-correction", {"note": "再补充"})
        body = problem(r, 409, "correction_already_requested")
        assert body["first_notice_on"] == "2026-08-05" and "2026-08-05" in body["detail"]
        assert len(await a.events("request.correction_requested")) == 1


# -- 3: 条例 第三十二条、第三十四条 — a consultation nobody answers ends by itself ------------------------


async def test_art_32_a_silent_third_party_consultation_pauses_to_the_15th_working_day_and_lapses_on_the_16th(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        app = await received(desk, D(2026, 3, 2))
        await desk.to_in_progress(app["id"])
        desk.today(D(2026, 3, 3))
        consultation = await desk.act(app["id"], "consultations", {"party": "某公司", "kind": "third_party"})
        assert consultation["due_on"] == "2026-03-24"
        # 03-24, the 15th working day: still paused.
        assert (await sweep(a, desk, D(2026, 3, 24)))["consultations_lapsed"] == 0
        d = await desk.deadline(app["id"])
        assert d["running"] is False and d["paused_by"] == ["consultation"]
        # 03-25, the 16th: the clock runs again even before the sweep records the lapse.
        desk.today(D(2026, 3, 25))
        d = await desk.deadline(app["id"])
        assert d["running"] is True and d["paused_by"] == [] and d["due_on"] == "2026-04-21"
        result = await sweep(a, desk, D(2026, 3, 25))
        assert result["consultations_lapsed"] == 1
        assert (await sweep(a, desk, D(2026, 3, 25)))["consultations_lapsed"] == 0, "once"
        now = await desk.get(app["id"])
        assert now["state"] == "in_progress" and now["clock_running"] is True and now["due_on"] == "2026-04-21"
        listed = (await a.client.get(f"/api/v1/requests/{app['id']}/consultations", headers=desk.headers)).json()
        assert listed[0]["closed_on"] == "2026-03-24" and listed[0]["closed_by"] == "lapse"
        assert listed[0]["deemed_consent"] is None
        d = await desk.deadline(app["id"])
        line = next(p for p in d["periods"] if p["kind"] == "consultation")
        assert line["end"] == "2026-03-24" and line["working_days"] == 15 and "第三十二条" in line["note"]
        obligation = next(o for o in d["obligations"] if o["kind"] == "consultation")
        assert obligation["status"] == "lapsed"
        # No longer paused for ever: overdue the day after the new due date.
        assert (await sweep(a, desk, D(2026, 4, 22)))["overdue_emitted"] == 1


async def test_art_34_a_silent_agency_is_deemed_to_consent(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        app = await received(desk, D(2026, 3, 2))
        await desk.to_in_progress(app["id"])
        desk.today(D(2026, 3, 3))
        await desk.act(app["id"], "consultations", {"party": "市自然资源局", "kind": "agency"})
        await sweep(a, desk, D(2026, 3, 26))
        listed = (await a.client.get(f"/api/v1/requests/{app['id']}/consultations", headers=desk.headers)).json()
        assert listed[0]["closed_by"] == "lapse" and listed[0]["deemed_consent"] is True
        line = next(p for p in (await desk.deadline(app["id"]))["periods"] if p["kind"] == "consultation")
        assert "视为同意公开" in line["note"]


async def _reviewed_after_objection(desk: Desk) -> str:
    app = await received(desk, D(2026, 3, 2))
    await desk.to_in_progress(app["id"])
    desk.today(D(2026, 3, 3))
    c = await desk.act(app["id"], "consultations", {"party": "某公司", "kind": "third_party"})
    desk.today(D(2026, 3, 6))
    await desk.act(
        app["id"], f"consultations/{c['id']}/close", {"opinion": "不同意公开：涉及商业秘密", "objects": True}
    )
    await desk.act(app["id"], "review", {"opinion": "disclose", "reviewer": "保密办"})
    return app["id"]


async def test_art_32_disclosing_over_a_third_party_objection_records_the_public_interest_and_the_notice(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        app_id = await _reviewed_after_objection(desk)
        reply = {"outcome": "disclosed", "legal_basis": "条例第三十二条", "text": "予以公开"}
        problem(await desk.post(app_id, "reply", reply), 409, "third_party_objection")
        interest = {"reason": "涉及重大公共安全", "third_party_notified_on": "2026-03-06"}
        out = await desk.act(app_id, "reply", {**reply, "public_interest": interest})
        assert out["outcome"] == "disclosed" and out["public_interest"] == interest
        # Partial disclosure may withhold the objected part: no public-interest reason needed.
        other = await _reviewed_after_objection(desk)
        partial = await desk.act(other, "reply", {**reply, "outcome": "partially_disclosed"})
        assert partial["public_interest"] is None


# -- 4: a pause begun after the due date hides no lateness -------------------------------------------


async def test_a_pause_begun_the_day_after_the_due_date_moves_nothing_and_the_application_stays_overdue(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        day_after, later = [await received(desk, D(2026, 3, 2)) for _ in range(2)]
        for app, start in ((day_after, D(2026, 3, 31)), (later, D(2026, 4, 2))):
            await desk.to_in_progress(app["id"])
            desk.today(start)
            await desk.act(app["id"], "consultations", {"party": "某公司", "kind": "third_party"})
            desk.today(D(2026, 3, 2))
        desk.today(D(2026, 4, 2))
        for app in (day_after, later):
            now = await desk.get(app["id"])
            assert now["state"] == "consulting" and now["due_on"] == "2026-03-30"
            assert now["overdue"] is True and now["overdue_since"] == "2026-03-31" and now["clock_running"] is True
            d = await desk.deadline(app["id"])
            assert d["running"] is True and d["paused_by"] == []
            assert "逾期状态保持" in next(p for p in d["periods"] if p["kind"] == "consultation")["note"]
        listed = (await a.client.get("/api/v1/requests", params={"overdue": "true"}, headers=desk.headers)).json()
        assert {i["id"] for i in listed["items"]} == {day_after["id"], later["id"]}
        assert (await sweep(a, desk, D(2026, 4, 2)))["overdue_emitted"] == 2


# -- 5: 国办函〔2020〕109号 — the fee notice within the reply period, with its basis and standard -------


async def test_fee_notice_on_the_due_day_is_accepted_and_the_day_after_is_409(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        on_due, after_due = [await received(desk, D(2026, 3, 2)) for _ in range(2)]
        for app in (on_due, after_due):
            await desk.to_in_progress(app["id"])
        desk.today(D(2026, 3, 31))
        ok = await desk.act(on_due["id"], "fee-notice", {"method": "per_page", "pages": 40, "on": "2026-03-30"})
        assert ok["state"] == "fee_pending"
        r = await desk.post(after_due["id"], "fee-notice", {"method": "per_page", "pages": 40})
        assert problem(r, 409, "fee_notice_after_due")["due_on"] == "2026-03-30"


async def test_fee_notice_records_basis_standard_and_how_to_pay_and_the_20_days_run_from_delivery(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2))
        posted, electronic = [await received(desk, D(2026, 3, 2)) for _ in range(2)]
        for app in (posted, electronic):
            await desk.to_in_progress(app["id"])
        desk.today(D(2026, 3, 12))
        body = {"method": "per_page", "pages": 40, "on": "2026-03-10", "how_to_pay": "银行转账至财政非税收入账户"}
        fee = (await desk.act(posted["id"], "fee-notice", {**body, "delivered_on": "2026-03-12"}))["fee"]
        assert fee["amount"] == 100 and fee["delivered_on"] == "2026-03-12" and fee["due_on"] == "2026-04-10"
        assert "第四十二条" in fee["basis"] and "109号" in fee["basis"]
        assert "按量计收" in fee["standard"] and fee["how_to_pay"] == "银行转账至财政非税收入账户"
        fee = (await desk.act(electronic["id"], "fee-notice", body))["fee"]
        assert fee["delivered_on"] == "2026-03-10" and fee["due_on"] == "2026-04-08"
        r = await desk.post(electronic["id"], "fee-payment", {"on": "2026-03-09"})
        assert r.status_code == 422


# -- 6: 按件计收 is counted per unit ------------------------------------------------------------------


async def test_per_application_fee_the_10th_and_11th_at_one_unit_and_the_1st_at_another(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 2), units=("U001", "U002"))
        at_u1 = []
        for hour in range(8, 19):  # one after the other: the n-th is ranked by its receipt
            desk.today(D(2026, 3, 2), hour=hour)
            at_u1.append(await desk.create(channel="in_person"))
        at_u2 = await received(desk, D(2026, 3, 3), unit="U002")
        for app in (at_u1[9], at_u1[10], at_u2):
            await desk.to_in_progress(app["id"])
        notice = {"method": "per_application"}
        problem(await desk.post(at_u1[9]["id"], "fee-notice", notice), 409, "fee_not_due")  # the 10th: free
        assert (await desk.act(at_u1[10]["id"], "fee-notice", notice))["fee"]["amount"] == 100  # the 11th
        # The reproduction: the applicant's 12th this month, but the 1st at U002 — free, not 100 yuan.
        problem(await desk.post(at_u2["id"], "fee-notice", notice), 409, "fee_not_due")
