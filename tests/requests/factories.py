"""Rows for tests that need applications in the database without walking the API (reports,
sweeps, benchmarks). The API tests create theirs through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Insert

from services.requests.models import applications
from shared.vocabulary import APPLICANT_TYPE_LABELS

APPLICANT_TYPES: tuple[str, ...] = tuple(APPLICANT_TYPE_LABELS)


def application_row(**overrides: Any) -> dict[str, Any]:
    """A registered, open application of unit U001 received 2026-09-25 and due 2026-10-29."""
    application_id = overrides.pop("id", None) or str(uuid.uuid4())
    now = datetime(2026, 9, 25, 1, 0, tzinfo=UTC)
    row: dict[str, Any] = {
        "id": application_id,
        "tracking_no": f"T{application_id.replace('-', '')[:20].upper()}",
        "query_code_index": "0" * 64,
        "unit_code": "U001",
        "channel": "online",
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "description": "申请公开2026年度某项目的预算执行情况",
        "delivery_format": "electronic",
        "delivery_method": "email",
        "state": "registered",
        "rule_set": "national_2019",
        "submitted_at": now,
        "received_on": date(2026, 9, 25),
        "due_on": date(2026, 10, 29),
        "due_on_provisional": False,
        "clock_running": True,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    row.update(overrides)
    return row


def insert_applications() -> Insert:
    """The insert statement for ``session.execute(insert_applications(), [application_row(), …])``."""
    return applications.insert()
