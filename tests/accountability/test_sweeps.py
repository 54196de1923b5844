"""The deadline sweep under two replicas at once on PostgreSQL (DESIGN §3 "a periodic job run by two
replicas at once never emits one event twice"), then the escalation of what it emitted."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from services.accountability.app import SPEC
from services.accountability.service.orders import issue_order
from services.accountability.service.sweeps import sweep_deadlines
from shared.clock import Clock
from shared.events import CloudEvent
from shared.journal import SYSTEM
from shared.runtime import ServiceRuntime
from tests.accountability.support import api, at


async def test_rectification_overdue_is_emitted_once_under_two_concurrent_sweeps_then_escalated(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: the race is PostgreSQL's")
    async with api(database_url, tmp_path) as a:
        a.set_day(date(2026, 9, 29))
        async with a.runtime.transaction() as session:
            for n in range(60):
                await issue_order(
                    session,
                    a.runtime,
                    SYSTEM,
                    unit_code=f"U{n % 7:03d}",
                    basis="public_appraisal",
                    problems=["问题"],
                    source="社会评议办法 第九条",
                )
        clock = Clock()
        clock.set(at(date(2026, 11, 3)), frozen=True)
        a.set_day(date(2026, 11, 3))
        other = ServiceRuntime(SPEC, a.settings, clock=clock, bus=a.runtime.bus, database_url=database_url)
        try:
            results = await asyncio.gather(
                sweep_deadlines(a.runtime, batch_size=7),
                sweep_deadlines(other, batch_size=7),
                sweep_deadlines(a.runtime, batch_size=5),
            )
        finally:
            await other.stop()
        assert sum(r.rectification_overdue_emitted for r in results) == 60
        emitted = await a.events("accountability.rectification_overdue")
        per_order = Counter(e["data"]["order_id"] for e in emitted)
        assert len(per_order) == 60 and set(per_order.values()) == {1}

        # The escalation is the reaction to those events: each order gets its interview once.
        events = [CloudEvent.model_validate(e) for e in emitted]
        await a.deliver(*events)
        await a.deliver(*events[:10])
        orders = a.runtime.tables.metadata.tables["rectification_orders"]
        async with a.runtime.sessions() as session:
            rows = (await session.execute(select(orders.c.escalations, orders.c.due_on))).all()
        assert all(len(r.escalations) == 1 and r.escalations[0]["sanction"] == "interview" for r in rows)
        assert {r.due_on for r in rows} == {date(2026, 12, 1)}
        assert json.dumps(rows[0].escalations[0], ensure_ascii=False).count("约谈") >= 1
