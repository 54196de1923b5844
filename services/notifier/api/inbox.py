"""The inbox (站内信): ``/api/v1/inbox`` — thin: parse, authorize, call ``service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.notifier.api.common import Id, Runtime, Session
from services.notifier.schemas.inbox import InboxMessageOut, MarkedRead, UnreadCount
from services.notifier.service import inbox as service
from shared.auth import Principal, current_principal
from shared.errors import PROBLEM_RESPONSES
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1/inbox", tags=["inbox 站内信"], responses=PROBLEM_RESPONSES)
Caller = Annotated[Principal, Depends(current_principal)]


@router.get("", response_model=Page[InboxMessageOut], summary="我的站内信 / my inbox")
async def list_inbox(
    session: Session,
    actor: Caller,
    page: Annotated[PageParams, Depends(page_params)],
    unread: Annotated[bool | None, Query(description="true：只看未读；false：只看已读")] = None,
) -> Page[InboxMessageOut]:
    """本人的、本单位的（单位工作人员）和主管部门的（office/admin）站内信，最新在前。已读状态按用户记录。"""
    return await service.list_inbox(session, actor, unread=unread, limit=page.limit, cursor=page.cursor)


@router.get("/unread-count", response_model=UnreadCount, summary="未读条数 / unread count (the bell)")
async def unread_count(session: Session, actor: Caller) -> UnreadCount:
    return await service.unread_count(session, actor)


@router.post("/read-all", response_model=MarkedRead, summary="全部标为已读 / mark all read")
async def mark_all_read(session: Session, ctx: Runtime, actor: Caller) -> MarkedRead:
    return await service.mark_all_read(session, ctx, actor)


@router.post("/{message_id}/read", response_model=InboxMessageOut, summary="标为已读 / mark read")
async def mark_read(session: Session, ctx: Runtime, actor: Caller, message_id: Id) -> InboxMessageOut:
    """重复标记不报错。不在本人收件箱中的站内信返回 404。"""
    return await service.mark_read(session, ctx, actor, message_id)
