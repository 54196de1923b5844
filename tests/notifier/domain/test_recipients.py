"""Recipient resolution: the right people on the right channels, each once."""

from __future__ import annotations

from typing import Any

import pytest

from services.notifier.domain.recipients import (
    Contact,
    OfficeAddresses,
    Subscription,
    Target,
    UnitSnapshot,
    resolve,
)
from services.notifier.domain.routing import RoutingTable, parse_routing
from shared.domain import InvalidInput
from shared.events import EVENT_TYPES
from tests.notifier.domain.shipped import shipped_document, templates_of

DOCUMENT = shipped_document()
TABLE: RoutingTable = parse_routing(DOCUMENT, event_types=EVENT_TYPES, templates=templates_of(DOCUMENT))
UNIT = UnitSnapshot(
    "U-1",
    "区财政局",
    (
        Contact("王联络", "disclosure_contact", phone="13800000001", email="wang@u1.gov.cn"),
        Contact("李分管", "leader_in_charge", phone="13800000002", email="li@u1.gov.cn"),
        Contact("赵主要", "principal_leader", phone="13800000003", email="zhao@u1.gov.cn"),
        Contact("钱其他", "other", phone="13800000004", email="qian@u1.gov.cn"),
    ),
)
OFFICE = OfficeAddresses(emails=("gkb@gov.cn",), phones=("13900000000",))
OVERDUE: dict[str, Any] = {
    "request_id": "r-1",
    "tracking_no": "YSQ-2026-0001",
    "unit_code": "U-1",
    "handler_id": "p-7",
    "due_on": "2026-10-12",
    "source_ref": None,
}


def _targets(event_type: str, data: dict[str, Any], **kwargs: Any) -> set[tuple[str, str, str]]:
    resolution = resolve(TABLE.rules_for(event_type), data, event_type=event_type, unit=UNIT, office=OFFICE, **kwargs)
    return {(t.recipient, t.channel, t.address) for t in resolution.targets}


def test_an_overdue_request_tells_the_handler_the_units_contact_and_the_office() -> None:
    assert _targets("request.overdue", OVERDUE) == {
        ("user:p-7", "inbox", "p-7"),
        ("unit:U-1", "inbox", "U-1"),
        ("contact:U-1:王联络", "email", "wang@u1.gov.cn"),
        ("contact:U-1:王联络", "sms", "13800000001"),
        ("office", "inbox", "office"),
        ("office:gkb@gov.cn", "email", "gkb@gov.cn"),
        ("office:13900000000", "sms", "13900000000"),
    }


def test_a_due_soon_reminder_without_a_handler_goes_to_the_units_inbox() -> None:
    data = {"request_id": "r-1", "tracking_no": "T", "unit_code": "U-1", "due_on": "2026-10-12", "working_days_left": 3}
    assert _targets("request.due_soon", data) == {("unit:U-1", "inbox", "U-1")}


def test_the_applicant_is_told_only_on_the_channel_they_chose() -> None:
    data = {**OVERDUE, "outcome": "disclosed", "replied_on": "2026-10-09", "on_time": True}
    assert _targets("request.replied", {**data, "applicant_contact": {"email": "a@example.cn"}}) == {
        ("applicant:r-1", "email", "a@example.cn")
    }
    resolution = resolve(
        TABLE.rules_for("request.replied")[:1],
        {**data, "applicant_contact": {}},
        event_type="request.replied",
        unit=UNIT,
    )
    assert resolution.targets == ()
    assert [u.kind for u in resolution.unreached] == ["applicant"]


def test_rectification_overdue_reaches_the_leaders_principal_first_and_not_the_other_contacts() -> None:
    resolution = resolve(
        TABLE.rules_for("accountability.rectification_overdue"),
        {"case_id": "c-1", "unit_code": "U-1", "due_on": "2026-11-02"},
        event_type="accountability.rectification_overdue",
        unit=UNIT,
    )
    emails = [t.address for t in resolution.targets if t.channel == "email"]
    assert emails == ["zhao@u1.gov.cn", "li@u1.gov.cn"]
    assert all("qian" not in t.address and "wang" not in t.address for t in resolution.targets)


