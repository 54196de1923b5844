"""Outcome codes of a reply (办理结果) and the rows of the annual report's table 三
(国办公开办函〔2021〕30号, 政府信息公开工作年度报告格式, 表三 "收到和处理政府信息公开申请情况").

A reply has exactly one outcome, and each outcome is one row of table 三 (DESIGN §5) — with one
alias: ``not_processed.unreasonable_volume``, the conclusion of 条例 第三十五条 (the applicant's
reasons for many or frequent applications found unreasonable, DESIGN §5), is the row 不予处理 4
"无正当理由大量反复申请", whose key in the report stays ``not_processed.excessive`` (DESIGN §5's
table). Both codes are valid replies; the report counts both in that one row. A withdrawal
(申请人撤回申请) is no reply; the report counts it under ``other.other`` (其他处理 — 其他), in the
year of the withdrawal, since the form has no row of its own for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.vocabulary import APPLICANT_TYPE_LABELS, CHANNEL_LABELS, OUTCOME_LABELS

__all__ = [
    "ALL_OUTCOMES",
    "APPLICANT_TYPES",
    "CHANNELS",
    "OUTCOMES",
    "OUTCOME_ALIASES",
    "OUTCOME_GROUPS",
    "Outcome",
    "RELEASING_OUTCOMES",
    "WITHDRAWAL_REPORT_OUTCOME",
    "REPORT_UP_OUTCOMES",
    "UNREASONABLE_VOLUME",
    "is_outcome",
    "report_row",
]


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str  # the row of table 三
    group: str  # the row group: 予以公开, 部分公开, 不予公开, 无法提供, 不予处理, 其他处理


OUTCOME_GROUPS: tuple[str, ...] = ("予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理")

UNREASONABLE_VOLUME = "not_processed.unreasonable_volume"  # 条例 第三十五条
# An outcome code → the report row it counts in, where that is another code's row.
OUTCOME_ALIASES: dict[str, str] = {UNREASONABLE_VOLUME: "not_processed.excessive"}

# Every outcome code a reply may carry.
ALL_OUTCOMES: dict[str, Outcome] = {
    code: Outcome(code, label, group) for code, (label, group) in OUTCOME_LABELS.items()
}
# The rows of table 三, in the order of the form: one per code, aliases left out.
OUTCOMES: dict[str, Outcome] = {code: o for code, o in ALL_OUTCOMES.items() if code not in OUTCOME_ALIASES}

# 不予公开: a decision not to disclose is reported in writing to the office one level up within 5
# working days (seed 001 政府信息主动公开工作制度 七).
REPORT_UP_OUTCOMES: frozenset[str] = frozenset(code for code in ALL_OUTCOMES if code.startswith("withheld."))

# Outcomes that release information: they need a `disclose` 保密审查 opinion first.
RELEASING_OUTCOMES: frozenset[str] = frozenset({"disclosed", "partially_disclosed"})

# The report row a withdrawn application counts in (see the module docstring).
WITHDRAWAL_REPORT_OUTCOME = "other.other"

# The report's columns (申请人情况).
APPLICANT_TYPES: tuple[str, ...] = tuple(APPLICANT_TYPE_LABELS)

CHANNELS: tuple[str, ...] = tuple(CHANNEL_LABELS)


def is_outcome(code: object) -> bool:
    return isinstance(code, str) and code in ALL_OUTCOMES


def report_row(code: str) -> str:
    """The row of table 三 an outcome counts in."""
    return OUTCOME_ALIASES.get(code, code)
