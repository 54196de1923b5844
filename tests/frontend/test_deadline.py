"""``/deadline`` and the application agree (issue 9 item 8): ``running``, ``working_days_left`` and
the due date are the same in both while paused and once concluded; a due date in a year whose
holidays are not loaded says so in words."""

from __future__ import annotations

from datetime import date

from tests.requests.applications_support import Desk, open_desk
from tests.requests.helpers import api

AGREE = ("due_on", "working_days_left")


async def _agree(desk: Desk, app_id: str) -> tuple[dict, dict]:
    app, deadline = await desk.get(app_id), await desk.deadline(app_id)
    assert app["clock_running"] == deadline["running"], (app, deadline)
    assert {k: app[k] for k in AGREE} == {k: deadline[k] for k in AGREE}
    assert app["due_on_provisional"] == deadline["provisional"]
    listed = (await desk.client.get("/api/v1/requests", headers=desk.headers)).json()["items"]
    assert next(i for i in listed if i["id"] == app_id)["due_on"] == app["due_on"]
    return app, deadline


async def test_deadline_and_application_agree_while_running_paused_and_concluded(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 3, 2))
        app_id = (await desk.create())["id"]
        await desk.to_in_progress(app_id)
        app, _ = await _agree(desk, app_id)
        assert app["clock_running"] and app["working_days_left"] == 20 and app["due_on"] == "2026-03-30"
        desk.today(date(2026, 3, 4))
        await desk.act(app_id, "fee-notice", {"method": "per_page", "pages": 150})
        desk.today(date(2026, 3, 11))  # paused a week: the due date stands where the clock says today
        app, deadline = await _agree(desk, app_id)
        assert not app["clock_running"] and app["working_days_left"] is None and deadline["paused_by"] == ["fee"]
        assert app["due_on"] > "2026-03-30"
        await desk.act(app_id, "withdraw", {"reason": "申请人撤回"})
        desk.today(date(2026, 3, 20))  # concluded while paused: the date no longer moves
        concluded, _ = await _agree(desk, app_id)
        desk.today(date(2026, 4, 20))
        later, deadline = await _agree(desk, app_id)
        assert later["due_on"] == concluded["due_on"] and not deadline["running"]


async def test_a_due_date_in_a_year_whose_holidays_are_not_loaded_says_so_in_words(database_url: str) -> None:
    async with api(database_url) as a:
        desk = await open_desk(a, date(2026, 12, 14))
        app_id = (await desk.create())["id"]
        app, deadline = await _agree(desk, app_id)
        assert app["due_on"].startswith("2027-") and app["due_on_provisional"] and deadline["provisional"]
        for note in (app["provisional_note"], deadline["provisional_note"]):
            assert note.startswith("2027年的法定节假日安排尚未载入") and "自动重新计算" in note
        settled = await desk.create(received_at="2026-03-02T09:00:00+08:00")
        assert settled["provisional_note"] is None
