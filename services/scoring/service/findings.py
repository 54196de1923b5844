"""Events bound to indicators (DESIGN §3): ``request.overdue`` → ``request_overdue``,
``request.review_decided`` (corrected) → ``review_corrected``, ``hotline.workorder_unanswered`` →
``hotline_unanswered``, ``appraisal.result_published`` → ``public_appraisal``.

Every such event is recorded once as a *finding* (keyed by the event id, so a redelivery — even one
the inbox has forgotten — changes nothing) and placed on the sheet of its unit in the scheme whose
assessment period holds its date:

- no such scheme published yet → ``pending``, applied when the scheme is published
  (:func:`apply_pending`, in the publication's transaction; the periodic :func:`findings_sweep_job`
  catches an event that raced a publication);
- the sheet open, self-assessed or reviewed → a ``system`` entry citing the event and the
  application, work order or campaign behind it (``applied``);
- the sheet finalized → kept as a ``late`` finding shown beside the sheet, never changing it;
- the unit outside the scheme, or its category without an indicator bound to the source → ``unbound``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.config import Ctx
from services.scoring.domain.findings import Finding, finding_of, system_entry
from services.scoring.domain.scheme import Scheme
from services.scoring.domain.sheets import system_entry_is_late
from services.scoring.models import findings, schemes, sheet_entries, sheets
from services.scoring.service.common import SchemeRow, parsed, text
from shared.clock import legal_date
from shared.db import insert_or_ignore, rows_affected
from shared.events import CloudEvent
from shared.journal import SYSTEM

log = logging.getLogger("gongkai.scoring.findings")

SYSTEM_NAME = "系统（事件）"


async def record_event(session: AsyncSession, ctx: Ctx, event: CloudEvent) -> str | None:
    """The reaction to one bound event: record it once and place it, in four statements when its
    scheme is published (scheme, sheet read FOR SHARE, finding inserted once, entry inserted). Returns the
    finding's status (None: the event carries no finding, or was recorded before)."""
    finding = finding_of(event.type, event.data or {}, legal_date(event.time))
    if finding is None:
        return None
    scheme_row = await _scheme_holding(session, finding.on)
    if scheme_row is None:
        inserted = await _insert_finding(session, ctx, event, finding, {"status": "pending"})
        return "pending" if inserted else None  # applied when its scheme is published
    return await _place(session, ctx, scheme_row, parsed(scheme_row), event.id, event.type, finding, event=event)


async def _scheme_holding(session: AsyncSession, day: date) -> SchemeRow | None:
    row = (
        await session.execute(
            select(schemes)
            .where(
                schemes.c.state.in_(("published", "closed")), schemes.c.period_start <= day, schemes.c.period_end >= day
            )
            .order_by(schemes.c.published_at)
            .limit(1)
        )
    ).one_or_none()
    return SchemeRow.of(row) if row is not None else None


async def _insert_finding(
    session: AsyncSession, ctx: Ctx, event: CloudEvent, finding: Finding, placed: dict[str, Any]
) -> bool:
    """The finding, once per event id; False when it was recorded before (a redelivery)."""
    inserted = await session.execute(
        insert_or_ignore(session, findings).values(
            id=str(uuid.uuid4()),
            event_id=event.id,
            event_type=event.type,
            auto_source=finding.auto_source,
            unit_code=finding.unit_code,
            on=finding.on,
            ref_kind=finding.ref_kind,
            ref_id=finding.ref_id,
            score=text(finding.score),
            evidence=finding.evidence,
            data=event.data or {},
            received_at=ctx.clock.now(),
            **placed,
        )
    )
    return bool(rows_affected(inserted))


