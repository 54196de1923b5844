"""Examples for the OpenAPI of the applications API (``/docs``): real-looking bodies and answers, so
a front-end developer sees at once what to send and what comes back."""

from __future__ import annotations

from typing import Any

APP_ID = "6f1c2a9e-3b7d-4c1a-9e52-8d0f4b7a2c31"

CREATE_EXAMPLES: list[dict[str, Any]] = [
    {
        "unit_code": "HD-CZJ",
        "channel": "online",
        "applicant": {
            "type": "natural_person",
            "name": "王建国",
            "id_type": "resident_id",
            "id_number": "130402198805061234",
            "phone": "13803100001",
            "email": "wangjg@example.com",
        },
        "description": "2026年度市本级一般公共预算支出执行情况（含“三公”经费）",
        "purpose": "了解本市财政支出情况",
        "delivery": {"format": "electronic", "method": "email"},
    },
    {
        "unit_code": "HD-ZRZY",
        "channel": "in_person",
        "applicant": {
            "type": "commercial_enterprise",
            "name": "李明",
            "organization": "邯郸市宏达建材有限公司",
            "id_type": "social_credit_code",
            "id_number": "91130400MA0ABCDE1X",
            "phone": "0310-5550001",
        },
        "description": "丛台区某地块国有建设用地使用权出让合同及规划条件",
        "delivery": {"format": "paper", "method": "pickup"},
        "received_at": "2026-03-02T09:30:00+08:00",
    },
]

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "OnDay": [{}, {"on": "2026-03-03"}],
    "ReasonsRequestIn": [{"note": "本月已提交40件内容相近的申请，请说明理由", "allowed_working_days": 10}],
    "ReasonsIn": [{"answer": "用于课题研究，需要逐年比对各区县数据"}],
    "DeferIn": [{"due_on": "2026-06-30", "reason": "涉及2015年以来的全部档案，需逐件检索"}],
    "ReportUpIn": [{"to": "邯郸市人民政府办公室", "note": "不予公开决定书已书面报送"}],
    "CorrectionRequestIn": [{"note": "请写明所需信息的年份和文件名称或文号", "allowed_working_days": 15}],
    "AssignIn": [{"handler_id": "liu.fang", "handler_name": "刘芳"}],
    "ConsultationIn": [{"party": "邯郸市宏达建材有限公司", "kind": "third_party", "on": "2026-03-04"}],
    "ConsultationCloseIn": [{"opinion": "不同意公开合同中的报价明细，其余部分同意公开"}],
    "ExtendIn": [{"working_days": 20, "reason": "申请内容涉及多个年度档案，需调档核实", "approver": "王主任"}],
    "FeeNoticeIn": [{"method": "per_page", "pages": 150}],
    "ReviewIn": [{"opinion": "disclose", "reviewer": "保密员 赵磊", "reason": "不涉及国家秘密"}],
    "ReplyIn": [
        {
            "outcome": "disclosed",
            "legal_basis": "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
            "text": "您申请的《2026年度市本级一般公共预算支出执行情况》，经查属于公开范围，现以电子邮件方式提供，请查收附件。",
        }
    ],
    "WithdrawIn": [{"reason": "申请人书面撤回"}],
    "ReviewRecordIn": [{"kind": "administrative_review", "filed_on": "2026-05-06", "result": "pending"}],
    "ReviewRecordPatch": [{"result": "upheld", "decided_on": "2026-07-01"}],
}

