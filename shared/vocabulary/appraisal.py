"""Vocabularies of 社会评议 (DESIGN §7): methods, ratings, campaign states …"""

from __future__ import annotations

from typing import Literal

from shared.vocabulary.core import check_labels

# -- public appraisal (社会评议, DESIGN §7) ------------------------------------------------------

# 社会评议方式: 社会评议办法 第七条 (一)公众评议 (二)代表评议 (三)第三方评估; 社会评议制度 第五条(三) 社会监督评议.
AppraisalMethod = Literal["public", "representative", "third_party", "supervisor"]
APPRAISAL_METHOD_LABELS: dict[str, str] = {
    "public": "公众评议",
    "representative": "代表评议",
    "third_party": "第三方评估",
    "supervisor": "社会监督员评议",
}

# 评议等次: 社会评议办法 第八条 "分为满意、基本满意和不满意(或换算成相应分值)".
SatisfactionRating = Literal["satisfied", "basically_satisfied", "unsatisfied"]
SATISFACTION_RATING_LABELS: dict[str, str] = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
}

# 评议活动状态 (DESIGN §7)
CampaignState = Literal["draft", "open", "closed", "published"]
CAMPAIGN_STATE_LABELS: dict[str, str] = {
    "draft": "草拟中",
    "open": "评议中",
    "closed": "已结束",
    "published": "已公布",
}

# 问卷题型
QuestionKind = Literal["rating", "single_choice", "multiple_choice", "free_text"]
QUESTION_KIND_LABELS: dict[str, str] = {
    "rating": "满意度评价",
    "single_choice": "单选题",
    "multiple_choice": "多选题",
    "free_text": "文字填写",
}

# 单位评议结果: rated (定等次), or too few responses to rate (有效答卷不足).
AppraisalResultStatus = Literal["rated", "insufficient"]
APPRAISAL_RESULT_STATUS_LABELS: dict[str, str] = {
    "rated": "已评定等次",
    "insufficient": "有效答卷不足，不评定等次",
}

# 评议员类别 (社会评议办法 第七条(二): 人大代表、政协委员、媒体、专家; 社会监督员)
PanelCategory = Literal["npc_deputy", "cppcc_member", "media", "expert", "supervisor", "other"]
PANEL_CATEGORY_LABELS: dict[str, str] = {
    "npc_deputy": "人大代表",
    "cppcc_member": "政协委员",
    "media": "媒体代表",
    "expert": "专家学者",
    "supervisor": "社会监督员",
    "other": "其他",
}

for _literal, _labels in (
    (AppraisalMethod, APPRAISAL_METHOD_LABELS),
    (SatisfactionRating, SATISFACTION_RATING_LABELS),
    (CampaignState, CAMPAIGN_STATE_LABELS),
    (QuestionKind, QUESTION_KIND_LABELS),
    (AppraisalResultStatus, APPRAISAL_RESULT_STATUS_LABELS),
    (PanelCategory, PANEL_CATEGORY_LABELS),
):
    check_labels(_literal, _labels)
