"""The statutory rules of DESIGN §5, shown through the HTTP API with real 2026 dates on the real
holiday calendar (2026: 中秋 09-25..27; 国庆 10-01..07, 调休上班 09-20 Sun and 10-10 Sat;
春节 02-15..23, 调休上班 02-14 Sat and 02-28 Sat).

The arithmetic itself is unit-tested in tests/requests/domain; here: that the API applies it."""

from __future__ import annotations

from datetime import date

import pytest

from services.requests.service.applications import lapse
from shared.calendar import WorkingDayCalendar
from shared.domain import DomainError
from tests.requests.applications_support import MASKED, Desk, open_desk, problem
from tests.requests.helpers import api

D = date
CAL = WorkingDayCalendar()


def plus_working_days(day: date, n: int) -> date:
    return CAL.add_working_days(day, n).day


async def registered_on(desk: Desk, day: date, **overrides: object) -> dict:
    """An in-person application received (and so registered) on ``day``, the clock set to ``day``."""
    desk.today(day)
    return await desk.create(channel="in_person", **overrides)


# -- receipt by channel (条例 第三十一条) ----------------------------------------------------------


async def test_in_person_and_registered_mail_are_registered_at_once_on_the_shanghai_date_of_received_at(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 28))
        late_evening = await desk.create(channel="in_person", received_at="2026-09-24T23:30:00+08:00")
        assert late_evening["state"] == "registered" and late_evening["received_on"] == "2026-09-24"
        assert late_evening["due_on"] == "2026-10-29" == plus_working_days(D(2026, 9, 24), 20).isoformat()
        assert late_evening["clock_running"] is True
        utc_afternoon = await desk.create(channel="registered_mail", received_at="2026-09-24T16:30:00Z")
        assert utc_afternoon["state"] == "registered" and utc_afternoon["received_on"] == "2026-09-25"
        naive_is_shanghai = await desk.create(channel="in_person", received_at="2026-09-24T23:30:00")
        assert naive_is_shanghai["received_on"] == "2026-09-24"
        now = await desk.create(channel="in_person")  # without received_at: now
        assert now["received_on"] == "2026-09-28" and now["due_on"] == "2026-10-30"
        assert len(await a.events("request.registered")) == 4


async def test_online_mail_and_fax_wait_in_submitted_until_register_which_sets_received_on(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 22))
        citizen = await desk.create(channel="online", headers={})
        mail = await desk.create(channel="mail", received_at="2026-09-21T15:00:00+08:00")
        fax = await desk.create(channel="fax")
        for app in (citizen, mail, fax):
            assert app["state"] == "submitted" and app["received_on"] is None and app["due_on"] is None
            assert app["clock_running"] is False and [x["action"] for x in app["allowed_actions"]] == [
                "register",
                "withdraw",
            ]
        assert await a.events("request.registered") == []
        desk.today(D(2026, 9, 25))
        for app in (citizen, mail, fax):
            out = await desk.act(app["id"], "register")
            assert out["state"] == "registered" and out["received_on"] == "2026-09-25" and out["due_on"] == "2026-10-29"
        # the office may confirm a receipt on an earlier day than today (the day it happened)
        late = await desk.create(channel="online", headers={})
        desk.today(D(2026, 9, 28))
        out = await desk.act(late["id"], "register", {"on": "2026-09-25"})
        assert out["received_on"] == "2026-09-25" and out["due_on"] == "2026-10-29"
        assert [e["data"]["received_on"] for e in await a.events("request.registered")] == ["2026-09-25"] * 4


async def test_received_at_in_the_future_is_422(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 28))
        r = await a.client.post(
            "/api/v1/requests", headers=desk.headers, json={**_body(), "received_at": "2026-09-28T10:01:00+08:00"}
        )
        problem(r, 422, "received_at_in_future")
        r = await a.client.post(
            "/api/v1/requests", headers=desk.headers, json={**_body(), "received_at": "2026-09-29T00:00:00+08:00"}
        )
        problem(r, 422, "received_at_in_future")


