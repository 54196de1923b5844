"""Vocabularies of 通知 (DESIGN §9): recipients, delivery states, webhook targets …"""

from __future__ import annotations

from typing import Literal

from shared.vocabulary.core import check_labels

# -- notifier (通知, DESIGN §9) ------------------------------------------------------------------

# 通知对象: who a route tells (services/notifier/domain/recipients.py says how each one resolves).
RecipientKind = Literal[
    "handler",
    "disclosure_contact",
    "unit_leaders",
    "unit",
    "persons",
    "applicant",
    "office",
    "subscribers",
]
RECIPIENT_KIND_LABELS: dict[str, str] = {
    "handler": "承办人",
    "disclosure_contact": "单位政务公开联络员",
    "unit_leaders": "单位负责人",
    "unit": "单位",
    "persons": "被追究责任人员",
    "applicant": "申请人",
    "office": "政务公开工作主管部门",
    "subscribers": "订阅用户",
}

# 投递状态 (DESIGN §9)
DeliveryStatus = Literal["pending", "sent", "failed", "dead"]
DELIVERY_STATUS_LABELS: dict[str, str] = {
    "pending": "待发送",
    "sent": "已发送",
    "failed": "发送失败，待重试",
    "dead": "发送失败，已停止重试",
}

# 推送目标: where a webhook endpoint delivers (issue 15 §5).
WebhookTarget = Literal["hotline_12345", "provincial", "custom"]
WEBHOOK_TARGET_LABELS: dict[str, str] = {
    "hotline_12345": "12345热线",
    "provincial": "省级平台",
    "custom": "自定义接收方",
}

# 熔断状态 of a webhook endpoint
CircuitState = Literal["closed", "open", "half_open"]
CIRCUIT_STATE_LABELS: dict[str, str] = {"closed": "正常", "open": "已熔断", "half_open": "试探恢复"}

# 工单状态 pushed back to 12345 / the provincial platform for the applications they sent.
WorkOrderStatus = Literal["accepted", "replied", "overdue"]
WORK_ORDER_STATUS_LABELS: dict[str, str] = {"accepted": "已受理", "replied": "已答复", "overdue": "已超期未答复"}

for _literal, _labels in (
    (RecipientKind, RECIPIENT_KIND_LABELS),
    (DeliveryStatus, DELIVERY_STATUS_LABELS),
    (WebhookTarget, WEBHOOK_TARGET_LABELS),
    (CircuitState, CIRCUIT_STATE_LABELS),
    (WorkOrderStatus, WORK_ORDER_STATUS_LABELS),
):
    check_labels(_literal, _labels)
