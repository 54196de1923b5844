"""The delivery log (通知记录) and template previews: ``/api/v1/notifications`` — thin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import AwareDatetime

from services.notifier.api.common import Id, IfMatch, Runtime, Session
from services.notifier.schemas.notifications import (
    TEMPLATE_NAME_PATTERN,
    NotificationOut,
    PreviewIn,
    PreviewOut,
    TemplateList,
)
from services.notifier.service import notifications as service
from services.notifier.service import previews
from shared.auth import Principal, current_principal, require_roles
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag
from shared.pagination import Page, PageParams, page_params
from shared.vocabulary import DeliveryStatus, NotificationChannel

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications 通知记录"], responses=PROBLEM_RESPONSES)
Caller = Annotated[Principal, Depends(current_principal)]
Admin = Annotated[Principal, Depends(require_roles("office", "admin"))]
TemplateName = Annotated[str, Path(pattern=TEMPLATE_NAME_PATTERN, description="模板名称，如 request.overdue")]


@router.get("/templates", response_model=TemplateList, summary="通知模板 / templates")
async def list_templates(ctx: Runtime, _actor: Admin) -> TemplateList:
    return previews.list_templates(ctx)


@router.post("/templates/{name}/{channel}/preview", response_model=PreviewOut, summary="模板预览 / preview a template")
async def preview_template(
    ctx: Runtime, _actor: Admin, name: TemplateName, channel: NotificationChannel, body: PreviewIn
) -> PreviewOut:
    """以示例事件渲染模板（``data`` 覆盖示例字段），与真实事件的渲染完全相同。Roles: office, admin."""
    return previews.preview(ctx, name, channel, body)


@router.get("", response_model=Page[NotificationOut], summary="通知记录 / deliveries")
async def list_notifications(
    session: Session,
    actor: Caller,
    page: Annotated[PageParams, Depends(page_params)],
    event_type: Annotated[str | None, Query(max_length=128)] = None,
    event_id: Annotated[str | None, Query(max_length=80)] = None,
    channel: NotificationChannel | None = None,
    status: DeliveryStatus | None = None,
    recipient: Annotated[str | None, Query(max_length=300)] = None,
    unit_code: Annotated[str | None, Query(max_length=64)] = None,
    created_from: AwareDatetime | None = None,
    created_to: AwareDatetime | None = None,
) -> Page[NotificationOut]:
    """最新在前。主管部门、管理员、考核和纪检人员看全部；单位工作人员看本单位的。"""
    return await service.list_notifications(
        session,
        actor,
        event_type=event_type,
        event_id=event_id,
        channel=channel,
        status=status,
        recipient=recipient,
        unit_code=unit_code,
        created_from=created_from,
        created_to=created_to,
        limit=page.limit,
        cursor=page.cursor,
    )


@router.get("/{notification_id}", response_model=NotificationOut, summary="一次投递（含内容） / one delivery")
async def get_notification(session: Session, actor: Caller, notification_id: Id, response: Response) -> NotificationOut:
    out = await service.get_notification(session, actor, notification_id)
    response.headers["ETag"] = etag(out.version)
    return out


@router.post("/{notification_id}/resend", response_model=NotificationOut, summary="手动重发 / resend by hand")
async def resend(
    session: Session, ctx: Runtime, actor: Admin, notification_id: Id, response: Response, if_match: IfMatch = None
) -> NotificationOut:
    """已发送、失败或已停止重试的通知重新发送（尝试次数归零，立即发送）；等待发送中的 409，站内信 409。"""
    out = await service.resend_notification(session, ctx, actor, notification_id, if_match)
    response.headers["ETag"] = etag(out.version)
    return out
