"""Request and response models of subscriptions (订阅): ``/api/v1/subscriptions``."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.notifier.schemas.examples import EXAMPLES

UNIT_CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


class SubscriptionIn(BaseModel):
    """订阅一个单位和/或一个事件类型到本人的站内信（至少填一项）。"""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": EXAMPLES["SubscriptionIn"]}
    )

    event_type: str | None = Field(None, max_length=128, description="事件类型，如 request.overdue")
    unit_code: str | None = Field(None, pattern=UNIT_CODE_PATTERN, description="单位代码")


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["SubscriptionOut"]})

    id: str
    user_id: str
    event_type: str | None = None
    unit_code: str | None = None
    created_at: AwareDatetime
