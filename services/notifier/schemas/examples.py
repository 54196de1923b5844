"""Examples for the OpenAPI of the notifier API (``/docs``): a reply notice e-mailed to an applicant,
the 12345 hotline's status push endpoint, a clerk's subscription — what a front end sends and what
comes back."""

from __future__ import annotations

from typing import Any

WEBHOOK_ID = "079f4a9a-cdf2-404a-8517-17578956e2ae"

NOTIFICATION_EXAMPLE: dict[str, Any] = {
    "id": "b57294a8-18f7-4696-afca-35a03c09e493",
    "event_id": "d78e2ffc-8bba-4b22-9873-9cfb5aeb9226",
    "event_type": "request.replied",
    "subject": "b5a9303c-07f0-4354-8ae7-b493dda33fc4",
    "unit_code": "HD-CZJ",
    "recipient": "applicant:b5a9303c-07f0-4354-8ae7-b493dda33fc4",
    "recipient_kind": "applicant",
    "channel": "email",
    "address": "sunzy@jinan-law.example.com",
    "template": "request.replied",
    "status": "sent",
    "status_label": "已发送",
    "attempts": 1,
    "next_attempt_at": None,
    "last_error": None,
    "response_code": 250,
    "sent_at": "2026-11-05T07:02:11Z",
    "created_at": "2026-11-05T07:02:10Z",
    "updated_at": "2026-11-05T07:02:11Z",
    "version": 2,
    "content": {
        "subject": "您的政府信息公开申请 GK20261015209949596207 已答复",
        "text": "您好：\n\n您的政府信息公开申请（编号 GK20261015209949596207）已于 2026年11月5日 由邯郸市财政局作出答复，"
        "办理结果：予以公开。\n\n答复书按您选择的方式送达，也可凭申请编号和查询码在网上查询。",
    },
}

WEBHOOK_IN: dict[str, Any] = {
    "name": "12345热线工单状态回传",
    "url": "https://12345.handan.gov.cn/api/gongkai/status",
    "secret": "hotline-status-secret-0123456789",
    "target": "hotline_12345",
}

WEBHOOK_EXAMPLE: dict[str, Any] = {
    "id": WEBHOOK_ID,
    "name": WEBHOOK_IN["name"],
    "url": WEBHOOK_IN["url"],
    "target": "hotline_12345",
    "event_types": [],
    "active": True,
    "circuit": {"state": "closed", "state_label": "正常", "consecutive_failures": 0, "opened_at": None},
    "created_at": "2026-11-02T01:00:00Z",
    "updated_at": "2026-11-02T01:00:00Z",
    "version": 1,
}

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "WebhookIn": [
        WEBHOOK_IN,
        {
            "name": "市大数据中心事件订阅",
            "url": "https://dsj.handan.gov.cn/hooks/gongkai",
            "secret": "custom-receiver-secret-0123456789",
            "target": "custom",
            "event_types": ["request.overdue", "accountability.rectification_overdue"],
        },
    ],
    "WebhookPatch": [{"active": False}, {"secret": "hotline-status-secret-rotated-2027"}],
    "SubscriptionIn": [{"event_type": "request.overdue", "unit_code": "HD-CZJ"}, {"unit_code": "HD-JYJ"}],
    "SubscriptionOut": [
        {
            "id": "43866b68-bb7c-47ec-99dd-867e630d17ee",
            "user_id": "sun.li",
            "event_type": "request.overdue",
            "unit_code": "HD-CZJ",
            "created_at": "2026-11-20T02:00:00Z",
        }
    ],
    "PreviewIn": [{}, {"event_type": "request.overdue", "data": {"tracking_no": "GK20261015209949596207"}}],
    "PreviewOut": [
        {
            "name": "request.overdue",
            "channel": "inbox",
            "event_type": "request.overdue",
            "content": {
                "title": "申请逾期未答复：GK20261015209949596207",
                "body": "邯郸市财政局的政府信息公开申请已超过答复期限。",
            },
        }
    ],
    "InboxMessageOut": [
        {
            "id": "5c3d2e1f-0a9b-4c8d-9e7f-6a5b4c3d2e1f",
            "event_type": "request.due_soon",
            "unit_code": "HD-CZJ",
            "inbox": "unit:HD-CZJ",
            "title": "答复期限即将届满：GK20261015209949596207",
            "body": "该申请的答复期限为 2026-12-04，还剩 2 个工作日。",
            "created_at": "2026-12-02T00:30:00Z",
            "read": True,
            "read_at": "2026-12-02T01:12:40Z",
        }
    ],
    "MarkedRead": [{"marked": 12}],
    "DispatchResult": [{"claimed": 8}],
    "DigestResult": [{"day": "2026-12-02", "units": 6, "deliveries": 14}],
}
