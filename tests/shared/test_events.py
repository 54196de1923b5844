"""The CloudEvents envelope and the v1 catalogue (DESIGN §3)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import ClassVar

import pytest

from shared.context import causation_id_var, request_id_var
from shared.events import (
    CONTENT_TYPE,
    EVENT_TYPES,
    AccountabilityAppealDueSoon,
    AccountabilityCaseOpened,
    AccountabilityDecisionIssued,
    AccountabilityRectificationOrdered,
    AccountabilityRectificationOverdue,
    ApplicantContact,
    AppraisalResultPublished,
    AppraisalUnitUnsatisfied,
    CalendarDay,
    CalendarUpdated,
    CloudEvent,
    EventData,
    HotlineComplaintReceived,
    HotlineWorkorderUnanswered,
    InvalidEvent,
    NotificationFailed,
    RequestCorrectionReceived,
    RequestCorrectionRequested,
    RequestDueSoon,
    RequestExtended,
    RequestOverdue,
    RequestRegistered,
    RequestReplied,
    RequestReportUpDueSoon,
    RequestReportUpOverdue,
    RequestReviewDecided,
    RequestUnconfirmed,
    ScoringGradeFailed,
    ScoringSheetFinalized,
    UnitContact,
    UnitUpserted,
    new_event,
)

BEIJING = timezone(timedelta(hours=8))
NOW = datetime(2026, 10, 30, 0, 0, 1, tzinfo=BEIJING)

DESIGN_CATALOGUE_V1 = {
    "unit.upserted",
    "calendar.updated",
    "request.registered",
    "request.correction_requested",
    "request.correction_received",
    "request.extended",
    "request.due_soon",
    "request.overdue",
    "request.replied",
    "request.review_decided",
    "hotline.complaint_received",
    "hotline.workorder_unanswered",
    "scoring.sheet_finalized",
    "scoring.grade_failed",
    "appraisal.result_published",
    "appraisal.unit_unsatisfied",
    "accountability.case_opened",
    "accountability.decision_issued",
    "accountability.rectification_ordered",
    "accountability.rectification_overdue",
    "notification.failed",
    "request.unconfirmed",
}
# Beyond the DESIGN's list (additive): the report-up obligation of seed 001 (issue 11); the appeal reminder
# of seed 004 第二十九条 (issue 14).
ADDED_TYPES = {"request.report_up_due_soon", "request.report_up_overdue", "accountability.appeal_due_soon"}

# One realistic instance of every type.
SAMPLES: list[EventData] = [
    UnitUpserted(
        unit_code="330102001",
        name="上城区人民政府湖滨街道办事处",
        kind="township",
        parent_code="330102",
        region="330102",
        contacts=[UnitContact(name="王敏", title="政务公开专员", phone="0571-87000000")],
    ),
    CalendarUpdated(
        year=2026,
        holidays=[CalendarDay(day=date(2026, 10, 1), name="国庆节")],
        makeup_workdays=[CalendarDay(day=date(2026, 10, 10), name="国庆节调休上班")],
    ),
    RequestRegistered(
        request_id="7d0c6a0e-5b8f-4f53-9f0e-2f6d2f1a9c11",
        tracking_no="GK2026-000123",
        unit_code="330102001",
        channel="hotline_12345",
        applicant_type="natural_person",
        received_on=date(2026, 9, 25),
        due_on=date(2026, 10, 29),
        source_ref="12345-20260925-0042",
    ),
    RequestCorrectionRequested(request_id="r-1", unit_code="330102001", on=date(2026, 9, 28)),
    RequestCorrectionReceived(request_id="r-1", unit_code="330102001", on=date(2026, 10, 9)),
    RequestExtended(request_id="r-1", unit_code="330102001", due_on=date(2026, 11, 26)),
    RequestDueSoon(
        request_id="r-1",
        tracking_no="GK2026-000123",
        unit_code="330102001",
        due_on=date(2026, 10, 29),
        working_days_left=3,
    ),
    RequestOverdue(request_id="r-1", tracking_no="GK2026-000123", unit_code="330102001", due_on=date(2026, 10, 29)),
    RequestReplied(
        request_id="r-1",
        tracking_no="GK2026-000123",
        unit_code="330102001",
        outcome="withheld.process_info",
        replied_on=date(2026, 10, 28),
        on_time=True,
        applicant_contact=ApplicantContact(email="zhang@example.cn"),
    ),
    RequestReviewDecided(request_id="r-1", unit_code="330102001", kind="administrative_review", result="corrected"),
    HotlineComplaintReceived(
        workorder_no="12345-20261001-0007", unit_code="330102001", content="申请公开的信息逾期未答复", received_at=NOW
    ),
    HotlineWorkorderUnanswered(workorder_no="12345-20261001-0007", unit_code="330102001", due_at=NOW),
    RequestUnconfirmed(
        request_id="r-2",
        tracking_no="GK20261001000000000002",
        unit_code="330102001",
        channel="online",
        submitted_at=NOW,
    ),
    RequestReportUpDueSoon(
        request_id="r-1",
        tracking_no="GK20261001000000000001",
        unit_code="330102001",
        due_on=date(2026, 10, 9),
        working_days_left=2,
    ),
    RequestReportUpOverdue(
        request_id="r-1",
        tracking_no="GK20261001000000000001",
        unit_code="330102001",
        handler_id="h-1",
        due_on=date(2026, 10, 9),
    ),
    ScoringSheetFinalized(scheme_id="s-2026", year=2026, unit_code="330102001", total=96.5, grade="excellent", rank=1),
    ScoringGradeFailed(scheme_id="s-2026", year=2026, unit_code="330102001", total=88.0, veto_reasons=["发生泄密事件"]),
    AppraisalResultPublished(campaign_id="c-2026", year=2026, unit_code="330102001", score=91.2, rating="satisfied"),
    AppraisalUnitUnsatisfied(
        campaign_id="c-2026", year=2026, unit_code="330102001", score=52.0, problems=["办事指南更新不及时"]
    ),
    AccountabilityCaseOpened(
        case_id="k-1", unit_code="330102001", violations=["application_mishandled"], trigger_event_id=str(uuid.uuid4())
    ),
    AccountabilityDecisionIssued(
        case_id="k-1", unit_code="330102001", sanctions=["public_criticism", "interview"], persons=["p-17"]
    ),
    AccountabilityRectificationOrdered(case_id="k-1", unit_code="330102001", due_on=date(2026, 11, 27)),
    AccountabilityRectificationOverdue(case_id="k-1", unit_code="330102001", due_on=date(2026, 11, 27)),
    AccountabilityAppealDueSoon(
        appeal_id="ap-1", case_id="k-1", unit_code="330102001", decision_due_on=date(2026, 11, 2)
    ),
    NotificationFailed(
        notification_id="n-1", channel="sms", recipient="13800000000", attempts=5, last_error="gateway timeout"
    ),
]


def event_of(data: EventData, **overrides: object) -> CloudEvent:
    return new_event(data, source="gongkai/requests", subject="r-1", time=NOW, **overrides)


def test_every_design_catalogue_type_is_registered() -> None:
    assert set(EVENT_TYPES) == DESIGN_CATALOGUE_V1 | ADDED_TYPES
    assert {type(sample).TYPE for sample in SAMPLES} == DESIGN_CATALOGUE_V1 | ADDED_TYPES


def test_correction_requested_and_received_are_two_types_with_the_same_fields() -> None:
    assert RequestCorrectionRequested.TYPE != RequestCorrectionReceived.TYPE
    assert (
        RequestCorrectionRequested.model_fields.keys()
        == RequestCorrectionReceived.model_fields.keys()
        == {"request_id", "unit_code", "on"}
    )


@pytest.mark.parametrize("data", SAMPLES, ids=lambda d: type(d).TYPE)
def test_every_type_survives_bytes_round_trip(data: EventData) -> None:
    event = event_of(data)
    parsed = CloudEvent.from_json_bytes(event.to_json_bytes())
    assert parsed == event
    assert parsed.type == type(data).TYPE
    assert parsed.parsed_data() == data


def test_envelope_is_cloudevents_structured_json() -> None:
    body = json.loads(event_of(SAMPLES[7]).to_json_bytes())
    assert CONTENT_TYPE == "application/cloudevents+json"
    assert body["specversion"] == "1.0"
    assert body["type"] == "request.overdue"
    assert body["source"] == "gongkai/requests"
    assert body["subject"] == "r-1"
    assert body["datacontenttype"] == "application/json"
    assert body["time"] == "2026-10-30T00:00:01+08:00"  # ISO 8601 with its offset
    assert body["data"]["due_on"] == "2026-10-29"
    uuid.UUID(body["id"])
    assert "traceparent" not in body  # absent attributes are left out, not null


def test_event_id_is_a_fresh_uuid_unless_given() -> None:
    given = str(uuid.uuid4())
    assert event_of(SAMPLES[0]).id != event_of(SAMPLES[0]).id
    assert event_of(SAMPLES[0], id=given).id == given


def test_correlation_and_causation_default_to_the_request_context() -> None:
    request_token = request_id_var.set("req-42")
    causation_token = causation_id_var.set("evt-41")
    try:
        event = event_of(SAMPLES[0])
        explicit = event_of(SAMPLES[0], correlationid="other", causationid="cause")
    finally:
        request_id_var.reset(request_token)
        causation_id_var.reset(causation_token)
    assert (event.correlationid, event.causationid) == ("req-42", "evt-41")
    assert (explicit.correlationid, explicit.causationid) == ("other", "cause")
    assert event_of(SAMPLES[0]).correlationid is None


def test_unknown_extension_survives_round_trip() -> None:
    body = json.loads(
        event_of(SAMPLES[0], traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").to_json_bytes()
    )
    body["tenantid"] = "hangzhou"
    parsed = CloudEvent.from_json_bytes(json.dumps(body).encode())
    assert parsed.model_extra == {"tenantid": "hangzhou"}
    again = json.loads(parsed.to_json_bytes())
    assert again["tenantid"] == "hangzhou"
    assert again["traceparent"].startswith("00-0af7")


def test_data_fields_beyond_the_minimum_are_kept() -> None:
    data = RequestExtended(request_id="r-1", unit_code="330102001", due_on=date(2026, 11, 26), working_days=20)
    parsed = CloudEvent.from_json_bytes(event_of(data).to_json_bytes()).parsed_data()
    assert parsed.model_extra == {"working_days": 20}


def test_applicant_contact_carries_no_more_than_delivery_needs() -> None:
    contact = ApplicantContact(phone="13800000000", id_number="110101199001011234")
    assert contact.model_dump() == {"phone": "13800000000", "email": None}


def valid_body() -> dict:
    return json.loads(event_of(SAMPLES[7]).to_json_bytes())


def without(key: str) -> dict:
    body = valid_body()
    del body[key]
    return body


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"\xff\xfe\x00",
        b"null",
        b"[]",
        b'"request.overdue"',
        json.dumps({**valid_body(), "specversion": "0.3"}).encode(),
        json.dumps({**valid_body(), "id": "not-a-uuid"}).encode(),
        json.dumps({**valid_body(), "time": "2026-10-30T00:00:01"}).encode(),  # no offset
        json.dumps({**valid_body(), "time": "yesterday"}).encode(),
        json.dumps({**valid_body(), "data": [1, 2]}).encode(),
        json.dumps({**valid_body(), "type": ""}).encode(),
        json.dumps(without("id")).encode(),
        json.dumps(without("type")).encode(),
        json.dumps(without("source")).encode(),
        json.dumps(without("time")).encode(),
        json.dumps(without("data")).encode(),
    ],
    ids=[
        "empty",
        "truncated",
        "not-utf8",
        "null",
        "array",
        "string",
        "wrong-specversion",
        "id-not-uuid",
        "naive-time",
        "bad-time",
        "data-not-object",
        "empty-type",
        "no-id",
        "no-type",
        "no-source",
        "no-time",
        "no-data",
    ],
)
def test_malformed_bytes_are_invalid_event(raw: bytes) -> None:
    with pytest.raises(InvalidEvent):
        CloudEvent.from_json_bytes(raw)


def test_parsed_data_of_unknown_type_is_invalid_event() -> None:
    event = CloudEvent.from_json_bytes(json.dumps({**valid_body(), "type": "request.vanished"}).encode())
    with pytest.raises(InvalidEvent, match="unknown event type"):
        event.parsed_data()


@pytest.mark.parametrize(
    "data",
    [
        {"request_id": "r-1"},
        {**valid_body()["data"], "due_on": "2026-13-01"},
        {**valid_body()["data"], "handler_id": ["a"]},
    ],
    ids=["missing-fields", "bad-date", "wrong-type"],
)
def test_parsed_data_that_does_not_fit_its_type_is_invalid_event(data: dict) -> None:
    event = CloudEvent.from_json_bytes(json.dumps({**valid_body(), "data": data}).encode())
    with pytest.raises(InvalidEvent, match="request.overdue"):
        event.parsed_data()


def test_enumerated_fields_reject_values_outside_design() -> None:
    body = valid_body()
    body["type"], body["data"] = (
        "request.review_decided",
        {"request_id": "r-1", "unit_code": "u", "kind": "arbitration", "result": "upheld"},
    )
    with pytest.raises(InvalidEvent):
        CloudEvent.from_json_bytes(json.dumps(body).encode()).parsed_data()


def test_timestamps_in_data_must_be_aware() -> None:
    with pytest.raises(ValueError):
        HotlineWorkorderUnanswered(workorder_no="w", unit_code="u", due_at=datetime(2026, 10, 1, 17, 0))


def test_new_event_refuses_unregistered_data() -> None:
    class Unregistered(EventData):
        pass

    with pytest.raises(TypeError):
        event_of(Unregistered())


def test_registering_a_type_twice_is_refused() -> None:
    with pytest.raises(TypeError, match="already registered"):

        class Impostor(EventData):
            TYPE: ClassVar[str] = "request.overdue"

    assert EVENT_TYPES["request.overdue"] is RequestOverdue


def test_envelope_time_keeps_utc_offset() -> None:
    event = event_of(SAMPLES[0]).model_copy(update={"time": datetime(2026, 10, 1, tzinfo=UTC)})
    assert json.loads(event.to_json_bytes())["time"] == "2026-10-01T00:00:00+00:00"
