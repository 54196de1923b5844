"""Issue 8: the PII scan. A scripted run through the endpoints that take, show or pass on an
identity number — applications (keyed), their reads, timeline and deadline, tracking, a 12345
disclosure request with an unknown identity-card field (keyed), a provincial application (keyed),
the work-order list and answer, the sweep, the annual report — with one distinctive identity number;
then no table, no log line (SQL echo on, every logger at DEBUG) and no event payload holds it, or a
query code, in clear."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.requests.applications_support import application_json
from tests.security.support import (
    CALLER_ID_CARD,
    ID_NUMBER,
    PROVINCIAL,
    PROVINCIAL_PATH,
    WORKORDERS,
    dump_tables,
    post_signed,
    secured_api,
    workorder,
)
from tests.security.support import use_secrets as _use_secrets


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _use_secrets(monkeypatch)
    yield


async def test_no_identity_number_or_query_code_in_clear_in_tables_logs_or_events(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with secured_api(database_url, database_echo=True) as a:
        office, admin = a.auth("office", sub="office-1"), a.auth("admin", sub="admin-1")
        staff = a.auth("handler", units=("U001",), sub="clerk-1")
        applicant = application_json(channel="online", applicant={"id_number": ID_NUMBER})
        query_codes: list[str] = []

        created = await a.client.post("/api/v1/requests", json=applicant, headers={**staff, "Idempotency-Key": "k-1"})
        assert created.status_code == 201, created.text
        assert created.json()["applicant"]["id_number"] == ID_NUMBER  # the handling unit sees it
        query_codes.append(created.json()["query_code"])
        replay = await a.client.post("/api/v1/requests", json=applicant, headers={**staff, "Idempotency-Key": "k-1"})
        assert replay.headers["idempotent-replayed"] == "true"
        app_id, tracking_no = created.json()["id"], created.json()["tracking_no"]
        for reader in (office, staff, a.auth("assessor")):
            for path in ("", "/timeline", "/deadline"):
                assert (await a.client.get(f"/api/v1/requests/{app_id}{path}", headers=reader)).status_code == 200
            assert (await a.client.get("/api/v1/requests", headers=reader)).status_code == 200
        track = await a.client.get(f"/api/v1/requests/track/{tracking_no}", params={"query_code": query_codes[0]})
        assert track.status_code == 200, track.text
        etag = (await a.client.get(f"/api/v1/requests/{app_id}", headers=staff)).headers["etag"]
        registered = await a.client.post(
            f"/api/v1/requests/{app_id}/register", json={}, headers={**staff, "If-Match": etag}
        )
        assert registered.status_code == 200, registered.text

        order = workorder("GD-SCAN-1", caller_id_card=CALLER_ID_CARD)
        r = await post_signed(a, WORKORDERS, order, headers={"Idempotency-Key": "wo-1"})
        assert r.status_code == 201, r.text
        query_codes.append(r.json()["application"]["query_code"])
        complaint = workorder("GD-SCAN-2", "complaint", caller_id_card=CALLER_ID_CARD)
        assert (await post_signed(a, WORKORDERS, complaint)).status_code == 201
        provincial = {
            "provincial_id": "SZW-SCAN-1",
            "unit_code": "U001",
            "applicant": {"type": "natural_person", "name": "李四", "id_type": "resident_id", "id_number": ID_NUMBER},
            "description": "2026年政府采购合同",
            "delivery": {"format": "electronic", "method": "online"},
        }
        r = await post_signed(a, PROVINCIAL_PATH, provincial, secret=PROVINCIAL, headers={"Idempotency-Key": "p-1"})
        assert r.status_code == 201, r.text
        query_codes.append(r.json()["application"]["query_code"])
        for reader in (office, staff):
            assert (await a.client.get("/api/v1/hotline/workorders", headers=reader)).status_code == 200
            assert (await a.client.get("/api/v1/hotline/workorders/GD-SCAN-1", headers=reader)).status_code == 200
        answer = await a.client.post(
            "/api/v1/hotline/workorders/GD-SCAN-2/answer", json={"answer": "已处理"}, headers=staff
        )
        assert answer.status_code == 200, answer.text
        assert (await a.client.post("/api/v1/admin/requests/sweeps/deadlines", headers=admin)).status_code == 200
        assert (
            await a.client.get("/api/v1/reports/annual/2026", params={"unit_code": "U001"}, headers=office)
        ).status_code == 200

        secrets = [ID_NUMBER, CALLER_ID_CARD, *query_codes]
        tables = await dump_tables(a)
        for secret in secrets:
            leaks = [name for name, text in tables.items() if secret in text]
            assert not leaks, f"{secret} in clear in {leaks}"
        # The server's log lines (httpx's are the test client's own, which sends the query code).
        server_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
        for secret in secrets:
            assert secret not in server_log, f"{secret} in a log line"
        events = [e for t in ("request.registered", "hotline.complaint_received") for e in await a.events(t)]
        assert events, "the run emitted events"
        assert "INSERT INTO applications" in server_log, "the SQL echo was on"
