"""Outbound webhook endpoints (推送接收方): ``/api/v1/webhooks`` — thin: parse, authorize, call ``service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from services.notifier.api.common import Id, IfMatch, Runtime, Session
from services.notifier.schemas.webhooks import WebhookIn, WebhookOut, WebhookPatch
from services.notifier.service import webhooks as service
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks 推送接收方"], responses=PROBLEM_RESPONSES)
Admin = Annotated[Principal, Depends(require_roles("office", "admin"))]


@router.post("", response_model=WebhookOut, status_code=status.HTTP_201_CREATED, summary="登记接收方 / register")
async def create_webhook(
    session: Session, ctx: Runtime, actor: Admin, body: WebhookIn, response: Response
) -> WebhookOut:
    """``hotline_12345`` / ``provincial``：接收所转来申请的工单状态（受理、答复、逾期）；``custom``：接收
    ``event_types`` 所列事件本身。每次推送按 DESIGN §9 签名（``X-Gongkai-Timestamp``、``X-Gongkai-Signature``），
    并带 ``Idempotency-Key``（投递 id）。Roles: office, admin."""
    out = await service.create_webhook(session, ctx, actor, body)
    response.headers["ETag"] = etag(out.version)
    response.headers["Location"] = f"/api/v1/webhooks/{out.id}"
    return out


@router.get("", response_model=Page[WebhookOut], summary="接收方列表 / list")
async def list_webhooks(
    session: Session, _actor: Admin, page: Annotated[PageParams, Depends(page_params)]
) -> Page[WebhookOut]:
    return await service.list_webhooks(session, limit=page.limit, cursor=page.cursor)


@router.get("/{endpoint_id}", response_model=WebhookOut, summary="接收方详情（含熔断状态） / one endpoint")
async def get_webhook(session: Session, _actor: Admin, endpoint_id: Id, response: Response) -> WebhookOut:
    out = await service.get_webhook(session, endpoint_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.patch("/{endpoint_id}", response_model=WebhookOut, summary="修改接收方 / change")
async def patch_webhook(
    session: Session,
    ctx: Runtime,
    actor: Admin,
    endpoint_id: Id,
    body: WebhookPatch,
    response: Response,
    if_match: IfMatch = None,
) -> WebhookOut:
    out = await service.patch_webhook(session, ctx, actor, endpoint_id, body, if_match)
    response.headers["ETag"] = etag(out.version)
    return out


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, summary="删除接收方 / delete")
async def delete_webhook(
    session: Session, ctx: Runtime, actor: Admin, endpoint_id: Id, if_match: IfMatch = None
) -> Response:
    await service.delete_webhook(session, ctx, actor, endpoint_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
