"""Status pushes to 12345 and the provincial platform, and which webhook endpoints get an event."""

from __future__ import annotations

from typing import Any

import pytest

from services.notifier.domain.integrations import (
    WebhookEndpoint,
    origin_of,
    reply_summary,
    status_push,
    webhook_sends,
)
from shared.domain import InvalidInput

REGISTERED: dict[str, Any] = {
    "request_id": "r-1",
    "tracking_no": "YSQ-2026-0001",
    "unit_code": "U-1",
    "channel": "hotline_12345",
    "applicant_type": "natural_person",
    "received_on": "2026-09-29",
    "due_on": "2026-11-02",
    "source_ref": "GD20260929001",
}
REPLIED: dict[str, Any] = {
    "request_id": "r-1",
    "tracking_no": "YSQ-2026-0001",
    "unit_code": "U-1",
    "outcome": "withheld.state_secret",
    "replied_on": "2026-10-30",
    "on_time": True,
    "source_ref": "GD20260929001",
    "applicant_contact": {"phone": "13800000000"},
}
OVERDUE: dict[str, Any] = {
    "request_id": "r-1",
    "tracking_no": "YSQ-2026-0001",
    "unit_code": "U-1",
    "handler_id": "p-7",
    "due_on": "2026-11-02",
    "source_ref": "GD20260929001",
}


def test_a_12345_application_registered_is_pushed_as_accepted_with_its_due_date() -> None:
    push = status_push("request.registered", REGISTERED, origin=None)
    assert push is not None and push.target == "hotline_12345"
    assert push.payload == {
        "workorder_no": "GD20260929001",
        "tracking_no": "YSQ-2026-0001",
        "status": "accepted",
        "status_label": "已受理",
        "received_on": "2026-09-29",
        "due_on": "2026-11-02",
    }


def test_a_reply_is_pushed_with_its_summary_and_without_the_applicants_contact() -> None:
    push = status_push("request.replied", REPLIED, origin="hotline_12345")
    assert push is not None
    assert push.payload["status"] == "replied"
    assert push.payload["reply_summary"] == "不予公开：属于国家秘密"
    assert "applicant_contact" not in push.payload and "13800000000" not in str(push.payload)


def test_an_overdue_provincial_application_is_pushed_to_the_province() -> None:
    push = status_push("request.overdue", OVERDUE, origin="provincial")
    assert push is not None and push.target == "provincial"
    assert (push.payload["status"], push.payload["due_on"]) == ("overdue", "2026-11-02")


def test_applications_from_other_channels_and_other_events_are_not_pushed() -> None:
    assert status_push("request.registered", {**REGISTERED, "channel": "online"}, origin=None) is None
    assert status_push("request.replied", REPLIED, origin=None) is None
    assert status_push("request.extended", OVERDUE, origin="hotline_12345") is None
    assert status_push("request.overdue", {**OVERDUE, "source_ref": None}, origin="hotline_12345") is None


def test_the_origin_is_remembered_from_registration_only() -> None:
    assert origin_of("request.registered", REGISTERED) == "hotline_12345"
    assert origin_of("request.registered", {**REGISTERED, "channel": "mail"}) is None
    assert origin_of("request.replied", REPLIED) is None


def test_the_reply_summary_says_a_late_reply_and_refuses_an_unknown_outcome() -> None:
    assert reply_summary("disclosed", on_time=False) == "予以公开（逾期答复）"
    with pytest.raises(InvalidInput):
        reply_summary("maybe", on_time=True)


def test_each_endpoint_gets_what_it_is_for() -> None:
    endpoints = [
        WebhookEndpoint("h", "hotline_12345"),
        WebhookEndpoint("p", "provincial"),
        WebhookEndpoint("c", "custom", frozenset({"request.overdue"})),
        WebhookEndpoint("c2", "custom", frozenset({"request.replied"})),
        WebhookEndpoint("off", "custom", frozenset({"request.overdue"}), active=False),
    ]
    sends = webhook_sends("request.overdue", OVERDUE, endpoints, origin="hotline_12345")
    assert [(s.endpoint_id, s.payload is None) for s in sends] == [("h", False), ("c", True)]
    assert sends[0].recipient == "webhook:h"
