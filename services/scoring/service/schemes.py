"""Schemes as data (考核方案, DESIGN §6; issue 12 §1): create and edit while ``draft``, publish
(one sheet per unit, pending findings applied), set a category's notice date, close; read, list,
export as YAML or JSON."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import yaml  # type: ignore[import-untyped]
from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.config import Ctx
from services.scoring.domain.scheme import Scheme
from services.scoring.domain.scheme_format import SchemeFormat, dump_scheme, dump_scheme_text, load_scheme
from services.scoring.domain.sheets import on_site_checks_open_on
from services.scoring.models import schemes, sheets
from services.scoring.schemas.schemes import CategorySummary, NoticeIn, SchemeOut
from services.scoring.service import findings as bound_events
from services.scoring.service.common import (
    OFFICE,
    SCHEME_WRITERS,
    SchemeRow,
    load_scheme_row,
    may_see_drafts,
    parsed,
    require,
)
from shared.auth import Principal
from shared.domain import DomainError, InvalidInput
from shared.errors import ProblemError
from shared.etags import check_if_match
from shared.pagination import Page, SortKey, paginate


async def _finalized_categories(session: AsyncSession, scheme_id: str) -> set[str]:
    rows = (
        await session.execute(
            select(sheets.c.category, func.count(), func.sum(case((sheets.c.state == "finalized", 1), else_=0)))
            .where(sheets.c.scheme_id == scheme_id)
            .group_by(sheets.c.category)
        )
    ).all()
    return {row[0] for row in rows if row[1] and row[1] == row[2]}


def scheme_out(row: SchemeRow, finalized: set[str] | None = None, *, with_document: bool = True) -> SchemeOut:
    scheme = parsed(row)
    return SchemeOut(
        id=row.id,
        year=row.year,
        name=row.name,
        period_start=row.period_start,
        period_end=row.period_end,
        state=row.state,  # type: ignore[arg-type]
        version=row.version,
        categories=[
            CategorySummary(
                code=c.code,
                name=c.name,
                total=float(c.total),
                partial=c.partial,
                units=len(c.units),
                notice_date=c.notice_date,
                on_site_checks_from=on_site_checks_open_on(c),
                finalized=c.code in (finalized or set()),
            )
            for c in scheme.categories
        ],
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
        closed_at=row.closed_at,
        document=row.document if with_document else None,
    )


def _columns(scheme: Scheme) -> dict[str, Any]:
    return {
        "year": scheme.year,
        "name": scheme.name,
        "period_start": scheme.period_start,
        "period_end": scheme.period_end,
        "document": dump_scheme(scheme),
    }


async def create_scheme(session: AsyncSession, ctx: Ctx, actor: Principal, document: object) -> SchemeOut:
    """A new draft from a scheme document (YAML/JSON parsed); refused (422) naming what is wrong."""
    require(actor, SCHEME_WRITERS, "制定考核方案")
    scheme = load_scheme(document)
    now = ctx.clock.now()
    scheme_id = str(uuid.uuid4())
    values = {
        "id": scheme_id,
        **_columns(scheme),
        "state": "draft",
        "version": 1,
        "created_by": actor.name,
        "created_at": now,
        "updated_at": now,
        "published_at": None,
        "closed_at": None,
    }
    await session.execute(schemes.insert().values(**values))
    await ctx.journal.audit(
        session, actor, "create", "scheme", scheme_id, after={"year": scheme.year, "name": scheme.name}
    )
    return scheme_out(SchemeRow.of(_Row(values)))


class _Row:
    """A dict as a row (``SchemeRow.of`` reads ``_mapping``)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._mapping = values


