"""Demo data that looks like an office's real month (issue 9 item 9): receipts, notices and replies on
working days only, every channel, each unit its own contacts, replies that read like replies, a fee
case, a review case, an overdue case, and next year's holidays loaded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.requests.models import (
    application_clock_facts,
    applications,
    calendar_years,
    consultations,
    review_records,
    units,
)
from services.requests.service.demo import seed_demo
from shared.vocabulary import CHANNEL_LABELS
from tests.requests.applications_support import at
from tests.requests.helpers import api

SEEDED_ON = date(2026, 12, 2)


async def test_the_demo_month_happens_on_working_days_by_every_channel(database_url: str) -> None:
    async with api(database_url) as a:
        runtime = a.runtime
        runtime.clock.set(at(SEEDED_ON.year, SEEDED_ON.month, SEEDED_ON.day, 10), frozen=True)
        counts = await seed_demo(runtime)
        assert counts["applications"] >= 20 and counts["units"] == 10
        assert (await seed_demo(runtime))["already_present"] == counts["applications"]  # once
        async with runtime.sessions() as session:
            apps = (await session.execute(select(applications))).all()
            facts = (await session.execute(select(application_clock_facts.c.on))).scalars().all()
            consulted = (await session.execute(select(consultations.c.started_on))).scalars().all()
            records = (await session.execute(select(review_records))).all()
            unit_rows = (await session.execute(select(units))).all()
            years = (await session.execute(select(calendar_years.c.year))).scalars().all()

        assert SEEDED_ON.year + 1 in years and runtime.calendar.is_known(SEEDED_ON.year + 1)
        days = [*facts, *consulted, *(r.filed_on for r in records)]
        for row in apps:
            days += [d for d in (row.received_on, row.replied_on, row.concluded_on, row.archived_on) if d]
            days += [date.fromisoformat(row.fee[k]) for k in ("notified_on", "paid_on") if row.fee and row.fee.get(k)]
        assert len(days) > 60
        not_working = sorted({d for d in days if not runtime.calendar.is_working_day(d)})
        assert not not_working, f"demo steps on non-working days: {not_working}"
        assert all(d <= SEEDED_ON for d in days)

        assert {row.channel for row in apps} == set(CHANNEL_LABELS)
        assert {row.source_ref is not None for row in apps if row.channel in ("hotline_12345", "provincial")} == {True}
        contacts = [tuple(c["name"] for c in row.contacts) for row in unit_rows]
        assert len(set(contacts)) == len(contacts) and all(len(c) >= 2 for c in contacts)
        assert all({"disclosure_contact", "leader_in_charge"} <= {c["role"] for c in row.contacts} for row in unit_rows)
        replies = [row for row in apps if row.outcome and row.reply_text]
        assert len({row.outcome for row in replies}) >= 4
        assert all("申请收悉" in row.reply_text and "行政复议" in row.reply_text for row in replies)
        assert any(row.fee and row.fee.get("paid_on") for row in apps) and any(
            row.fee and not row.fee.get("paid_on") for row in apps
        )
        assert records and records[0].kind == "administrative_review"
        overdue = [r for r in apps if r.concluded_on is None and r.clock_running and r.due_on and r.due_on < SEEDED_ON]
        late = [r for r in apps if r.on_time is False]
        assert overdue and late
        assert len({row.applicant_name for row in apps}) >= 10
