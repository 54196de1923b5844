"""Request and response models of outbound webhook endpoints (推送接收方): ``/api/v1/webhooks``."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.notifier.schemas.examples import EXAMPLES, WEBHOOK_EXAMPLE
from shared.vocabulary import CircuitState, WebhookTarget

URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"


class WebhookIn(BaseModel):
    """接收方：12345 热线（hotline_12345）与省级平台（provincial）接收其工单的状态推送；
    自定义接收方（custom）接收所订阅事件类型的事件本身。

    签名（DESIGN §9，与入站接口相同）：每次推送为 ``POST`` JSON，带请求头
    ``X-Gongkai-Timestamp: <Unix 秒>`` 与 ``X-Gongkai-Signature: v1=<hex HMAC-SHA256(secret,
    timestamp + "." + 原始请求体)>``，以及 ``Idempotency-Key``（投递 id，重试时不变）。接收方应以
    ``secret`` 重算并比对签名，拒绝与本机时间相差超过 5 分钟或签名已用过的请求；换密钥期间可发送
    多个逗号分隔的 ``v1=`` 值。``secret`` 只写不读；示例中的密钥仅供开发环境。"""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": EXAMPLES["WebhookIn"]}
    )

    name: str = Field(min_length=1, max_length=200, description="名称")
    url: str = Field(max_length=2000, pattern=URL_PATTERN, description="http(s) URL")
    secret: str = Field(
        min_length=16, max_length=200, description="签名密钥（HMAC-SHA256，16–200 个字符；只写，不返回）"
    )
    target: WebhookTarget
    event_types: list[str] = Field(default_factory=list, max_length=100, description="custom：订阅的事件类型")
    active: bool = True


class WebhookPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": EXAMPLES["WebhookPatch"]}
    )

    name: str | None = Field(None, min_length=1, max_length=200)
    url: str | None = Field(None, max_length=2000, pattern=URL_PATTERN)
    secret: str | None = Field(None, min_length=16, max_length=200)
    event_types: list[str] | None = Field(None, max_length=100)
    active: bool | None = None


class CircuitOut(BaseModel):
    state: CircuitState
    state_label: str
    consecutive_failures: int
    opened_at: AwareDatetime | None = None


class WebhookOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [WEBHOOK_EXAMPLE]})

    id: str
    name: str
    url: str
    target: WebhookTarget
    event_types: list[str]
    active: bool
    circuit: CircuitOut
    created_at: AwareDatetime
    updated_at: AwareDatetime
    version: int
