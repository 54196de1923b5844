"""Vocabularies of 责任追究 (DESIGN §8): violations, sanctions, factors, case states …"""

from __future__ import annotations

from typing import Literal

from shared.vocabulary.core import check_labels

# -- 责任追究 (DESIGN §8; seed 000 邯郸市政务公开工作责任追究办法, seed 004 第二十七条–第二十九条) ----------

# 违规情形: 责任追究办法 第五条 (一)–(十一), plus 考核不合格 (考核办法 第十一条). The article item of each
# lives in services/accountability/domain/catalogue.py.
ViolationCode = Literal[
    "leadership_failure",
    "mechanism_formalism",
    "proactive_disclosure_failure",
    "wrongful_disclosure",
    "application_mishandled",
    "rumor_not_clarified",
    "interpretation_failure",
    "opinion_response_failure",
    "complaint_mishandled",
    "obstructing_oversight",
    "appraisal_failed",
    "other",
]
VIOLATION_LABELS: dict[str, str] = {
    "leadership_failure": "组织领导不力",
    "mechanism_formalism": "机制不健全、工作流于形式",
    "proactive_disclosure_failure": "未按规定主动公开或更新信息",
    "wrongful_disclosure": "未履行审查程序错误公开信息",
    "application_mishandled": "未依法办理政府信息公开申请",
    "rumor_not_clarified": "未及时发布准确信息澄清虚假信息",
    "interpretation_failure": "政策解读不到位或错误解读",
    "opinion_response_failure": "政务舆情处置回应不力",
    "complaint_mishandled": "未及时处理信息公开投诉举报",
    "obstructing_oversight": "拒绝阻挠检查考核评议或不落实其决定",
    "appraisal_failed": "年度考核不合格",
    "other": "其他违反政务公开规定的情形",
}

# 责任追究方式: 责任追究办法 第六条, seed 004 第二十七条(四) (告诫、批评教育; 取消评优资格; 移送司法机关).
SanctionCode = Literal[
    "admonition",
    "rectification_order",
    "public_criticism",
    "interview",
    "award_disqualification",
    "disciplinary_recommendation",
    "judicial_referral",
]
SANCTION_LABELS: dict[str, str] = {
    "admonition": "告诫、批评教育",
    "rectification_order": "责令整改",
    "public_criticism": "通报批评",
    "interview": "约谈",
    "award_disqualification": "取消评优资格",
    "disciplinary_recommendation": "处分建议",
    "judicial_referral": "移送司法机关",
}

# 情节: 责任追究办法 第七条 (情形/较重/严重), seed 004 第二十七条(四) adds 触犯刑律.
Severity = Literal["minor", "serious", "grave", "criminal"]
SEVERITY_LABELS: dict[str, str] = {
    "minor": "情节轻微",
    "serious": "情节较重",
    "grave": "情节严重",
    "criminal": "涉嫌犯罪",
}

# 从轻、减轻情形 (第八条) and 从重情形 (第九条); sources in the accountability catalogue.
FactorCode = Literal[
    "cooperated",
    "corrected_promptly",
    "remedied_losses",
    "other_mitigating",
    "shifted_blame",
    "obstructed_investigation",
    "serious_consequences",
    "repeat_offence",
    "other_aggravating",
]
FACTOR_LABELS: dict[str, str] = {
    "cooperated": "积极配合调查处理",
    "corrected_promptly": "及时改正错误",
    "remedied_losses": "主动采取措施挽回损失或避免不良影响",
    "other_mitigating": "法律法规规定可以从轻或免予处理的其他情形",
    "shifted_blame": "推卸、转嫁责任",
    "obstructed_investigation": "干扰、妨碍调查处理",
    "serious_consequences": "造成重大经济损失或严重不良社会影响",
    "repeat_offence": "一年内两次以上应予追究责任",
    "other_aggravating": "法律法规规章规定应当从重处理的其他情形",
}

# 当事人身份 (seed 004 第二十七条(三))
PersonRole = Literal["handler", "leader_in_charge", "principal_leader", "collective_member"]
PERSON_ROLE_LABELS: dict[str, str] = {
    "handler": "直接承办人",
    "leader_in_charge": "分管（主管）领导",
    "principal_leader": "主要领导",
    "collective_member": "领导小组其他成员",
}

# 审批情况: who approved the act (seed 004 第二十七条(三)) — decides who answers for it.
Approval = Literal["none", "leader_in_charge", "collective"]
APPROVAL_LABELS: dict[str, str] = {
    "none": "未经领导审核批准",
    "leader_in_charge": "经主管领导审核批准",
    "collective": "经领导小组集体讨论决定",
}

# 责任划分
ResponsibilityShare = Literal["sole", "primary", "secondary"]
RESPONSIBILITY_SHARE_LABELS: dict[str, str] = {
    "sole": "承担全部责任",
    "primary": "承担主要责任",
    "secondary": "承担次要责任",
}

# 案件状态 (DESIGN §8)
CaseState = Literal["open", "investigating", "hearing", "decided", "appealed", "closed"]
CASE_STATE_LABELS: dict[str, str] = {
    "open": "已立案",
    "investigating": "调查中",
    "hearing": "陈述申辩",
    "decided": "已决定",
    "appealed": "复核申诉中",
    "closed": "已结案",
}

# 复核、申诉结果 (seed 004 第二十九条)
AppealResult = Literal["upheld", "changed", "revoked"]
APPEAL_RESULT_LABELS: dict[str, str] = {"upheld": "维持", "changed": "变更", "revoked": "撤销"}

# 整改依据: why a rectification order (责令整改) was issued.
RectificationBasis = Literal["appraisal_failed", "appraisal_shortfall", "public_appraisal", "case_decision"]
RECTIFICATION_BASIS_LABELS: dict[str, str] = {
    "appraisal_failed": "年度考核不合格",
    "appraisal_shortfall": "考核存在明显短板",
    "public_appraisal": "社会评议发现问题",
    "case_decision": "责任追究决定",
}

# 整改通知状态 (责令整改: 书面整改报告、审核验收)
RectificationOrderState = Literal["open", "submitted", "accepted"]
RECTIFICATION_ORDER_STATE_LABELS: dict[str, str] = {
    "open": "待整改",
    "submitted": "已报送整改报告",
    "accepted": "整改已验收",
}

for _literal, _labels in (
    (ViolationCode, VIOLATION_LABELS),
    (SanctionCode, SANCTION_LABELS),
    (Severity, SEVERITY_LABELS),
    (FactorCode, FACTOR_LABELS),
    (PersonRole, PERSON_ROLE_LABELS),
    (Approval, APPROVAL_LABELS),
    (ResponsibilityShare, RESPONSIBILITY_SHARE_LABELS),
    (CaseState, CASE_STATE_LABELS),
    (AppealResult, APPEAL_RESULT_LABELS),
    (RectificationBasis, RECTIFICATION_BASIS_LABELS),
    (RectificationOrderState, RECTIFICATION_ORDER_STATE_LABELS),
):
    check_labels(_literal, _labels)