def test_a_grade_failed_unit_gets_one_inbox_message_though_contact_and_leaders_are_both_routed() -> None:
    targets = _targets("scoring.grade_failed", {"scheme_id": "s", "year": 2026, "unit_code": "U-1", "total": 60.0})
    assert [t for t in targets if t[1] == "inbox"] == [("unit:U-1", "inbox", "U-1")]
    assert {t[2] for t in targets if t[1] == "email"} == {"wang@u1.gov.cn", "li@u1.gov.cn", "zhao@u1.gov.cn"}


def test_a_decision_tells_each_person_in_their_inbox_and_the_unit() -> None:
    data = {"case_id": "c-1", "unit_code": "U-1", "sanctions": ["interview"], "persons": ["p-7", "p-8"]}
    assert _targets("accountability.decision_issued", data) == {
        ("user:p-7", "inbox", "p-7"),
        ("user:p-8", "inbox", "p-8"),
        ("unit:U-1", "inbox", "U-1"),
        ("contact:U-1:王联络", "email", "wang@u1.gov.cn"),
    }


def test_subscribers_of_the_unit_or_the_event_type_get_it_once_in_their_inbox() -> None:
    subscriptions = [
        Subscription("s-1", unit_code="U-1"),
        Subscription("s-1", event_type="request.overdue"),
        Subscription("s-2", event_type="request.overdue", unit_code="U-2"),  # another unit: no
        Subscription("p-7", unit_code="U-1"),  # the handler: already told
    ]
    targets = _targets("request.overdue", OVERDUE, subscriptions=subscriptions)
    users = sorted(t for t in targets if t[0].startswith("user:"))
    assert users == [("user:p-7", "inbox", "p-7"), ("user:s-1", "inbox", "s-1")]


def test_two_contacts_sharing_an_address_get_one_message() -> None:
    unit = UnitSnapshot(
        "U-1",
        "区财政局",
        (
            Contact("甲", "principal_leader", email="office@u1.gov.cn"),
            Contact("乙", "leader_in_charge", email="office@u1.gov.cn"),
        ),
    )
    resolution = resolve(
        TABLE.rules_for("accountability.rectification_overdue"),
        {"case_id": "c-1", "unit_code": "U-1", "due_on": "2026-11-02"},
        event_type="accountability.rectification_overdue",
        unit=unit,
    )
    assert [t.recipient for t in resolution.targets if t.channel == "email"] == ["contact:U-1:甲"]


def test_a_unit_missing_from_the_replica_still_gets_its_inbox_message() -> None:
    resolution = resolve(
        TABLE.rules_for("appraisal.unit_unsatisfied")[:1],
        {"campaign_id": "c", "year": 2026, "unit_code": "U-9", "score": 55.0, "problems": []},
        event_type="appraisal.unit_unsatisfied",
        unit=None,
    )
    assert [(t.recipient, t.channel) for t in resolution.targets] == [("unit:U-9", "inbox")]
    assert [u.kind for u in resolution.unreached] == ["subscribers"]


def test_the_dedup_key_is_event_id_recipient_and_channel() -> None:
    target = Target("user:p-7", "handler", "inbox", "p-7", "request.overdue")
    assert target.dedup_key("e-1") == ("e-1", "user:p-7", "inbox")


def test_the_same_event_resolves_to_the_same_keys_every_time() -> None:
    first = resolve(TABLE.rules_for("request.overdue"), OVERDUE, event_type="request.overdue", unit=UNIT, office=OFFICE)
    again = resolve(TABLE.rules_for("request.overdue"), OVERDUE, event_type="request.overdue", unit=UNIT, office=OFFICE)
    assert [t.dedup_key("e-1") for t in first.targets] == [t.dedup_key("e-1") for t in again.targets]
    assert len({t.dedup_key("e-1") for t in first.targets}) == len(first.targets)


def test_a_subscription_to_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        Subscription("s-1")
    assert caught.value.code == "subscription_empty"
