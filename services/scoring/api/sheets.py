"""``/api/v1/sheets`` — score sheets (考核评分表): read, entries (assessors', self-check's),
evidence attachments, vetoes, voiding with a reason, and the steps self-assess → review.
Thin: parse, call one use case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Path, Query, Response, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.config import Ctx
from services.scoring.schemas.sheets import (
    AttachmentOut,
    EntryIn,
    EntryOut,
    GapsOut,
    SheetOut,
    SheetSummary,
    VetoIn,
    VetoOut,
    VoidIn,
)
from services.scoring.service import reads, sheets
from shared.auth import Principal, current_principal
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag
from shared.pagination import Page, PageParams, page_params
from shared.runtime import runtime_dependency, session_dependency
from shared.storage import download_response
from shared.vocabulary import SheetState

router = APIRouter(prefix="/api/v1/sheets", tags=["scoring"], responses=PROBLEM_RESPONSES)
Runtime = Annotated[Ctx, Depends(runtime_dependency("scoring"))]
Session = Annotated[AsyncSession, Depends(session_dependency("scoring"), scope="function")]
Caller = Annotated[Principal, Depends(current_principal)]
IfMatch = Annotated[str | None, Header(description="the sheet's ETag, as read (required for a step)")]
Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


def _with_etag(response: Response, out: SheetOut) -> SheetOut:
    response.headers["ETag"] = etag(out.version)
    return out


@router.get("", response_model=Page[SheetSummary], summary="评分表列表 / the sheets the caller may see")
async def list_sheets(
    session: Session,
    actor: Caller,
    paging: Annotated[PageParams, Depends(page_params)],
    scheme_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9-]+$")] = None,
    unit_code: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")] = None,
    state: SheetState | None = None,
) -> Page[SheetSummary]:
    return await reads.list_sheets(
        session, actor, scheme_id=scheme_id, unit_code=unit_code, state=state, limit=paging.limit, cursor=paging.cursor
    )


@router.get("/{sheet_id}", response_model=SheetOut, summary="评分表 / a unit's sheet with every entry and its evidence")
async def get_sheet(sheet_id: Id, response: Response, session: Session, actor: Caller) -> SheetOut:
    return _with_etag(response, await reads.get_sheet(session, actor, sheet_id))


@router.get(
    "/{sheet_id}/gaps", response_model=GapsOut, summary="自查与考核差异 / self-check vs assessors per indicator"
)
async def gaps(sheet_id: Id, session: Session, actor: Caller) -> GapsOut:
    return await reads.gaps(session, actor, sheet_id)


@router.post("/{sheet_id}/entries", status_code=201, response_model=EntryOut, summary="记录评分 / add an entry")
async def add_entry(sheet_id: Id, body: EntryIn, session: Session, rt: Runtime, actor: Caller) -> EntryOut:
    return await sheets.add_entry(session, rt, actor, sheet_id, body)


@router.post(
    "/{sheet_id}/entries/{entry_id}/void", response_model=EntryOut, summary="作废评分记录 / void with a reason"
)
async def void_entry(
    sheet_id: Id, entry_id: Id, body: VoidIn, session: Session, rt: Runtime, actor: Caller
) -> EntryOut:
    return await sheets.void_entry(session, rt, actor, sheet_id, entry_id, body)


@router.post(
    "/{sheet_id}/entries/{entry_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    summary="上传印证材料 / attach evidence to an entry",
)
async def attach(
    sheet_id: Id,
    entry_id: Id,
    session: Session,
    rt: Runtime,
    actor: Caller,
    file: Annotated[UploadFile, File(description="the evidence file")],
) -> AttachmentOut:
    data = await file.read()
    return await sheets.add_attachment(
        session,
        rt,
        actor,
        sheet_id,
        entry_id,
        file.filename or "file",
        file.content_type or "application/octet-stream",
        data,
    )


@router.get(
    "/{sheet_id}/entries/{entry_id}/attachments/{attachment_id}",
    summary="下载印证材料 / download",
    response_class=Response,
)
async def download(
    sheet_id: Id, entry_id: Id, attachment_id: Id, session: Session, rt: Runtime, actor: Caller
) -> Response:
    meta, data = await sheets.read_attachment(session, rt, actor, sheet_id, entry_id, attachment_id)
    return download_response(data, filename=meta.filename, content_type=meta.content_type)


@router.post("/{sheet_id}/vetoes", status_code=201, response_model=VetoOut, summary="认定一票否决 / record a veto")
async def add_veto(sheet_id: Id, body: VetoIn, session: Session, rt: Runtime, actor: Caller) -> VetoOut:
    return await sheets.add_veto(session, rt, actor, sheet_id, body)


@router.post("/{sheet_id}/vetoes/{veto_id}/void", response_model=VetoOut, summary="作废一票否决认定 / void a veto")
async def void_veto(sheet_id: Id, veto_id: Id, body: VoidIn, session: Session, rt: Runtime, actor: Caller) -> VetoOut:
    return await sheets.void_veto(session, rt, actor, sheet_id, veto_id, body)


@router.post(
    "/{sheet_id}/self-assess", response_model=SheetOut, summary="提交自查 / submit the self-check (unit staff)"
)
async def self_assess(
    sheet_id: Id, response: Response, session: Session, rt: Runtime, actor: Caller, if_match: IfMatch = None
) -> SheetOut:
    await sheets.take_step(session, rt, actor, sheet_id, "self_assess", if_match)
    return _with_etag(response, await reads.get_sheet(session, actor, sheet_id))


@router.post("/{sheet_id}/review", response_model=SheetOut, summary="提交评分 / submit the assessors' review")
async def review(
    sheet_id: Id, response: Response, session: Session, rt: Runtime, actor: Caller, if_match: IfMatch = None
) -> SheetOut:
    await sheets.take_step(session, rt, actor, sheet_id, "review", if_match)
    return _with_etag(response, await reads.get_sheet(session, actor, sheet_id))
