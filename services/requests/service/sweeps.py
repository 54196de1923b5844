"""The deadline sweep (DESIGN §3, §5, §9): reminders, overdue applications, unanswered 12345 work orders.

Every replica runs :func:`deadline_sweep_job`, and ``POST /api/v1/admin/requests/sweeps/deadlines``
runs :func:`sweep_deadlines` at once; any number may run at the same time and no event is ever
emitted twice (DESIGN §3 "competing consumers"). Each batch is one transaction that

1. claims rows with a *conditional stamp* — ``UPDATE … SET <stamp> WHERE id IN (SELECT id …
   WHERE <stamp not yet set for this due date> … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING …`` —
   so rows another replica is stamping are skipped, and rows it has stamped no longer match;
2. writes one outbox row and one audit (timeline) entry per claimed row.

Both commit together or not at all (STYLE 4–5: Dispatch stamps what it reminded, so nothing is
reminded twice). SQLite has a single writer and renders no locking clause; the statement is the same.

The work is set-based: no Python loop over all open applications. Overdue rows come straight out
of ``ix_applications_open_due`` (``due_on < today``, partial on ``concluded_on IS NULL``); the
reminders only look at the few due dates whose working days left reach a mark today, one
statement per due date, also on that index. Memory stays at one batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from prometheus_client import Counter
from sqlalchemy import ColumnElement, Update, and_, func, or_, select, true

from services.requests.config import Ctx
from services.requests.domain.deadlines import working_days_left
from services.requests.domain.rules import RULE_SETS, rule_set
from services.requests.models import applications, hotline_workorders
from services.requests.service.applications import lapse
from services.requests.service.intake import signature_guard
from services.requests.service.obligation_sweeps import (
    lapse_consultations_and_reasons,
    report_up_due_soon_claim,
    report_up_overdue_claim,
    unconfirmed_claim,
)
from shared.auth import Principal
from shared.db import stamp_claim, stored_utc
from shared.domain import DomainError
from shared.errors import ProblemError
from shared.events import (
    EventData,
    HotlineWorkorderUnanswered,
    RequestDueSoon,
    RequestOverdue,
    RequestReportUpDueSoon,
    RequestReportUpOverdue,
    RequestUnconfirmed,
)

__all__ = ["SweepResult", "deadline_sweep_job", "due_soon_targets", "run_deadline_sweep", "sweep_deadlines"]

log = logging.getLogger("gongkai.requests.sweeps")

DEFAULT_BATCH_SIZE = 5000

# States whose clock is not (or no longer) running toward a reply: not yet received (``submitted``
# has no receipt date, 条例 第三十一条), withdrawn, replied, archived. Concluded applications also
# have ``concluded_on`` set; the state is checked as well so a half-written row never counts.
_NO_CLOCK_STATES = ("submitted", "withdrawn", "replied", "archived")

a = applications
h = hotline_workorders


@dataclass(frozen=True)
class SweepResult:
    today: date
    scanned: int = 0  # open, running applications the sweep checked: overdue or within the reminder window
    due_soon_emitted: int = 0
    overdue_emitted: int = 0
    hotline_unanswered_emitted: int = 0
    lapsed: int = 0  # concluded as other.correction_lapsed / other.fee_unpaid
    signatures_purged: int = 0  # integration signatures past their replay window
    consultations_lapsed: int = 0  # 条例 第三十二条、第三十四条: unanswered in 15 working days
    reasons_lapsed: int = 0  # 条例 第三十五条: reasons not stated within the office's period
    unconfirmed_emitted: int = 0  # request.unconfirmed (条例 第三十一条)
    report_up_due_soon_emitted: int = 0  # request.report_up_due_soon (seed 001)
    report_up_overdue_emitted: int = 0  # request.report_up_overdue (seed 001)

    def counts(self) -> dict[str, Any]:
        return asdict(self)


# -- what is due -------------------------------------------------------------------------------


# The source figure behind the "overdue growth" alert (deploy/prometheus/rules.yaml): each
# application counted once, when its request.overdue is written.
OVERDUE_FOUND = Counter(
    "gongkai_requests_overdue_total", "Applications the deadline sweep found overdue (one request.overdue each)"
)


def _running() -> ColumnElement[bool]:
    """Open applications whose clock runs. A paused application (consultation, fee notice,
    suspension) or one awaiting correction has ``clock_running`` false: its stored ``due_on`` is
    only the earliest the reply could fall due (an open pause is counted as if it ended the day the
    due date was last computed, and the row is not rewritten day by day), so ``today > due_on``
    says nothing about it — the real due date lies beyond today by at least the paused days.
    Overdue and reminders wait until the pause ends and the due date is computed again."""
    return and_(
        a.c.concluded_on.is_(None),
        a.c.due_on.is_not(None),
        a.c.clock_running.is_(True),
        a.c.state.not_in(_NO_CLOCK_STATES),
    )


def _overdue_claim(today: date, limit: int) -> Update:
    """条例 第三十三条 / DESIGN §5: overdue once the due day has ended without a reply, exactly once
    per request and due date — a later due date (extension, restart after correction, a provisional
    date recomputed) makes the stamp differ again, and the new date may fall overdue in turn."""
    pending = and_(_running(), a.c.due_on < today, a.c.overdue_due_on.is_distinct_from(a.c.due_on))
    return stamp_claim(
        a.c.id,
        pending,
        {"overdue_due_on": a.c.due_on},
        [a.c.id, a.c.tracking_no, a.c.unit_code, a.c.handler_id, a.c.due_on, a.c.source_ref],
        limit=limit,
        order_by=[a.c.due_on],
    )


@dataclass(frozen=True)
class DueSoonTarget:
    due_on: date
    left: int  # working days left today
    mark: int  # the smallest mark reached: what gets stamped
    already: tuple[str, ...]  # stamps meaning "this mark or a smaller one was already emitted"

    @property
    def stamp(self) -> str:
        return f"{self.due_on.isoformat()}:{self.mark}"


def due_soon_targets(calendar: Any, marks: Sequence[int], today: date) -> list[DueSoonTarget]:
    """For each due date that has reached a reminder mark today, the mark to emit.

    Reminders go out on working days only (domain ``due_soon_mark``). The sweep may miss days
    (a weekend, an outage): then only the SMALLEST mark reached is emitted — one late reminder
    saying how many days are really left, not three at once. On the due day itself (0 left) the
    1-day reminder is still sent if it was missed. The due dates looked at are today up to the
    ``max(marks)``-th working day after today: a handful of dates, each one index range.
    """
    if not marks or not calendar.is_working_day(today):
        return []
    last = calendar.add_working_days(today, max(marks)).day
    targets = []
    day = today
    while day <= last:
        left = working_days_left(calendar, day, today)
        reached = [m for m in marks if m >= left]
        if reached:
            mark = min(reached)
            already = tuple(f"{day.isoformat()}:{m}" for m in marks if m <= mark)
            targets.append(DueSoonTarget(day, left, mark, already))
        day += timedelta(days=1)
    return targets


def _rule_set_groups(configured: str) -> list[tuple[tuple[int, ...], ColumnElement[bool]]]:
    """Rule sets grouped by their marks, each with the condition selecting its applications. A row
    naming a rule set this build does not know is reminded on the deployment's configured set."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for name, rules in RULE_SETS.items():
        groups.setdefault(rules.due_soon_marks, []).append(name)
    default_marks = rule_set(configured).due_soon_marks
    if len(groups) == 1 and default_marks in groups:
        return [(default_marks, true())]  # every rule set reminds alike: no condition at all
    result = []
    for marks, names in groups.items():
        condition: ColumnElement[bool] = a.c.rule_set.in_(names)
        if marks == default_marks:
            condition = or_(condition, a.c.rule_set.not_in(list(RULE_SETS)))
        result.append((marks, condition))
    return result


