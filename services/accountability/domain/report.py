"""The annual report's 责任追究情况 (政府信息公开工作年度报告): counts per violation and sanction for a year.

Counted from the decisions in force: a case counts in the year of its decision, with the sanctions
its decision holds after any appeal; a decision revoked on appeal (seed 004 第二十九条) counts only
under ``revoked``. A sanction counts once per target — each unit and each person it falls on (单位次、
人次) — because that is how the report states them; a violation counts once per case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import get_args

from shared.vocabulary import SanctionCode, ViolationCode

__all__ = ["AnnualCounts", "DecidedCase", "annual_counts"]


@dataclass(frozen=True)
class DecidedCase:
    case_id: str
    decided_on: date
    violations: tuple[ViolationCode, ...]
    unit_sanctions: tuple[SanctionCode, ...]
    person_sanctions: Mapping[str, tuple[SanctionCode, ...]] = field(default_factory=dict)  # person id → sanctions
    revoked: bool = False


@dataclass(frozen=True)
class AnnualCounts:
    year: int
    cases: int  # decisions in force
    revoked: int  # decisions revoked on appeal, not counted elsewhere
    persons: int  # persons with at least one sanction (人)
    by_violation: dict[str, int]  # every violation code, zeros included, in catalogue order
    by_sanction: dict[str, int]  # every sanction code: units and persons it fell on (单位次、人次)


def annual_counts(cases: Iterable[DecidedCase], year: int) -> AnnualCounts:
    by_violation = dict.fromkeys(get_args(ViolationCode), 0)
    by_sanction = dict.fromkeys(get_args(SanctionCode), 0)
    in_force = revoked = 0
    persons: set[str] = set()
    for case in cases:
        if case.decided_on.year != year:
            continue
        if case.revoked:
            revoked += 1
            continue
        in_force += 1
        for violation in set(case.violations):
            by_violation[violation] += 1
        for sanction in set(case.unit_sanctions):
            by_sanction[sanction] += 1
        for person_id, sanctions in case.person_sanctions.items():
            if sanctions:
                persons.add(person_id)
            for sanction in set(sanctions):
                by_sanction[sanction] += 1
    return AnnualCounts(year, in_force, revoked, len(persons), by_violation, by_sanction)
