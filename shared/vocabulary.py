"""The vocabularies every layer shares (DESIGN §1): each value set defined once, with its Chinese
label, and imported by the schemas, the event catalogue and the domain rules alike.

Pure (no I/O): ``domain/`` may import it. The ``Literal`` types are what pydantic validates; the
``*_LABELS`` mappings, in the order the forms use, are what people read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

# 单位类型 (DESIGN §3 unit.upserted)
UnitKind = Literal["government", "department", "township", "public_enterprise", "other"]
UNIT_KIND_LABELS: dict[str, str] = {
    "government": "人民政府",
    "department": "政府部门",
    "township": "乡镇（街道）",
    "public_enterprise": "公共企事业单位",
    "other": "其他",
}

# 联系人角色 (DESIGN §3 unit.upserted "contacts (with role)"): who a unit's contact is, so that the
# notifier and accountability can name a unit's leaders (约谈, 通报) and its 政务公开 liaison.
ContactRole = Literal["disclosure_contact", "principal_leader", "leader_in_charge", "other"]
CONTACT_ROLE_LABELS: dict[str, str] = {
    "disclosure_contact": "政务公开联络员",
    "principal_leader": "主要负责人",
    "leader_in_charge": "分管负责人",
    "other": "其他",
}
# The roles that make a contact one of the unit's leaders (单位负责人).
LEADER_ROLES: tuple[str, ...] = ("principal_leader", "leader_in_charge")

# 申请渠道 (条例 第二十九条, 第三十一条)
Channel = Literal["in_person", "registered_mail", "mail", "online", "fax", "hotline_12345", "provincial"]
CHANNEL_LABELS: dict[str, str] = {
    "in_person": "当面提交",
    "registered_mail": "邮政挂号信、快递",
    "mail": "平常信函",
    "online": "网上申请",
    "fax": "传真",
    "hotline_12345": "12345热线",
    "provincial": "省级平台",
}

# 申请人情况: the columns of the annual report's table 三 (国办公开办函〔2021〕30号)
ApplicantType = Literal[
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_welfare_org",
    "legal_service_org",
    "other_org",
]
APPLICANT_TYPE_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "public_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
}

# 办理结果: one reply has one outcome, 1:1 with the rows of table 三 (国办公开办函〔2021〕30号).
OutcomeCode = Literal[
    "disclosed",
    "partially_disclosed",
    "withheld.state_secret",
    "withheld.law_prohibited",
    "withheld.security_stability",
    "withheld.third_party_rights",
    "withheld.internal_affairs",
    "withheld.process_info",
    "withheld.enforcement_file",
    "withheld.administrative_query",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.still_unclear",
    "not_processed.petition",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirmation",
    "other.correction_lapsed",
    "other.fee_unpaid",
    "other.other",
]
# code → (row label, row group), in the order of the form.
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "disclosed": ("予以公开", "予以公开"),
    "partially_disclosed": ("部分公开", "部分公开"),
    "withheld.state_secret": ("属于国家秘密", "不予公开"),
    "withheld.law_prohibited": ("其他法律行政法规禁止公开", "不予公开"),
    "withheld.security_stability": ("危及“三安全一稳定”", "不予公开"),
    "withheld.third_party_rights": ("保护第三方合法权益", "不予公开"),
    "withheld.internal_affairs": ("属于三类内部事务信息", "不予公开"),
    "withheld.process_info": ("属于四类过程性信息", "不予公开"),
    "withheld.enforcement_file": ("属于行政执法案卷", "不予公开"),
    "withheld.administrative_query": ("属于行政查询事项", "不予公开"),
    "unavailable.not_held": ("本机关不掌握相关政府信息", "无法提供"),
    "unavailable.needs_creation": ("没有现成信息需要另行制作", "无法提供"),
    "unavailable.still_unclear": ("补正后申请内容仍不明确", "无法提供"),
    "not_processed.petition": ("信访举报投诉类申请", "不予处理"),
    "not_processed.duplicate": ("重复申请", "不予处理"),
    "not_processed.publication": ("要求提供公开出版物", "不予处理"),
    "not_processed.excessive": ("无正当理由大量反复申请", "不予处理"),
    "not_processed.confirmation": ("要求行政机关确认或重新出具已获取信息", "不予处理"),
    "other.correction_lapsed": ("逾期不补正", "其他处理"),
    "other.fee_unpaid": ("逾期未缴费", "其他处理"),
    "other.other": ("其他", "其他处理"),
}

# 行政复议、行政诉讼 (table 四)
ReviewKind = Literal["administrative_review", "litigation"]
REVIEW_KIND_LABELS: dict[str, str] = {"administrative_review": "行政复议", "litigation": "行政诉讼"}
ReviewResult = Literal["upheld", "corrected", "other", "pending"]
REVIEW_RESULT_LABELS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
}

# 通知渠道 (DESIGN §9)
NotificationChannel = Literal["inbox", "email", "sms", "webhook"]
NOTIFICATION_CHANNEL_LABELS: dict[str, str] = {
    "inbox": "站内信",
    "email": "电子邮件",
    "sms": "短信",
    "webhook": "系统推送",
}


def _same(literal: object, labels: Mapping[str, object]) -> None:
    assert list(get_args(literal)) == list(labels), f"{literal} and its labels differ"


for _literal, _labels in (
    (UnitKind, UNIT_KIND_LABELS),
    (ContactRole, CONTACT_ROLE_LABELS),
    (Channel, CHANNEL_LABELS),
    (ApplicantType, APPLICANT_TYPE_LABELS),
    (OutcomeCode, OUTCOME_LABELS),
    (ReviewKind, REVIEW_KIND_LABELS),
    (ReviewResult, REVIEW_RESULT_LABELS),
    (NotificationChannel, NOTIFICATION_CHANNEL_LABELS),
):
    _same(_literal, _labels)

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
):
    _same(_literal, _labels)

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
# Who recorded a score entry: the assessors, the unit's self-check (自查), or the system from an event
EntrySource = Literal["assessor", "self", "system"]
ENTRY_SOURCE_LABELS: dict[str, str] = {"assessor": "考核小组", "self": "单位自查", "system": "系统"}

for _literal, _labels in (
    (Grade, GRADE_LABELS),
    (IndicatorRule, INDICATOR_RULE_LABELS),
    (CheckMethod, CHECK_METHOD_LABELS),
    (AutoSource, AUTO_SOURCE_LABELS),
    (SheetState, SHEET_STATE_LABELS),
    (EntrySource, ENTRY_SOURCE_LABELS),
):
    _same(_literal, _labels)

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

for _literal, _labels in (
    (AppraisalMethod, APPRAISAL_METHOD_LABELS),
    (SatisfactionRating, SATISFACTION_RATING_LABELS),
    (CampaignState, CAMPAIGN_STATE_LABELS),
    (QuestionKind, QUESTION_KIND_LABELS),
    (AppraisalResultStatus, APPRAISAL_RESULT_STATUS_LABELS),
):
    _same(_literal, _labels)

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
    _same(_literal, _labels)
