"""The world the system test and ``bench/system.py`` play in, built only through the services' own
HTTP APIs (the calls their tests make): units with contacts and leaders in the requests service,
seed 003's scheme for 2026 published in scoring, 12345 as a webhook endpoint of the notifier, and
12345 work orders that become applications, registered and assigned.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from shared.signing import sign
from tests.scoring.helpers import example_document
from tests.system.cluster import Cluster, Databases, eventually

SH = ZoneInfo("Asia/Shanghai")
HOTLINE_INTAKE_SECRET = "system-test-hotline-intake-secret"
WORKORDERS = "/api/v1/integrations/hotline/workorders"
OFFICE_EMAIL = "office@gov.test"
# Category A of seed 003 (乡镇、街道): 依申请公开 is bound to ``request_overdue`` (A3.2.1); category B
# (区直单位), cut to three units, is the one finalized in the failed-grade scenario.
A_UNITS = tuple(f"A{n:02d}" for n in range(1, 11))
B_UNITS = ("B01", "B02", "B03")
UNITS = A_UNITS + B_UNITS


def environment(bus_url: str, urls: dict[str, str], smtp_port: int, data_dir: Path, **extra: str) -> dict[str, str]:
    """The settings every process of the cluster runs with (``extra``: more ``GONGKAI_…`` values)."""
    return {
        "GONGKAI_ENV": "test",
        "GONGKAI_BUS_URL": bus_url,
        **{f"GONGKAI_{s.upper()}_DATABASE_URL": url for s, url in urls.items()},
        "GONGKAI_DATA_DIR": str(data_dir),
        "GONGKAI_LOG_LEVEL": "WARNING",
        # Sweeps run when the caller says (the admin endpoints), not on a timer mid-scenario.
        "GONGKAI_REQUESTS_SWEEP_INTERVAL_SECONDS": "3600",
        "GONGKAI_ACCOUNTABILITY_SWEEP_INTERVAL_SECONDS": "3600",
        "GONGKAI_APPRAISAL_CLOSE_SWEEP_INTERVAL_SECONDS": "3600",
        "GONGKAI_REQUESTS_HOTLINE_SECRETS": HOTLINE_INTAKE_SECRET,
        "GONGKAI_NOTIFIER_SMTP_HOST": "127.0.0.1",
        "GONGKAI_NOTIFIER_SMTP_PORT": str(smtp_port),
        "GONGKAI_NOTIFIER_OFFICE_EMAILS": OFFICE_EMAIL,
        "GONGKAI_NOTIFIER_QUIET_HOURS": "",
        "GONGKAI_NOTIFIER_DISPATCH_POLL_SECONDS": "0.2",
        **extra,
    }


def contact_email(unit: str) -> str:
    return f"contact.{unit.lower()}@gov.test"


def leader_emails(unit: str) -> set[str]:
    return {f"chief.{unit.lower()}@gov.test", f"deputy.{unit.lower()}@gov.test"}


def unit_body(code: str) -> dict[str, Any]:
    return {
        "name": f"第{code}单位",
        "kind": "township" if code.startswith("A") else "department",
        "region": "130402",
        "contacts": [
            {"name": "王联络", "role": "disclosure_contact", "email": contact_email(code)},
            {"name": "赵主要", "role": "principal_leader", "email": f"chief.{code.lower()}@gov.test"},
            {"name": "李分管", "role": "leader_in_charge", "email": f"deputy.{code.lower()}@gov.test"},
        ],
    }


def scheme_of(year: int) -> dict[str, Any]:
    """Seed 003's scheme for ``year``, category B cut to :data:`B_UNITS`."""
    document = example_document(
        year=year, name=f"XX区{year}年度政务公开工作考核方案", period={"start": f"{year}-01-01", "end": f"{year}-12-31"}
    )
    for category in document["categories"]:
        if category["code"] == "B":
            category["units"] = list(B_UNITS)
    return document


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock in Beijing on ``day``."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


