"""Subscriptions (订阅): ``/api/v1/subscriptions`` — thin: parse, authorize, call ``service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from services.notifier.api.common import Id, Runtime, Session
from services.notifier.schemas.subscriptions import SubscriptionIn, SubscriptionOut
from services.notifier.service import subscriptions as service
from shared.auth import Principal, current_principal
from shared.errors import PROBLEM_RESPONSES
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1/subscriptions", tags=["subscriptions 订阅"], responses=PROBLEM_RESPONSES)
Caller = Annotated[Principal, Depends(current_principal)]


@router.post("", response_model=SubscriptionOut, status_code=status.HTTP_201_CREATED, summary="订阅 / subscribe")
async def subscribe(
    session: Session, ctx: Runtime, actor: Caller, body: SubscriptionIn, response: Response
) -> SubscriptionOut:
    """订阅一个单位（须有权查看）和/或一个事件类型到本人的站内信；路由中通知 ``subscribers`` 的事件才可订阅。"""
    out = await service.subscribe(session, ctx, actor, body)
    response.headers["Location"] = f"/api/v1/subscriptions/{out.id}"
    return out


@router.get("", response_model=Page[SubscriptionOut], summary="我的订阅 / my subscriptions")
async def list_subscriptions(
    session: Session, actor: Caller, page: Annotated[PageParams, Depends(page_params)]
) -> Page[SubscriptionOut]:
    return await service.list_subscriptions(session, actor, limit=page.limit, cursor=page.cursor)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, summary="取消订阅 / unsubscribe")
async def unsubscribe(session: Session, ctx: Runtime, actor: Caller, subscription_id: Id) -> Response:
    await service.unsubscribe(session, ctx, actor, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
