"""Outcome codes of a reply (办理结果) and the rows of the annual report's table 三
(国办公开办函〔2021〕30号, 政府信息公开工作年度报告格式, 表三 "收到和处理政府信息公开申请情况").

A reply has exactly one outcome, and each outcome is one row of table 三 (DESIGN §5). A withdrawal
(申请人撤回申请) is no reply; the report counts it under ``other.other`` (其他处理 — 其他), in the
year of the withdrawal, since the form has no row of its own for it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "APPLICANT_TYPES",
    "CHANNELS",
    "OUTCOMES",
    "OUTCOME_GROUPS",
    "Outcome",
    "RELEASING_OUTCOMES",
    "WITHDRAWAL_REPORT_OUTCOME",
    "is_outcome",
]


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str  # the row of table 三
    group: str  # the row group: 予以公开, 部分公开, 不予公开, 无法提供, 不予处理, 其他处理


OUTCOME_GROUPS: tuple[str, ...] = ("予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理")

# In the order of the form.
OUTCOMES: dict[str, Outcome] = {
    outcome.code: outcome
    for outcome in (
        Outcome("disclosed", "予以公开", "予以公开"),
        Outcome("partially_disclosed", "部分公开", "部分公开"),
        Outcome("withheld.state_secret", "属于国家秘密", "不予公开"),
        Outcome("withheld.law_prohibited", "其他法律行政法规禁止公开", "不予公开"),
        Outcome("withheld.security_stability", "危及“三安全一稳定”", "不予公开"),
        Outcome("withheld.third_party_rights", "保护第三方合法权益", "不予公开"),
        Outcome("withheld.internal_affairs", "属于三类内部事务信息", "不予公开"),
        Outcome("withheld.process_info", "属于四类过程性信息", "不予公开"),
        Outcome("withheld.enforcement_file", "属于行政执法案卷", "不予公开"),
        Outcome("withheld.administrative_query", "属于行政查询事项", "不予公开"),
        Outcome("unavailable.not_held", "本机关不掌握相关政府信息", "无法提供"),
        Outcome("unavailable.needs_creation", "没有现成信息需要另行制作", "无法提供"),
        Outcome("unavailable.still_unclear", "补正后申请内容仍不明确", "无法提供"),
        Outcome("not_processed.petition", "信访举报投诉类申请", "不予处理"),
        Outcome("not_processed.duplicate", "重复申请", "不予处理"),
        Outcome("not_processed.publication", "要求提供公开出版物", "不予处理"),
        Outcome("not_processed.excessive", "无正当理由大量反复申请", "不予处理"),
        Outcome("not_processed.confirmation", "要求行政机关确认或重新出具已获取信息", "不予处理"),
        Outcome("other.correction_lapsed", "逾期不补正", "其他处理"),
        Outcome("other.fee_unpaid", "逾期未缴费", "其他处理"),
        Outcome("other.other", "其他", "其他处理"),
    )
}

# Outcomes that release information: they need a `disclose` 保密审查 opinion first.
RELEASING_OUTCOMES: frozenset[str] = frozenset({"disclosed", "partially_disclosed"})

# The report row a withdrawn application counts in (see the module docstring).
WITHDRAWAL_REPORT_OUTCOME = "other.other"

# The report's columns (申请人情况).
APPLICANT_TYPES: tuple[str, ...] = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_welfare_org",
    "legal_service_org",
    "other_org",
)

CHANNELS: tuple[str, ...] = ("in_person", "registered_mail", "mail", "online", "fax", "hotline_12345", "provincial")


def is_outcome(code: object) -> bool:
    return isinstance(code, str) and code in OUTCOMES
