"""Writing a score sheet (考核评分表, DESIGN §6; issue 12 §2): entries by the assessors and by the
unit's self-check, evidence attached, vetoes found, entries voided with a reason (never deleted),
and the steps ``open`` → ``self_assessed`` → ``reviewed`` each by its role. Finalizing is per
category (``service/finalize.py``): ranks need the whole category."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.config import Ctx
from services.scoring.domain.scoring import Entry, validate_entry
from services.scoring.domain.sheets import SHEET_STEPS, SheetAction, advance, check_entry_allowed, check_notice_period
from services.scoring.models import sheet_entries, sheet_vetoes, sheets
from services.scoring.schemas.sheets import AttachmentOut, Author, EntryIn, EntryOut, VetoIn, VetoOut, VoidIn
from services.scoring.service.common import (
    ASSESSOR_ROLES,
    load_scheme_row,
    load_sheet_row,
    no_such,
    num,
    parsed,
    require,
    text,
)
from shared.auth import Principal
from shared.db import stored_utc
from shared.domain import DomainError, InvalidInput
from shared.errors import ProblemError, forbidden
from shared.etags import check_if_match
from shared.storage import clean_filename, clean_media_type


def entry_out(row: Any) -> EntryOut:
    return EntryOut(
        id=row.id,
        sheet_id=row.sheet_id,
        indicator=row.indicator,
        source=row.source,
        occurrences=row.occurrences,
        participant=row.participant,
        ratio=num(row.ratio),
        measure=num(row.measure),
        points=num(row.points),
        method=row.method,
        on=row.on,
        evidence=row.evidence,
        attachments=[
            AttachmentOut(**{k: a[k] for k in ("id", "filename", "content_type", "size")}) for a in row.attachments
        ],
        author=Author(sub=row.author_sub, name=row.author_name),
        event_id=row.event_id,
        event_type=row.event_type,
        ref_kind=row.ref_kind,
        ref_id=row.ref_id,
        voided=row.voided_at is not None,
        voided_at=stored_utc(row.voided_at) if row.voided_at else None,
        voided_by=row.voided_by,
        void_reason=row.void_reason,
        created_at=stored_utc(row.created_at),
    )


def veto_out(row: Any, description: str) -> VetoOut:
    return VetoOut(
        id=row.id,
        sheet_id=row.sheet_id,
        code=row.code,
        description=description,
        evidence=row.evidence,
        author=Author(sub=row.author_sub, name=row.author_name),
        created_at=stored_utc(row.created_at),
        voided=row.voided_at is not None,
        voided_at=stored_utc(row.voided_at) if row.voided_at else None,
        void_reason=row.void_reason,
    )


async def _touch(session: AsyncSession, ctx: Ctx, sheet_id: str) -> None:
    await session.execute(
        update(sheets).where(sheets.c.id == sheet_id).values(version=sheets.c.version + 1, updated_at=ctx.clock.now())
    )


def _entry_source(actor: Principal, unit_code: str, asked: str | None) -> str:
    """self (单位自查) for the unit's staff, assessor for the assessors and the office; 403 otherwise."""
    source = asked or ("assessor" if actor.has_role(*ASSESSOR_ROLES) else "self")
    if source == "self" and not actor.is_staff_of(unit_code):
        raise forbidden("单位自查只能由本单位工作人员填写")
    if source == "assessor" and not actor.has_role(*ASSESSOR_ROLES):
        raise forbidden("考核评分需要以下角色之一：assessor, office")
    return source


async def add_entry(session: AsyncSession, ctx: Ctx, actor: Principal, sheet_id: str, body: EntryIn) -> EntryOut:
    sheet = await load_sheet_row(session, actor, sheet_id, lock=True)
    source = _entry_source(actor, sheet.unit_code, body.source)
    check_entry_allowed(sheet.state, source)  # type: ignore[arg-type]
    scheme_row = await load_scheme_row(session, None, sheet.scheme_id)
    category = parsed(scheme_row).category(sheet.category)
    today = ctx.clock.today()
    on = body.on or today
    if on > today:
        raise InvalidInput("entry_date_in_future", "日期不能晚于今天", f"{on} 晚于今天 {today}")
    leaf = category.indicator(body.indicator)
    method = body.method or (leaf.methods[0] if leaf.methods else None)
    entry = Entry(
        indicator=body.indicator,
        source=source,  # type: ignore[arg-type]
        occurrences=body.occurrences,
        participant=body.participant,
        ratio=body.ratio,
        measure=body.measure,
        points=body.points,
        method=method,
        on=on,
    )
    validate_entry(category, entry)
    if source == "assessor" and method is not None:
        check_notice_period(category, method, on)  # 考核方案 三(二): on-site checks 15 days after the notice
    values = {
        "id": str(uuid.uuid4()),
        "sheet_id": sheet_id,
        "indicator": body.indicator,
        "source": source,
        "occurrences": body.occurrences,
        "participant": body.participant,
        "ratio": text(body.ratio),
        "measure": text(body.measure),
        "points": text(body.points),
        "method": method,
        "on": on,
        "evidence": body.evidence,
        "attachments": [],
        "author_sub": actor.sub,
        "author_name": actor.name,
        "created_at": ctx.clock.now(),
    }
    await session.execute(sheet_entries.insert().values(**values))
    await _touch(session, ctx, sheet_id)
    audited = {k: v for k, v in values.items() if k not in ("attachments", "created_at")} | {"on": on.isoformat()}
    await ctx.journal.audit(session, actor, "add_entry", "sheet", sheet_id, after=audited)
    return entry_out(
        _Obj(
            {
                **values,
                "seq": 0,
                "event_id": None,
                "event_type": None,
                "ref_kind": None,
                "ref_id": None,
                "voided_at": None,
                "voided_by": None,
                "void_reason": None,
            }
        )
    )