APPLICATION_EXAMPLE: dict[str, Any] = {
    "id": APP_ID,
    "tracking_no": "GK-HD-CZJ-20260302-0007",
    "unit_code": "HD-CZJ",
    "channel": "online",
    "applicant": {
        "type": "natural_person",
        "name": "王建国",
        "id_type": "resident_id",
        "id_number": "1304**********1234",
        "phone": "13803100001",
        "email": "wangjg@example.com",
        "address": None,
        "organization": None,
    },
    "description": "2026年度市本级一般公共预算支出执行情况（含“三公”经费）",
    "purpose": "了解本市财政支出情况",
    "delivery": {"format": "electronic", "method": "email"},
    "source_ref": None,
    "state": "in_progress",
    "rule_set": "national_2019",
    "received_on": "2026-03-02",
    "due_on": "2026-03-30",
    "due_on_provisional": False,
    "provisional_note": None,
    "clock_running": True,
    "overdue": False,
    "overdue_since": None,
    "working_days_left": 12,
    "handler": {"id": "liu.fang", "name": "刘芳"},
    "correction_lapse_on": None,
    "fee": None,
    "outcome": None,
    "legal_basis": None,
    "reply_text": None,
    "replied_on": None,
    "on_time": None,
    "concluded_on": None,
    "archived_on": None,
    "allowed_actions": [
        {"action": "extend", "method": "POST", "href": f"/api/v1/requests/{APP_ID}/extend", "label": "延长答复期限"},
        {
            "action": "start-consultation",
            "method": "POST",
            "href": f"/api/v1/requests/{APP_ID}/consultations",
            "label": "征求意见",
        },
        {"action": "review", "method": "POST", "href": f"/api/v1/requests/{APP_ID}/review", "label": "保密审查"},
        {"action": "withdraw", "method": "POST", "href": f"/api/v1/requests/{APP_ID}/withdraw", "label": "撤回申请"},
    ],
    "version": 3,
    "created_at": "2026-03-02T01:12:40Z",
    "updated_at": "2026-03-03T02:05:11Z",
}

TIMELINE_EXAMPLE: dict[str, Any] = {
    "at": "2026-03-20T10:02:11+08:00",
    "actor": "liu.fang",
    "actor_name": "刘芳",
    "action": "application.extend",
    "kind": "action",
    "label": "延长答复期限",
    "summary": "延期 20 个工作日（至 2026-04-28），审批人 王主任",
    "changes": [{"field": "due_on", "label": "答复期限", "before": "2026-03-30", "after": "2026-04-28"}],
    "before": {"due_on": "2026-03-30"},
    "after": {"due_on": "2026-04-28"},
}

# The inbound integrations (DESIGN §9): how a call is signed, and the dev secrets to sign with.
SIGNATURE_DOC = (
    "签名调用，无需令牌 / signed, no bearer token. 请求头 `X-Gongkai-Timestamp: <Unix 秒>` 与 "
    '`X-Gongkai-Signature: v1=<hex(HMAC-SHA256(secret, timestamp + "." + 原始请求体))>`；'
    "时间戳须在服务器时间 ±300 秒内，每个签名只接受一次（重试须重新签名）。密钥：`GONGKAI_REQUESTS_HOTLINE_SECRETS` / "
    "`GONGKAI_REQUESTS_PROVINCIAL_SECRETS`（逗号分隔，轮换期间可有多个）。开发环境（dev/test）默认密钥："
    "12345 为 `dev-hotline-secret`，省级平台为 `dev-provincial-secret`——已在代码库公开，生产环境一律拒绝。"
    "\n\n```sh\nbody='{...}'; ts=$(date +%s)\nsig=$(printf '%s.%s' \"$ts\" \"$body\" | "
    "openssl dgst -sha256 -hmac dev-hotline-secret -hex | sed 's/^.* //')\n"
    "curl -X POST -H 'Content-Type: application/json' -H \"X-Gongkai-Timestamp: $ts\" "
    '-H "X-Gongkai-Signature: v1=$sig" -d "$body" http://127.0.0.1:8000/api/v1/integrations/hotline/workorders\n```'
)

INTAKE_EXAMPLES: dict[str, dict[str, Any]] = {
    "WorkOrderIn": {
        "workorder_no": "12345-HD-20261130-0042",
        "category": "disclosure_request",
        "unit_code": "HD-GS",
        "content": "市民来电：希望公开2026年居民生活用水价格调整的成本监审报告。",
        "received_at": "2026-11-30T09:30:00+08:00",
        "due_at": "2026-12-07T17:00:00+08:00",
        "applicant": {"type": "natural_person", "name": "陈晓燕", "phone": "13903100202"},
        "delivery": {"format": "electronic", "method": "email"},
    },
    "ProvincialApplicationIn": {
        "provincial_id": "HBZW-GK-20261126-0117",
        "unit_code": "HD-JYJ",
        "applicant": {"type": "research_institution", "name": "赵敏", "organization": "河北工程大学城市治理研究中心"},
        "description": "2026年全市普通高中招生计划及各校分配名额",
        "delivery": {"format": "electronic", "method": "online"},
        "received_at": "2026-11-26T09:30:00+08:00",
    },
}
