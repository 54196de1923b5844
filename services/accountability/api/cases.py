"""``/api/v1/cases`` — accountability cases (责任追究案件, DESIGN §8). Thin: parse, open the request's
transaction, call one use case in ``services.accountability.service``, set the headers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Response

from services.accountability.api.deps import Caller, Id, IfMatch, Runtime, Session, etag_of
from services.accountability.schemas.appeals import AppealIn, AppealOut
from services.accountability.schemas.cases import (
    AssessmentIn,
    CaseCreate,
    CaseOut,
    CaseSummary,
    DecisionIn,
    FindingIn,
    PersonIn,
    StatementIn,
)
from services.accountability.schemas.common import PLAIN_TEXT, TimelineEntry
from services.accountability.service import appeals, cases, decisions
from shared.errors import PROBLEM_RESPONSES
from shared.pagination import Page, PageParams, page_params
from shared.vocabulary import CaseState, ViolationCode

router = APIRouter(prefix="/api/v1/cases", tags=["accountability 责任追究"], responses=PROBLEM_RESPONSES)
Action = Literal["investigate", "start-hearing", "close", "dismiss"]


def _with_etag(response: Response, out: CaseOut) -> CaseOut:
    response.headers["ETag"] = etag_of(out.version)
    return out


@router.post("", status_code=201, response_model=CaseOut, summary="立案 / open a case by hand")
async def create_case(body: CaseCreate, rt: Runtime, actor: Caller, session: Session, response: Response) -> CaseOut:
    """纪检监察人员或政务公开主管部门立案。Roles: inspector, office, admin."""
    out = await cases.create_case(session, rt, actor, body)
    response.headers["Location"] = f"/api/v1/cases/{out.id}"
    return _with_etag(response, out)


@router.get("", response_model=Page[CaseSummary], summary="案件列表 / list cases")
async def list_cases(
    actor: Caller,
    session: Session,
    paging: Annotated[PageParams, Depends(page_params)],
    unit_code: Annotated[str | None, Query(max_length=64, pattern=PLAIN_TEXT)] = None,
    state: CaseState | None = None,
    violation: ViolationCode | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="立案年度")] = None,
    person_id: Annotated[str | None, Query(max_length=200, pattern=PLAIN_TEXT)] = None,
) -> Page[CaseSummary]:
    """Inspectors, the office and admins see every case; a unit's staff their unit's; a person
    concerned the cases naming them."""
    filters = cases.CaseFilters(unit_code, state, violation, year, person_id)
    return await cases.list_cases(session, actor, filters, paging.limit, paging.cursor)


@router.get("/{case_id}", response_model=CaseOut, summary="案件详情 / one case")
async def get_case(case_id: Id, rt: Runtime, actor: Caller, session: Session, response: Response) -> CaseOut:
    return _with_etag(response, await cases.get_case(session, rt, actor, case_id))


@router.get("/{case_id}/timeline", response_model=list[TimelineEntry], summary="办理记录 / timeline")
async def timeline(case_id: Id, rt: Runtime, actor: Caller, session: Session) -> list[TimelineEntry]:
    return await cases.timeline(session, rt, actor, case_id)


@router.post("/{case_id}/findings", response_model=CaseOut, summary="补充查明事实 / add a finding")
async def add_finding(
    case_id: Id,
    body: FindingIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    return _with_etag(response, await cases.add_finding(session, rt, actor, case_id, body, if_match))


@router.post("/{case_id}/persons", response_model=CaseOut, summary="确定当事人 / name a person concerned")
async def add_person(
    case_id: Id,
    body: PersonIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    return _with_etag(response, await cases.add_person(session, rt, actor, case_id, body, if_match))


@router.post("/{case_id}/statements", response_model=CaseOut, summary="陈述申辩或书面放弃 / a statement or waiver")
async def record_statement(
    case_id: Id,
    body: StatementIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    """seed 004 第二十八条. By the person, their unit's staff, or recorded by an inspector or the office;
    only while the case is in ``hearing``."""
    return _with_etag(response, await cases.record_statement(session, rt, actor, case_id, body, if_match))


@router.post("/{case_id}/assessment", response_model=CaseOut, summary="情节认定与建议 / assess and recommend")
async def assess(
    case_id: Id,
    body: AssessmentIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    """Severity, factors (第八条, 第九条) and approval (seed 004 第二十七条(三)); the recommendation
    comes from the deployment's ladder, with 第九条(四) found automatically and shown as such."""
    return _with_etag(response, await decisions.assess(session, rt, actor, case_id, body, if_match))


@router.post("/{case_id}/decide", response_model=CaseOut, summary="作出追究决定 / decide")
async def decide(
    case_id: Id,
    body: DecisionIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> CaseOut:
    """409 ``hearing_incomplete`` until every person concerned has a statement or waiver; a departure
    from the recommendation needs ``departure_reason`` (422 otherwise). Needs If-Match."""
    return _with_etag(response, await decisions.decide(session, rt, actor, case_id, body, if_match))


@router.post("/{case_id}/appeal", status_code=201, response_model=AppealOut, summary="复核、申诉 / appeal")
async def appeal(
    case_id: Id,
    body: AppealIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> AppealOut:
    """Within 5 working days of receiving the decision (seed 004 第二十九条); later → 409
    ``appeal_too_late`` with ``last_day``."""
    out = await appeals.file_appeal(session, rt, actor, case_id, body, if_match)
    response.headers["Location"] = f"/api/v1/appeals/{out.id}"
    response.headers["ETag"] = etag_of(out.version)
    return out


@router.post(
    "/{case_id}/{action}", response_model=CaseOut, summary="案件流转 / investigate, start-hearing, close, dismiss"
)
async def act(
    case_id: Id,
    action: Action,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
    _body: Annotated[dict[str, object] | None, Body(examples=[{}], description="不需要内容 / nothing needed")] = None,
) -> CaseOut:
    """Needs If-Match (428 without it, 412 when stale); an illegal step is a 409 with ``allowed_actions``."""
    return _with_etag(response, await cases.act(session, rt, actor, case_id, action, if_match))
