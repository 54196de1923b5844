"""Sanction ladders as data (DESIGN §8): 责任追究办法 第七条 and seed 004 第二十七条(四), with factors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.accountability.domain.catalogue import AGGRAVATING, FACTORS, MITIGATING
from services.accountability.domain.ladders import (
    DEFAULT_LADDER,
    FINANCE_BUREAU,
    HANDAN,
    LADDERS,
    AppliedFactor,
    Ladder,
    check_departure,
    ladder_named,
    person_sanctions,
    recommend,
)
from shared.domain import InvalidInput

NONE: tuple[str, ...] = ()
MITIGATED = ("cooperated",)
AGGRAVATED = ("shifted_blame",)
BOTH = ("corrected_promptly", "serious_consequences")

RUNGS_HANDAN = {
    1: (("rectification_order",), ()),
    2: (("public_criticism",), ("interview",)),
    3: ((), ("disciplinary_recommendation",)),
}
RUNGS_FINANCE = {
    1: ((), ("admonition", "rectification_order")),
    2: (("admonition",), ("public_criticism", "award_disqualification")),
    3: (
        ("public_criticism", "rectification_order", "award_disqualification"),
        ("award_disqualification", "disciplinary_recommendation"),
    ),
    4: ((), ("judicial_referral",)),
}


@pytest.mark.parametrize(
    ("severity", "factors", "step"),
    [
        ("minor", NONE, 1),
        ("minor", MITIGATED, 1),  # already the lightest
        ("minor", AGGRAVATED, 2),
        ("minor", BOTH, 1),
        ("serious", NONE, 2),
        ("serious", MITIGATED, 1),
        ("serious", AGGRAVATED, 3),
        ("serious", BOTH, 2),
        ("grave", NONE, 3),
        ("grave", MITIGATED, 2),
        ("grave", AGGRAVATED, 3),  # already the heaviest
        ("grave", BOTH, 3),
    ],
)
def test_handan_ladder_gives_the_rung_of_article_7_moved_one_step_by_the_factors(
    severity: str, factors: tuple[str, ...], step: int
) -> None:
    found = recommend(HANDAN, severity, factors)  # type: ignore[arg-type]
    assert found.step == step
    assert (found.unit_sanctions, found.person_sanctions) == RUNGS_HANDAN[step]
    assert found.ladder == "handan"


@pytest.mark.parametrize(
    ("severity", "factors", "step"),
    [
        ("minor", NONE, 1),
        ("minor", MITIGATED, 1),
        ("minor", AGGRAVATED, 2),
        ("minor", BOTH, 1),
        ("serious", NONE, 2),
        ("serious", MITIGATED, 1),
        ("serious", AGGRAVATED, 3),
        ("serious", BOTH, 2),
        ("grave", NONE, 3),
        ("grave", MITIGATED, 2),
        ("grave", AGGRAVATED, 3),  # weighing never reaches 移送司法机关
        ("grave", BOTH, 3),
        ("criminal", NONE, 4),
        ("criminal", MITIGATED, 4),  # a crime is referred whatever mitigates it
        ("criminal", AGGRAVATED, 4),
        ("criminal", BOTH, 4),
    ],
)
def test_finance_bureau_ladder_gives_the_rung_of_article_27_moved_one_step_by_the_factors(
    severity: str, factors: tuple[str, ...], step: int
) -> None:
    found = recommend(FINANCE_BUREAU, severity, factors)  # type: ignore[arg-type]
    assert found.step == step
    assert (found.unit_sanctions, found.person_sanctions) == RUNGS_FINANCE[step]


def test_article_7_ladder_has_no_rung_for_a_crime() -> None:
    with pytest.raises(InvalidInput) as raised:
        recommend(HANDAN, "criminal")
    assert raised.value.code == "severity_not_on_ladder"
    assert raised.value.extensions["severities"] == ["minor", "serious", "grave"]


def test_the_reasons_name_the_rung_each_factor_with_its_article_and_the_move() -> None:
    found = recommend(HANDAN, "serious", ["cooperated"])
    assert found.base_step == 2 and found.step == 1
    assert found.reasons[0].startswith("情节较重：第2档（责任追究办法 第七条")
    assert "从轻：积极配合调查处理（责任追究办法 第八条(一)）" in found.reasons
    assert found.reasons[-1] == "降一档至第1档"


def test_a_clamped_move_says_so() -> None:
    assert recommend(HANDAN, "grave", ["shifted_blame"]).reasons[-1] == "已是可依情节适用的最重一档，不再升高"
    assert recommend(HANDAN, "minor", ["cooperated"]).reasons[-1] == "已是最轻一档，不再降低"
    assert "相互抵消" in recommend(HANDAN, "serious", BOTH).reasons[-1]  # type: ignore[arg-type]


def test_several_aggravating_factors_still_raise_by_one_step_and_count_once() -> None:
    found = recommend(FINANCE_BUREAU, "minor", ["shifted_blame", "obstructed_investigation", "shifted_blame"])
    assert found.step == 2
    assert [f.code for f in found.factors] == ["shifted_blame", "obstructed_investigation"]


def test_an_automatic_factor_is_shown_as_such() -> None:
    factor = AppliedFactor("repeat_offence", automatic=True, note="本单位案件 C-1 于 2026-03-01 作出决定")
    found = recommend(HANDAN, "minor", [factor])
    assert found.step == 2
    assert any("第九条(四)）" in r and "系统自动认定" in r and "C-1" in r for r in found.reasons)


def test_an_unknown_factor_or_severity_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as raised:
        recommend(HANDAN, "minor", ["bribed"])  # type: ignore[list-item]
    assert raised.value.code == "factor_invalid"
    with pytest.raises(InvalidInput) as raised:
        recommend(HANDAN, "awful")  # type: ignore[arg-type]
    assert raised.value.code == "severity_invalid"


def test_a_deployment_picks_a_shipped_ladder_by_name() -> None:
    assert ladder_named("finance_bureau") is FINANCE_BUREAU
    assert ladder_named(DEFAULT_LADDER) is HANDAN
    with pytest.raises(InvalidInput) as raised:
        ladder_named("shanghai")
    assert raised.value.code == "ladder_unknown"


def test_secondary_responsibility_gets_the_person_sanctions_of_the_rung_below() -> None:
    grave = recommend(FINANCE_BUREAU, "grave")
    assert person_sanctions(FINANCE_BUREAU, grave, "primary") == RUNGS_FINANCE[3][1]
    assert person_sanctions(FINANCE_BUREAU, grave, "secondary") == RUNGS_FINANCE[2][1]
    minor = recommend(FINANCE_BUREAU, "minor")
    assert person_sanctions(FINANCE_BUREAU, minor, "secondary") == RUNGS_FINANCE[1][1]
    criminal = recommend(FINANCE_BUREAU, "criminal")
    assert person_sanctions(FINANCE_BUREAU, criminal, "secondary") == ("judicial_referral",)


def test_departing_from_a_recommendation_needs_a_written_reason() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_departure(["public_criticism"], ["public_criticism", "judicial_referral"], "  ")
    assert raised.value.code == "departure_reason_required"
    assert "移送司法机关" in (raised.value.detail or "")


def test_a_departure_keeps_what_changed_and_the_reason() -> None:
    departure = check_departure(["public_criticism", "interview"], ["interview", "judicial_referral"], "涉嫌犯罪")
    assert departure is not None
    assert departure.added == ("judicial_referral",)
    assert departure.removed == ("public_criticism",)
    assert departure.reason == "涉嫌犯罪"


def test_following_the_recommendation_needs_no_reason() -> None:
    assert check_departure(["interview", "public_criticism"], ["public_criticism", "interview"], None) is None


def test_an_unknown_sanction_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_departure([], ["flogging"], "x")  # type: ignore[list-item]
    assert raised.value.code == "sanction_invalid"


@given(
    ladder=st.sampled_from(list(LADDERS.values())),
    data=st.data(),
    factors=st.lists(st.sampled_from(sorted(FACTORS)), max_size=5),
)
def test_factors_move_a_recommendation_at_most_one_rung_and_never_into_or_out_of_referral(
    ladder: Ladder, data: st.DataObject, factors: list[str]
) -> None:
    severity = data.draw(st.sampled_from(ladder.severities))
    found = recommend(ladder, severity, factors)  # type: ignore[arg-type]
    assert 1 <= found.step <= len(ladder.rungs)
    assert abs(found.step - found.base_step) <= 1
    fixed = [i + 1 for i, rung in enumerate(ladder.rungs) if rung.by_fact_only]
    assert (found.step in fixed) == (found.base_step in fixed)
    if not set(factors) & MITIGATING:
        assert found.step >= found.base_step
    if not set(factors) & AGGRAVATING:
        assert found.step <= found.base_step
