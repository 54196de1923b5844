"""``/api/v1/requests`` — disclosure applications (依申请公开, DESIGN §5). Thin: parse, open the
request's transaction (``Session``), call one use case in ``services.requests.service.applications``,
set the headers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.schemas.applications import (
    PLAIN_TEXT,
    ApplicationCreate,
    ApplicationOut,
    AssignIn,
    ConsultationCloseIn,
    ConsultationIn,
    ConsultationOut,
    CorrectionRequestIn,
    CreatedApplication,
    DeadlineOut,
    DeferIn,
    ExtendIn,
    FeeNoticeIn,
    OnDay,
    ReasonsIn,
    ReasonsRequestIn,
    ReplyIn,
    ReportUpIn,
    ReviewIn,
    TimelineEntry,
    TrackOut,
    WithdrawIn,
)
from services.requests.service.applications import actions, confidentiality, create, reads
from services.requests.service.applications import consultations as consulting
from services.requests.service.applications import reasons as volume
from shared.auth import Principal, current_principal, optional_principal
from shared.errors import PROBLEM_RESPONSES
from shared.etags import RequiredIfMatch, etag
from shared.pagination import Page, PageParams, page_params
from shared.runtime import runtime_dependency, session_dependency

router = APIRouter(prefix="/api/v1/requests", tags=["requests"], responses=PROBLEM_RESPONSES)
Runtime = Annotated[Ctx, Depends(runtime_dependency("requests"))]
# The use case's transaction: committed before the response is sent, rolled back on any error.
Session = Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")]
Caller = Annotated[Principal, Depends(current_principal)]
IfMatch = RequiredIfMatch  # the application's ETag, as read: required for every action (428), so in OpenAPI
ApplicationId = Annotated[str, Path(max_length=64, pattern=PLAIN_TEXT, description="申请 id")]
SubId = Annotated[str, Path(max_length=64, pattern=PLAIN_TEXT)]


def _text_query(max_length: int, description: str | None = None) -> object:
    return Query(max_length=max_length, pattern=PLAIN_TEXT, description=description)


def _with_etag(response: Response, out: ApplicationOut) -> ApplicationOut:
    response.headers["ETag"] = etag(out.version)
    return out


@router.post(
    "", status_code=201, response_model=CreatedApplication, summary="提交或登记申请 / submit or record an application"
)
async def create_application(
    body: ApplicationCreate,
    rt: Runtime,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    session: Session,
) -> Response:
    """Citizens apply ``online`` (with or without a token); the unit's staff record paper, mail and
    fax applications, with ``received_at``. ``in_person`` and ``registered_mail`` applications are
    registered at once (条例 第三十一条); the rest wait in ``submitted`` for ``register``. The
    ``query_code`` is returned only here."""
    out = await create.create_application(session, rt, principal, body)
    # Serialized once here; FastAPI does not validate a returned Response against the model again.
    return Response(
        out.model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/api/v1/requests/{out.id}", "ETag": etag(out.version)},
    )


@router.get("", response_model=Page[ApplicationOut], summary="申请列表 / list applications")
async def list_applications(
    rt: Runtime,
    principal: Caller,
    session: Session,
    paging: Annotated[PageParams, Depends(page_params)],
    unit_code: Annotated[str | None, _text_query(64)] = None,
    state: Annotated[str | None, _text_query(30)] = None,
    overdue: bool | None = None,
    due_before: date | None = None,
    channel: Annotated[str | None, _text_query(20)] = None,
    applicant_type: Annotated[str | None, _text_query(30)] = None,
    q: Annotated[str | None, _text_query(200, "text in the description, tracking no. or applicant name")] = None,
    unconfirmed: Annotated[
        bool | None, Query(description="条例 第三十一条: waiting for confirmation longer than the setting")
    ] = None,
    possible_duplicate: Annotated[
        bool | None, Query(description="条例 第三十六条(六): flagged as a possible repeat")
    ] = None,
    report_up_overdue: Annotated[bool | None, Query(description="seed 001: a refusal not reported up in time")] = None,
) -> Page[ApplicationOut]:
    filters = reads.ApplicationFilters(
        unit_code,
        state,
        overdue,
        due_before,
        channel,
        applicant_type,
        q,
        unconfirmed=unconfirmed,
        possible_duplicate=possible_duplicate,
        report_up_overdue=report_up_overdue,
    )
    return await reads.list_applications(session, rt, principal, filters, paging.limit, paging.cursor)


@router.get("/track/{tracking_no}", response_model=TrackOut, summary="申请人查询办理进度 / track without an account")
async def track(
    rt: Runtime,
    tracking_no: Annotated[str, Path(max_length=32, pattern=PLAIN_TEXT)],
    query_code: Annotated[str, Query(min_length=4, max_length=32, pattern=PLAIN_TEXT, description="查询码")],
    session: Session,
) -> TrackOut:
    return await reads.track(session, rt, tracking_no, query_code)


@router.get("/{application_id}", response_model=ApplicationOut, summary="申请详情 / one application")
async def get_application(
    application_id: ApplicationId, response: Response, rt: Runtime, principal: Caller, session: Session
) -> ApplicationOut:
    return _with_etag(response, await reads.get_application(session, rt, principal, application_id))


@router.get(
    "/{application_id}/deadline", response_model=DeadlineOut, summary="答复期限及其计算过程 / the due date, explained"
)
async def deadline(application_id: ApplicationId, rt: Runtime, principal: Caller, session: Session) -> DeadlineOut:
    return await reads.deadline_of_application(session, rt, principal, application_id)


@router.get(
    "/{application_id}/timeline", response_model=list[TimelineEntry], summary="办理记录 / every change and event"
)
async def timeline(
    application_id: ApplicationId, rt: Runtime, principal: Caller, session: Session
) -> list[TimelineEntry]:
    return await reads.timeline(session, rt, principal, application_id)


@router.post(
    "/{application_id}/register", response_model=ApplicationOut, summary="确认收到 / confirm receipt (Art. 31)"
)
async def register(
    application_id: ApplicationId,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
    body: OnDay = Body(default_factory=OnDay),
) -> ApplicationOut:
    return _with_etag(response, await actions.register(session, rt, principal, application_id, if_match, body.on))


@router.post("/{application_id}/request-correction", response_model=ApplicationOut, summary="补正通知 (Art. 30)")
async def request_correction(
    application_id: ApplicationId,
    body: CorrectionRequestIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await actions.request_correction(
        session, rt, principal, application_id, if_match, body.on, body.allowed_working_days, body.note
    )
    return _with_etag(response, out)


@router.post(
    "/{application_id}/receive-correction",
    response_model=ApplicationOut,
    summary="收到补正 (Art. 30: the period restarts)",
)
async def receive_correction(
    application_id: ApplicationId,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
    body: OnDay = Body(default_factory=OnDay),
) -> ApplicationOut:
    return _with_etag(
        response, await actions.receive_correction(session, rt, principal, application_id, if_match, body.on)
    )


@router.post("/{application_id}/assign", response_model=ApplicationOut, summary="分派承办人 / assign a handler")
async def assign(
    application_id: ApplicationId,
    body: AssignIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await actions.assign(
        session, rt, principal, application_id, if_match, body.on, body.handler_id, body.handler_name
    )
    return _with_etag(response, out)


@router.get("/{application_id}/consultations", response_model=list[ConsultationOut], summary="征求意见记录")
async def consultations(
    application_id: ApplicationId, rt: Runtime, principal: Caller, session: Session
) -> list[ConsultationOut]:
    return await consulting.list_consultations(session, rt, principal, application_id)


@router.post(
    "/{application_id}/consultations",
    status_code=201,
    response_model=ConsultationOut,
    summary="征求第三方或其他机关意见 (Art. 32, 34: the clock pauses)",
)
async def start_consultation(
    application_id: ApplicationId,
    body: ConsultationIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ConsultationOut:
    """Returns the consultation; the ``ETag`` header is the application's new version (the clerk's
    next action needs it)."""
    out, version = await consulting.start_consultation(
        session, rt, principal, application_id, if_match, body.on, body.party, body.kind
    )
    response.headers["ETag"] = etag(version)
    return out


@router.post(
    "/{application_id}/consultations/{consultation_id}/close", response_model=ConsultationOut, summary="征求意见结束"
)
async def close_consultation(
    application_id: ApplicationId,
    consultation_id: SubId,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
    body: ConsultationCloseIn = Body(default_factory=ConsultationCloseIn),
) -> ConsultationOut:
    """Returns the consultation; the ``ETag`` header is the application's new version."""
    out, version = await consulting.close_consultation(
        session, rt, principal, application_id, consultation_id, if_match, body.on, body.opinion, body.objects
    )
    response.headers["ETag"] = etag(version)
    return out