async def build_world(
    cluster: Cluster, databases: Databases, hotline_url: str, hotline_secret: str, *, year: int = 2026
) -> str:
    """Units (replicated to every consumer before anything else happens), the scheme of ``year``
    published with the notice sent on 2 March, 12345's endpoint; returns the scheme id."""
    for code in UNITS:
        await cluster.call("PUT", "requests", f"/api/v1/units/{code}", json=unit_body(code))
    await cluster.call(
        "POST",
        "notifier",
        "/api/v1/webhooks",
        json={"name": "12345热线", "url": hotline_url, "secret": hotline_secret, "target": "hotline_12345"},
    )
    body = json.dumps(scheme_of(year), ensure_ascii=False).encode()
    scheme = (
        await cluster.call("POST", "scoring", "/api/v1/schemes", content=body, headers=json_headers(cluster))
    ).json()
    published = await cluster.call(
        "POST",
        "scoring",
        f"/api/v1/schemes/{scheme['id']}/publish",
        headers={**cluster.admin, "If-Match": f'"{scheme["version"]}"'},
    )
    for category in ("A", "B"):
        await cluster.call(
            "PUT",
            "scoring",
            f"/api/v1/schemes/{scheme['id']}/categories/{category}/notice",
            json={"notice_date": f"{year}-03-02"},
        )
    for service in ("scoring", "appraisal", "accountability", "notifier"):
        await eventually(
            lambda s=service: databases.value(s, "SELECT count(*) FROM ref_units"),
            lambda n: n == len(UNITS),
            seconds=60,
            what=f"units replicated to {service}",
        )
    scheme_id: str = published.json()["id"]
    return scheme_id


def json_headers(cluster: Cluster) -> dict[str, str]:
    return {**cluster.admin, "Content-Type": "application/json"}


def workorder(no: str, unit: str, received_at: datetime) -> dict[str, Any]:
    return {
        "workorder_no": no,
        "category": "disclosure_request",
        "unit_code": unit,
        "content": f"申请公开本单位2026年度部门预算（{no}）",
        "received_at": received_at.isoformat(),
        # Far ahead: the unit answers the work order itself in time; only the application runs late.
        "due_at": (received_at + timedelta(days=200)).isoformat(),
        "applicant": {"type": "natural_person", "name": "张三", "phone": "13800000000"},
        "purpose": "了解财政支出",
        "delivery": {"format": "electronic", "method": "email"},
    }


async def hotline_application(
    cluster: Cluster, no: str, unit: str, received_at: datetime, handler: str
) -> dict[str, Any]:
    """A 12345 work order (signed as the hotline signs), registered and assigned: the application's
    state after ``assign`` (``id``, ``due_on`` …)."""
    body = json.dumps(workorder(no, unit, received_at), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", **sign(HOTLINE_INTAKE_SECRET, body, timestamp=int(time.time()))}
    accepted = (await cluster.call("POST", "requests", WORKORDERS, content=body, headers=headers)).json()
    application_id = accepted["application"]["id"]
    acting = {**cluster.admin, "If-Match": "*"}
    path = f"/api/v1/requests/{application_id}"
    await cluster.call("POST", "requests", f"{path}/register", json={}, headers=acting)
    assigned = await cluster.call(
        "POST", "requests", f"{path}/assign", json={"handler_id": handler, "handler_name": "承办人"}, headers=acting
    )
    result: dict[str, Any] = assigned.json()
    return result


async def hotline_applications(
    cluster: Cluster, numbers: Iterable[tuple[str, str]], received_at: datetime, *, parallel: int = 8
) -> list[dict[str, Any]]:
    """Many of :func:`hotline_application` (``(workorder_no, unit)``), ``parallel`` at a time."""
    gate = asyncio.Semaphore(parallel)

    async def one(no: str, unit: str) -> dict[str, Any]:
        async with gate:
            return await hotline_application(cluster, no, unit, received_at, handler=f"handler-{unit.lower()}")

    return list(await asyncio.gather(*(one(no, unit) for no, unit in numbers)))


async def sweep_requests(cluster: Cluster, today: date | None = None) -> dict[str, Any]:
    """The requests service's deadline sweep now, as of the service clock's day or ``today``."""
    body = {"today": today.isoformat()} if today else {}
    response = await cluster.call("POST", "requests", "/api/v1/admin/requests/sweeps/deadlines", json=body)
    result: dict[str, Any] = response.json()
    return result


async def overdue_events(databases: Databases, request_ids: Iterable[str]) -> dict[str, str]:
    """request id → the id of its ``request.overdue`` (from the requests service's outbox)."""
    rows = await databases.rows(
        "requests",
        "SELECT subject, event_id FROM outbox WHERE type = 'request.overdue' AND subject = ANY($1::text[])",
        list(request_ids),
    )
    return {r["subject"]: r["event_id"] for r in rows}
