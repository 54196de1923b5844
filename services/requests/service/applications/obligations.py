"""The side periods of one application for ``GET /requests/{id}/deadline`` (``obligations``): read
from the row and its consultations, explained by ``domain.obligations``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain import limits
from services.requests.domain import obligations as rules
from services.requests.models import applications, consultations
from services.requests.schemas.applications import ObligationOut
from services.requests.service.applications.create import RECEIVED_ON_SUBMISSION
from services.requests.service.applications.view import Application
from shared.clock import SHANGHAI, legal_date
from shared.db import stored_utc


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def obligations_of(session: AsyncSession, ctx: Ctx, row: Application, today: date) -> list[ObligationOut]:
    found: list[rules.Obligation] = []
    if row.channel not in RECEIVED_ON_SUBMISSION:
        submitted_on = legal_date(stored_utc(row.submitted_at))
        n = ctx.resources.settings.unconfirmed_after_working_days
        due = ctx.calendar.add_working_days(submitted_on, n).day
        found.append(rules.confirm_receipt(submitted_on, due, row.received_on, today))
    c = consultations
    for r in await session.execute(select(c).where(c.c.application_id == row.id).order_by(c.c.started_on, c.c.id)):
        found.append(
            rules.consultation_answer(
                r.party, r.kind, r.started_on, r.due_on, r.closed_on, r.closed_by == "lapse", today
            )
        )
    if row.reasons:
        reasons = row.reasons
        found.append(
            rules.reasons_answer(
                date.fromisoformat(reasons["requested_on"]),
                date.fromisoformat(reasons["due_on"]),
                _day(reasons.get("answered_on")),
                today,
            )
        )
    if row.fee:
        fee = row.fee
        delivered = _day(fee.get("delivered_on")) or date.fromisoformat(fee["notified_on"])
        found.append(rules.fee_payment(delivered, date.fromisoformat(fee["due_on"]), _day(fee.get("paid_on")), today))
    if row.review_requested_on is not None and row.review_due_on is not None:
        found.append(rules.review_opinion(row.review_requested_on, row.review_due_on, row.review_opined_on, today))
    if row.report_up_due_on is not None and row.replied_on is not None:
        found.append(rules.report_up(row.replied_on, row.report_up_due_on, row.reported_up_on, today))
    return [ObligationOut(**o.__dict__) for o in found]


def round_two_conditions(
    ctx: Ctx, unconfirmed: bool | None, possible_duplicate: bool | None, report_up_overdue: bool | None
) -> list[ColumnElement[bool]]:
    """The list filters of issue 11: ``unconfirmed`` (条例 第三十一条: waiting for confirmation longer
    than the setting, as the sweep counts it), ``possible_duplicate`` (第三十六条(六)) and
    ``report_up_overdue`` (seed 001)."""
    t = applications
    today = ctx.clock.today()
    found: list[ColumnElement[bool]] = []
    if unconfirmed is not None:
        cutoff = unconfirmed_before(ctx, today)
        late = and_(t.c.state == "submitted", t.c.submitted_at < cutoff)
        found.append(late if unconfirmed else not_(late))
    if possible_duplicate is not None:
        found.append(
            t.c.possible_duplicate_of.is_not(None) if possible_duplicate else t.c.possible_duplicate_of.is_(None)
        )
    if report_up_overdue is not None:
        late = and_(t.c.report_up_due_on < today, t.c.reported_up_on.is_(None))
        found.append(late if report_up_overdue else not_(late))
    return found


def unconfirmed_before(ctx: Ctx, today: date) -> datetime:
    """The instant before which a still ``submitted`` application has waited too long today: the
    start (Asia/Shanghai) of the day after ``limits.unconfirmed_cutoff``."""
    last = limits.unconfirmed_cutoff(ctx.calendar, today, ctx.resources.settings.unconfirmed_after_working_days)
    # In UTC: timestamps are stored in UTC (SQLite keeps no offset; shared.db.stored_utc).
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(UTC)
