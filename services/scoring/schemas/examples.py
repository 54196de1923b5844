"""Examples for the OpenAPI of the scoring API (``/docs``), taken from the demo's scheme (a 区's 2023
方案 as data) and its sheets: what a front end sends and what comes back."""

from __future__ import annotations

from typing import Any

SCHEME_ID = "2d73f6e1-56bd-4355-adbc-d36fcf00c5e4"
SHEET_ID = "0c782023-f746-49f3-aaed-b3a6ed02a2f0"
ENTRY_ID = "5e0b7c1a-2f44-4d8e-9b61-7a3c9d2e4f10"
AUTHOR = {"sub": "zhou.min", "name": "考核组 周敏"}

# The scheme document (考核方案), as POST/PUT /api/v1/schemes take it (JSON; YAML the same shape).
SCHEME_DOCUMENT: dict[str, Any] = {
    "year": 2026,
    "name": "2026年度政务公开工作考核方案",
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "grade_bands": {"excellent": 95, "good": 85, "pass": 75},
    "shortfall_share": 0.6,
    "vetoes": [{"code": "fraud_in_assessment", "description": "在接受政务公开工作考核时弄虚作假的"}],
    "categories": [
        {
            "code": "B",
            "name": "B类（区直单位）",
            "total": 100,
            "partial": True,
            "units": ["HD-CZJ", "HD-STHJ"],
            "indicators": [
                {
                    "code": "B1",
                    "name": "组织领导与工作保障",
                    "max_points": 6,
                    "children": [
                        {
                            "code": "B1.1",
                            "name": "单位领导班子研究部署相关工作情况",
                            "max_points": 3,
                            "content": "对政务公开工作进行会议研究部署。未研究的，不得分。",
                            "method": "evidence",
                            "rule": {"kind": "all_or_nothing"},
                        },
                        {
                            "code": "B1.2",
                            "name": "机构、人员、培训等保障情况",
                            "max_points": 3,
                            "content": "对政务公开工作未落实专门机构、专职人员、业务培训等方面保障。每缺少一项扣1分。",
                            "method": "evidence",
                            "rule": {"kind": "deduct", "points": 1},
                        },
                    ],
                }
            ],
        }
    ],
}

SCHEME_EXAMPLE: dict[str, Any] = {
    "id": SCHEME_ID,
    "year": 2026,
    "name": "2026年度政务公开工作考核方案",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "state": "published",
    "version": 2,
    "categories": [
        {
            "code": "B",
            "name": "B类（区直单位）",
            "total": 100.0,
            "partial": True,
            "units": 9,
            "notice_date": "2026-11-16",
            "on_site_checks_from": "2026-12-01",
            "finalized": False,
        }
    ],
    "created_by": "市政务公开办 孙丽",
    "created_at": "2026-11-02T01:20:00Z",
    "updated_at": "2026-11-03T02:05:00Z",
    "published_at": "2026-11-03T02:05:00Z",
    "closed_at": None,
    "document": None,
}

ENTRY_EXAMPLE: dict[str, Any] = {
    "id": ENTRY_ID,
    "sheet_id": SHEET_ID,
    "indicator": "B1.2",
    "source": "assessor",
    "occurrences": 1,
    "participant": None,
    "ratio": None,
    "measure": None,
    "points": None,
    "method": "evidence",
    "on": "2026-12-01",
    "evidence": "未提供政务公开业务培训记录",
    "attachments": [
        {
            "id": "9d1e2f3a-4b5c-4d6e-8f70-a1b2c3d4e5f6",
            "filename": "培训台账.pdf",
            "content_type": "application/pdf",
            "size": 182044,
        }
    ],
    "author": AUTHOR,
    "event_id": None,
    "event_type": None,
    "ref_kind": None,
    "ref_id": None,
    "voided": False,
    "voided_at": None,
    "voided_by": None,
    "void_reason": None,
    "created_at": "2026-12-01T02:30:00Z",
}

VETO_EXAMPLE: dict[str, Any] = {
    "id": "3a7c9e1b-5d2f-4a6b-8c0d-e1f2a3b4c5d6",
    "sheet_id": SHEET_ID,
    "code": "fraud_in_assessment",
    "description": "在接受政务公开工作考核时弄虚作假的",
    "evidence": "自查材料中的培训签到表系事后补签（见现场核查记录）",
    "author": AUTHOR,
    "created_at": "2026-12-02T03:00:00Z",
    "voided": False,
    "voided_at": None,
    "void_reason": None,
}

SHEET_EXAMPLE: dict[str, Any] = {
    "id": SHEET_ID,
    "scheme_id": SCHEME_ID,
    "year": 2026,
    "unit_code": "HD-STHJ",
    "category": "B",
    "state": "self_assessed",
    "version": 3,
    "total": 74.0,
    "grade": "good",
    "rank": None,
    "unit_name": "邯郸市生态环境局",
    "final": False,
    "graded_on": 85.06,
    "vetoes": [],
    "shortfalls": [],
    "allowed_actions": [
        {"action": "review", "method": "POST", "href": f"/api/v1/sheets/{SHEET_ID}/review", "label": "提交考核评分"}
    ],
    "indicators": [
        {
            "code": "B1",
            "name": "组织领导与工作保障",
            "level": 1,
            "max_points": 6.0,
            "points": 5.0,
            "assessed": True,
            "self_points": 6.0,
            "children": [
                {
                    "code": "B1.2",
                    "name": "机构、人员、培训等保障情况",
                    "level": 2,
                    "max_points": 3.0,
                    "points": 2.0,
                    "assessed": True,
                    "self_points": 3.0,
                    "children": [],
                }
            ],
        }
    ],
    "entries": [ENTRY_EXAMPLE],
    "veto_findings": [],
    "late_findings": [],
}

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "NoticeIn": [{"notice_date": "2026-11-16"}],
    "EntryIn": [
        {"indicator": "B1.2", "occurrences": 1, "method": "evidence", "evidence": "未提供政务公开业务培训记录"},
        {"indicator": "B1.1", "source": "self", "points": 3, "evidence": "2026年3月局党组会议纪要第5号"},
    ],
    "VoidIn": [{"reason": "单位申诉成立：培训记录已于考核前报送，见附件"}],
    "VetoIn": [{"code": "fraud_in_assessment", "evidence": "自查材料中的培训签到表系事后补签（见现场核查记录）"}],
}

# The same document as YAML (Content-Type: application/yaml), the shape the 方案 files are kept in.
SCHEME_DOCUMENT_YAML = """\
year: 2026
name: 2026年度政务公开工作考核方案
period: {start: 2026-01-01, end: 2026-12-31}
grade_bands: {excellent: 95, good: 85, pass: 75}
shortfall_share: 0.6
vetoes:
  - {code: fraud_in_assessment, description: 在接受政务公开工作考核时弄虚作假的}
categories:
  - code: B
    name: B类（区直单位）
    total: 100
    partial: true
    units: [HD-CZJ, HD-STHJ]
    indicators:
      - code: B1
        name: 组织领导与工作保障
        max_points: 6
        children:
          - {code: B1.1, name: 单位领导班子研究部署相关工作情况, max_points: 3, method: evidence,
             content: 对政务公开工作进行会议研究部署。未研究的，不得分。, rule: {kind: all_or_nothing}}
          - {code: B1.2, name: 机构、人员、培训等保障情况, max_points: 3, method: evidence,
             content: 对政务公开工作未落实专门机构、专职人员、业务培训等方面保障。每缺少一项扣1分。, rule: {kind: deduct, points: 1}}
"""
