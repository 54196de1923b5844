"""Vocabularies of the disclosure applications and of the shared mechanism (units, channels,
applicant types, outcomes, reviews, contact roles, notification channels), and the check every
vocabulary module runs on itself."""

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
    "not_processed.unreasonable_volume",
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
    # 条例 第三十五条's conclusion: the same row (不予处理 4) as not_processed.excessive, which the
    # annual report keeps as the row's key (services/requests/domain/outcomes.py OUTCOME_ALIASES).
    "not_processed.unreasonable_volume": ("无正当理由大量反复申请", "不予处理"),
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


def check_labels(literal: object, labels: Mapping[str, object]) -> None:
    """Every vocabulary module checks that its ``Literal`` and its labels name the same codes, in order."""
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
    check_labels(_literal, _labels)