async def _place(
    session: AsyncSession,
    ctx: Ctx,
    scheme_row: SchemeRow,
    scheme: Scheme,
    event_id: str,
    event_type: str,
    finding: Finding,
    *,
    event: CloudEvent | None = None,
    finding_id: str | None = None,
) -> str | None:
    """Places a finding on its sheet in ``scheme``: a new one (``event``: recorded here, once) or a
    pending one (``finding_id``: updated). Returns its status, None for a redelivered event."""
    settle: dict[str, Any] = {"scheme_id": scheme_row.id, "settled_at": ctx.clock.now()}
    category = scheme.category_of(finding.unit_code)
    leaf = (
        next((leaf for leaf in category.leaves() if leaf.auto_source == finding.auto_source), None)
        if category is not None
        else None
    )
    sheet = None
    if leaf is not None:
        sheet = (
            await session.execute(
                select(sheets.c.id, sheets.c.state)
                .where(sheets.c.scheme_id == scheme_row.id, sheets.c.unit_code == finding.unit_code)
                # FOR SHARE: handlers placing findings on one sheet never wait for (or deadlock
                # with) each other, and finalization (FOR UPDATE) waits for them, or they for it.
                .with_for_update(read=True)
            )
        ).one_or_none()
    entry_id = str(uuid.uuid4())
    if leaf is None or sheet is None:
        status = "unbound"
    elif system_entry_is_late(sheet.state):
        status, settle["sheet_id"] = "late", sheet.id
    else:
        status, settle["sheet_id"], settle["entry_id"] = "applied", sheet.id, entry_id
    if event is not None:
        if not await _insert_finding(session, ctx, event, finding, {"status": status, **settle}):
            return None
    else:
        await session.execute(update(findings).where(findings.c.id == finding_id).values(status=status, **settle))
    if status != "applied":
        return status
    assert leaf is not None and sheet is not None
    entry = system_entry(leaf, finding)
    # The sheet's version (ETag) guards its workflow steps; a system entry does not bump it, so
    # concurrent events on one sheet never queue on its row (the entry itself is the record).
    await session.execute(
        insert_or_ignore(session, sheet_entries).values(
            id=entry_id,
            sheet_id=sheet.id,
            indicator=leaf.code,
            source="system",
            occurrences=entry.occurrences,
            ratio=text(entry.ratio),
            method=leaf.methods[0],
            on=finding.on,
            evidence=finding.evidence,
            attachments=[],
            author_sub=SYSTEM.sub,
            author_name=SYSTEM_NAME,
            event_id=event_id,
            event_type=event_type,
            ref_kind=finding.ref_kind,
            ref_id=finding.ref_id,
            created_at=ctx.clock.now(),
        )
    )
    return status


def _finding_of_row(row: Any) -> Finding:
    return Finding(
        auto_source=row.auto_source,
        unit_code=row.unit_code,
        on=row.on,
        ref_kind=row.ref_kind,
        ref_id=row.ref_id,
        evidence=row.evidence,
        score=Decimal(row.score) if row.score is not None else None,
    )


async def apply_pending(session: AsyncSession, ctx: Ctx, scheme_row: SchemeRow, *, limit: int | None = None) -> int:
    """Places the pending findings dated in the scheme's period (at publication, and by the
    sweep). Claims them ``FOR UPDATE SKIP LOCKED``: two replicas never place one twice."""
    statement = (
        select(findings)
        .where(
            findings.c.status == "pending",
            findings.c.on >= scheme_row.period_start,
            findings.c.on <= scheme_row.period_end,
        )
        .order_by(findings.c.received_at, findings.c.id)
        .with_for_update(skip_locked=True)
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = (await session.execute(statement)).all()
    scheme = parsed(scheme_row)
    for row in rows:
        await _place(
            session, ctx, scheme_row, scheme, row.event_id, row.event_type, _finding_of_row(row), finding_id=row.id
        )
    return len(rows)


async def sweep_pending(ctx: Ctx, batch: int = 500) -> int:
    """Places pending findings whose scheme is published (each batch its own transaction)."""
    placed = 0
    async with ctx.transaction() as session:
        published = [
            SchemeRow.of(r)
            for r in (await session.execute(select(schemes).where(schemes.c.state.in_(("published", "closed"))))).all()
        ]
    for scheme_row in published:
        while True:
            async with ctx.transaction() as session:
                done = await apply_pending(session, ctx, scheme_row, limit=batch)
            placed += done
            if done < batch:
                break
    return placed


async def findings_sweep_job(runtime: Ctx) -> None:
    """Background job (``SPEC.background_jobs``): every replica, now and then."""
    while True:
        await asyncio.sleep(runtime.resources.settings.findings_sweep_seconds)
        try:
            placed = await sweep_pending(runtime)
            if placed:
                log.info("placed %d pending findings", placed)
        except Exception:
            log.exception("findings sweep failed; will retry")


async def late_findings(session: AsyncSession, sheet_ids: Sequence[str]) -> list[Any]:
    return list(
        (
            await session.execute(
                select(findings)
                .where(and_(findings.c.sheet_id.in_(list(sheet_ids)), findings.c.status == "late"))
                .order_by(findings.c.received_at)
            )
        ).all()
    )
