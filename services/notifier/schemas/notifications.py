"""Request and response models of the delivery log (通知记录): ``/api/v1/notifications``, and of the
template previews (``/api/v1/notifications/templates``)."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.notifier.schemas.examples import EXAMPLES, NOTIFICATION_EXAMPLE
from shared.vocabulary import DeliveryStatus, NotificationChannel

TEMPLATE_NAME_PATTERN = r"^[a-z0-9_.]{1,128}$"


class NotificationOut(BaseModel):
    """一次投递 / one delivery: (event, recipient, channel), its status and attempts."""

    model_config = ConfigDict(json_schema_extra={"examples": [NOTIFICATION_EXAMPLE]})

    id: str
    event_id: str = Field(description="事件 id（每日汇总为 digest:<单位>:<日期>）")
    event_type: str
    subject: str | None = None
    unit_code: str | None = None
    recipient: str = Field(description="user:…、unit:…、office、contact:…、applicant:…、webhook:…")
    recipient_kind: str = Field(description="接收人类别：路由的接收方（labels: recipient_kind），或 webhook")
    channel: NotificationChannel
    address: str = Field(description="站内信收件箱、邮箱、手机号或 webhook URL")
    template: str | None = None
    status: DeliveryStatus
    status_label: str
    attempts: int
    next_attempt_at: AwareDatetime | None = None
    last_error: str | None = None
    response_code: int | None = None
    sent_at: AwareDatetime | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    version: int
    content: dict[str, Any] | None = Field(None, description="渲染后的内容（仅详情返回）")


class TemplateRef(BaseModel):
    name: str
    channel: NotificationChannel
    event_types: list[str] = Field(description="路由中使用该模板的事件类型")


class TemplateList(BaseModel):
    items: list[TemplateRef]


class PreviewIn(BaseModel):
    """预览：以示例事件渲染模板，``data`` 覆盖示例数据中的字段。"""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": EXAMPLES["PreviewIn"]})

    event_type: str | None = Field(None, max_length=128, description="示例事件类型；缺省为路由中使用该模板的事件类型")
    data: dict[str, Any] = Field(default_factory=dict, description="覆盖示例事件 data 中的字段")


class PreviewOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["PreviewOut"]})

    name: str
    channel: NotificationChannel
    event_type: str
    content: dict[str, Any] = Field(description="inbox: title/body；email: subject/text/html；sms: text/segments")
