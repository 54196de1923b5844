"""Issue 8, personal data: findings 1–3 — no identity number or query code in clear at rest, work
orders keep only their documented fields, no SQL parameters in any log line, one masking rule."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Column, MetaData, String, Table, text, update
from sqlalchemy.exc import IntegrityError

from services.requests.models import hotline_workorders
from shared.db import create_engine
from tests.requests.applications_support import application_json
from tests.security.support import (
    CALLER_ID_CARD,
    ID_NUMBER,
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


async def test_finding_1_a_keyed_response_is_stored_encrypted_and_still_replayed(database_url: str) -> None:
    async with secured_api(database_url) as a:
        staff = {**a.auth("handler", units=("U001",), sub="clerk-1"), "Idempotency-Key": "3f0c2a5e-key-1"}
        first = await a.client.post("/api/v1/requests", json=application_json(), headers=staff)
        assert first.status_code == 201, first.text
        query_code = first.json()["query_code"]
        assert query_code and first.json()["applicant"]["id_number"] == "110101199003071234"

        stored = (await dump_tables(a))["idempotency_keys"]
        assert "110101199003071234" not in stored and query_code not in stored
        assert '"v1.' in stored  # the body is a field-cipher token

        again = await a.client.post("/api/v1/requests", json=application_json(), headers=staff)
        assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()


async def test_finding_1_expired_keys_are_purged_with_their_responses(database_url: str) -> None:
    async with secured_api(database_url, idempotency_ttl_hours=0) as a:
        staff = {**a.auth("handler", units=("U001",)), "Idempotency-Key": "short-lived"}
        assert (await a.client.post("/api/v1/requests", json=application_json(), headers=staff)).status_code == 201
        assert await a.runtime.idempotency.purge_expired() == 1
        assert (await dump_tables(a))["idempotency_keys"] == "[]"


async def test_finding_2_unknown_work_order_fields_are_dropped_counted_and_never_shown(database_url: str) -> None:
    counter = "gongkai_hotline_workorder_unknown_fields_total"
    before = REGISTRY.get_sample_value(counter) or 0.0
    async with secured_api(database_url) as a:
        order = workorder("GD-PII-1", "complaint", caller_id_card=CALLER_ID_CARD, caller_phone_tail="1234")
        r = await post_signed(a, WORKORDERS, order)
        assert r.status_code == 201, r.text
        assert (REGISTRY.get_sample_value(counter) or 0.0) - before == 2

        assert CALLER_ID_CARD not in "".join((await dump_tables(a)).values())
        for reader in (a.auth("office"), a.auth("assessor"), a.auth("handler", units=("U001",))):
            listing = await a.client.get("/api/v1/hotline/workorders", headers=reader)
            assert listing.status_code == 200 and CALLER_ID_CARD not in listing.text
            assert "caller_id_card" not in listing.json()["items"][0]["payload"]


async def test_finding_2_a_work_order_stored_before_the_fix_shows_only_its_documented_fields_masked(
    database_url: str,
) -> None:
    async with secured_api(database_url) as a:
        r = await post_signed(a, WORKORDERS, workorder("GD-OLD-1", "complaint", content=f"身份证{CALLER_ID_CARD}"))
        assert r.status_code == 201, r.text
        # As an older release stored it: the unknown field verbatim in the document.
        legacy = {"document": {**workorder("GD-OLD-1", "complaint"), "caller_id_card": CALLER_ID_CARD}}
        async with a.runtime.transaction() as session:
            await session.execute(
                update(hotline_workorders).where(hotline_workorders.c.workorder_no == "GD-OLD-1").values(payload=legacy)
            )
        office = await a.client.get("/api/v1/hotline/workorders/GD-OLD-1", headers=a.auth("office"))
        assert office.status_code == 200 and CALLER_ID_CARD not in office.text
        assert office.json()["content"] == "身份证44************381X"
        # The handling unit reads the citizen's words as written.
        staff = await a.client.get("/api/v1/hotline/workorders/GD-OLD-1", headers=a.auth("handler", units=("U001",)))
        assert staff.json()["content"] == f"身份证{CALLER_ID_CARD}" and "caller_id_card" not in staff.json()["payload"]


async def test_finding_2_no_log_line_carries_sql_parameters(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An error's message, a 500's traceback and the echo log: parameters are hidden."""
    engine = create_engine(database_url, echo=True)
    table = Table("pii_probe", MetaData(), Column("id_number", String(40), primary_key=True))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(table.metadata.create_all)
        caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
        with pytest.raises(IntegrityError) as raised:
            async with engine.begin() as connection:
                await connection.execute(table.insert().values(id_number=ID_NUMBER))
                await connection.execute(table.insert().values(id_number=ID_NUMBER))
        assert ID_NUMBER not in str(raised.value)
        assert ID_NUMBER not in caplog.text
        assert "hidden due to hide_parameters" in str(raised.value)
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("DROP TABLE IF EXISTS pii_probe"))
        await engine.dispose()


async def test_finding_3_a_passport_number_shows_at_most_a_third(database_url: str) -> None:
    async with secured_api(database_url) as a:
        body = application_json(applicant={"id_type": "passport", "id_number": "E12345678"})
        created = await a.client.post("/api/v1/requests", json=body, headers=a.auth("handler", units=("U001",)))
        assert created.status_code == 201, created.text
        got = await a.client.get(f"/api/v1/requests/{created.json()['id']}", headers=a.auth("office"))
        assert got.json()["applicant"]["id_number"] == "E******78"  # was E123*5678: 8 of 9 shown