def _due_soon_claim(target: DueSoonTarget, group: ColumnElement[bool], limit: int) -> Update:
    pending = and_(
        _running(),
        a.c.due_on == target.due_on,
        group,
        or_(a.c.due_soon_stamp.is_(None), a.c.due_soon_stamp.not_in(target.already)),
    )
    return stamp_claim(
        a.c.id,
        pending,
        {"due_soon_stamp": target.stamp},
        [a.c.id, a.c.tracking_no, a.c.unit_code, a.c.due_on],
        limit=limit,
    )


def _unanswered_claim(now: datetime, limit: int) -> Update:
    """DESIGN §9: a 12345 work order not answered by its own ``due_at`` → once."""
    pending = and_(h.c.answered_at.is_(None), h.c.due_at < now, h.c.unanswered_emitted.is_(False))
    return stamp_claim(
        h.c.workorder_no,
        pending,
        {"unanswered_emitted": True},
        [h.c.workorder_no, h.c.unit_code, h.c.due_at],
        limit=limit,
    )


# -- emitting ----------------------------------------------------------------------------------


async def _drain(
    runtime: Ctx,
    claim: Callable[[], Update],
    to_event: Callable[[Any], tuple[EventData, str]],
    *,
    entity_type: str,
    batch_size: int,
) -> int:
    """Claims and emits batch after batch, each in its own transaction, until a batch comes back
    short (the rest is done, or being done by another replica that holds the locks)."""
    total = 0
    while True:
        async with runtime.transaction() as session:
            rows = (await session.execute(claim())).all()
            await runtime.journal.emit_many(session, [to_event(row) for row in rows], entity_type=entity_type)
        total += len(rows)
        if len(rows) < batch_size:
            return total


