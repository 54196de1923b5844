"""``/api/v1/schemes`` — appraisal schemes as data (考核方案, DESIGN §6): import/edit/publish/close,
the JSON Schema of the document, export, the league table and finalization of a category, and the
results as .xlsx. Thin: parse, call one use case."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.config import Ctx
from services.scoring.domain.scheme_format import SCHEME_JSON_SCHEMA
from services.scoring.schemas.examples import SCHEME_DOCUMENT, SCHEME_DOCUMENT_YAML
from services.scoring.schemas.schemes import FinalizeOut, LeagueOut, NoticeIn, SchemeOut
from services.scoring.service import finalize, reads, results_xlsx, schemes
from shared.auth import Principal, current_principal
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag
from shared.pagination import Page, PageParams, page_params
from shared.runtime import runtime_dependency, session_dependency
from shared.vocabulary import SchemeState

router = APIRouter(prefix="/api/v1/schemes", tags=["scoring"], responses=PROBLEM_RESPONSES)
Runtime = Annotated[Ctx, Depends(runtime_dependency("scoring"))]
Session = Annotated[AsyncSession, Depends(session_dependency("scoring"), scope="function")]
Caller = Annotated[Principal, Depends(current_principal)]
IfMatch = Annotated[str | None, Header(description="the scheme's ETag, as read")]
SchemeId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$", description="方案 id")]
CategoryCode = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$", description="类别编号, e.g. A")]

_DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the scheme document (see GET /api/v1/schemes/json-schema), as JSON or YAML",
        "content": {
            "application/json": {"schema": {"type": "object"}, "example": SCHEME_DOCUMENT},
            "application/yaml": {"schema": {"type": "string"}, "example": SCHEME_DOCUMENT_YAML},
        },
    }
}


def _with_etag(response: Response, out: SchemeOut) -> SchemeOut:
    response.headers["ETag"] = etag(out.version)
    return out


@router.get("/json-schema", summary="考核方案文件的 JSON Schema / the scheme document's JSON Schema")
async def json_schema() -> Response:
    return Response(json.dumps(SCHEME_JSON_SCHEMA, ensure_ascii=False), media_type="application/schema+json")


@router.post(
    "",
    status_code=201,
    response_model=SchemeOut,
    summary="导入考核方案（草稿）/ import a scheme as a draft (JSON or YAML)",
    openapi_extra=_DOCUMENT_BODY,
)
async def create_scheme(
    request: Request, response: Response, session: Session, rt: Runtime, actor: Caller
) -> SchemeOut:
    document = schemes.parse_document(await request.body(), request.headers.get("content-type"))
    out = await schemes.create_scheme(session, rt, actor, document)
    response.headers["Location"] = f"/api/v1/schemes/{out.id}"
    return _with_etag(response, out)


@router.get("", response_model=Page[SchemeOut], summary="考核方案列表 / list schemes")
async def list_schemes(
    session: Session,
    actor: Caller,
    paging: Annotated[PageParams, Depends(page_params)],
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    state: SchemeState | None = None,
    period_holds: Annotated[date | None, Query(description="schemes whose period holds this day")] = None,
) -> Page[SchemeOut]:
    return await schemes.list_schemes(
        session, actor, year=year, state=state, period_holds=period_holds, limit=paging.limit, cursor=paging.cursor
    )


@router.get("/{scheme_id}", response_model=SchemeOut, summary="考核方案 / one scheme with its document")
async def get_scheme(scheme_id: SchemeId, response: Response, session: Session, actor: Caller) -> SchemeOut:
    return _with_etag(response, await schemes.get_scheme(session, actor, scheme_id))


@router.put(
    "/{scheme_id}",
    response_model=SchemeOut,
    summary="修改草稿 / replace a draft's document (If-Match)",
    openapi_extra=_DOCUMENT_BODY,
)
async def replace_scheme(
    scheme_id: SchemeId,
    request: Request,
    response: Response,
    session: Session,
    rt: Runtime,
    actor: Caller,
    if_match: IfMatch = None,
) -> SchemeOut:
    document = schemes.parse_document(await request.body(), request.headers.get("content-type"))
    return _with_etag(response, await schemes.replace_scheme(session, rt, actor, scheme_id, document, if_match))


@router.get("/{scheme_id}/export", summary="导出考核方案 / the scheme document as YAML or JSON")
async def export_scheme(
    scheme_id: SchemeId, session: Session, actor: Caller, format: Literal["yaml", "json"] = "yaml"
) -> Response:
    text = await schemes.export_scheme(session, actor, scheme_id, format)
    media = "application/yaml" if format == "yaml" else "application/json"
    return Response(
        text,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=scheme-{scheme_id}.{format}"},
    )


@router.post("/{scheme_id}/publish", response_model=SchemeOut, summary="发布 / publish: one sheet per unit (office)")
async def publish(
    scheme_id: SchemeId, response: Response, session: Session, rt: Runtime, actor: Caller, if_match: IfMatch = None
) -> SchemeOut:
    return _with_etag(response, await schemes.publish_scheme(session, rt, actor, scheme_id, if_match))


@router.post(
    "/{scheme_id}/close", response_model=SchemeOut, summary="关闭 / close once every sheet is finalized (office)"
)
async def close(
    scheme_id: SchemeId, response: Response, session: Session, rt: Runtime, actor: Caller, if_match: IfMatch = None
) -> SchemeOut:
    return _with_etag(response, await schemes.close_scheme(session, rt, actor, scheme_id, if_match))


@router.put(
    "/{scheme_id}/categories/{category}/notice",
    response_model=SchemeOut,
    summary="登记考核通知日期 / the day the assessment notice went to the category (三(二))",
)
async def set_notice(
    scheme_id: SchemeId,
    category: CategoryCode,
    body: NoticeIn,
    response: Response,
    session: Session,
    rt: Runtime,
    actor: Caller,
) -> SchemeOut:
    return _with_etag(response, await schemes.set_notice_date(session, rt, actor, scheme_id, category, body))


@router.get(
    "/{scheme_id}/categories/{category}/league",
    response_model=LeagueOut,
    summary="排名表 / the category's league table (total, grade, rank)",
)
async def league(scheme_id: SchemeId, category: CategoryCode, session: Session, actor: Caller) -> LeagueOut:
    return await reads.league(session, actor, scheme_id, category)


@router.post(
    "/{scheme_id}/categories/{category}/finalize",
    response_model=FinalizeOut,
    summary="审定 / finalize a category: totals, grades, ranks, vetoes, shortfalls, events (office)",
)
async def finalize_category(
    scheme_id: SchemeId, category: CategoryCode, session: Session, rt: Runtime, actor: Caller, if_match: IfMatch = None
) -> FinalizeOut:
    return await finalize.finalize_category(session, rt, actor, scheme_id, category, if_match)


@router.get(
    "/{scheme_id}/results.xlsx",
    summary="考核结果 .xlsx / the results laid out like seed 003's score table",
    response_class=Response,
    responses={200: {"content": {results_xlsx.XLSX_MEDIA_TYPE: {}}}},
)
async def results(scheme_id: SchemeId, session: Session, actor: Caller) -> Response:
    filename, data = await results_xlsx.render_results_xlsx(session, actor, scheme_id)
    return Response(
        data,
        media_type=results_xlsx.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
