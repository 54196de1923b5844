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
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.config import Ctx
from services.scoring.domain.findings import Finding, finding_of, system_entry
from services.scoring.domain.scheme import Scheme
from services.scoring.domain.sheets import system_entry_is_late
from services.scoring.models import findings, schemes, sheet_entries, sheets
from services.scoring.service.common import SchemeRow, parsed, parsed_version, text
from shared.clock import legal_date
from shared.db import insert_or_ignore
from shared.events import CloudEvent
from shared.journal import SYSTEM

log = logging.getLogger("gongkai.scoring.findings")

SYSTEM_NAME = "系统（事件）"


async def record_events(session: AsyncSession, ctx: Ctx, events: Sequence[CloudEvent]) -> dict[str, str]:
    """The reaction to bound events, set-wise (a consumed batch, or one event): each recorded once
    and placed, in four statements however many — the schemes holding their dates, their sheets
    (FOR SHARE), the findings (one multi-row insert, unique by event id: the dedup and the record
    at once) and the system entries. Returns the status of each event recorded now, by event id
    (absent: the event carries no finding, or was recorded before)."""
    found = [(e, f) for e in events if (f := finding_of(e.type, e.data or {}, legal_date(e.time))) is not None]
    if not found:
        return {}
    heads = await _schemes_holding(session, [finding.on for _, finding in found])
    now = ctx.clock.now()
    rows: dict[str, dict[str, Any]] = {}
    entries: dict[str, dict[str, Any]] = {}
    by_scheme: dict[Any, list[tuple[CloudEvent, Finding]]] = {}
    for event, finding in found:
        head = next((h for h in heads if h.period_start <= finding.on <= h.period_end), None)
        if head is None:  # applied when its scheme is published
            rows[event.id] = _finding_row(event, finding, now, "pending", {})
        else:
            by_scheme.setdefault(head, []).append((event, finding))
    for head, items in by_scheme.items():
        scheme = await parsed_version(session, head.id, head.version)
        placements = await _placements(session, ctx, head.id, scheme, [(e.id, e.type, f) for e, f in items])
        for (event, finding), placement in zip(items, placements, strict=True):
            rows[event.id] = _finding_row(event, finding, now, placement.status, placement.settle)
            if placement.entry is not None:
                entries[event.id] = placement.entry
    # In event id order, as the inbox inserts: two replicas on overlapping batches cannot deadlock.
    recorded = set(
        await session.scalars(
            insert_or_ignore(session, findings).returning(findings.c.event_id),
            [rows[event_id] for event_id in sorted(rows)],
        )
    )
    fresh = [entry for event_id, entry in entries.items() if event_id in recorded]
    if fresh:
        # The sheet's version (ETag) guards its workflow steps; a system entry does not bump it, so
        # concurrent events on one sheet never queue on its row (the entry itself is the record).
        await session.execute(insert_or_ignore(session, sheet_entries), fresh)
    return {event_id: row["status"] for event_id, row in rows.items() if event_id in recorded}


async def _schemes_holding(session: AsyncSession, days: Sequence[date]) -> list[Any]:
    """The published (or closed) schemes whose period meets the days' span, earliest published
    first — without their documents (:func:`parsed_version` reads one only when it is new here)."""
    statement = (
        select(schemes.c.id, schemes.c.version, schemes.c.period_start, schemes.c.period_end)
        .where(
            schemes.c.state.in_(("published", "closed")),
            schemes.c.period_start <= max(days),
            schemes.c.period_end >= min(days),
        )
        .order_by(schemes.c.published_at)
    )
    return list((await session.execute(statement)).all())


def _finding_row(
    event: CloudEvent, finding: Finding, now: datetime, status: str, settle: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "event_id": event.id,
        "event_type": event.type,
        "auto_source": finding.auto_source,
        "unit_code": finding.unit_code,
        "on": finding.on,
        "ref_kind": finding.ref_kind,
        "ref_id": finding.ref_id,
        "score": text(finding.score),
        "evidence": finding.evidence,
        "data": event.data or {},
        "received_at": now,
        "status": status,
        # Every row of a multi-row insert has every column.
        "scheme_id": None,
        "sheet_id": None,
        "entry_id": None,
        "settled_at": None,
        **settle,
    }


@dataclass(frozen=True)
class _Placement:
    status: str  # applied / late / unbound
    settle: dict[str, Any]  # the finding's scheme_id, settled_at, sheet_id, entry_id
    entry: dict[str, Any] | None = None  # the system entry's row, when applied


async def _placements(
    session: AsyncSession, ctx: Ctx, scheme_id: str, scheme: Scheme, items: Sequence[tuple[str, str, Finding]]
) -> list[_Placement]:
    """Where each (event id, event type, finding) goes in ``scheme``: its unit's sheet, read with
    the others in one statement FOR SHARE — handlers placing findings never wait for (or deadlock
    with) each other, and finalization (FOR UPDATE, in the same unit order) waits for them, or
    they for it."""
    leaves = []
    for _, _, finding in items:
        category = scheme.category_of(finding.unit_code)
        leaves.append(category.bound_leaf(finding.auto_source) if category is not None else None)
    units = sorted({finding.unit_code for (_, _, finding), leaf in zip(items, leaves, strict=True) if leaf})
    sheet_of: dict[str, Any] = {}
    if units:
        statement = (
            select(sheets.c.id, sheets.c.state, sheets.c.unit_code)
            .where(sheets.c.scheme_id == scheme_id, sheets.c.unit_code.in_(units))
            .order_by(sheets.c.unit_code)
            .with_for_update(read=True)
        )
        sheet_of = {row.unit_code: row for row in (await session.execute(statement)).all()}
    now = ctx.clock.now()
    placements = []
    for (event_id, event_type, finding), leaf in zip(items, leaves, strict=True):
        settle: dict[str, Any] = {"scheme_id": scheme_id, "settled_at": now}
        sheet = sheet_of.get(finding.unit_code) if leaf is not None else None
        if leaf is None or sheet is None:
            placements.append(_Placement("unbound", settle))
            continue
        settle["sheet_id"] = sheet.id
        if system_entry_is_late(sheet.state):
            placements.append(_Placement("late", settle))
            continue
        settle["entry_id"] = str(uuid.uuid4())
        entry = system_entry(leaf, finding)
        row = {
            "id": settle["entry_id"],
            "sheet_id": sheet.id,
            "indicator": leaf.code,
            "source": "system",
            "occurrences": entry.occurrences,
            "ratio": text(entry.ratio),
            "method": leaf.methods[0],
            "on": finding.on,
            "evidence": finding.evidence,
            "attachments": [],
            "author_sub": SYSTEM.sub,
            "author_name": SYSTEM_NAME,
            "event_id": event_id,
            "event_type": event_type,
            "ref_kind": finding.ref_kind,
            "ref_id": finding.ref_id,
            "created_at": now,
        }
        placements.append(_Placement("applied", settle, row))
    return placements


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
    if not rows:
        return 0
    items = [(row.event_id, row.event_type, _finding_of_row(row)) for row in rows]
    placements = await _placements(session, ctx, scheme_row.id, parsed(scheme_row), items)
    for row, placement in zip(rows, placements, strict=True):
        await session.execute(
            update(findings).where(findings.c.id == row.id).values(status=placement.status, **placement.settle)
        )
    entries = [placement.entry for placement in placements if placement.entry is not None]
    if entries:
        await session.execute(insert_or_ignore(session, sheet_entries), entries)
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