async def _count_scanned(runtime: Ctx, last: date) -> int:
    async with runtime.transaction() as session:
        return (
            await session.execute(select(func.count()).select_from(a).where(_running(), a.c.due_on <= last))
        ).scalar_one()


async def sweep_deadlines(
    runtime: Ctx,
    *,
    today: date | None = None,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> SweepResult:
    """One pass: ``request.overdue``, ``request.due_soon``, ``hotline.workorder_unanswered``.

    ``today`` is the legal date (default: the service clock's, Asia/Shanghai); ``now`` the instant
    work orders' ``due_at`` are compared with (default: the service clock's). Safe to run on several
    replicas at once; running it again the same day emits nothing new.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    today = today if today is not None else runtime.clock.today()
    now = now if now is not None else runtime.clock.now()
    calendar = runtime.calendar

    # Periods that end by themselves first: the clock they paused resumes, and may be overdue today.
    consultations_lapsed, reasons_lapsed = await lapse_consultations_and_reasons(runtime, today)
    round_two = await _sweep_obligations(runtime, today, batch_size)

    overdue = await _drain(
        runtime,
        lambda: _overdue_claim(today, batch_size),
        lambda r: (
            RequestOverdue(
                request_id=r.id,
                tracking_no=r.tracking_no,
                unit_code=r.unit_code,
                handler_id=r.handler_id,
                due_on=r.due_on,
                source_ref=r.source_ref,
            ),
            r.id,
        ),
        entity_type="application",
        batch_size=batch_size,
    )

    due_soon = 0
    last = today
    for marks, group in _rule_set_groups(runtime.resources.settings.rule_set):
        for target in due_soon_targets(calendar, marks, today):
            last = max(last, target.due_on)
            due_soon += await _drain(
                runtime,
                lambda target=target, group=group: _due_soon_claim(target, group, batch_size),
                lambda r, target=target: (
                    RequestDueSoon(
                        request_id=r.id,
                        tracking_no=r.tracking_no,
                        unit_code=r.unit_code,
                        due_on=r.due_on,
                        working_days_left=target.left,
                    ),
                    r.id,
                ),
                entity_type="application",
                batch_size=batch_size,
            )

    unanswered = await _drain(
        runtime,
        lambda: _unanswered_claim(now, batch_size),
        lambda r: (
            HotlineWorkorderUnanswered(workorder_no=r.workorder_no, unit_code=r.unit_code, due_at=stored_utc(r.due_at)),
            r.workorder_no,
        ),
        entity_type="hotline_workorder",
        batch_size=batch_size,
    )

    OVERDUE_FOUND.inc(overdue)
    return SweepResult(
        today=today,
        scanned=await _count_scanned(runtime, last),
        due_soon_emitted=due_soon,
        overdue_emitted=overdue,
        hotline_unanswered_emitted=unanswered,
        lapsed=await _conclude_lapsed(runtime, today),
        signatures_purged=await signature_guard(runtime).purge_expired(now.timestamp()),
        consultations_lapsed=consultations_lapsed,
        reasons_lapsed=reasons_lapsed,
        **round_two,
    )


async def _sweep_obligations(runtime: Ctx, today: date, batch_size: int) -> dict[str, int]:
    """``request.unconfirmed`` (条例 第三十一条) and the report-up reminders and overdue (seed 001)."""
    unconfirmed = await _drain(
        runtime,
        lambda: unconfirmed_claim(runtime, today, batch_size),
        lambda r: (
            RequestUnconfirmed(
                request_id=r.id,
                tracking_no=r.tracking_no,
                unit_code=r.unit_code,
                channel=r.channel,
                submitted_at=stored_utc(r.submitted_at),
            ),
            r.id,
        ),
        entity_type="application",
        batch_size=batch_size,
    )
    report_up_overdue = await _drain(
        runtime,
        lambda: report_up_overdue_claim(today, batch_size),
        lambda r: (
            RequestReportUpOverdue(
                request_id=r.id,
                tracking_no=r.tracking_no,
                unit_code=r.unit_code,
                handler_id=r.handler_id,
                due_on=r.report_up_due_on,
            ),
            r.id,
        ),
        entity_type="application",
        batch_size=batch_size,
    )
    reminder = report_up_due_soon_claim(runtime, today, batch_size)
    report_up_due_soon = 0
    if reminder is not None:
        report_up_due_soon = await _drain(
            runtime,
            lambda: reminder,
            lambda r: (
                RequestReportUpDueSoon(
                    request_id=r.id,
                    tracking_no=r.tracking_no,
                    unit_code=r.unit_code,
                    due_on=r.report_up_due_on,
                    working_days_left=working_days_left(runtime.calendar, r.report_up_due_on, today),
                ),
                r.id,
            ),
            entity_type="application",
            batch_size=batch_size,
        )
    return {
        "unconfirmed_emitted": unconfirmed,
        "report_up_due_soon_emitted": report_up_due_soon,
        "report_up_overdue_emitted": report_up_overdue,
    }


async def run_deadline_sweep(runtime: Ctx, actor: Principal, *, today: date | None = None) -> SweepResult:
    """The sweep run by hand (``POST /api/v1/admin/requests/sweeps/deadlines``): as the background
    job, then an audit entry saying who ran it, as of which day, and what it emitted."""
    result = await sweep_deadlines(runtime, today=today)
    after = {**result.counts(), "today": result.today.isoformat(), "today_given": today is not None}
    async with runtime.transaction() as session:
        await runtime.journal.audit(session, actor, "sweep:deadlines", "sweep", "deadlines", after=after)
    return result


async def _conclude_lapsed(runtime: Ctx, today: date) -> int:
    """Concludes applications whose correction period (条例 第三十条) or fee period (国办函〔2020〕109号)
    ran out. Few rows; each is one use case (``applications.lapse``) in its own transaction that
    locks its row, so a replica racing on the same application gets a 409 and moves on."""
    async with runtime.transaction() as session:
        corrections = (
            (
                await session.execute(
                    select(applications.c.id).where(
                        applications.c.state == "correction_requested", applications.c.correction_lapse_on < today
                    )
                )
            )
            .scalars()
            .all()
        )
        fees = [
            row.id
            for row in (
                await session.execute(
                    select(applications.c.id, applications.c.fee).where(applications.c.state == "fee_pending")
                )
            ).all()
            if row.fee and date.fromisoformat(row.fee["due_on"]) < today
        ]
    concluded = 0
    for application_id, action in [*((i, "lapse-correction") for i in corrections), *((i, "lapse-fee") for i in fees)]:
        try:
            async with runtime.transaction() as session:
                await lapse(session, runtime, application_id, action)
            concluded += 1
        except (DomainError, ProblemError) as problem:
            log.info("lapse skipped", extra={"application_id": application_id, "code": problem.code})
    return concluded


async def deadline_sweep_job(runtime: Ctx) -> None:
    """Background job (``ServiceSpec.background_jobs``): sweep every ``sweep_interval_seconds``.

    Each replica runs it; the sweep itself keeps them from emitting anything twice. It waits for
    the startup hooks (the stored calendar years) so no reminder is computed on a calendar missing
    an administrator's year, and it survives any failure: logged, and tried again next time.
    """
    interval = runtime.resources.settings.sweep_interval_seconds
    while True:
        await asyncio.sleep(interval)
        if not runtime.started:
            log.info("deadline sweep waits for the service's startup hooks")
            continue
        try:
            result = await sweep_deadlines(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("deadline sweep failed; next try in %.0f s", interval)
            continue
        if result.due_soon_emitted or result.overdue_emitted or result.hotline_unanswered_emitted:
            log.info(
                "deadline sweep: %d overdue, %d due soon, %d 12345 work orders unanswered (%d scanned)",
                result.overdue_emitted,
                result.due_soon_emitted,
                result.hotline_unanswered_emitted,
                result.scanned,
                extra={"sweep": result.counts() | {"today": result.today.isoformat()}},
            )