class _Obj:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


async def _load_entry(session: AsyncSession, sheet_id: str, entry_id: str, *, lock: bool = False) -> Any:
    statement = select(sheet_entries).where(sheet_entries.c.id == entry_id, sheet_entries.c.sheet_id == sheet_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise no_such("评分记录", entry_id)
    return row


async def void_entry(
    session: AsyncSession, ctx: Ctx, actor: Principal, sheet_id: str, entry_id: str, body: VoidIn
) -> EntryOut:
    """Void an entry with a reason (an appeal upheld): the assessors void theirs and the system's,
    the unit its self-check's; nothing is ever deleted, and a finalized sheet never changes."""
    sheet = await load_sheet_row(session, actor, sheet_id, lock=True)
    row = await _load_entry(session, sheet_id, entry_id, lock=True)
    if row.source == "self":
        _entry_source(actor, sheet.unit_code, "self")
    else:
        require(actor, ASSESSOR_ROLES, "作废考核记录")
    check_entry_allowed(sheet.state, "system" if row.source != "self" else "self")
    if row.voided_at is not None:
        raise DomainError("entry_already_voided", "评分记录已作废", f"已于 {row.voided_at} 作废")
    now = ctx.clock.now()
    await session.execute(
        update(sheet_entries)
        .where(sheet_entries.c.id == entry_id)
        .values(voided_at=now, voided_by=actor.name, void_reason=body.reason)
    )
    await _touch(session, ctx, sheet_id)
    await ctx.journal.audit(
        session, actor, "void_entry", "sheet", sheet_id, before={"entry_id": entry_id}, after={"reason": body.reason}
    )
    return entry_out(_Obj({**row._mapping, "voided_at": now, "voided_by": actor.name, "void_reason": body.reason}))


async def add_veto(session: AsyncSession, ctx: Ctx, actor: Principal, sheet_id: str, body: VetoIn) -> VetoOut:
    """一票否决 found (assessors, office): the grade is 不合格 at finalization whatever the points."""
    require(actor, ASSESSOR_ROLES, "认定一票否决情形")
    sheet = await load_sheet_row(session, actor, sheet_id, lock=True)
    check_entry_allowed(sheet.state, "system")
    scheme = parsed(await load_scheme_row(session, None, sheet.scheme_id))
    described = {v.code: v.description for v in scheme.vetoes}
    if body.code not in described:
        raise InvalidInput("veto_unknown", "一票否决情形不存在", f"方案中没有 {body.code}", vetoes=[body.code])
    values = {
        "id": str(uuid.uuid4()),
        "sheet_id": sheet_id,
        "code": body.code,
        "evidence": body.evidence,
        "author_sub": actor.sub,
        "author_name": actor.name,
        "created_at": ctx.clock.now(),
        "voided_at": None,
        "voided_by": None,
        "void_reason": None,
    }
    await session.execute(sheet_vetoes.insert().values(**values))
    await _touch(session, ctx, sheet_id)
    await ctx.journal.audit(
        session, actor, "add_veto", "sheet", sheet_id, after={"code": body.code, "evidence": body.evidence}
    )
    return veto_out(_Obj(values), described[body.code])


async def void_veto(
    session: AsyncSession, ctx: Ctx, actor: Principal, sheet_id: str, veto_id: str, body: VoidIn
) -> VetoOut:
    require(actor, ASSESSOR_ROLES, "作废一票否决认定")
    sheet = await load_sheet_row(session, actor, sheet_id, lock=True)
    check_entry_allowed(sheet.state, "system")
    row = (
        await session.execute(
            select(sheet_vetoes).where(sheet_vetoes.c.id == veto_id, sheet_vetoes.c.sheet_id == sheet_id)
        )
    ).one_or_none()
    if row is None:
        raise no_such("一票否决认定", veto_id)
    if row.voided_at is not None:
        raise DomainError("veto_already_voided", "一票否决认定已作废")
    now = ctx.clock.now()
    await session.execute(
        update(sheet_vetoes)
        .where(sheet_vetoes.c.id == veto_id)
        .values(voided_at=now, voided_by=actor.name, void_reason=body.reason)
    )
    await _touch(session, ctx, sheet_id)
    await ctx.journal.audit(
        session, actor, "void_veto", "sheet", sheet_id, before={"veto_id": veto_id}, after={"reason": body.reason}
    )
    scheme = parsed(await load_scheme_row(session, None, sheet.scheme_id))
    description = next((v.description for v in scheme.vetoes if v.code == row.code), row.code)
    return veto_out(_Obj({**row._mapping, "voided_at": now, "void_reason": body.reason}), description)


async def take_step(
    session: AsyncSession, ctx: Ctx, actor: Principal, sheet_id: str, action: SheetAction, if_match: str | None
) -> Any:
    """``self_assess`` (the unit's staff) or ``review`` (assessors, office), If-Match required;
    ``finalize`` is the category's (POST /schemes/{id}/categories/{code}/finalize)."""
    sheet = await load_sheet_row(session, actor, sheet_id, lock=True)
    step = SHEET_STEPS[action]
    if step.roles.isdisjoint(actor.roles) or (action == "self_assess" and not actor.is_staff_of(sheet.unit_code)):
        raise forbidden(f"此操作需要以下角色之一：{', '.join(sorted(step.roles))}")
    check_if_match(if_match, sheet.version, required=True)
    target = advance(sheet.state, action)
    now = ctx.clock.now()
    stamp = {"self_assess": "self_assessed_at", "review": "reviewed_at", "finalize": "finalized_at"}[action]
    await session.execute(
        update(sheets)
        .where(sheets.c.id == sheet_id)
        .values(state=target, version=sheet.version + 1, updated_at=now, **{stamp: now})
    )
    await ctx.journal.audit(
        session, actor, action, "sheet", sheet_id, before={"state": sheet.state}, after={"state": target}
    )
    return target


async def add_attachment(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    sheet_id: str,
    entry_id: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> AttachmentOut:
    """Evidence (印证材料) on an entry, through ``shared.storage``: by whoever may write that entry."""
    sheet = await load_sheet_row(session, actor, sheet_id, lock=True)
    row = await _load_entry(session, sheet_id, entry_id, lock=True)
    if row.source == "self":
        _entry_source(actor, sheet.unit_code, "self")
    else:
        require(actor, ASSESSOR_ROLES, "上传考核印证材料")
    check_entry_allowed(sheet.state, "system" if row.source != "self" else "self")
    limit = ctx.resources.settings.max_attachment_bytes
    if len(data) > limit:
        raise ProblemError(413, "attachment_too_large", "附件过大", f"附件不能超过 {limit} 字节")
    if not data:
        raise InvalidInput("attachment_empty", "附件为空", "请上传非空文件")
    attachment_id = str(uuid.uuid4())
    key = f"sheets/{sheet_id}/{entry_id}/{attachment_id}"
    await ctx.resources.storage.put(key, data)
    meta = {
        "id": attachment_id,
        "filename": clean_filename(filename),
        "content_type": clean_media_type(content_type),
        "size": len(data),
        "storage_key": key,
        "at": ctx.clock.now().isoformat(),
    }
    await session.execute(
        update(sheet_entries).where(sheet_entries.c.id == entry_id).values(attachments=[*row.attachments, meta])
    )
    await _touch(session, ctx, sheet_id)
    await ctx.journal.audit(
        session, actor, "attach", "sheet", sheet_id, after={"entry_id": entry_id, "attachment": meta["filename"]}
    )
    return AttachmentOut(id=attachment_id, filename=meta["filename"], content_type=meta["content_type"], size=len(data))


async def read_attachment(
    session: AsyncSession, ctx: Ctx, actor: Principal, sheet_id: str, entry_id: str, attachment_id: str
) -> tuple[AttachmentOut, bytes]:
    await load_sheet_row(session, actor, sheet_id)
    row = await _load_entry(session, sheet_id, entry_id)
    meta = next((a for a in row.attachments if a["id"] == attachment_id), None)
    if meta is None:
        raise no_such("附件", attachment_id)
    data = await ctx.resources.storage.get(meta["storage_key"])
    out = AttachmentOut(id=meta["id"], filename=meta["filename"], content_type=meta["content_type"], size=meta["size"])
    return out, data
