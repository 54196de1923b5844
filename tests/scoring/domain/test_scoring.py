"""Scoring seed 003's A table: rules, grade bands, vetoes, ranks, shortfalls, self-check gaps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.scoring.domain.scheme import Scheme
from services.scoring.domain.scheme_format import load_scheme_text
from services.scoring.domain.scoring import (
    Entry,
    appraisal_points,
    assessment_gaps,
    competition_ranks,
    grade_for,
    score_category,
    score_sheet,
    validate_entry,
)
from shared.domain import InvalidInput
from tests.scoring.domain.examples import EXAMPLE

# Hypothesis runs many examples in one test call: load the example once (fixtures are per call).
_EXAMPLE_SCHEME = load_scheme_text(EXAMPLE.read_text(encoding="utf-8"))

OVERDUE = "A3.2.1"  # 依申请公开的及时规范答复情况: 6 points, 一次扣2分
OPEN_DAY = "A4.1.2"  # 参加政府开放日和政务直播间情况: 5 for the principal, 3 for others, 5 at most


def _leaf_points(scheme: Scheme, entries: list[Entry], code: str) -> Decimal:
    a = scheme.category("A")
    sheet = score_sheet(scheme, a, "A01", entries)
    return next(s for top in sheet.indicators for s in top.walk() if s.code == code).points


def _overdue(n: int) -> list[Entry]:
    return [Entry(OVERDUE, "system", occurrences=1) for _ in range(n)]


def _lose(points: int) -> list[Entry]:
    """Entries costing exactly ``points`` on 指南、年报… (10 points, 扣1分 a finding)."""
    return [Entry("A2.1.2", "assessor", occurrences=points)] if points else []


def _full() -> list[Entry]:
    """With the ranked leaf placed first, a sheet at 100: the open-day bonus earned, nothing found."""
    return [Entry(OPEN_DAY, "assessor", occurrences=1, participant="principal")]


def test_three_overdue_applications_take_the_six_point_indicator_to_zero(district_2023: Scheme) -> None:
    assert _leaf_points(district_2023, _overdue(1), OVERDUE) == 4
    assert _leaf_points(district_2023, _overdue(3), OVERDUE) == 0


def test_a_fourth_overdue_application_changes_nothing(district_2023: Scheme) -> None:
    a = district_2023.category("A")
    three = score_sheet(district_2023, a, "A01", _overdue(3))
    four = score_sheet(district_2023, a, "A01", _overdue(4))
    assert four.total == three.total and four.indicators == three.indicators


def test_a_voided_system_entry_counts_for_nothing(district_2023: Scheme) -> None:
    entries = [*_overdue(2), Entry(OVERDUE, "system", occurrences=1, voided=True)]
    assert _leaf_points(district_2023, entries, OVERDUE) == 2


def test_the_open_day_bonus_caps_at_five(district_2023: Scheme) -> None:
    other = Entry(OPEN_DAY, "assessor", occurrences=1, participant="other")
    principal = Entry(OPEN_DAY, "assessor", occurrences=1, participant="principal")
    assert _leaf_points(district_2023, [], OPEN_DAY) == 0
    assert _leaf_points(district_2023, [other], OPEN_DAY) == 3
    assert _leaf_points(district_2023, [other, other], OPEN_DAY) == 5
    assert _leaf_points(district_2023, [principal, other], OPEN_DAY) == 5


def test_all_or_nothing_loses_everything_on_one_failure(district_2023: Scheme) -> None:
    assert _leaf_points(district_2023, [], "A1.1.1") == 4
    assert _leaf_points(district_2023, [Entry("A1.1.1", "assessor", occurrences=1)], "A1.1.1") == 0


def test_half_point_deductions_are_exact(district_2023: Scheme) -> None:
    assert _leaf_points(district_2023, [Entry("A2.1.3", "assessor", occurrences=3)], "A2.1.3") == Decimal("10.5")


def test_an_assessor_figure_replaces_the_rule(district_2023: Scheme) -> None:
    entries = [Entry("A2.1.2", "assessor", occurrences=2), Entry("A2.1.2", "assessor", points=Decimal("7.5"))]
    assert _leaf_points(district_2023, entries, "A2.1.2") == Decimal("7.5")


def test_a_veto_makes_the_grade_fail_at_98_points(district_2023: Scheme) -> None:
    scheme, a = district_2023, district_2023.category("A")
    entries = [*_full(), *_lose(2)]
    ranked = {"A5.3.1": Decimal(5)}
    clean = score_sheet(scheme, a, "A01", entries, ranked=ranked)
    vetoed = score_sheet(scheme, a, "A01", entries, vetoes={"fraud_in_assessment"}, ranked=ranked)
    assert clean.total == vetoed.total == 98
    assert clean.grade == "excellent"
    assert vetoed.grade == "fail" and vetoed.vetoes == ("fraud_in_assessment",)


def test_an_unknown_veto_is_refused(district_2023: Scheme) -> None:
    with pytest.raises(InvalidInput) as caught:
        score_sheet(district_2023, district_2023.category("A"), "A01", [], vetoes={"bad_mood"})
    assert caught.value.code == "veto_unknown"


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "excellent"),
        ("95", "excellent"),
        ("94.99", "good"),
        ("85", "good"),
        ("84.5", "pass"),
        ("75", "pass"),
        ("74.99", "fail"),
        ("0", "fail"),
    ],
)
def test_the_95_85_75_band_edges(district_2023: Scheme, score: str, grade: str) -> None:
    assert grade_for(district_2023, Decimal(score)) == grade


def test_ranks_with_ties_share_a_rank() -> None:
    totals = {"A01": Decimal(98), "A02": Decimal(97), "A03": Decimal(97), "A04": Decimal(90)}
    assert competition_ranks(totals) == {"A01": 1, "A02": 2, "A03": 2, "A04": 4}
    assert competition_ranks({"x": Decimal(1), "y": Decimal(1)}, higher_is_better=False) == {"x": 1, "y": 1}


def test_a_category_is_ranked_on_totals_with_ties_and_the_ranked_leaf_by_its_measure(district_2023: Scheme) -> None:
    scheme, a = district_2023, district_2023.category("A")
    problems = {unit: Decimal(i // 2) for i, unit in enumerate(a.units)}  # 0,0,1,1,2,2,… problems found
    entries = {unit: [Entry("A5.3.1", "assessor", measure=problems[unit])] for unit in a.units}
    entries["A01"].append(Entry("A2.1.2", "assessor", occurrences=1))
    sheets = {s.unit_code: s for s in score_category(scheme, a, entries)}
    # Nobody earned the open-day bonus: 95 − 5 (ranked) + the ranked leaf's points.
    # 排名赋分 (可并列): A01 and A02 share the first place of the monthly checks → 5 points each,
    # A03 and A04 share the third → 4.5, A05 and A06 the fifth → 4; A01 lost 1 point elsewhere.
    assert sheets["A01"].total == 94 and sheets["A02"].total == 95
    assert sheets["A03"].total == sheets["A04"].total == Decimal("94.5")
    assert sheets["A02"].rank == 1
    assert sheets["A03"].rank == sheets["A04"].rank == 2
    assert sheets["A01"].rank == sheets["A05"].rank == sheets["A06"].rank == 4 and sheets["A01"].total == 94
    assert sheets["A07"].rank == 7
    assert [s.unit_code for s in score_category(scheme, a, entries)][0] == "A02"


def test_a_shortfall_is_found_under_sixty_percent_of_a_first_level_indicator(district_2023: Scheme) -> None:
    scheme, a = district_2023, district_2023.category("A")
    # 依申请公开 (12 points): 3 overdue → 6; one finding on 复议诉讼 → 5 < 7.2.
    entries = [*_overdue(3), Entry("A3.3.1", "system", occurrences=1)]
    first = {"A5.3.1": Decimal(5)}  # the ranked leaf placed first, so 通报检查 is no shortfall
    sheet = score_sheet(scheme, a, "A01", entries, ranked=first)
    assert [(s.code, s.points, s.threshold) for s in sheet.shortfalls] == [("A3", Decimal(5), Decimal("7.20"))]
    assert not score_sheet(scheme, a, "A01", _overdue(2), ranked=first).shortfalls  # 8 ≥ 7.2


def test_the_self_check_is_kept_apart_and_its_gap_shown(district_2023: Scheme) -> None:
    scheme, a = district_2023, district_2023.category("A")
    entries = [
        Entry(OPEN_DAY, "self", occurrences=1, participant="principal"),
        Entry(OPEN_DAY, "assessor", occurrences=1, participant="other"),
        *_overdue(1),
    ]
    sheet = score_sheet(scheme, a, "A01", entries)
    assert next(s for t in sheet.indicators for s in t.walk() if s.code == OPEN_DAY).points == 3
    gaps = {g.code: g.difference for g in assessment_gaps(a, entries)}
    assert gaps[OPEN_DAY] == 2 and gaps[OVERDUE] == 2 and gaps["A4"] == 2 and gaps["A3"] == 2
    assert gaps["A1"] == 0


def test_a_partial_category_is_graded_pro_rata_on_what_is_transcribed(district_2023: Scheme) -> None:
    b = district_2023.category("B")
    entries = [
        Entry("B4.1.2", "assessor", occurrences=1, participant="principal"),
        Entry("B2.1.6", "assessor", ratio=Decimal(1)),
    ]
    sheet = score_sheet(district_2023, b, "B01", entries)
    assert sheet.total == sheet.attainable == 87
    assert sheet.graded_on == 100 and sheet.grade == "excellent"


def test_an_appraisal_score_converts_to_the_indicators_points(district_2023: Scheme) -> None:
    leaf = district_2023.category("B").indicator("B2.1.6")  # an 8-point proportional leaf
    assert appraisal_points(leaf, Decimal(100)) == 8
    assert appraisal_points(leaf, Decimal("87.5")) == 7
    with pytest.raises(InvalidInput):
        appraisal_points(leaf, Decimal(101))


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (Entry("A9", "assessor", occurrences=1), "indicator_unknown"),
        (Entry("A3", "assessor", occurrences=1), "indicator_not_leaf"),
        (Entry(OVERDUE, "assessor", ratio=Decimal("0.5")), "entry_value_invalid"),
        (Entry(OVERDUE, "assessor", occurrences=0), "entry_value_invalid"),
        (Entry(OVERDUE, "assessor", points=Decimal(7)), "entry_value_invalid"),
        (Entry(OPEN_DAY, "assessor", occurrences=1, participant="mayor"), "entry_participant_invalid"),
        (Entry("A2.1.3", "assessor", occurrences=1, method="evidence"), "entry_method_invalid"),
    ],
)
def test_malformed_entries_are_invalid_input(district_2023: Scheme, entry: Entry, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_entry(district_2023.category("A"), entry)
    assert caught.value.code == code


_findings = st.lists(
    st.builds(
        Entry,
        indicator=st.sampled_from(["A1.1.1", "A1.2.1", "A2.1.3", OVERDUE, OPEN_DAY, "A4.2.2"]),
        source=st.sampled_from(["assessor", "system"]),
        occurrences=st.integers(min_value=1, max_value=20),
        participant=st.sampled_from(["principal", "other"]),
    ),
    max_size=30,
)


@given(entries=_findings)
def test_no_indicator_ever_leaves_zero_to_its_maximum(entries: list[Entry]) -> None:
    scheme = _EXAMPLE_SCHEME
    sheet = score_sheet(scheme, scheme.category("A"), "A01", entries)
    for top in sheet.indicators:
        for node in top.walk():
            assert 0 <= node.points <= node.max_points
    assert 0 <= sheet.total <= 100


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 5).map(Decimal), min_size=1))
def test_ranks_share_places_and_leave_gaps_after_ties(totals: dict[str, Decimal]) -> None:
    ranks = competition_ranks(totals)
    for unit, rank in ranks.items():
        assert rank == 1 + sum(1 for v in totals.values() if v > totals[unit])
