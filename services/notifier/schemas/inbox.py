"""Response models of the inbox (站内信): ``/api/v1/inbox`` — what a front end shows under its bell."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.notifier.schemas.examples import EXAMPLES


class InboxMessageOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["InboxMessageOut"]})

    id: str
    event_type: str
    unit_code: str | None = None
    inbox: str = Field(description="user:<id>（本人）、unit:<单位代码>（本单位）或 office（主管部门）")
    title: str
    body: str
    created_at: AwareDatetime
    read: bool
    read_at: AwareDatetime | None = None


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["MarkedRead"]})

    marked: int = Field(description="本次标记为已读的条数")
