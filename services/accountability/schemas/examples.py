"""Examples for the OpenAPI of the accountability API (``/docs``): a case of 依申请公开 answered late,
walked through investigation, hearing, assessment and decision on the 邯郸 ladder, its appeal and
its rectification order — what a front end sends and what comes back."""

from __future__ import annotations

from typing import Any

CASE_ID = "f8f708a4-5d65-4826-b943-c66f96520f4f"
APPEAL_ID = "2c1472eb-c739-4f16-ae02-b62e987238c5"
ORDER_ID = "097dc444-78c7-46d9-8a0c-f7ae195a26b1"
PERSON = {"person_id": "li.qiang", "name": "李强", "role": "handler", "title": "科员"}
FACTS = "2026年10月受理的3件政府信息公开申请逾期未答复"


def _link(action: str, label: str, path: str | None = None) -> dict[str, str]:
    return {"action": action, "method": "POST", "href": f"/api/v1/cases/{CASE_ID}/{path or action}", "label": label}


CASE_EXAMPLE: dict[str, Any] = {
    "id": CASE_ID,
    "unit_code": "CT-GOV",
    "unit_name": "邯郸市丛台区人民政府",
    "state": "decided",
    "title": "邯郸市丛台区人民政府：未依法办理政府信息公开申请",
    "violations": ["application_mishandled"],
    "opened_via": "manual",
    "trigger_event_id": None,
    "opened_on": "2026-11-23",
    "severity": "minor",
    "approval": "none",
    "factors": [],
    "recommendation": {
        "ladder": "handan",
        "severity": "minor",
        "base_step": 1,
        "step": 1,
        "unit_sanctions": ["rectification_order"],
        "persons": {
            "li.qiang": {"share": "sole", "reason": "未经主管领导审核批准（seed 004 第二十七条(三)1）", "sanctions": []}
        },
        "factors": [],
        "reasons": ["情节轻微：第1档（责任追究办法 第七条：责令整改）"],
    },
    "assessed_on": "2026-11-30",
    "decision": {
        "facts": "经查，该单位3件政府信息公开申请逾期未答复，情节较轻。",
        "basis": "责任追究办法 第五条(五)；邯郸市政务公开工作责任追究办法 第七条",
        "unit_sanctions": ["rectification_order"],
        "person_sanctions": {"li.qiang": []},
        "departure": None,
        "decided_on": "2026-12-01",
        "notified_on": "2026-12-01",
        "appeal_last_day": "2026-12-08",
        "appeal_last_day_provisional": False,
    },
    "revoked": False,
    "closed_on": None,
    "allowed_actions": [_link("appeal", "提出复核申诉"), _link("close", "结案")],
    "persons": [
        {
            **PERSON,
            "statement_kind": "statement",
            "statement_text": "因人员调整交接不及时，导致逾期，本人认识到错误。",
            "statement_on": "2026-11-27",
        }
    ],
    "findings": [
        {
            "seq": 1,
            "violation": "application_mishandled",
            "text": FACTS,
            "source": "责任追究办法 第五条(五)",
            "ref": None,
            "event_id": None,
            "event_type": None,
            "found_on": "2026-11-23",
            "created_by": "zhao.gang",
        }
    ],
    "trigger_events": [],
    "version": 7,
    "created_at": "2026-11-23T01:30:00Z",
    "updated_at": "2026-12-01T02:10:00Z",
}

APPEAL_EXAMPLE: dict[str, Any] = {
    "id": APPEAL_ID,
    "case_id": CASE_ID,
    "unit_code": "CT-GOV",
    "appellant": "li.qiang",
    "reason": "逾期系申请系统故障所致（见运维记录），请求复核",
    "filed_on": "2026-12-03",
    "decision_due_on": "2026-12-23",
    "reminder_on": "2026-12-20",
    "reminded": False,
    "result": None,
    "result_reason": None,
    "decided_on": None,
    "overdue": False,
    "version": 1,
    "created_at": "2026-12-03T06:20:00Z",
    "updated_at": "2026-12-03T06:20:00Z",
}

