"""The daily digest per unit, on the real 2026 holiday arrangement (国庆节 10-01..07; 10-10 调休上班)."""

from __future__ import annotations

from datetime import date, datetime

from services.notifier.domain.digest import (
    DigestItem,
    Removal,
    compose,
    digest_day,
    replaced_by_digest,
    track,
)
from services.notifier.domain.quiet_hours import LOCAL_TZ
from services.notifier.domain.routing import RoutingTable, parse_routing
from shared.calendar import WorkingDayCalendar
from shared.events import EVENT_TYPES
from tests.notifier.domain.shipped import shipped_document, templates_of

CALENDAR = WorkingDayCalendar()
DOCUMENT = shipped_document()
TABLE = parse_routing(DOCUMENT, event_types=EVENT_TYPES, templates=templates_of(DOCUMENT))


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)


def test_due_soon_and_overdue_events_enter_the_ledger_and_a_reply_takes_the_item_out() -> None:
    due_soon = {"request_id": "r-1", "tracking_no": "T-1", "unit_code": "U-1", "due_on": "2026-10-12"}
    assert track("request.due_soon", due_soon) == DigestItem("r-1", "T-1", "U-1", date(2026, 10, 12), overdue=False)
    assert track("request.overdue", {**due_soon, "handler_id": None}) == DigestItem(
        "r-1", "T-1", "U-1", date(2026, 10, 12), overdue=True
    )
    assert track("request.replied", {"request_id": "r-1"}) == Removal("r-1")


def test_an_extension_or_a_correction_request_takes_the_item_out_until_a_new_reminder() -> None:
    assert track("request.extended", {"request_id": "r-1", "due_on": "2026-11-09"}) == Removal("r-1")
    assert track("request.correction_requested", {"request_id": "r-1", "on": "2026-10-09"}) == Removal("r-1")
    assert track("request.registered", {"request_id": "r-1"}) is None


def test_the_digest_lists_overdue_items_first_then_due_soon_by_due_date_for_its_unit_only() -> None:
    items = [
        DigestItem("r-3", "T-3", "U-1", date(2026, 10, 14), overdue=False),
        DigestItem("r-1", "T-1", "U-1", date(2026, 9, 30), overdue=True),
        DigestItem("r-2", "T-2", "U-1", date(2026, 10, 12), overdue=False),
        DigestItem("r-9", "T-9", "U-2", date(2026, 10, 12), overdue=True),
    ]
    digest = compose("U-1", items, date(2026, 10, 9))
    assert digest is not None
    assert [i.request_id for i in digest.overdue] == ["r-1"]
    assert [i.request_id for i in digest.due_soon] == ["r-2", "r-3"]
    assert digest.event_id == "digest:U-1:2026-10-09"


def test_a_unit_with_nothing_due_gets_no_digest() -> None:
    assert compose("U-1", [], date(2026, 10, 9)) is None


def test_the_digest_goes_at_the_configured_hour_of_a_working_day_once() -> None:
    friday = date(2026, 10, 9)
    assert digest_day(_at(friday, 8), 9, CALENDAR, None) is None
    assert digest_day(_at(friday, 9), 9, CALENDAR, None) == friday
    assert digest_day(_at(friday, 15), 9, CALENDAR, last_sent_on=friday) is None


def test_no_digest_on_national_day_but_one_on_the_make_up_saturday() -> None:
    assert digest_day(_at(date(2026, 10, 5), 10), 9, CALENDAR, None) is None  # 国庆节
    assert digest_day(_at(date(2026, 10, 10), 10), 9, CALENDAR, None) == date(2026, 10, 10)  # 调休上班
    assert digest_day(_at(date(2026, 10, 11), 10), 9, CALENDAR, None) is None  # Sunday


def test_the_digest_replaces_due_soon_email_and_sms_but_never_overdue_nor_the_inbox() -> None:
    assert replaced_by_digest("request.due_soon", "email", TABLE)
    assert replaced_by_digest("request.due_soon", "sms", TABLE)
    assert not replaced_by_digest("request.due_soon", "inbox", TABLE)
    assert not replaced_by_digest("request.overdue", "email", TABLE)


def test_without_a_digest_nothing_is_replaced() -> None:
    assert not replaced_by_digest("request.due_soon", "email", RoutingTable(TABLE.routes, digest=None))
