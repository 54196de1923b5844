"""``/api/v1/rectification-orders`` — 责令整改: issue, the unit's report, acceptance or return, reading."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.accountability.api.deps import Caller, Id, IfMatch, Runtime, Session, etag_of
from services.accountability.schemas.common import PLAIN_TEXT
from services.accountability.schemas.orders import OrderCreate, OrderOut, OrderState, ReportIn, ReviewIn
from services.accountability.service import orders
from shared.errors import PROBLEM_RESPONSES
from shared.pagination import Page, PageParams, page_params
from shared.vocabulary import RectificationBasis

router = APIRouter(prefix="/api/v1/rectification-orders", tags=["accountability 责任追究"], responses=PROBLEM_RESPONSES)


def _with_etag(response: Response, out: OrderOut) -> OrderOut:
    response.headers["ETag"] = etag_of(out.version)
    return out


@router.post("", status_code=201, response_model=OrderOut, summary="责令整改 / issue an order by hand")
async def create_order(body: OrderCreate, rt: Runtime, actor: Caller, session: Session, response: Response) -> OrderOut:
    """Due 20 working days after ``issued_on`` on the calendar. Roles: inspector, office, admin."""
    out = await orders.create_order(session, rt, actor, body)
    response.headers["Location"] = f"/api/v1/rectification-orders/{out.id}"
    return _with_etag(response, out)


@router.get("", response_model=Page[OrderOut], summary="整改通知列表 / list orders")
async def list_orders(
    rt: Runtime,
    actor: Caller,
    session: Session,
    paging: Annotated[PageParams, Depends(page_params)],
    unit_code: Annotated[str | None, Query(max_length=64, pattern=PLAIN_TEXT)] = None,
    state: OrderState | None = None,
    basis: RectificationBasis | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="通知年度")] = None,
    overdue: bool | None = None,
    case_id: Annotated[str | None, Query(max_length=64, pattern=PLAIN_TEXT)] = None,
) -> Page[OrderOut]:
    filters = orders.OrderFilters(unit_code, state, basis, year, overdue, case_id)
    return await orders.list_orders(session, rt, actor, filters, paging.limit, paging.cursor)


@router.get("/{order_id}", response_model=OrderOut, summary="整改通知 / one order")
async def get_order(order_id: Id, rt: Runtime, actor: Caller, session: Session, response: Response) -> OrderOut:
    return _with_etag(response, await orders.get_order(session, rt, actor, order_id))


@router.post("/{order_id}/report", response_model=OrderOut, summary="提交书面整改报告 / submit the report")
async def submit_report(
    order_id: Id,
    body: ReportIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> OrderOut:
    return _with_etag(response, await orders.submit_report(session, rt, actor, order_id, body, if_match))


@router.post("/{order_id}/accept", response_model=OrderOut, summary="整改验收通过 / accept the report")
async def accept(
    order_id: Id,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
    body: ReviewIn | None = None,
) -> OrderOut:
    return _with_etag(
        response, await orders.review_report(session, rt, actor, order_id, True, body or ReviewIn(), if_match)
    )


@router.post("/{order_id}/return", response_model=OrderOut, summary="退回整改报告 / return the report")
async def return_report(
    order_id: Id,
    body: ReviewIn,
    rt: Runtime,
    actor: Caller,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> OrderOut:
    """A returned report keeps the order open, due as before (``note`` required)."""
    return _with_etag(response, await orders.review_report(session, rt, actor, order_id, False, body, if_match))
