"""``/api/v1/requests/{id}/reviews`` — administrative review (行政复议) and litigation (行政诉讼)
records about an application (DESIGN §5, table 四). Thin, like ``api/applications.py``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.requests.api.applications import ApplicationId, Caller, IfMatch, Runtime, Session, SubId
from services.requests.schemas.applications import ReviewRecordIn, ReviewRecordOut, ReviewRecordPatch
from services.requests.service.applications import reviews
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag

router = APIRouter(prefix="/api/v1/requests", tags=["requests"], responses=PROBLEM_RESPONSES)


@router.get("/{application_id}/reviews", response_model=list[ReviewRecordOut], summary="行政复议、行政诉讼记录")
async def review_records(
    application_id: ApplicationId, rt: Runtime, principal: Caller, session: Session
) -> list[ReviewRecordOut]:
    return await reviews.list_review_records(session, rt, principal, application_id)


@router.post(
    "/{application_id}/reviews", status_code=201, response_model=ReviewRecordOut, summary="登记行政复议或行政诉讼"
)
async def add_review_record(
    application_id: ApplicationId,
    body: ReviewRecordIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
) -> ReviewRecordOut:
    """Returns the record with its ``ETag`` (its version), for the later ``PATCH`` of the result."""
    out = await reviews.add_review_record(session, rt, principal, application_id, body)
    response.headers["ETag"] = etag(out.version)
    return out


@router.patch("/{application_id}/reviews/{record_id}", response_model=ReviewRecordOut, summary="登记复议或诉讼结果")
async def update_review_record(
    application_id: ApplicationId,
    record_id: SubId,
    body: ReviewRecordPatch,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ReviewRecordOut:
    """``If-Match`` on the record's ``ETag`` (its version) is required."""
    out = await reviews.update_review_record(session, rt, principal, application_id, record_id, body, if_match)
    response.headers["ETag"] = etag(out.version)
    return out