async def replace_scheme(
    session: AsyncSession, ctx: Ctx, actor: Principal, scheme_id: str, document: object, if_match: str | None
) -> SchemeOut:
    """Edit a draft (If-Match required): the whole document is replaced."""
    require(actor, SCHEME_WRITERS, "修改考核方案")
    row = await load_scheme_row(session, actor, scheme_id, lock=True)
    check_if_match(if_match, row.version, required=True)
    if row.state != "draft":
        raise DomainError(
            "scheme_not_draft", "考核方案已发布，不能修改", f"方案状态为 {row.state}", current_state=row.state
        )
    scheme = load_scheme(document)
    now = ctx.clock.now()
    values = {**_columns(scheme), "version": row.version + 1, "updated_at": now}
    await session.execute(update(schemes).where(schemes.c.id == scheme_id).values(**values))
    await ctx.journal.audit(
        session, actor, "edit", "scheme", scheme_id, before={"version": row.version}, after={"version": row.version + 1}
    )
    return scheme_out(SchemeRow.of(_Row({**row.__dict__, **values})))


async def publish_scheme(
    session: AsyncSession, ctx: Ctx, actor: Principal, scheme_id: str, if_match: str | None
) -> SchemeOut:
    """Publish (office): one sheet per (scheme, unit), then the findings kept for its period applied.
    Refused when its period overlaps a published scheme's (each event must have one scheme)."""
    require(actor, OFFICE, "发布考核方案")
    row = await load_scheme_row(session, actor, scheme_id, lock=True)
    check_if_match(if_match, row.version, required=True)
    if row.state != "draft":
        raise DomainError("scheme_not_draft", "考核方案已发布", f"方案状态为 {row.state}", current_state=row.state)
    overlapping = (
        await session.execute(
            select(schemes.c.id, schemes.c.name).where(
                schemes.c.state.in_(("published", "closed")),
                schemes.c.period_start <= row.period_end,
                schemes.c.period_end >= row.period_start,
            )
        )
    ).first()
    if overlapping is not None:
        raise DomainError(
            "scheme_period_overlap",
            "考核期间与已发布的方案重叠",
            f"方案“{overlapping.name}”的考核期间与本方案重叠；一个事件只能计入一个方案",
            scheme_id=overlapping.id,
        )
    scheme = parsed(row)
    now = ctx.clock.now()
    sheet_rows = [
        {
            "id": str(uuid.uuid4()),
            "scheme_id": scheme_id,
            "unit_code": unit,
            "category": category.code,
            "state": "open",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for category in scheme.categories
        for unit in category.units
    ]
    for start in range(0, len(sheet_rows), 1000):
        await session.execute(sheets.insert(), sheet_rows[start : start + 1000])
    values = {"state": "published", "published_at": now, "updated_at": now, "version": row.version + 1}
    await session.execute(update(schemes).where(schemes.c.id == scheme_id).values(**values))
    published = SchemeRow.of(_Row({**row.__dict__, **values}))
    applied = await bound_events.apply_pending(session, ctx, published)
    await ctx.journal.audit(
        session,
        actor,
        "publish",
        "scheme",
        scheme_id,
        before={"state": "draft"},
        after={"state": "published", "sheets": len(sheet_rows), "findings_applied": applied},
    )
    return scheme_out(published)


async def set_notice_date(
    session: AsyncSession, ctx: Ctx, actor: Principal, scheme_id: str, category_code: str, body: NoticeIn
) -> SchemeOut:
    """考核方案 三(二): the day the assessment notice went to the category's units."""
    require(actor, SCHEME_WRITERS, "登记考核通知")
    row = await load_scheme_row(session, actor, scheme_id, lock=True)
    if row.state == "closed":
        raise DomainError("scheme_closed", "考核方案已关闭", "已关闭的方案不能修改")
    scheme = parsed(row)
    category = scheme.category(category_code)
    document = dump_scheme(scheme)
    for doc in document["categories"]:
        if doc["code"] == category.code:
            doc["notice_date"] = body.notice_date.isoformat()
    values = {"document": document, "version": row.version + 1, "updated_at": ctx.clock.now()}
    await session.execute(update(schemes).where(schemes.c.id == scheme_id).values(**values))
    await ctx.journal.audit(
        session,
        actor,
        "set_notice_date",
        "scheme",
        scheme_id,
        before={"category": category.code, "notice_date": category.notice_date and category.notice_date.isoformat()},
        after={"category": category.code, "notice_date": body.notice_date.isoformat()},
    )
    return scheme_out(SchemeRow.of(_Row({**row.__dict__, **values})))


async def close_scheme(
    session: AsyncSession, ctx: Ctx, actor: Principal, scheme_id: str, if_match: str | None
) -> SchemeOut:
    """Close (office) once every sheet is finalized; later events for its period are late findings."""
    require(actor, OFFICE, "关闭考核方案")
    row = await load_scheme_row(session, actor, scheme_id, lock=True)
    check_if_match(if_match, row.version, required=True)
    if row.state != "published":
        raise DomainError("scheme_not_published", "考核方案未发布或已关闭", f"方案状态为 {row.state}")
    open_sheets = await session.scalar(
        select(func.count()).where(sheets.c.scheme_id == scheme_id, sheets.c.state != "finalized")
    )
    if open_sheets:
        raise DomainError(
            "scheme_not_finalized", "尚有评分表未审定", f"{open_sheets} 张评分表尚未审定", open_sheets=open_sheets
        )
    now = ctx.clock.now()
    values = {"state": "closed", "closed_at": now, "updated_at": now, "version": row.version + 1}
    await session.execute(update(schemes).where(schemes.c.id == scheme_id).values(**values))
    await ctx.journal.audit(
        session, actor, "close", "scheme", scheme_id, before={"state": row.state}, after={"state": "closed"}
    )
    closed = SchemeRow.of(_Row({**row.__dict__, **values}))
    return scheme_out(closed, await _finalized_categories(session, scheme_id))


async def get_scheme(session: AsyncSession, actor: Principal, scheme_id: str) -> SchemeOut:
    row = await load_scheme_row(session, actor, scheme_id)
    return scheme_out(row, await _finalized_categories(session, scheme_id))


async def export_scheme(session: AsyncSession, actor: Principal, scheme_id: str, fmt: SchemeFormat) -> str:
    row = await load_scheme_row(session, actor, scheme_id)
    return dump_scheme_text(parsed(row), fmt)


async def list_schemes(
    session: AsyncSession,
    actor: Principal,
    *,
    year: int | None,
    state: str | None,
    period_holds: date | None,
    limit: int,
    cursor: str | None,
) -> Page[SchemeOut]:
    statement = select(schemes)
    if year is not None:
        statement = statement.where(schemes.c.year == year)
    if state is not None:
        statement = statement.where(schemes.c.state == state)
    if period_holds is not None:
        statement = statement.where(schemes.c.period_start <= period_holds, schemes.c.period_end >= period_holds)
    if not may_see_drafts(actor):
        statement = statement.where(schemes.c.state != "draft")
    page = await paginate(
        session,
        statement,
        [SortKey(schemes.c.year, descending=True), SortKey(schemes.c.id)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(lambda r: scheme_out(SchemeRow.of(r), with_document=False))


YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


def parse_document(body: bytes, content_type: str | None) -> object:
    """A scheme document sent as JSON or YAML (by ``Content-Type``), parsed; 415 for another type,
    413 over 2 MB, 422 ``scheme_document_unreadable`` for text that does not parse."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json" and media not in YAML_TYPES and not media.endswith("+json"):
        raise ProblemError(
            415, "unsupported_media_type", "不支持的内容类型", "考核方案文件应为 application/json 或 application/yaml"
        )
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ProblemError(413, "payload_too_large", "请求体过大", f"考核方案文件不能超过 {MAX_DOCUMENT_BYTES} 字节")
    fmt = "yaml" if media in YAML_TYPES else "json"
    try:
        return json.loads(body) if fmt == "json" else yaml.safe_load(body)
    except (ValueError, yaml.YAMLError, RecursionError) as exc:
        raise InvalidInput(
            "scheme_document_unreadable", "考核方案文件无法解析", f"不是有效的 {fmt.upper()}：{str(exc)[:300]}"
        ) from None
