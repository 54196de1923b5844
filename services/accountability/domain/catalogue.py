"""The catalogue of accountability (责任追究): violations, sanctions and factors as data with their sources.

The codes and Chinese labels are the shared vocabularies (``shared.vocabulary``); this module adds
what only the rules need: the article each entry comes from, and whether a factor mitigates or
aggravates. Seed 000 is 邯郸市政务公开工作责任追究办法 (and its 考核办法, 社会评议办法); seed 004 is
the 财政局政务公开工作实施细则.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from shared.vocabulary import (
    FACTOR_LABELS,
    SANCTION_LABELS,
    VIOLATION_LABELS,
    FactorCode,
    SanctionCode,
    ViolationCode,
)

__all__ = [
    "AGGRAVATING",
    "FACTORS",
    "MITIGATING",
    "SANCTIONS",
    "VIOLATIONS",
    "Factor",
    "FactorKind",
    "Sanction",
    "Violation",
]

FactorKind = Literal["mitigating", "aggravating"]


@dataclass(frozen=True)
class Violation:
    """A 违规情形 of the catalogue, with the article item it comes from."""

    code: ViolationCode
    label: str
    source: str


@dataclass(frozen=True)
class Sanction:
    """A 责任追究方式, with the article it comes from."""

    code: SanctionCode
    label: str
    source: str


@dataclass(frozen=True)
class Factor:
    """A circumstance that lowers (从轻、减轻) or raises (从重) the sanction."""

    code: FactorCode
    kind: FactorKind
    label: str
    source: str


_VIOLATION_SOURCES: dict[str, str] = {
    "leadership_failure": "责任追究办法 第五条(一)",
    "mechanism_formalism": "责任追究办法 第五条(二)",
    "proactive_disclosure_failure": "责任追究办法 第五条(三)",
    "wrongful_disclosure": "责任追究办法 第五条(四)",
    "application_mishandled": "责任追究办法 第五条(五)",
    "rumor_not_clarified": "责任追究办法 第五条(六)",
    "interpretation_failure": "责任追究办法 第五条(七)",
    "opinion_response_failure": "责任追究办法 第五条(八)",
    "complaint_mishandled": "责任追究办法 第五条(九)",
    "obstructing_oversight": "责任追究办法 第五条(十)",
    # 考核办法 第十一条 names the failing unit's duty to rectify; the violation itself is 第五条(十)'s
    # "不落实…考核…决定要求" once it persists, and the catalogue keeps it apart because events open it.
    "appraisal_failed": "考核办法 第十一条",
    "other": "责任追究办法 第五条(十一)",
}

_SANCTION_SOURCES: dict[str, str] = {
    "admonition": "seed 004 第二十七条(四)1",
    "rectification_order": "责任追究办法 第六条(一)",
    "public_criticism": "责任追究办法 第六条(二)",
    "interview": "责任追究办法 第六条(三)",
    "award_disqualification": "seed 004 第二十七条(四)2、3",
    # 第六条(四) 处分: the office does not impose it, it recommends it to the competent organ (第七条).
    "disciplinary_recommendation": "责任追究办法 第六条(四)、第七条",
    "judicial_referral": "seed 004 第二十七条(四)4",
}

_FACTOR_SOURCES: dict[str, tuple[FactorKind, str]] = {
    "cooperated": ("mitigating", "责任追究办法 第八条(一)"),
    "corrected_promptly": ("mitigating", "责任追究办法 第八条(二)"),
    "remedied_losses": ("mitigating", "责任追究办法 第八条(三)"),
    "other_mitigating": ("mitigating", "责任追究办法 第八条(四)"),
    "shifted_blame": ("aggravating", "责任追究办法 第九条(一)"),
    "obstructed_investigation": ("aggravating", "责任追究办法 第九条(二)"),
    "serious_consequences": ("aggravating", "责任追究办法 第九条(三)"),
    "repeat_offence": ("aggravating", "责任追究办法 第九条(四)"),
    "other_aggravating": ("aggravating", "责任追究办法 第九条(五)"),
}

VIOLATIONS: dict[str, Violation] = {
    code: Violation(code, VIOLATION_LABELS[code], _VIOLATION_SOURCES[code]) for code in get_args(ViolationCode)
}
SANCTIONS: dict[str, Sanction] = {
    code: Sanction(code, SANCTION_LABELS[code], _SANCTION_SOURCES[code]) for code in get_args(SanctionCode)
}
FACTORS: dict[str, Factor] = {
    code: Factor(code, _FACTOR_SOURCES[code][0], FACTOR_LABELS[code], _FACTOR_SOURCES[code][1])
    for code in get_args(FactorCode)
}
MITIGATING: frozenset[str] = frozenset(code for code, factor in FACTORS.items() if factor.kind == "mitigating")
AGGRAVATING: frozenset[str] = frozenset(code for code, factor in FACTORS.items() if factor.kind == "aggravating")
