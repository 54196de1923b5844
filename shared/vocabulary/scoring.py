"""Vocabularies of 考核 (DESIGN §6): grades, indicator rules, check methods, sheet and scheme states …"""

from __future__ import annotations

from typing import Literal

from shared.vocabulary.core import check_labels

# -- 考核 (DESIGN §6) ---------------------------------------------------------------------------

# 考核等次 (考核办法 第九条; 政务公开考核制度 第七条: 95 / 85 / 75 分)
Grade = Literal["excellent", "good", "pass", "fail"]
GRADE_LABELS: dict[str, str] = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
# 评分规则 of a leaf indicator (三级指标)
IndicatorRule = Literal["deduct", "all_or_nothing", "bonus", "ranked", "proportional"]
INDICATOR_RULE_LABELS: dict[str, str] = {
    "deduct": "按次扣分",
    "all_or_nothing": "未落实不得分",
    "bonus": "按参加情况加分",
    "ranked": "按排名赋分",
    "proportional": "按比例计分",
}
# 考核方式 (考核方案 三(三): 网上考核、现场考核、征询考核、认定考核)
CheckMethod = Literal["online_check", "evidence", "daily_record", "ranking"]
CHECK_METHOD_LABELS: dict[str, str] = {
    "online_check": "网上检查",
    "evidence": "被考核单位提供印证材料",
    "daily_record": "区政府办公室日常工作记录",
    "ranking": "排名",
}
# The events an indicator may be bound to (DESIGN §3 reactions of scoring)
AutoSource = Literal["request_overdue", "review_corrected", "hotline_unanswered", "public_appraisal"]
AUTO_SOURCE_LABELS: dict[str, str] = {
    "request_overdue": "依申请公开逾期答复",
    "review_corrected": "行政复议、诉讼被纠错",
    "hotline_unanswered": "12345未按要求及时回应",
    "public_appraisal": "社会评议结果",
}
# 考核评分表 workflow
SheetState = Literal["open", "self_assessed", "reviewed", "finalized"]
SHEET_STATE_LABELS: dict[str, str] = {
    "open": "待自查",
    "self_assessed": "已自查",
    "reviewed": "已评分",
    "finalized": "已审定",
}
# 评分记录来源: who recorded a score entry — the assessors, the unit's self-check (自查), or the system from an event
EntrySource = Literal["assessor", "self", "system"]
ENTRY_SOURCE_LABELS: dict[str, str] = {"assessor": "考核小组", "self": "单位自查", "system": "系统"}
# 考核方案 lifecycle: edited while draft, in force once published (sheets exist), closed at the end
SchemeState = Literal["draft", "published", "closed"]
SCHEME_STATE_LABELS: dict[str, str] = {"draft": "草稿", "published": "已发布", "closed": "已关闭"}
# What became of an event bound to an indicator (request.overdue …): waiting for its scheme to be
# published, applied as a system entry, kept as a late finding (sheet finalized), or no indicator bound
FindingStatus = Literal["pending", "applied", "late", "unbound"]
FINDING_STATUS_LABELS: dict[str, str] = {
    "pending": "待发布方案后计入",
    "applied": "已计入",
    "late": "迟到的发现（评分表已审定）",
    "unbound": "方案无对应指标",
}

for _literal, _labels in (
    (Grade, GRADE_LABELS),
    (IndicatorRule, INDICATOR_RULE_LABELS),
    (CheckMethod, CHECK_METHOD_LABELS),
    (AutoSource, AUTO_SOURCE_LABELS),
    (SheetState, SHEET_STATE_LABELS),
    (EntrySource, ENTRY_SOURCE_LABELS),
    (SchemeState, SCHEME_STATE_LABELS),
    (FindingStatus, FINDING_STATUS_LABELS),
):
    check_labels(_literal, _labels)
