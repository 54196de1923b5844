"""``/api/v1/requests/{id}/attachments`` — the reply letter and released files. Thin: parse,
authorize, call ``services.requests.service.attachments``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, UploadFile
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.schemas.attachments import AttachmentOut
from services.requests.service import attachments as cases
from shared.auth import Principal, current_principal
from shared.errors import PROBLEM_RESPONSES
from shared.runtime import runtime_dependency, session_dependency
from shared.storage import download_response

router = APIRouter(
    prefix="/api/v1/requests/{application_id}/attachments", tags=["requests"], responses=PROBLEM_RESPONSES
)
Runtime = Annotated[Ctx, Depends(runtime_dependency("requests"))]
Session = Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")]
Caller = Annotated[Principal, Depends(current_principal)]
ApplicationId = Annotated[str, Path(max_length=64)]


@router.post(
    "", status_code=201, response_model=AttachmentOut, summary="上传附件 / upload the reply letter or a released file"
)
async def upload(
    application_id: ApplicationId,
    session: Session,
    rt: Runtime,
    principal: Caller,
    file: Annotated[UploadFile, File(description="the file")],
    kind: Annotated[str, Form(description="reply_letter / released_file / other")] = "released_file",
) -> AttachmentOut:
    data = await file.read()
    return await cases.add_attachment(
        session,
        rt,
        principal,
        application_id,
        kind,
        file.filename or "file",
        file.content_type or "application/octet-stream",
        data,
    )


@router.get("", response_model=list[AttachmentOut], summary="附件列表")
async def list_attachments(application_id: ApplicationId, session: Session, principal: Caller) -> list[AttachmentOut]:
    return await cases.list_attachments(session, principal, application_id)


@router.get("/{attachment_id}", summary="下载附件 / download", response_class=Response)
async def download(
    application_id: ApplicationId,
    attachment_id: Annotated[str, Path(max_length=64)],
    session: Session,
    rt: Runtime,
    principal: Caller,
) -> Response:
    """The file, as a download: its own media type only when on the served list, otherwise
    ``application/octet-stream``; never sniffed, never run (``nosniff``, a sandboxing CSP)."""
    meta, data = await cases.read_attachment(session, rt, principal, application_id, attachment_id)
    return download_response(data, filename=meta.filename, content_type=meta.content_type)
