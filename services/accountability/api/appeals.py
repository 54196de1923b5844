"""``/api/v1/appeals`` — 复核、申诉 (seed 004 第二十九条): reading and deciding (filing is
``POST /api/v1/cases/{id}/appeal``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.accountability.api.deps import Caller, Id, IfMatch, Runtime, Session, etag_of
from services.accountability.schemas.appeals import AppealDecisionIn, AppealOut
from services.accountability.schemas.common import PLAIN_TEXT
from services.accountability.service import appeals
from shared.errors import PROBLEM_RESPONSES
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1/appeals", tags=["accountability 责任追究"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[AppealOut], summary="申诉列表 / list appeals")
async def list_appeals(
    rt: Runtime,
    actor: Caller,
    session: Session,
    paging: Annotated[PageParams, Depends(page_params)],
    case_id: Annotated[str | None, Query(max_length=64, pattern=PLAIN_TEXT)] = None,
    unit_code: Annotated[str | None, Query(max_length=64, pattern=PLAIN_TEXT)] = None,
    pending: bool | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[AppealOut]:
    filters = appeals.AppealFilters(case_id, unit_code, pending, year)
    return await appeals.list_appeals(session, rt, actor, filters, paging.limit, paging.cursor)


@router.get("/{appeal_id}", response_model=AppealOut, summary="申诉 / one appeal")
async def get_appeal(appeal_id: Id, rt: Runtime, actor: Caller, session: Session, response: Response) -> AppealOut:
    out = await appeals.get_appeal(session, rt, actor, appeal_id)
    response.headers["ETag"] = etag_of(out.version)
    return out


@router.post("/{appeal_id}/decide", response_model=AppealOut, summary="复核决定 / decide an appeal")
async def decide_appeal(
    appeal_id: Id,
    body: AppealDecisionIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> AppealOut:
    """Upheld, changed (with the new sanctions) or revoked; a revoked decision no longer counts for
    第九条(四). Needs If-Match."""
    out = await appeals.decide_appeal(session, rt, actor, appeal_id, body, if_match)
    response.headers["ETag"] = etag_of(out.version)
    return out