ORDER_EXAMPLE: dict[str, Any] = {
    "id": ORDER_ID,
    "case_id": CASE_ID,
    "unit_code": "CT-GOV",
    "basis": "case_decision",
    "source": "责任追究办法 第六条(一)",
    "problems": ["政府信息公开申请逾期答复", "申请登记台账不完整"],
    "trigger_event_id": None,
    "state": "submitted",
    "issued_on": "2026-12-02",
    "due_on": "2026-12-30",
    "due_on_provisional": False,
    "overdue": False,
    "report_text": "已补充答复3件申请，建立申请办理台账和到期提醒，组织全员培训1次。",
    "report_submitted_on": "2026-12-18",
    "review_note": None,
    "reviewed_on": None,
    "returned_count": 0,
    "overdue_count": 0,
    "escalations": [],
    "version": 2,
    "created_at": "2026-12-02T02:30:00Z",
    "updated_at": "2026-12-18T07:45:00Z",
}

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "PersonIn": [PERSON],
    "CaseCreate": [
        {
            "unit_code": "CT-GOV",
            "violations": ["application_mishandled"],
            "facts": FACTS,
            "persons": [PERSON],
        }
    ],
    "FindingIn": [
        {
            "violation": "application_mishandled",
            "text": "申请GK20261015209949596207自受理之日起28个工作日未答复",
            "source": "条例 第三十三条",
        }
    ],
    "StatementIn": [
        {"person_id": "li.qiang", "kind": "statement", "text": "因人员调整交接不及时，导致逾期，本人认识到错误。"},
        {"person_id": "li.qiang", "kind": "waiver", "on": "2026-11-27"},
    ],
    "AssessmentIn": [
        {"severity": "minor", "approval": "none", "factors": [{"code": "corrected_promptly", "note": "已主动补充答复"}]}
    ],
    "DecisionIn": [
        {"facts": "经查，该单位3件政府信息公开申请逾期未答复，情节较轻。", "notified_on": "2026-12-01"},
        {
            "facts": "经查，该单位3件政府信息公开申请逾期未答复，情节较轻。",
            "unit_sanctions": ["rectification_order", "admonition"],
            "departure_reason": "同一年度内已被提醒两次，加重一档",
        },
    ],
    "AppealIn": [{"reason": APPEAL_EXAMPLE["reason"], "appellant": "li.qiang", "filed_on": "2026-12-03"}],
    "AppealDecisionIn": [
        {"result": "upheld", "reason": "运维记录显示系统故障仅持续半日，不影响按期答复，维持原决定", "on": "2026-12-18"}
    ],
    "OrderCreate": [
        {"unit_code": "CT-GOV", "problems": ORDER_EXAMPLE["problems"], "basis": "case_decision", "case_id": CASE_ID}
    ],
    "ReportIn": [{"text": ORDER_EXAMPLE["report_text"], "on": "2026-12-18"}],
    "ReviewIn": [{"note": "整改到位，予以验收"}, {"note": "未附培训签到表，请补充后重新报送"}],
    "SweepIn": [{}, {"today": "2026-12-31"}],
    "SweepOut": [{"today": "2026-12-31", "rectification_overdue_emitted": 1, "appeal_reminders": 0}],
    "EvidenceOut": [
        {
            "id": "8e3f1a2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
            "case_id": CASE_ID,
            "filename": "申请登记台账（2026年10月）.xlsx",
            "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "size": 48213,
            "sha256": "9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a",
            "description": "调取的申请登记台账",
            "created_by": "zhao.gang",
            "created_at": "2026-11-24T03:10:00Z",
        }
    ],
    "AnnualCountsOut": [
        {
            "year": 2026,
            "unit_code": None,
            "cases": 3,
            "revoked": 0,
            "persons": 2,
            "by_violation": {"application_mishandled": 2, "proactive_disclosure_failure": 1},
            "by_sanction": {"rectification_order": 3, "admonition": 1},
            "rectification_orders": 4,
            "rectification_overdue": 1,
        }
    ],
}
