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

CONSULTATION_EXAMPLE: dict[str, Any] = {
    "id": "9a0e4c2b-7d1f-4e3a-8b5c-6d7e8f9a0b1c",
    "party": "邯郸市宏达建材有限公司",
    "kind": "third_party",
    "started_on": "2026-03-04",
    "due_on": "2026-03-25",
    "closed_on": "2026-03-12",
    "opinion": "不同意公开合同中的报价明细，其余部分同意公开",
    "closed_by": "answer",
    "deemed_consent": None,
    "objects": True,
}

REVIEW_RECORD_EXAMPLE: dict[str, Any] = {
    "id": "c4d5e6f7-0a1b-4c2d-9e3f-5a6b7c8d9e0f",
    "application_id": APP_ID,
    "kind": "administrative_review",
    "after_review": False,
    "filed_on": "2026-05-06",
    "result": "upheld",
    "decided_on": "2026-07-01",
    "version": 2,
}

UNIT_EXAMPLE: dict[str, Any] = {
    "unit_code": "CT-GOV",
    "name": "邯郸市丛台区人民政府",
    "kind": "government",
    "parent_code": "HD-GOV",
    "region": "130403",
    "contacts": [
        {
            "name": "吕博",
            "role": "disclosure_contact",
            "title": "区政府办公室科员",
            "phone": "0310-3868801",
            "email": "ct_gk@ct.example.gov.cn",
        },
        {"name": "田野", "role": "leader_in_charge", "title": "副区长", "phone": "0310-3868802", "email": None},
    ],
    "active": True,
    "version": 1,
    "created_at": "2026-11-02T01:00:00Z",
    "updated_at": "2026-11-02T01:00:00Z",
}

CALENDAR_EXAMPLE: dict[str, Any] = {
    "year": 2026,
    "known": True,
    "source": "builtin",
    "holidays": [
        {"day": "2026-10-01", "name": "国庆节"},
        {"day": "2026-10-02", "name": "国庆节"},
        {"day": "2026-10-05", "name": "国庆节"},
    ],
    "makeup_workdays": [{"day": "2026-10-10", "name": "国庆节调休上班"}],
    "version": None,
    "updated_at": None,
    "updated_by": None,
}

INTAKE_APPLICATION = {
    "id": "1a8b2ce7-ebac-4118-b273-881feb1d2c85",
    "tracking_no": "GK20261130441315566119",
    "state": "submitted",
    "query_code": "K7QM3XWDHP",
}

WORKORDER_ACCEPTED_EXAMPLE: dict[str, Any] = {
    "workorder_no": INTAKE_EXAMPLES["WorkOrderIn"]["workorder_no"],
    "category": "disclosure_request",
    "unit_code": "HD-GS",
    "repeated": False,
    "application": INTAKE_APPLICATION,
}

PROVINCIAL_ACCEPTED_EXAMPLE: dict[str, Any] = {
    "provincial_id": INTAKE_EXAMPLES["ProvincialApplicationIn"]["provincial_id"],
    "repeated": False,
    "application": {**INTAKE_APPLICATION, "tracking_no": "GK20261126209949596207"},
}

WORKORDER_EXAMPLE: dict[str, Any] = {
    "workorder_no": "12345-HD-20261130-0042",
    "category": "disclosure_request",
    "unit_code": "HD-GS",
    "content": "市民来电：希望公开2026年居民生活用水价格调整的成本监审报告。",
    "received_at": "2026-11-30T01:30:00Z",
    "due_at": "2026-12-07T09:00:00Z",
    "answered_at": "2026-12-03T06:15:00Z",
    "answer": "已联系市民，告知成本监审报告已于市发改委网站公开，市民表示满意。",
    "answered_on_time": True,
    "overdue": False,
    "unanswered_emitted": False,
    "application_id": INTAKE_APPLICATION["id"],
    "tracking_no": INTAKE_APPLICATION["tracking_no"],
    "payload": {
        **INTAKE_EXAMPLES["WorkOrderIn"],
        "applicant": {"type": "natural_person", "name": "陈晓燕", "phone": "139****0202"},
    },
}

TRACK_EXAMPLE: dict[str, Any] = {
    "tracking_no": "GK20261015209949596207",
    "unit_code": "HD-CZJ",
    "state": "replied",
    "received_on": "2026-10-15",
    "due_on": "2026-11-12",
    "due_on_provisional": False,
    "outcome": "disclosed",
    "replied_on": "2026-11-05",
    "reply_text": "您申请的《2026年度市本级一般公共预算支出执行情况》，经查属于公开范围，现以电子邮件方式提供，请查收附件。",
}

ATTACHMENT_EXAMPLE: dict[str, Any] = {
    "id": "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
    "kind": "reply_letter",
    "filename": "政府信息公开申请答复书（GK20261015209949596207）.pdf",
    "content_type": "application/pdf",
    "size": 214380,
    "sha256": "4b1e9c2d7f3a6e8b0c5d1f7a9e3b6c8d2f4a0e6b8c1d3f5a7e9b2c4d6f8a0b1c",
}


def _annual_report() -> dict[str, Any]:
    """A unit's year: 12 applications by natural persons and 2 by companies, one carried over."""
    from services.requests.domain.outcomes import OUTCOMES  # the rows of table 三

    columns = ("natural_person", "commercial_enterprise", "research_institution", "public_welfare_org")
    columns += ("legal_service_org", "other_org")
    figures = {
        "received": (12, 2),
        "carried_over_from_last_year": (1, 0),
        "disclosed": (7, 2),
        "partially_disclosed": (2, 0),
        "withheld.third_party_rights": (1, 0),
        "unavailable.not_held": (2, 0),
        "concluded_total": (12, 2),
        "carried_over_to_next_year": (1, 0),
    }
    rows = ["received", "carried_over_from_last_year", *OUTCOMES, "concluded_total", "carried_over_to_next_year"]

    def counts(people: int, companies: int) -> dict[str, int]:
        return {**dict.fromkeys(columns, 0), "natural_person": people, "commercial_enterprise": companies,
                "total": people + companies}  # fmt: skip

    nothing = dict.fromkeys(("upheld", "corrected", "other", "pending", "total"), 0)
    return {
        "year": 2026,
        "unit_code": "HD-CZJ",
        "region": None,
        "table3": {"rows": {row: counts(*figures.get(row, (0, 0))) for row in rows}},
        "table4": {
            "administrative_review": {**nothing, "upheld": 1, "total": 1},
            "litigation_direct": nothing,
            "litigation_after_review": nothing,
        },
        "labels": {
            "table3_rows": {"received": "一、本年新收政府信息公开申请数量"},
            "table3_columns": {"natural_person": "自然人"},
            "table4_columns": {"administrative_review": "行政复议"},
            "table4_results": {"upheld": "结果维持"},
        },
    }


ANNUAL_REPORT_EXAMPLE: dict[str, Any] = _annual_report()
