"""Outcome codes of a reply (办理结果) and the rows of the annual report's table 三
(国办公开办函〔2021〕30号, 政府信息公开工作年度报告格式, 表三 "收到和处理政府信息公开申请情况").

A reply has exactly one outcome, and each outcome is one row of table 三 (DESIGN §5). A withdrawal
(申请人撤回申请) is no reply; the report counts it under ``other.other`` (其他处理 — 其他), in the
year of the withdrawal, since the form has no row of its own for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.vocabulary import APPLICANT_TYPE_LABELS, CHANNEL_LABELS, OUTCOME_LABELS

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
OUTCOMES: dict[str, Outcome] = {code: Outcome(code, label, group) for code, (label, group) in OUTCOME_LABELS.items()}

# Outcomes that release information: they need a `disclose` 保密审查 opinion first.
RELEASING_OUTCOMES: frozenset[str] = frozenset({"disclosed", "partially_disclosed"})

# The report row a withdrawn application counts in (see the module docstring).
WITHDRAWAL_REPORT_OUTCOME = "other.other"

# The report's columns (申请人情况).
APPLICANT_TYPES: tuple[str, ...] = tuple(APPLICANT_TYPE_LABELS)

CHANNELS: tuple[str, ...] = tuple(CHANNEL_LABELS)


def is_outcome(code: object) -> bool:
    return isinstance(code, str) and code in OUTCOMES