@router.post("/{application_id}/extend", response_model=ApplicationOut, summary="延长答复期限 (Art. 33: once)")
async def extend(
    application_id: ApplicationId,
    body: ExtendIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await actions.extend(
        session, rt, principal, application_id, if_match, body.on, body.working_days, body.reason, body.approver
    )
    return _with_etag(response, out)


@router.post(
    "/{application_id}/fee-notice", response_model=ApplicationOut, summary="收费通知 (Art. 42: the clock pauses)"
)
async def fee_notice(
    application_id: ApplicationId,
    body: FeeNoticeIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    return _with_etag(
        response,
        await actions.fee_notice(
            session,
            rt,
            principal,
            application_id,
            if_match,
            body.on,
            body.method,
            body.pages,
            body.how_to_pay,
            body.delivered_on,
        ),
    )


@router.post("/{application_id}/fee-payment", response_model=ApplicationOut, summary="已缴费 / fee paid")
async def fee_payment(
    application_id: ApplicationId,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
    body: OnDay = Body(default_factory=OnDay),
) -> ApplicationOut:
    return _with_etag(response, await actions.fee_payment(session, rt, principal, application_id, if_match, body.on))


@router.post("/{application_id}/review", response_model=ApplicationOut, summary="保密审查意见 / confidentiality review")
async def review(
    application_id: ApplicationId,
    body: ReviewIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await actions.review(
        session, rt, principal, application_id, if_match, body.on, body.opinion, body.reviewer, body.reason
    )
    return _with_etag(response, out)


@router.post("/{application_id}/reply", response_model=ApplicationOut, summary="答复 / reply with one outcome")
async def reply(
    application_id: ApplicationId,
    body: ReplyIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await actions.reply(
        session,
        rt,
        principal,
        application_id,
        if_match,
        body.on,
        body.outcome,
        body.legal_basis,
        body.text,
        body.public_interest,
    )
    return _with_etag(response, out)


@router.post(
    "/{application_id}/request-reasons",
    response_model=ApplicationOut,
    summary="要求说明理由 (Art. 35: the clock pauses until the answer or the period's end)",
)
async def request_reasons(
    application_id: ApplicationId,
    body: ReasonsRequestIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await volume.request_reasons(
        session, rt, principal, application_id, if_match, body.on, body.allowed_working_days, body.note
    )
    return _with_etag(response, out)


@router.post("/{application_id}/receive-reasons", response_model=ApplicationOut, summary="收到理由说明 (Art. 35)")
async def receive_reasons(
    application_id: ApplicationId,
    body: ReasonsIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await volume.receive_reasons(session, rt, principal, application_id, if_match, body.on, body.answer)
    return _with_etag(response, out)


@router.post(
    "/{application_id}/defer", response_model=ApplicationOut, summary="确定延迟答复期限 (Art. 35: no statutory cap)"
)
async def defer(
    application_id: ApplicationId,
    body: DeferIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await volume.defer(session, rt, principal, application_id, if_match, body.on, body.due_on, body.reason)
    return _with_etag(response, out)


@router.post(
    "/{application_id}/request-review",
    response_model=ApplicationOut,
    summary="提请保密审查 (seed 001 第十条: the opinion within 15 working days)",
)
async def request_review(
    application_id: ApplicationId,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
    body: OnDay = Body(default_factory=OnDay),
) -> ApplicationOut:
    out = await confidentiality.request_review(session, rt, principal, application_id, if_match, body.on)
    return _with_etag(response, out)


@router.post(
    "/{application_id}/report-up",
    response_model=ApplicationOut,
    summary="不予公开决定报告上一级主管部门 (seed 001: within 5 working days)",
)
async def report_up(
    application_id: ApplicationId,
    body: ReportUpIn,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
) -> ApplicationOut:
    out = await confidentiality.report_up(session, rt, principal, application_id, if_match, body.on, body.to, body.note)
    return _with_etag(response, out)


@router.post("/{application_id}/withdraw", response_model=ApplicationOut, summary="撤回申请 / withdraw")
async def withdraw(
    application_id: ApplicationId,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
    body: WithdrawIn = Body(default_factory=WithdrawIn),
) -> ApplicationOut:
    return _with_etag(
        response, await actions.withdraw(session, rt, principal, application_id, if_match, body.on, body.reason)
    )


@router.post("/{application_id}/archive", response_model=ApplicationOut, summary="归档 / archive")
async def archive(
    application_id: ApplicationId,
    response: Response,
    rt: Runtime,
    principal: Caller,
    session: Session,
    if_match: IfMatch = None,
    body: OnDay = Body(default_factory=OnDay),
) -> ApplicationOut:
    return _with_etag(response, await actions.archive(session, rt, principal, application_id, if_match, body.on))
