"""Counts per violation and sanction for the annual report's 责任追究情况."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from services.accountability.domain.report import DecidedCase, annual_counts
from shared.vocabulary import SANCTION_LABELS, VIOLATION_LABELS


def test_counts_cases_per_violation_and_sanctions_per_unit_and_person() -> None:
    cases = [
        DecidedCase(
            "C-1",
            date(2026, 3, 1),
            ("application_mishandled",),
            ("public_criticism",),
            {"p-1": ("interview",), "p-2": ("interview",)},
        ),
        DecidedCase(
            "C-2", date(2026, 7, 1), ("application_mishandled", "complaint_mishandled"), ("rectification_order",)
        ),
        DecidedCase("C-3", date(2026, 8, 1), ("appraisal_failed",), ("public_criticism",), revoked=True),
        DecidedCase("C-4", date(2025, 12, 31), ("appraisal_failed",), ("public_criticism",)),
    ]
    counts = annual_counts(cases, 2026)
    assert (counts.cases, counts.revoked, counts.persons) == (2, 1, 2)
    assert counts.by_violation["application_mishandled"] == 2
    assert counts.by_violation["complaint_mishandled"] == 1
    assert counts.by_violation["appraisal_failed"] == 0
    assert counts.by_sanction["interview"] == 2
    assert counts.by_sanction["public_criticism"] == 1
    assert counts.by_sanction["rectification_order"] == 1
    assert list(counts.by_violation) == list(VIOLATION_LABELS)
    assert list(counts.by_sanction) == list(SANCTION_LABELS)


violations = st.lists(st.sampled_from(sorted(VIOLATION_LABELS)), min_size=1, max_size=3).map(tuple)
sanctions = st.lists(st.sampled_from(sorted(SANCTION_LABELS)), max_size=3).map(tuple)
decided = st.builds(
    DecidedCase,
    case_id=st.text(min_size=1, max_size=4),
    decided_on=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    violations=violations,
    unit_sanctions=sanctions,
    person_sanctions=st.dictionaries(st.sampled_from(["p-1", "p-2", "p-3"]), sanctions, max_size=3),
    revoked=st.booleans(),
)


@given(st.lists(decided, max_size=20))
def test_a_case_counts_once_per_violation_and_a_sanction_at_most_once_per_target(cases: list[DecidedCase]) -> None:
    counts = annual_counts(cases, 2026)
    of_year = [c for c in cases if c.decided_on.year == 2026]
    assert counts.cases + counts.revoked == len(of_year)
    assert all(0 <= n <= counts.cases for n in counts.by_violation.values())
    assert sum(counts.by_violation.values()) >= counts.cases
    assert all(n <= counts.cases * 4 for n in counts.by_sanction.values())  # the unit and three persons
