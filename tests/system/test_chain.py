"""The event chain of DESIGN §3 across process boundaries (issue 16, item 1): the five services as
separate ``gongkai serve-one`` processes on PostgreSQL and RabbitMQ, two replicas of each consuming
service, the dev clock walked forward on every process, an SMTP server (aiosmtpd) and an HTTP server
standing in for 12345 (it verifies every push's signature with ``shared.signing``).

The processes reach RabbitMQ through a TCP proxy the test owns, in a vhost of their own (their
queues ``gongkai.<service>`` are nobody else's); the fault scenario stops that proxy — never the
machine's broker — and SIGKILLs replicas. Everything is counted in the services' own databases.
The cluster starts once for the module; scenarios set absolute story times and run in order.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from shared.settings import SERVICE_NAMES
from tests.infra import require_postgres, require_rabbitmq
from tests.notifier.support import HOTLINE_SECRET, Receiver, http_receiver, smtp_server
from tests.reliability.proxy import TcpProxy
from tests.support import pg_test_database, recreate_pg_database
from tests.system.cluster import (
    CONSUMERS,
    Cluster,
    Databases,
    create_vhost,
    delete_vhost,
    eventually,
    free_port,
    migrate_all,
    rabbitmqctl_available,
)
from tests.system.story import (
    OFFICE_EMAIL,
    at,
    build_world,
    contact_email,
    environment,
    hotline_application,
    hotline_applications,
    leader_emails,
    overdue_events,
    sweep_requests,
)

OUTAGE_SECONDS = 30.0
FAULT_APPLICATIONS = 200
SETUP_DAY = date(2026, 3, 2)  # a Monday


@dataclass
class System:
    cluster: Cluster
    db: Databases
    mail: Any
    hotline: Receiver
    proxy: TcpProxy
    scheme_id: str

    def mails_to(self, address: str) -> list[Any]:
        return [m for m in self.mail.messages if m["To"] == address]


# Failed handlers come back within seconds, not minutes; a relay backed off during the outage is due
# at once on reconnect anyway; what a SIGKILLed replica had claimed (outbox rows, deliveries) is
# claimed again soon.
FAST_RECOVERY = {
    "GONGKAI_BUS_RETRY_BASE_SECONDS": "1",
    "GONGKAI_BUS_RETRY_FACTOR": "2",
    "GONGKAI_OUTBOX_BACKOFF_MAX_SECONDS": "2",
    "GONGKAI_OUTBOX_LEASE_SECONDS": "10",
    "GONGKAI_NOTIFIER_DISPATCH_LEASE_SECONDS": "10",
    "GONGKAI_NOTIFIER_RETRY_BASE_SECONDS": "1",
    "GONGKAI_NOTIFIER_RETRY_JITTER": "0",
}


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    require_postgres()
    require_rabbitmq()
    if not rabbitmqctl_available():
        message = "rabbitmqctl is needed to give the system test a vhost of its own"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    vhost = pg_test_database("sys")
    async with AsyncExitStack() as stack:
        await asyncio.to_thread(create_vhost, vhost)
        stack.callback(delete_vhost, vhost)
        proxy = TcpProxy(5672)
        proxy.port = free_port()  # below the ephemeral range: still free when it listens again
        await proxy.start()
        stack.push_async_callback(_stop_proxy, proxy)
        urls = {s: await recreate_pg_database(pg_test_database(f"sys_{s}")) for s in SERVICE_NAMES}
        await asyncio.to_thread(migrate_all, urls)
        mail, smtp_port = stack.enter_context(smtp_server())
        hotline = await stack.enter_async_context(http_receiver())
        databases = Databases(urls)
        await databases.open()
        stack.push_async_callback(databases.close)
        bus_url = f"amqp://guest:guest@127.0.0.1:{proxy.port}/{vhost}"
        root = tmp_path_factory.mktemp("system")
        env = environment(bus_url, urls, smtp_port, root / "data", **FAST_RECOVERY)
        cluster = Cluster(env=env, log_dir=root / "logs")
        stack.push_async_callback(cluster.stop)
        await cluster.start()
        await cluster.set_clock(at(SETUP_DAY, 9))
        scheme_id = await build_world(cluster, databases, hotline.url("/push/hotline"), HOTLINE_SECRET)
        yield System(cluster, databases, mail, hotline, proxy, scheme_id)


async def _stop_proxy(proxy: TcpProxy) -> None:
    if proxy.server is not None and proxy.server.is_serving():
        await proxy.stop()


async def walk_clock(system: System, moment: datetime) -> None:
    """Moves every process's clock once the system is at rest. The clock is the one thing a test
    moves that production never does: a jump while a delivery is being sent makes its claim look
    expired to the other replica, which sends it again (at-least-once at the edge)."""

    async def busy() -> int:
        pending = await system.db.value(
            "notifier", "SELECT count(*) FROM notifications WHERE status IN ('pending', 'failed')"
        )
        for service in SERVICE_NAMES:
            pending += await system.db.value(service, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        return int(pending)

    for _ in range(2):  # twice: an event between two services is in none of the tables
        await eventually(busy, lambda n: n == 0, seconds=60, every=0.25, what="the system at rest")
        await asyncio.sleep(0.5)
    await system.cluster.set_clock(moment)


async def notifications(system: System, event_ids: list[str]) -> list[Any]:
    return await system.db.rows(
        "notifier",
        "SELECT id, event_id, channel, recipient, address, status FROM notifications WHERE event_id = ANY($1::text[])",
        event_ids,
    )


async def test_a_12345_application_gone_overdue_reaches_accountability_scoring_and_the_notifier(
    system: System,
) -> None:
    cluster, db = system.cluster, system.db
    await walk_clock(system, at(SETUP_DAY, 9))
    application = await hotline_application(cluster, "GD20260302000001", "A01", at(SETUP_DAY, 8), handler="handler-a01")
    due_on = date.fromisoformat(application["due_on"])
    await walk_clock(system, at(due_on + timedelta(days=1)))
    assert (await sweep_requests(cluster))["overdue_emitted"] == 1
    [event_id] = (await overdue_events(db, [application["id"]])).values()

    # accountability: a case application_mishandled for the unit, the request as its finding.
    case = await eventually(
        lambda: db.rows(
            "accountability",
            "SELECT c.unit_code, c.primary_violation, f.ref FROM case_findings f JOIN cases c ON c.id = f.case_id"
            " WHERE f.event_id = $1",
            event_id,
        ),
        lambda rows: len(rows) == 1,
        seconds=30,
        what="the accountability case",
    )
    assert (case[0]["unit_code"], case[0]["primary_violation"]) == ("A01", "application_mishandled")

    # scoring: a system entry on the indicator bound to request_overdue (A3.2.1) of the 2026 scheme.
    entries = await eventually(
        lambda: db.rows(
            "scoring",
            "SELECT s.unit_code, s.scheme_id, e.indicator FROM sheet_entries e JOIN sheets s ON s.id = e.sheet_id"
            " WHERE e.event_id = $1 AND e.source = 'system'",
            event_id,
        ),
        lambda rows: len(rows) == 1,
        seconds=30,
        what="the scoring deduction",
    )
    assert dict(entries[0]) == {"unit_code": "A01", "scheme_id": system.scheme_id, "indicator": "A3.2.1"}

    # notifier: the handler, the unit and the office in their inboxes; the contact and the office
    # by e-mail; the 12345 work order's status pushed, signed.
    sent = await eventually(
        lambda: notifications(system, [event_id]),
        lambda rows: len(rows) >= 6 and all(r["status"] == "sent" for r in rows),
        seconds=30,
        what="every delivery sent",
    )
    assert {(r["channel"], r["address"]) for r in sent} >= {
        ("inbox", "handler-a01"),
        ("inbox", "A01"),
        ("inbox", "office"),
        ("email", contact_email("A01")),
        ("email", OFFICE_EMAIL),
    }
    [push] = [r for r in sent if r["channel"] == "webhook"]
    assert push["status"] == "sent"
    pushes = [p for p in system.hotline.pushes["hotline"] if p["workorder_no"] == "GD20260302000001"]
    assert [p["status"] for p in pushes] == ["accepted", "overdue"]  # 受理 first, then 逾期
    assert not system.hotline.rejected, "every push carried a valid signature"
    assert any(application["tracking_no"] in str(m["Subject"]) for m in system.mails_to(contact_email("A01")))


async def outbox_event(system: System, service: str, event_type: str, unit: str) -> str:
    """The id of the (one) ``event_type`` a service published about ``unit``."""
    return await eventually(
        lambda: system.db.value(
            service,
            "SELECT event_id FROM outbox WHERE type = $1 AND convert_from(payload, 'UTF8')::json->'data'->>'unit_code' = $2",
            event_type,
            unit,
        ),
        lambda found: found is not None,
        seconds=30,
        what=f"{event_type} for {unit} in the {service} outbox",
    )


async def rectification_order(system: System, trigger_event_id: str) -> Any:
    [order] = await eventually(
        lambda: system.db.rows(
            "accountability",
            "SELECT id, case_id, unit_code, due_on, escalations FROM rectification_orders WHERE trigger_event_id = $1",
            trigger_event_id,
        ),
        lambda rows: len(rows) == 1,
        seconds=30,
        what="the rectification order",
    )
    return order


async def emails_of(system: System, event_id: str) -> set[str]:
    rows = await eventually(
        lambda: notifications(system, [event_id]),
        lambda rows: bool(rows) and all(r["status"] == "sent" for r in rows),
        seconds=30,
        what=f"the notices of {event_id} sent",
    )
    return {r["address"] for r in rows if r["channel"] == "email"}


async def test_b_failed_grade_orders_rectification_then_escalates_and_tells_the_leaders(system: System) -> None:
    cluster = system.cluster
    await walk_clock(system, at(date(2026, 4, 20)))
    assessor = cluster.token("assessor", sub="assessor-1")
    page = await cluster.call("GET", "scoring", f"/api/v1/sheets?scheme_id={system.scheme_id}&limit=500")
    sheets = {s["unit_code"]: s["id"] for s in page.json()["items"] if s["unit_code"].startswith("B")}
    veto = {"code": "fraud_in_assessment", "evidence": "自查材料与实际不符"}
    await cluster.call("POST", "scoring", f"/api/v1/sheets/{sheets['B02']}/vetoes", json=veto, headers=assessor)
    for unit, sheet_id in sheets.items():
        staff = cluster.token("unit_admin", units=[unit], sub=f"staff-{unit}")
        for step, who in (("self-assess", staff), ("review", assessor)):
            await cluster.call("POST", "scoring", f"/api/v1/sheets/{sheet_id}/{step}", headers={**who, "If-Match": "*"})
    await cluster.call("POST", "scoring", f"/api/v1/schemes/{system.scheme_id}/categories/B/finalize")
    failed = await outbox_event(system, "scoring", "scoring.grade_failed", "B02")

    # accountability: a case appraisal_failed and a rectification order 20 working days out.
    order = await rectification_order(system, failed)
    violation = await system.db.value(
        "accountability", "SELECT primary_violation FROM cases WHERE id = $1", order["case_id"]
    )
    assert (order["unit_code"], violation) == ("B02", "appraisal_failed")
    assert order["due_on"] > date(2026, 4, 20) + timedelta(days=20)  # working days, holidays skipped
    assert {contact_email("B02")} <= await emails_of(system, failed)  # the unit is told

    # The order runs late: the sweep escalates to an interview (约谈) and the leaders are told.
    await walk_clock(system, at(order["due_on"] + timedelta(days=1)))
    swept = await cluster.call("POST", "accountability", "/api/v1/admin/accountability/sweeps/deadlines")
    assert swept.json()["rectification_overdue_emitted"] == 1
    late = await outbox_event(system, "accountability", "accountability.rectification_overdue", "B02")
    escalations = await eventually(
        lambda: rectification_order(system, failed),
        lambda o: json.loads(o["escalations"]),
        seconds=30,
        what="the escalation",
    )
    [escalation] = json.loads(escalations["escalations"])
    assert escalation["sanction"] == "interview"
    assert {leader["name"] for leader in escalation["leaders"]} == {"赵主要", "李分管"}
    assert leader_emails("B02") <= await emails_of(system, late)
    assert all(leader in {m["To"] for m in system.mail.messages} for leader in leader_emails("B02"))


async def test_c_dissatisfied_public_appraisal_orders_rectification(system: System) -> None:
    cluster = system.cluster
    await walk_clock(system, at(date(2026, 6, 1)))
    campaign = await cluster.call(
        "POST",
        "appraisal",
        "/api/v1/campaigns",
        json={
            "year": 2026,
            "name": "2026年度政务公开工作社会评议",
            "target_units": ["A05", "A06"],
            "methods": [{"method": "public", "weight": "1"}],
            "min_responses": 1,
            "opens_at": "2026-06-10T09:00:00+08:00",
            "closes_at": "2026-06-20T00:00:00+08:00",
        },
    )
    path = f"/api/v1/campaigns/{campaign.json()['id']}"
    acting = {**cluster.admin, "If-Match": "*"}
    await cluster.call("POST", "appraisal", f"{path}/open", headers=acting)
    await walk_clock(system, at(date(2026, 6, 12)))
    for n, (unit, rating) in enumerate((("A05", "satisfied"), ("A06", "unsatisfied"))):
        answers: dict[str, str] = {f"q{i}": rating for i in range(1, 7)}
        if rating == "unsatisfied":
            answers["q7"] = "预算信息未按时公开"
        body = {"unit_code": unit, "answers": answers, "respondent_token": f"respondent-token-{n:06d}"}
        await cluster.call("POST", "appraisal", f"{path}/responses", json=body, headers={}, expect=201)
    await walk_clock(system, at(date(2026, 6, 22)))
    await cluster.call("POST", "appraisal", f"{path}/close", headers=acting)
    await cluster.call("POST", "appraisal", f"{path}/publish", headers=acting)

    unsatisfied = await outbox_event(system, "appraisal", "appraisal.unit_unsatisfied", "A06")
    order = await rectification_order(system, unsatisfied)
    assert order["unit_code"] == "A06" and order["due_on"] > date(2026, 6, 22)
    assert not await system.db.value(
        "accountability",
        "SELECT count(*) FROM rectification_orders WHERE unit_code = 'A05' AND trigger_event_id IS NOT NULL"
        " AND issued_on >= '2026-06-01'",
    ), "a satisfied unit gets no order"


async def effects(system: System, event_ids: list[str]) -> dict[str, int]:
    """How many times each service applied the events, counted in its own database."""
    db = system.db
    return {
        "accountability": await db.value(
            "accountability", "SELECT count(*) FROM case_findings WHERE event_id = ANY($1::text[])", event_ids
        ),
        "scoring": await db.value(
            "scoring", "SELECT count(*) FROM sheet_entries WHERE event_id = ANY($1::text[])", event_ids
        ),
        "scoring_findings": await db.value(
            "scoring", "SELECT count(*) FROM findings WHERE event_id = ANY($1::text[])", event_ids
        ),
        "notifier_sent": await db.value(
            "notifier",
            "SELECT count(*) FROM notifications WHERE event_id = ANY($1::text[]) AND status = 'sent'",
            event_ids,
        ),
    }


async def test_d_two_hundred_overdue_through_a_broker_outage_and_killed_replicas_apply_exactly_once(
    system: System,
) -> None:
    cluster, db = system.cluster, system.db
    first_day, second_day = date(2026, 7, 1), date(2026, 7, 2)  # Wednesday, Thursday
    half = FAULT_APPLICATIONS // 2
    applications, workorders = [], []
    for day, offset in ((first_day, 0), (second_day, half)):
        await walk_clock(system, at(day, 9))
        numbers = [(f"GD2026070{day.day}{n:06d}", f"A{n % 10 + 1:02d}") for n in range(offset, offset + half)]
        applications += await hotline_applications(cluster, numbers, at(day, 8))
        workorders += [no for no, _ in numbers]
    first_due, second_due = (date.fromisoformat(a["due_on"]) for a in (applications[0], applications[-1]))
    assert first_due < second_due

    # The first half goes overdue with the broker up; as soon as the consumers are at work, the
    # broker goes away (the proxy closes and cuts every connection) and one replica of each
    # consumer is SIGKILLed.
    await walk_clock(system, at(first_due + timedelta(days=1)))
    assert (await sweep_requests(cluster))["overdue_emitted"] == half
    await eventually(
        lambda: db.value("accountability", "SELECT count(*) FROM case_findings WHERE found_on > '2026-07-01'"),
        lambda n: n > 0,
        seconds=60,
        every=0.05,
        what="the consumers at work",
    )
    await system.proxy.stop()
    outage_began = time.monotonic()
    for service in CONSUMERS:
        cluster.kill(service, 0)

    # During the outage the second half goes overdue (a sweep as of its next day: the clock stays
    # where it is while deliveries are in flight): its events wait in the requests outbox. The
    # killed replicas start again, ready on their databases alone, and get their siblings' clock.
    assert (await sweep_requests(cluster, today=second_due + timedelta(days=1)))["overdue_emitted"] == half
    waiting = await db.value("requests", "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
    assert waiting >= half, "the broker is away: the events wait in the outbox"
    await asyncio.gather(*(cluster.restart(service, 0, bus=False) for service in CONSUMERS))
    await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_began)))
    await system.proxy.start()

    events = await overdue_events(db, [a["id"] for a in applications])
    assert len(events) == FAULT_APPLICATIONS, "one request.overdue per application"
    event_ids = sorted(events.values())
    per_event = 6  # inbox: handler, unit, office; e-mail: contact, office; the 12345 push
    wanted = {
        "accountability": FAULT_APPLICATIONS,
        "scoring": FAULT_APPLICATIONS,
        "scoring_findings": FAULT_APPLICATIONS,
        "notifier_sent": FAULT_APPLICATIONS * per_event,
    }
    try:
        await eventually(lambda: effects(system, event_ids), lambda found: found == wanted, seconds=150, every=1)
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n{cluster.log_tail()}") from failure

    # Exactly once: nothing more arrives, and each event has one row of each kind.
    deliveries = await notifications(system, event_ids)
    assert Counter(Counter(r["event_id"] for r in deliveries).values()) == {per_event: FAULT_APPLICATIONS}
    open_cases = await db.rows(
        "accountability",
        "SELECT unit_code, count(*) AS n FROM cases WHERE primary_violation = 'application_mishandled'"
        " AND state IN ('open', 'investigating', 'hearing') GROUP BY unit_code",
    )
    assert all(r["n"] == 1 for r in open_cases), f"one open case per unit, not {open_cases}"
    # 12345 heard of every overdue work order. A send is at least once (a replica killed between
    # the send and its record sends again after the claim runs out), under the delivery's own
    # Idempotency-Key, so the receiver can tell.
    received = list(zip(system.hotline.headers, system.hotline.pushes["hotline"], strict=True))
    overdue_pushes = {h["idempotency-key"]: p["workorder_no"] for h, p in received if p["status"] == "overdue"}
    assert set(overdue_pushes.values()) >= set(workorders)
    assert set(overdue_pushes) >= {r["id"] for r in deliveries if r["channel"] == "webhook"}
    for service in CONSUMERS:
        letters = await cluster.call("GET", service, f"/api/v1/admin/{service}/dead-letters")
        assert letters.json()["items"] == [], f"{service} has dead letters"
    assert await effects(system, event_ids) == wanted
