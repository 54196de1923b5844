"""Examples for the OpenAPI of the appraisal API (``/docs``), after the demo's campaign (社会评议,
《社会评议办法》第五条 questionnaire): what a front end sends and what comes back."""

from __future__ import annotations

from typing import Any

CAMPAIGN_ID = "d759a392-03fc-48a8-83ef-8fad87886752"

QUESTIONS: list[dict[str, Any]] = [
    {
        "code": "q6",
        "kind": "rating",
        "text": "政府信息公开申请办理是否依法依规和高效便民",
        "required": True,
        "weight": "1",
        "choices": [],
        "max_selected": None,
        "max_length": 500,
        "collects_problems": False,
    },
    {
        "code": "q7",
        "kind": "free_text",
        "text": "其他需要进行社会评议的内容（请写下您发现的问题或意见建议）",
        "required": False,
        "weight": "1",
        "choices": [],
        "max_selected": None,
        "max_length": 500,
        "collects_problems": True,
    },
]

CAMPAIGN_IN: dict[str, Any] = {
    "year": 2026,
    "name": "2026年度政务公开工作社会评议",
    "target_units": ["HD-CZJ", "HD-JYJ", "HD-WJW"],
    "methods": [
        {"method": "public", "weight": "0.6"},
        {"method": "representative", "weight": "0.2"},
        {"method": "third_party", "weight": "0.2"},
    ],
    "min_responses": 30,
    "opens_at": "2026-12-01T09:00:00+08:00",
    "closes_at": "2026-12-31T17:30:00+08:00",
}

CAMPAIGN_EXAMPLE: dict[str, Any] = {
    "id": CAMPAIGN_ID,
    **CAMPAIGN_IN,
    "state": "open",
    "state_label": "评议中",
    "questions": QUESTIONS,
    "conversion": {"satisfied": "100", "basically_satisfied": "60", "unsatisfied": "0"},
    "bands": {"satisfied_from": "80", "basically_satisfied_from": "60"},
    "opens_at": "2026-12-01T01:00:00Z",
    "closes_at": "2026-12-31T09:30:00Z",
    "version": 2,
    "allowed_actions": [
        {"action": "close", "method": "POST", "href": f"/api/v1/campaigns/{CAMPAIGN_ID}/close", "label": "结束评议"}
    ],
    "public_path": f"/appraisal/{CAMPAIGN_ID}",
    "created_at": "2026-11-20T02:00:00Z",
    "updated_at": "2026-12-01T01:00:00Z",
    "opened_at": "2026-12-01T01:00:00Z",
    "closed_at": None,
    "published_at": None,
}

PROBLEM_EXAMPLE: dict[str, Any] = {
    "id": "6b2d8f0e-1a3c-4e5f-9a7b-c8d9e0f1a2b3",
    "text": "办事指南没有及时更新，网上公布的咨询电话打不通",
    "mentions": 4,
    "methods": ["public", "representative"],
    "rectification": "已更新办事指南23项，咨询电话改为0310-3868801并安排专人接听",
    "rectified_at": "2027-01-20T07:00:00Z",
    "version": 2,
}

RESULTS_EXAMPLE: dict[str, Any] = {
    "campaign_id": CAMPAIGN_ID,
    "state": "published",
    "items": [
        {
            "unit_code": "HD-JYJ",
            "unit_name": "邯郸市教育局",
            "status": "rated",
            "responses": 126,
            "score": "84.35",
            "rating": "satisfied",
            "rating_label": "满意",
            "effective_weights": {"public": "0.6", "representative": "0.2", "third_party": "0.2"},
            "methods": [
                {
                    "method": "public",
                    "responses": 118,
                    "counts": {"satisfied": 560, "basically_satisfied": 120, "unsatisfied": 28},
                    "satisfaction_rate": "0.9605",
                    "score": "89.27",
                },
                {"method": "third_party", "responses": 0, "counts": None, "satisfaction_rate": None, "score": "72.50"},
            ],
            "problems": [PROBLEM_EXAMPLE],
        }
    ],
}

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "CampaignIn": [CAMPAIGN_IN],
    "CampaignPatch": [{"closes_at": "2027-01-10T17:30:00+08:00"}, {"name": "2026年度政务公开工作社会评议（延期）"}],
    "PanelMemberIn": [{"method": "representative", "name": "张红梅", "category": "npc_deputy"}],
    "ProblemsIn": [
        {
            "problems": [
                {"id": PROBLEM_EXAMPLE["id"], "text": PROBLEM_EXAMPLE["text"]},
                {"text": "学区划分信息公开不及时"},
            ]
        }
    ],
    "RectificationIn": [{"report": PROBLEM_EXAMPLE["rectification"]}],
    "PanelMemberOut": [
        {
            "member_sub": "rep-0007",
            "method": "representative",
            "name": "张红梅",
            "category": "npc_deputy",
            "added_at": "2026-11-25T02:00:00Z",
        }
    ],
    "ResponseOut": [
        {"campaign_id": CAMPAIGN_ID, "unit_code": "HD-JYJ", "method": "public", "submitted_at": "2026-12-03T11:42:10Z"}
    ],
    "ThirdPartyImportOut": [
        {
            "imported": 1,
            "items": [
                {
                    "unit_code": "HD-JYJ",
                    "score": "72.50",
                    "remarks": "主动公开栏目更新及时，解读材料偏少",
                    "imported_at": "2026-12-20T03:00:00Z",
                }
            ],
        }
    ],
}

# The public page's form (application/x-www-form-urlencoded): each question's answer under its code.
RESPONSE_FORM_EXAMPLE: dict[str, str] = {
    "unit_code": "HD-JYJ",
    "method": "public",
    "q1": "satisfied",
    "q6": "basically_satisfied",
    "q7": "学区划分信息公开不及时",
}
