"""Sample events for template checks and previews (issue 15 §3), and the context every template
gets — built the same way for a real event and for a sample, so a template that renders at startup
renders at run time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from shared.events import EVENT_TYPES
from shared.vocabulary import RECIPIENT_KIND_LABELS

__all__ = ["SAMPLE_UNIT", "SAMPLES", "digest_context", "sample_context", "sample_data", "template_context"]

SAMPLE_UNIT = {"unit_code": "130402-CZJ", "name": "邯郸市财政局"}
_REQUEST = {"request_id": "0b9f3c52-5d8e-4a51-9a53-2f0d7e1c8a10", "tracking_no": "YSQ-2026-000123"}
_UNIT = {"unit_code": SAMPLE_UNIT["unit_code"]}

# One realistic ``data`` per event type (each validates against its catalogue model: tested).
SAMPLES: dict[str, dict[str, Any]] = {
    "unit.upserted": {
        **_UNIT,
        "name": SAMPLE_UNIT["name"],
        "kind": "department",
        "parent_code": None,
        "region": "130402",
        "contacts": [{"name": "王敏", "role": "disclosure_contact", "phone": "0310-3100000"}],
        "active": True,
        "version": 3,
    },
    "calendar.updated": {"year": 2027, "holidays": [{"day": "2027-01-01", "name": "元旦"}], "makeup_workdays": []},
    "request.registered": {
        **_REQUEST,
        **_UNIT,
        "channel": "hotline_12345",
        "applicant_type": "natural_person",
        "received_on": "2026-03-02",
        "due_on": "2026-03-30",
        "source_ref": "GD20260302000017",
    },
    "request.correction_requested": {**_REQUEST, **_UNIT, "on": "2026-03-04"},
    "request.correction_received": {**_REQUEST, **_UNIT, "on": "2026-03-09"},
    "request.extended": {**_REQUEST, **_UNIT, "due_on": "2026-04-28"},
    "request.due_soon": {**_REQUEST, **_UNIT, "due_on": "2026-03-30", "working_days_left": 3},
    "request.overdue": {
        **_REQUEST,
        **_UNIT,
        "handler_id": "u-zhangsan",
        "due_on": "2026-03-30",
        "source_ref": "GD20260302000017",
    },
    "request.replied": {
        **_REQUEST,
        **_UNIT,
        "outcome": "partially_disclosed",
        "replied_on": "2026-03-27",
        "on_time": True,
        "source_ref": "GD20260302000017",
        "applicant_contact": {"email": "applicant@example.com", "phone": "13800000000"},
    },
    "request.review_decided": {
        "request_id": _REQUEST["request_id"],
        **_UNIT,
        "kind": "administrative_review",
        "result": "corrected",
    },
    "hotline.complaint_received": {
        "workorder_no": "GD20260305000042",
        **_UNIT,
        "content": "申请公开的预算信息未按期答复",
        "received_at": "2026-03-05T09:30:00+08:00",
    },
    "hotline.workorder_unanswered": {
        **_UNIT,
        "workorder_no": "GD20260305000042",
        "due_at": "2026-03-10T18:00:00+08:00",
    },
    "scoring.sheet_finalized": {
        "scheme_id": "district-2026",
        "year": 2026,
        **_UNIT,
        "total": 72.5,
        "grade": "fail",
        "rank": 18,
    },
    "scoring.grade_failed": {
        "scheme_id": "district-2026",
        "year": 2026,
        **_UNIT,
        "total": 72.5,
        "veto_reasons": ["发生泄密事件"],
    },
    "appraisal.result_published": {
        "campaign_id": "sp-2026",
        "year": 2026,
        **_UNIT,
        "score": 58.0,
        "rating": "unsatisfied",
    },
    "appraisal.unit_unsatisfied": {
        "campaign_id": "sp-2026",
        "year": 2026,
        **_UNIT,
        "score": 58.0,
        "problems": ["政策解读不及时", "咨询电话无人接听"],
    },
    "accountability.case_opened": {
        "case_id": "AC-2026-007",
        **_UNIT,
        "violations": ["application_mishandled"],
        "trigger_event_id": None,
    },
    "accountability.decision_issued": {
        "case_id": "AC-2026-007",
        **_UNIT,
        "sanctions": ["public_criticism", "interview"],
        "persons": ["u-zhangsan", "u-lisi"],
    },
    "accountability.rectification_ordered": {"case_id": "AC-2026-007", **_UNIT, "due_on": "2026-05-06"},
    "accountability.rectification_overdue": {"case_id": "AC-2026-007", **_UNIT, "due_on": "2026-05-06"},
    "accountability.appeal_due_soon": {
        "appeal_id": "3c9a2f0e-6b1d-4e8a-9f2b-7d4c5e6a1b2c",
        "case_id": "AC-2026-007",
        **_UNIT,
        "decision_due_on": "2026-06-01",
    },
    "notification.failed": {
        "notification_id": "5f1b0d4e-8f1c-4a0e-b7a1-9d2c3e4f5a6b",
        "channel": "email",
        "recipient": "contact:130402-CZJ:王敏",
        "attempts": 6,
        "last_error": "SMTP 550 mailbox unavailable",
    },
}

_SAMPLE_DIGEST_ITEMS = [
    {"request_id": "r-1", "tracking_no": "YSQ-2026-000101", "due_on": "2026-03-20", "overdue": True},
    {"request_id": "r-2", "tracking_no": "YSQ-2026-000123", "due_on": "2026-03-30", "overdue": False},
]


def sample_data(event_type: str) -> dict[str, Any]:
    """The sample ``data`` of an event type (a copy): its own, or that of the catalogue model it
    extends (a ``….v2`` subclassing v1); an empty dict for a type without one."""
    model = EVENT_TYPES.get(event_type)
    for cls in model.__mro__ if model is not None else ():
        sample = SAMPLES.get(str(cls.__dict__.get("TYPE", "")))
        if sample is not None:
            return dict(sample)
    return dict(SAMPLES.get(event_type, {}))


def template_context(
    *,
    event_id: str,
    event_type: str,
    time: datetime,
    subject: str | None,
    data: Mapping[str, Any],
    unit: Mapping[str, Any] | None,
    recipient_kind: str,
    digest: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    unit_code = data.get("unit_code")
    return {
        "event": {"id": event_id, "type": event_type, "time": time.isoformat(), "subject": subject},
        "data": dict(data),
        "unit": dict(unit) if unit else {"unit_code": unit_code or "", "name": unit_code or ""},
        "recipient": {"kind": recipient_kind, "label": RECIPIENT_KIND_LABELS.get(recipient_kind, recipient_kind)},
        "digest": digest,
    }


def digest_context(
    on: date, overdue: Sequence[Mapping[str, Any]], due_soon: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    return {"on": on.isoformat(), "overdue": list(overdue), "due_soon": list(due_soon)}


def sample_context(event_type: str, channel: str, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A template's context for a sample event of ``event_type`` (``"digest"``: a sample digest),
    with ``data`` laid over the sample's."""
    del channel  # the same context on every channel
    at = datetime(2026, 3, 31, 1, 0, tzinfo=UTC)
    if event_type == "digest":
        items = _SAMPLE_DIGEST_ITEMS
        digest = digest_context(
            date(2026, 3, 31), [i for i in items if i["overdue"]], [i for i in items if not i["overdue"]]
        )
        return template_context(
            event_id=f"digest:{SAMPLE_UNIT['unit_code']}:2026-03-31",
            event_type="digest.daily",
            time=at,
            subject=SAMPLE_UNIT["unit_code"],
            data={**_UNIT, **(data or {})},
            unit=SAMPLE_UNIT,
            recipient_kind="disclosure_contact",
            digest=digest,
        )
    merged = {**sample_data(event_type), **(data or {})}
    return template_context(
        event_id="00000000-0000-4000-8000-000000000000",
        event_type=event_type,
        time=at,
        subject=str(merged.get("request_id") or merged.get("case_id") or merged.get("unit_code") or ""),
        data=merged,
        unit=SAMPLE_UNIT,
        recipient_kind="disclosure_contact",
    )


assert set(SAMPLES) <= set(EVENT_TYPES)
