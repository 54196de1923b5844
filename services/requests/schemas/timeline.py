"""What an application's page shows besides its fields: the actions a button may call
(:class:`ActionOut`) and the timeline a clerk reads (:class:`TimelineEntry`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.requests.schemas.examples import APP_ID, TIMELINE_EXAMPLE


class ActionOut(BaseModel):
    """An action a button can call as it is: ``method`` ``href`` with ``If-Match: <the ETag>``."""

    action: str = Field(description="操作代码 (labels: application_action)", examples=["extend"])
    method: str = Field(examples=["POST"])
    href: str = Field(examples=[f"/api/v1/requests/{APP_ID}/extend"])
    label: str = Field(description="按钮文字", examples=["延长答复期限"])


class ChangeOut(BaseModel):
    field: str = Field(examples=["due_on"])
    label: str = Field(description="字段的中文名称", examples=["答复期限"])
    before: Any = None
    after: Any = None


class TimelineEntry(BaseModel):
    """One line of the application's history, in words: what happened, who did it, and only the
    fields that changed. Events are listed after the action that caused them."""

    model_config = ConfigDict(json_schema_extra={"examples": [TIMELINE_EXAMPLE]})

    at: datetime = Field(description="北京时间")
    actor: str
    actor_name: str | None
    action: str = Field(description="application.<action>, or event:<type> for an event emitted")
    kind: Literal["action", "event", "system"] = Field(description="a person's action, an event, or the system's")
    label: str = Field(description="操作或事件的中文名称")
    summary: str = Field(
        description="发生了什么，一句话", examples=["延期 20 个工作日（至 2026-04-28），审批人 王主任"]
    )
    changes: list[ChangeOut] = Field(description="only the fields that changed, before → after")
    before: dict[str, Any] | None = Field(description="the changed fields before (null for an event)")
    after: dict[str, Any] | None = Field(description="the changed fields after; for an event its type and data")
