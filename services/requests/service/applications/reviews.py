"""Administrative review and litigation about an application (行政复议、行政诉讼): the records the
annual report's table 四 counts; a decided result emits ``request.review_decided`` (a corrected one
costs the unit points, DESIGN §3)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.models import review_records
from services.requests.schemas.applications import ReviewRecordIn, ReviewRecordOut, ReviewRecordPatch
from services.requests.service.applications.access import load_readable
from services.requests.service.applications.view import journal_state
from shared.auth import Principal
from shared.domain import InvalidInput
from shared.errors import forbidden, not_found
from shared.etags import check_if_match
from shared.events import RequestReviewDecided
from shared.vocabulary import ReviewKind, ReviewResult

_ONLY_ACTORS = "只有受理单位或政务公开主管部门可以登记复议诉讼"


def _out(values: Any) -> ReviewRecordOut:
    return ReviewRecordOut(**{k: values[k] for k in ReviewRecordOut.model_fields})


def _check_record(
    kind: str, after_review: bool, filed_on: date, result: str, decided_on: date | None, today: date
) -> None:
    if kind == "administrative_review" and after_review:
        raise InvalidInput("after_review_invalid", "行政复议不能是“复议后起诉”", "after_review 只用于诉讼")
    if (result == "pending") != (decided_on is None):
        raise InvalidInput("decision_inconsistent", "结果与审结日期不一致", "pending 不能有 decided_on；其他结果必须有")
    if decided_on is not None and decided_on < filed_on:
        raise InvalidInput("decided_before_filed", "审结日期不能早于立案日期")
    if filed_on > today or (decided_on is not None and decided_on > today):
        raise InvalidInput("date_in_future", "日期不能晚于今天")


async def _announce(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    unit_code: str,
    application_id: str,
    kind: ReviewKind,
    result: ReviewResult,
) -> None:
    await ctx.journal.emit(
        session,
        RequestReviewDecided(request_id=application_id, unit_code=unit_code, kind=kind, result=result),
        subject=application_id,
        entity_type="application",
        actor=actor,
    )


async def add_review_record(
    session: AsyncSession, ctx: Ctx, actor: Principal, application_id: str, body: ReviewRecordIn
) -> ReviewRecordOut:
    _check_record(body.kind, body.after_review, body.filed_on, body.result, body.decided_on, ctx.clock.today())
    row = await load_readable(session, actor, application_id)
    if not actor.can_act(row.unit_code):
        raise forbidden(_ONLY_ACTORS)
    values = {
        "id": str(uuid.uuid4()),
        "application_id": application_id,
        "unit_code": row.unit_code,
        **body.model_dump(),
        "version": 1,
    }
    await session.execute(review_records.insert().values(**values))
    await ctx.journal.audit(
        session, actor, "review_record.created", "application", application_id, after=journal_state(values)
    )
    await _announce(session, ctx, actor, row.unit_code, application_id, body.kind, body.result)
    return _out(values)


async def update_review_record(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    record_id: str,
    body: ReviewRecordPatch,
    if_match: str | None,
) -> ReviewRecordOut:
    await load_readable(session, actor, application_id)
    record = (
        await session.execute(
            select(review_records)
            .where(review_records.c.id == record_id, review_records.c.application_id == application_id)
            .with_for_update()
        )
    ).one_or_none()
    if record is None:
        raise not_found("复议诉讼记录")
    if not actor.can_act(record.unit_code):
        raise forbidden(_ONLY_ACTORS)
    check_if_match(if_match, record.version, required=True)
    _check_record(record.kind, record.after_review, record.filed_on, body.result, body.decided_on, ctx.clock.today())
    changed = {"result": body.result, "decided_on": body.decided_on, "version": record.version + 1}
    await session.execute(update(review_records).where(review_records.c.id == record_id).values(**changed))
    await ctx.journal.audit(
        session,
        actor,
        "review_record.updated",
        "application",
        application_id,
        before={"result": record.result, "decided_on": str(record.decided_on)},
        after={"result": body.result, "decided_on": str(body.decided_on)},
    )
    if body.result != record.result:
        await _announce(session, ctx, actor, record.unit_code, application_id, record.kind, body.result)
    return _out({**record._mapping, **changed})


async def list_review_records(
    session: AsyncSession, _ctx: Ctx, principal: Principal, application_id: str
) -> list[ReviewRecordOut]:
    await load_readable(session, principal, application_id)
    rows = (
        await session.execute(
            select(review_records)
            .where(review_records.c.application_id == application_id)
            .order_by(review_records.c.filed_on)
        )
    ).all()
    return [_out(r._mapping) for r in rows]