async def test_a_citizen_can_only_apply_online_and_cannot_send_received_at(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 28))
        citizen = a.auth("applicant", sub="citizen-1")
        for headers in ({}, citizen):
            for channel in ("in_person", "registered_mail", "mail", "fax"):
                r = await a.client.post("/api/v1/requests", json=_body(channel=channel), headers=headers)
                problem(r, 422, "channel_requires_staff")
            for channel in ("hotline_12345", "provincial"):
                problem(await a.client.post("/api/v1/requests", json=_body(channel=channel), headers=headers), 403)
            r = await a.client.post(
                "/api/v1/requests",
                json={**_body(channel="online"), "received_at": "2026-09-20T10:00:00+08:00"},
                headers=headers,
            )
            problem(r, 422, "received_at_requires_staff")
        out = await desk.create(channel="online", headers=citizen)
        assert out["state"] == "submitted" and out["applicant"]["id_number"] == MASKED


def _body(channel: str = "in_person") -> dict:
    from tests.requests.applications_support import application_json

    return application_json("U001", channel)


# -- the 20 working days over holidays ------------------------------------------------------------


async def test_twenty_working_days_from_2026_09_25_skip_mid_autumn_and_national_day_to_2026_10_29(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        assert app["received_on"] == "2026-09-25" and app["due_on"] == "2026-10-29"
        assert app["due_on_provisional"] is False and app["working_days_left"] == 20
        d = await desk.deadline(app["id"])
        assert d["rule_set"] == "national_2019" and d["start"] == "2026-09-25" and d["due_on"] == "2026-10-29"
        assert d["running"] is True and d["paused_by"] == []
        holidays = {(s["day"], s["name"]) for s in d["skipped"] if s["kind"] == "holiday"}
        assert holidays == {("2026-09-26", "中秋节"), ("2026-09-27", "中秋节")} | {
            (f"2026-10-0{i}", "国庆节") for i in range(1, 8)
        }
        assert ("2026-10-11", "周末") in {(s["day"], s["name"]) for s in d["skipped"]}
        # 10-10 (Sat) is worked and counted; 09-20 lies before the receipt
        assert d["makeup_workdays"] == [{"day": "2026-10-10", "name": "国庆节调休上班", "kind": "makeup_workday"}]


async def test_twenty_working_days_over_spring_festival_count_the_makeup_saturdays(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 2, 6))
        app = await desk.create(channel="in_person")
        expected = plus_working_days(D(2026, 2, 6), 20)
        # 02-09..13 (5), 02-14 调休 (6), 02-24..27 (10), 02-28 调休 (11), 03-02..06 (16), 03-09..12 (20)
        assert expected == D(2026, 3, 12) and app["due_on"] == "2026-03-12"
        d = await desk.deadline(app["id"])
        assert [m["day"] for m in d["makeup_workdays"]] == ["2026-02-14", "2026-02-28"]
        assert {m["name"] for m in d["makeup_workdays"]} == {"春节调休上班"}
        spring = [s["day"] for s in d["skipped"] if s["name"] == "春节"]
        assert spring == [f"2026-02-{day}" for day in range(15, 24)]
        assert not {"2026-02-14", "2026-02-28"} & {s["day"] for s in d["skipped"]}


# -- correction 补正 (条例 第三十条) -----------------------------------------------------------------


