"""``/api/v1/cases/…`` documents and reading over cases: evidence files, the decision letter (.docx),
the year's counts (JSON or .xlsx) and a unit's record."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Header, Path, Query, Response, UploadFile

from services.accountability.api.deps import Caller, Id, Runtime, Session
from services.accountability.schemas.cases import EvidenceOut
from services.accountability.schemas.common import UNIT_CODE_PATTERN
from services.accountability.schemas.reports import AnnualCountsOut, UnitRecordOut
from services.accountability.service import documents, evidence, reports
from services.accountability.service.export_xlsx import XLSX_MEDIA_TYPE
from shared.errors import PROBLEM_RESPONSES
from shared.storage import download_response

router = APIRouter(prefix="/api/v1/cases", tags=["accountability 责任追究"], responses=PROBLEM_RESPONSES)
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UnitCode = Annotated[str, Path(pattern=UNIT_CODE_PATTERN)]


@router.get("/report/{year}", response_model=AnnualCountsOut, summary="年度责任追究情况 / the year's counts")
async def year_counts(
    actor: Caller,
    session: Session,
    year: Annotated[int, Path(ge=2000, le=2100)],
    unit_code: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN)] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response | AnnualCountsOut:
    """Counts per violation (cases) and sanction (单位次、人次) of the decisions in force, revoked ones
    apart. ``Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`` → the .xlsx
    with the counts, the year's cases and its rectification orders."""
    counts = await reports.counts_for_year(session, actor, year, unit_code)
    if accept and XLSX_MEDIA_TYPE in accept:
        content = await documents.year_xlsx(session, counts)
        name = f"gongkai-accountability-{year}{'-' + unit_code if unit_code else ''}.xlsx"
        return Response(
            content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )
    return counts


@router.get("/units/{unit_code}/record", response_model=UnitRecordOut, summary="单位历年责任追究记录 / a unit's record")
async def unit_record(unit_code: UnitCode, actor: Caller, session: Session) -> UnitRecordOut:
    return await reports.unit_record(session, actor, unit_code)


@router.get(
    "/{case_id}/decision-letter",
    response_class=Response,
    responses={200: {"content": {DOCX_MEDIA_TYPE: {}}}},
    summary="处理决定书 (.docx) / the decision letter",
)
async def decision_letter(case_id: Id, actor: Caller, session: Session) -> Response:
    content = await documents.decision_letter(session, actor, case_id)
    return Response(
        content,
        media_type=DOCX_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f'处理决定书-{case_id}.docx')}"},
    )


@router.post("/{case_id}/evidence", status_code=201, response_model=EvidenceOut, summary="上传证据材料 / add evidence")
async def upload_evidence(
    case_id: Id,
    session: Session,
    rt: Runtime,
    actor: Caller,
    file: Annotated[UploadFile, File(description="the file")],
    description: Annotated[str | None, Form(max_length=500)] = None,
) -> EvidenceOut:
    data = await file.read()
    return await evidence.add_evidence(
        session,
        rt,
        actor,
        case_id,
        file.filename or "file",
        file.content_type or "application/octet-stream",
        data,
        description,
    )


@router.get("/{case_id}/evidence", response_model=list[EvidenceOut], summary="证据材料列表")
async def list_evidence(case_id: Id, session: Session, actor: Caller) -> list[EvidenceOut]:
    return await evidence.list_evidence(session, actor, case_id)


@router.get("/{case_id}/evidence/{evidence_id}", response_class=Response, summary="下载证据材料")
async def download_evidence(case_id: Id, evidence_id: Id, session: Session, rt: Runtime, actor: Caller) -> Response:
    meta, data = await evidence.read_evidence(session, rt, actor, case_id, evidence_id)
    return download_response(data, filename=meta.filename, content_type=meta.content_type)