async def test_correction_stops_the_clock_and_the_corrected_application_restarts_twenty_working_days(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        desk.today(D(2026, 10, 9))
        waiting = await desk.act(
            app["id"], "request-correction", {"note": "请补充所需信息的文号", "allowed_working_days": 15}
        )
        assert waiting["state"] == "correction_requested"
        assert waiting["due_on"] is None and waiting["clock_running"] is False and waiting["working_days_left"] is None
        assert waiting["correction_lapse_on"] == plus_working_days(D(2026, 10, 9), 15).isoformat() == "2026-10-29"
        d = await desk.deadline(app["id"])
        assert d["due_on"] is None and d["running"] is False
        assert [p["kind"] for p in d["periods"]] == ["reply_period", "correction_wait"]
        desk.today(D(2026, 10, 14))
        restarted = await desk.act(app["id"], "receive-correction")
        assert restarted["state"] == "registered" and restarted["clock_running"] is True
        assert restarted["due_on"] == "2026-11-11" == plus_working_days(D(2026, 10, 14), 20).isoformat()
        assert restarted["correction_lapse_on"] is None
        assert (await desk.deadline(app["id"]))["start"] == "2026-10-14"
        assert len(await a.events("request.correction_requested")) == 1
        assert len(await a.events("request.correction_received")) == 1


async def test_correction_notice_is_allowed_up_to_the_seventh_working_day_after_receipt_and_409_after(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        on_time = await desk.create(channel="in_person")
        late = await desk.create(channel="in_person")
        desk.today(D(2026, 10, 20))
        # received 09-25 → the 7th working day after it is 10-12 (10-08, 10-09, 10-10 调休, 10-12)
        assert (await desk.act(on_time["id"], "request-correction", {"note": "补充", "on": "2026-10-12"}))[
            "state"
        ] == "correction_requested"
        r = await desk.post(late["id"], "request-correction", {"note": "补充", "on": "2026-10-13"})
        assert "2026-10-12" in problem(r, 409, "correction_notice_late")["detail"]


async def test_correction_lapses_to_other_correction_lapsed_only_after_the_period_set_in_the_notice(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 28))
        app = await desk.create(channel="in_person")
        out = await desk.act(app["id"], "request-correction", {"note": "补充", "allowed_working_days": 15})
        assert out["correction_lapse_on"] == "2026-10-23"
        desk.today(D(2026, 10, 23))
        with pytest.raises(DomainError) as early:  # the use case is called directly: a DomainError
            async with a.runtime.transaction() as session:
                await lapse(session, a.runtime, app["id"], "lapse-correction")
        assert early.value.status == 409 and early.value.code == "correction_period_running"
        desk.today(D(2026, 10, 26))
        async with a.runtime.transaction() as session:
            concluded = await lapse(session, a.runtime, app["id"], "lapse-correction")
        assert concluded.state == "replied" and concluded.outcome == "other.correction_lapsed"
        assert concluded.concluded_on == D(2026, 10, 26)
        assert [e["data"]["outcome"] for e in await a.events("request.replied")] == ["other.correction_lapsed"]
        got = await desk.get(app["id"])
        assert got["outcome"] == "other.correction_lapsed" and [x["action"] for x in got["allowed_actions"]] == [
            "archive"
        ]


async def test_a_corrected_application_cannot_arrive_before_the_correction_notice_422(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        desk.today(D(2026, 10, 12))
        await desk.act(app["id"], "request-correction", {"note": "补充", "on": "2026-10-09"})
        problem(await desk.post(app["id"], "receive-correction", {"on": "2026-10-08"}), 422, "on_before_notice_invalid")
        assert (await desk.act(app["id"], "receive-correction", {"on": "2026-10-09"}))["due_on"] == plus_working_days(
            D(2026, 10, 9), 20
        ).isoformat()


# -- consultation 征求意见 (条例 第三十二条、第三十四条) ----------------------------------------------------


async def test_a_consultation_from_d1_to_d2_moves_the_due_date_by_the_working_days_in_d1_exclusive_d2_inclusive(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        await desk.to_in_progress(app["id"])
        desk.today(D(2026, 10, 12))
        r = await desk.post(app["id"], "consultations", {"party": "某建设公司", "kind": "third_party"})
        assert r.status_code == 201, r.text
        consultation = r.json()
        assert consultation["started_on"] == "2026-10-12" and consultation["closed_on"] is None
        assert consultation["due_on"] == plus_working_days(D(2026, 10, 12), 15).isoformat() == "2026-11-02"
        paused = await desk.get(app["id"])
        assert paused["state"] == "consulting" and paused["clock_running"] is False
        assert (await desk.deadline(app["id"]))["paused_by"] == ["consultation"]
        desk.today(D(2026, 10, 16))
        r = await desk.post(app["id"], f"consultations/{consultation['id']}/close", {"opinion": "同意公开"})
        assert r.status_code == 200 and r.json()["closed_on"] == "2026-10-16"
        resumed = await desk.get(app["id"])
        # (10-12, 10-16] holds 4 working days: 10-29 + 4 working days = 11-04
        assert resumed["state"] == "in_progress" and resumed["clock_running"] is True
        assert resumed["due_on"] == "2026-11-04" == plus_working_days(D(2026, 10, 29), 4).isoformat()
        periods = {p["kind"]: p for p in (await desk.deadline(app["id"]))["periods"]}
        assert periods["consultation"]["working_days"] == 4 and periods["consultation"]["counted"] is False


async def test_two_consultations_closing_one_keeps_consulting_and_overlapping_days_count_once(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        await desk.to_in_progress(app["id"])
        desk.today(D(2026, 10, 12))
        first = await desk.act(app["id"], "consultations", {"party": "某公司", "kind": "third_party"})
        desk.today(D(2026, 10, 14))
        second = await desk.act(app["id"], "consultations", {"party": "市规划局", "kind": "agency"})
        desk.today(D(2026, 10, 15))
        await desk.act(app["id"], f"consultations/{first['id']}/close")
        still = await desk.get(app["id"])
        assert still["state"] == "consulting" and still["clock_running"] is False
        desk.today(D(2026, 10, 19))
        await desk.act(app["id"], f"consultations/{second['id']}/close")
        done = await desk.get(app["id"])
        # (10-12, 10-19] holds 5 working days (13, 14, 15, 16, 19), each excluded once
        assert done["state"] == "in_progress" and done["due_on"] == "2026-11-05"
        listed = (await a.client.get(f"/api/v1/requests/{app['id']}/consultations", headers=desk.headers)).json()
        assert [(c["party"], c["closed_on"]) for c in listed] == [("某公司", "2026-10-15"), ("市规划局", "2026-10-19")]
        # closing one twice is a conflict
        problem(await desk.post(app["id"], f"consultations/{first['id']}/close"), 409)


# -- extension 延长 (条例 第三十三条) -----------------------------------------------------------------


async def test_extension_adds_its_working_days_once_and_a_second_is_409(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        await desk.to_in_progress(app["id"])
        desk.today(D(2026, 10, 20))
        out = await desk.act(app["id"], "extend", {"working_days": 20, "reason": "需调取档案", "approver": "王局长"})
        assert out["due_on"] == "2026-11-26" == plus_working_days(D(2026, 10, 29), 20).isoformat()
        events = await a.events("request.extended")
        assert [e["data"]["due_on"] for e in events] == ["2026-11-26"]
        r = await desk.post(app["id"], "extend", {"working_days": 1, "reason": "再延", "approver": "王局长"})
        problem(r, 409, "extension_already_granted")
        extension = [p for p in (await desk.deadline(app["id"]))["periods"] if p["kind"] == "extension"]
        assert len(extension) == 1 and "王局长" in extension[0]["note"]


async def test_extension_is_at_most_twenty_working_days_and_needs_reason_and_approver(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        desk.today(D(2026, 10, 20))
        problem(
            await desk.post(app["id"], "extend", {"working_days": 21, "reason": "r", "approver": "a"}),
            422,
            "validation_failed",  # the schema's limit is the rule set's (issue 9)
        )
        for body in (
            {"working_days": 5, "approver": "a"},
            {"working_days": 5, "reason": "r"},
            {"working_days": 5, "reason": "   ", "approver": "a"},
            {"working_days": 5, "reason": "r", "approver": ""},
            {"working_days": 0, "reason": "r", "approver": "a"},
        ):
            problem(await desk.post(app["id"], "extend", body), 422)
        assert await a.events("request.extended") == []
        assert (await desk.get(app["id"]))["due_on"] == "2026-10-29"


# -- fee 信息处理费 (条例 第四十二条; 国办函〔2020〕109号) ---------------------------------------------------


async def test_per_page_fee_at_every_band_boundary(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 28))
        expected = {31: 10, 100: 700, 101: 720, 200: 2700, 201: 2740}
        for pages, amount in expected.items():
            app = await desk.create(channel="in_person", applicant={"id_number": f"1101011990030{pages:05d}"})
            await desk.to_in_progress(app["id"])
            out = await desk.act(app["id"], "fee-notice", {"method": "per_page", "pages": pages})
            assert out["fee"]["amount"] == amount and out["fee"]["pages"] == pages, pages
            assert out["state"] == "fee_pending" and out["clock_running"] is False
        free = await desk.create(channel="in_person")
        await desk.to_in_progress(free["id"])
        problem(await desk.post(free["id"], "fee-notice", {"method": "per_page", "pages": 30}), 409, "fee_not_due")
        problem(await desk.post(free["id"], "fee-notice", {"method": "per_page"}), 422)  # pages missing
        assert (await desk.get(free["id"]))["state"] == "in_progress"


async def test_per_application_fee_the_eleventh_application_of_one_applicant_in_a_calendar_month_is_100_yuan(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 3, 31))
        # another applicant's and a February application do not count
        await desk.create(channel="in_person", received_at="2026-02-27T10:00:00+08:00")
        await desk.create(
            channel="in_person", received_at="2026-03-02T10:00:00+08:00", applicant={"id_number": "110101198001011111"}
        )
        ids = []
        for i in range(11):  # by mail, each registered the day it came (03-02 … 03-12)
            desk.today(D(2026, 3, 2 + i))
            app = await desk.create(channel="mail")
            await desk.act(app["id"], "register")
            ids.append(app["id"])
        desk.today(D(2026, 3, 31))
        for app_id in ids:
            await desk.to_in_progress(app_id)
        eleventh = await desk.act(ids[10], "fee-notice", {"method": "per_application"})
        assert eleventh["fee"]["amount"] == 100 and eleventh["fee"]["nth_in_month"] == 11
        # the 10th stays free even when the notice goes out after the 11th arrived
        r = await desk.post(ids[9], "fee-notice", {"method": "per_application"})
        problem(r, 409, "fee_not_due")


async def test_per_application_fee_counts_the_month_of_receipt_not_of_the_notice(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 4, 30))
        ids = [
            (await desk.create(channel="in_person", received_at=f"2026-03-{10 + i:02d}T10:00:00+08:00"))["id"]
            for i in range(11)
        ]
        await desk.to_in_progress(ids[10])
        out = await desk.act(ids[10], "fee-notice", {"method": "per_application", "on": "2026-04-01"})
        assert out["fee"]["nth_in_month"] == 11 and out["fee"]["amount"] == 100


async def test_the_fee_pause_moves_the_due_date_by_the_working_days_until_payment(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        await desk.to_in_progress(app["id"])
        desk.today(D(2026, 10, 12))
        noticed = await desk.act(app["id"], "fee-notice", {"method": "per_page", "pages": 31})
        assert noticed["fee"] == {
            "method": "per_page",
            "pages": 31,
            "nth_in_month": None,
            "amount": 10,
            "notified_on": "2026-10-12",
            "due_on": "2026-11-09",
            "paid_on": None,
            # issue 11 (国办函〔2020〕109号): what the notice states; received the day it was sent.
            "basis": noticed["fee"]["basis"],
            "standard": noticed["fee"]["standard"],
            "how_to_pay": None,
            "delivered_on": "2026-10-12",
        }
        assert "109号" in noticed["fee"]["basis"] and "31页" in noticed["fee"]["standard"]
        assert (await desk.deadline(app["id"]))["paused_by"] == ["fee"]
        desk.today(D(2026, 10, 16))
        problem(await desk.post(app["id"], "fee-payment", {"on": "2026-10-11"}), 422)  # before the notice
        paid = await desk.act(app["id"], "fee-payment")
        assert paid["state"] == "in_progress" and paid["fee"]["paid_on"] == "2026-10-16"
        assert paid["due_on"] == "2026-11-04" and paid["clock_running"] is True


async def test_an_unpaid_fee_lapses_to_other_fee_unpaid_only_after_twenty_working_days(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        await desk.to_in_progress(app["id"])
        desk.today(D(2026, 10, 12))
        await desk.act(app["id"], "fee-notice", {"method": "per_page", "pages": 150})
        desk.today(D(2026, 11, 9))
        with pytest.raises(DomainError) as early:
            async with a.runtime.transaction() as session:
                await lapse(session, a.runtime, app["id"], "lapse-fee")
        assert early.value.status == 409 and early.value.code == "fee_period_running"
        desk.today(D(2026, 11, 10))
        async with a.runtime.transaction() as session:
            out = await lapse(session, a.runtime, app["id"], "lapse-fee")
        assert out.state == "replied" and out.outcome == "other.fee_unpaid" and out.concluded_on == D(2026, 11, 10)
        assert [e["data"]["outcome"] for e in await a.events("request.replied")] == ["other.fee_unpaid"]


# -- reply guards (保密审查) ---------------------------------------------------------------------------


async def test_releasing_outcomes_need_a_disclose_review_and_refer_blocks_every_reply(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        await desk.to_in_progress(app["id"])
        reply = {"legal_basis": "条例第三十六条", "text": "答复如下"}
        await desk.act(app["id"], "review", {"opinion": "withhold", "reviewer": "王五", "reason": "涉及商业秘密"})
        for outcome in ("disclosed", "partially_disclosed"):
            problem(await desk.post(app["id"], "reply", {**reply, "outcome": outcome}), 409, "disclosure_not_approved")
        await desk.act(app["id"], "review", {"opinion": "refer", "reviewer": "王五"})
        for outcome in ("disclosed", "withheld.state_secret", "other.other"):
            problem(await desk.post(app["id"], "reply", {**reply, "outcome": outcome}), 409, "review_referred")
        await desk.act(app["id"], "review", {"opinion": "disclose", "reviewer": "保密办"})
        out = await desk.act(app["id"], "reply", {**reply, "outcome": "partially_disclosed"})
        assert (
            out["state"] == "replied" and out["outcome"] == "partially_disclosed" and out["replied_on"] == "2026-09-25"
        )


async def test_a_withholding_reply_goes_out_after_a_withhold_review(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        await desk.to_in_progress(app["id"])
        await desk.act(app["id"], "review", {"opinion": "withhold", "reviewer": "王五"})
        out = await desk.act(
            app["id"], "reply", {"outcome": "withheld.state_secret", "legal_basis": "条例第十四条", "text": "不予公开"}
        )
        assert out["outcome"] == "withheld.state_secret"


async def test_a_clerk_cannot_reply_with_the_lapse_outcomes(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 25))
        app = await desk.create(channel="in_person")
        await desk.to_in_progress(app["id"])
        await desk.act(app["id"], "review", {"opinion": "withhold", "reviewer": "王五"})
        for outcome in ("other.correction_lapsed", "other.fee_unpaid", "withheld.nonsense", ""):
            problem(await desk.post(app["id"], "reply", {"outcome": outcome, "legal_basis": "x", "text": "y"}), 422)
        assert (await desk.get(app["id"]))["state"] == "review"


# -- the `on` date of an action -------------------------------------------------------------------


async def test_the_on_date_of_an_action_cannot_be_in_the_future_or_before_receipt(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, D(2026, 9, 28))
        app = await desk.create(channel="in_person", received_at="2026-09-25T09:00:00+08:00")
        assign = {"handler_id": "c", "handler_name": "李四"}
        problem(await desk.post(app["id"], "assign", {**assign, "on": "2026-09-29"}), 422, "on_in_future")
        problem(await desk.post(app["id"], "assign", {**assign, "on": "2026-09-24"}), 422, "on_before_receipt")
        assert (await desk.act(app["id"], "assign", {**assign, "on": "2026-09-25"}))["state"] == "in_progress"
        online = await desk.create(channel="online", headers={})
        problem(await desk.post(online["id"], "register", {"on": "2026-09-27"}), 422, "on_before_receipt")
        problem(await desk.post(online["id"], "register", {"on": "2026-09-29"}), 422, "on_in_future")
        problem(
            await desk.post(app["id"], "consultations", {"party": "p", "kind": "agency", "on": "2026-10-01"}),
            422,
            "on_in_future",
        )
