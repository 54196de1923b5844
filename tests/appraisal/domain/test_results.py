"""Results per unit and method, the weighted total and the rating (社会评议办法 第六条(三)(四), 第八条).

The campaign (factories): methods public 0.4, representative 0.3, third_party 0.2, supervisor 0.1;
rating questions r1 (weight 2) and r2 (weight 1, optional); points 100 / 60 / 0; at least 3
questionnaire responses per unit.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.appraisal.domain.campaigns import Conversion, MethodWeight
from services.appraisal.domain.responses import Response
from services.appraisal.domain.results import RatingCounts, Tallies, compute_results, tally_responses
from tests.appraisal.domain.factories import campaign

S, B, U = "satisfied", "basically_satisfied", "unsatisfied"


def _r(unit: str, method: str, r1: str | None, r2: str | None = None) -> Response:
    ratings = {q: v for q, v in (("r1", r1), ("r2", r2)) if v is not None}
    return Response(unit_code=unit, method=method, ratings=ratings)  # type: ignore[arg-type]


RESPONSES = [
    # U1, public: r1 S S B U → 260/4 = 65; r2 S B U → 160/3; (2·65 + 160/3) / 3 = 550/9 = 61.11
    _r("U1", "public", S, S),
    _r("U1", "public", S, B),
    _r("U1", "public", B, U),
    _r("U1", "public", U),
    # U1, representative: r1 S B → 80; r2 S S → 100; (2·80 + 100) / 3 = 86.67
    _r("U1", "representative", S, S),
    _r("U1", "representative", B, S),
    # U1, supervisor: 60 and 60 → 60
    _r("U1", "supervisor", B, B),
    # U2, public only: r1 U U B → 20; r2 B → 60; (2·20 + 60) / 3 = 33.33
    _r("U2", "public", U, B),
    _r("U2", "public", U),
    _r("U2", "public", B),
    # U3: two responses, under the minimum of three
    _r("U3", "public", S, S),
    _r("U3", "representative", S),
]
THIRD_PARTY = {"U1": Decimal("90.5"), "U2": Decimal("50"), "U3": Decimal("95")}


def test_a_unit_appraised_by_every_method_gets_the_hand_checked_weighted_total() -> None:
    u1 = compute_results(campaign(), tally_responses(RESPONSES), THIRD_PARTY)[0]
    assert u1.unit_code == "U1" and u1.status == "rated" and u1.responses == 7
    by_method = {m.method: m for m in u1.methods}
    assert list(by_method) == ["public", "representative", "third_party", "supervisor"]
    public = by_method["public"]
    assert (public.responses, public.counts) == (4, RatingCounts(3, 2, 2))
    assert public.satisfaction_rate == Decimal("0.7143")  # (3 + 2) / 7
    assert public.score == Decimal("61.11")
    representative = by_method["representative"]
    assert (representative.counts, representative.satisfaction_rate) == (RatingCounts(3, 1, 0), Decimal("1.0000"))
    assert representative.score == Decimal("86.67")
    assert by_method["third_party"].score == Decimal("90.50")
    assert by_method["third_party"].counts is None and by_method["third_party"].satisfaction_rate is None
    assert by_method["supervisor"].score == Decimal("60.00")
    # 0.4 · 550/9 + 0.3 · 260/3 + 0.2 · 90.5 + 0.1 · 60 = 24.444… + 26 + 18.1 + 6 = 74.544…
    assert u1.score == Decimal("74.54")
    assert u1.rating == "basically_satisfied"
    assert u1.effective_weights == {
        "public": Decimal("0.4000"),
        "representative": Decimal("0.3000"),
        "third_party": Decimal("0.2000"),
        "supervisor": Decimal("0.1000"),
    }


def test_methods_without_data_for_a_unit_leave_the_others_weights_rescaled() -> None:
    u2 = compute_results(campaign(), tally_responses(RESPONSES), THIRD_PARTY)[1]
    assert [m.method for m in u2.methods] == ["public", "third_party"]
    assert u2.methods[0].score == Decimal("33.33")
    # public 0.4 and third_party 0.2 of 0.6 present: 2/3 · 100/3 + 1/3 · 50 = 350/9 = 38.89
    assert u2.effective_weights == {"public": Decimal("0.6667"), "third_party": Decimal("0.3333")}
    assert (u2.score, u2.rating) == (Decimal("38.89"), "unsatisfied")


def test_a_unit_below_the_minimum_of_responses_is_insufficient_not_rated() -> None:
    u3 = compute_results(campaign(), tally_responses(RESPONSES), THIRD_PARTY)[2]
    assert (u3.status, u3.responses, u3.score, u3.rating) == ("insufficient", 2, None, None)
    assert u3.effective_weights == {}
    # Its figures are still shown: what there was, per method.
    assert [m.method for m in u3.methods] == ["public", "representative", "third_party"]


def test_a_unit_with_no_data_at_all_is_insufficient_even_without_a_minimum() -> None:
    u4 = compute_results(campaign(min_responses=0), tally_responses(RESPONSES), THIRD_PARTY)[3]
    assert (u4.status, u4.responses, u4.methods) == ("insufficient", 0, ())


def test_the_minimum_is_reached_at_exactly_the_minimum() -> None:
    u3 = compute_results(campaign(min_responses=2), tally_responses(RESPONSES), THIRD_PARTY)[2]
    assert u3.status == "rated"


def test_a_third_party_only_campaign_rates_on_the_imported_scores() -> None:
    only = campaign(methods=(MethodWeight("third_party", Decimal(1)),), min_responses=0)
    results = compute_results(only, Tallies(), {"U1": Decimal("80"), "U2": Decimal("79.99")})
    assert [(r.score, r.rating) for r in results[:2]] == [
        (Decimal("80.00"), "satisfied"),
        (Decimal("79.99"), "basically_satisfied"),
    ]
    assert results[2].status == "insufficient"


def test_the_rating_is_read_from_the_rounded_score() -> None:
    # public 80 (one 满意, one 基本满意) and third party 79.99, half each: 79.995 → 80.00 → 满意.
    halves = (MethodWeight("public", Decimal("0.5")), MethodWeight("third_party", Decimal("0.5")))
    tallies = tally_responses([_r("U1", "public", S), _r("U1", "public", B)])
    result = compute_results(campaign(methods=halves, min_responses=2), tallies, {"U1": Decimal("79.99")})[0]
    assert (result.score, result.rating) == (Decimal("80.00"), "satisfied")


def test_a_campaign_conversion_changes_the_points_of_each_rating() -> None:
    only_public = (MethodWeight("public", Decimal(1)),)
    own = campaign(methods=only_public, min_responses=1, conversion=Conversion(Decimal(100), Decimal(80), Decimal(20)))
    result = compute_results(own, tally_responses([_r("U1", "public", B, U)]), {})[0]
    assert result.score == Decimal("60.00")  # (2·80 + 20) / 3


def test_tallies_from_aggregated_rows_give_the_same_results_as_from_responses() -> None:
    rows = [
        ("U1", "public", "r1", S, 2),
        ("U1", "public", "r1", B, 1),
        ("U1", "public", "r1", U, 1),
        ("U1", "public", "r2", S, 1),
        ("U1", "public", "r2", B, 1),
        ("U1", "public", "r2", U, 1),
        ("U1", "representative", "r1", S, 1),
        ("U1", "representative", "r1", B, 1),
        ("U1", "representative", "r2", S, 2),
        ("U1", "supervisor", "r1", B, 1),
        ("U1", "supervisor", "r2", B, 1),
    ]
    counts = [("U1", "public", 4), ("U1", "representative", 2), ("U1", "supervisor", 1)]
    from_rows = compute_results(campaign(), Tallies.from_rows(rows, counts), THIRD_PARTY)[0]
    from_responses = compute_results(campaign(), tally_responses(RESPONSES), THIRD_PARTY)[0]
    assert from_rows == from_responses


def test_answers_to_a_question_no_longer_in_the_questionnaire_are_ignored() -> None:
    stray = Tallies.from_rows([("U1", "public", "gone", U, 9), ("U1", "public", "r1", S, 3)], [("U1", "public", 3)])
    result = compute_results(campaign(), stray, {})[0]
    assert result.score == Decimal("100.00") and result.methods[0].counts == RatingCounts(3, 0, 0)


_counts = st.builds(RatingCounts, st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
_methods = ("public", "representative", "third_party", "supervisor")


@st.composite
def _weights(draw: st.DrawFn) -> tuple[MethodWeight, ...]:
    chosen = draw(st.lists(st.sampled_from(_methods), min_size=1, max_size=4, unique=True))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=len(chosen) - 1, max_size=len(chosen) - 1, unique=True)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    return tuple(MethodWeight(m, Decimal(p) / 100) for m, p in zip(chosen, parts, strict=True))  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    weights=_weights(),
    counts=st.dictionaries(st.tuples(st.sampled_from(_methods), st.sampled_from(["r1", "r2"])), _counts),
    third_party=st.none() | st.decimals(0, 100, places=2),
    points=st.lists(st.integers(0, 100), min_size=3, max_size=3, unique=True).map(lambda p: sorted(p, reverse=True)),
)
def test_a_weighted_total_stays_within_0_and_100_and_between_its_method_scores(
    weights: tuple[MethodWeight, ...],
    counts: dict[tuple[str, str], RatingCounts],
    third_party: Decimal | None,
    points: list[int],
) -> None:
    definition = campaign(
        target_units=("U1",),
        methods=weights,
        min_responses=0,
        conversion=Conversion(*(Decimal(p) for p in points)),
    )
    tallies = Tallies(
        ratings={("U1", m, q): c for (m, q), c in counts.items()},
        responses={("U1", m): 1 for (m, _q), c in counts.items() if c.total},
    )
    result = compute_results(definition, tallies, {} if third_party is None else {"U1": third_party})[0]
    for method in result.methods:
        assert Decimal(0) <= method.score <= Decimal(100)
        if method.satisfaction_rate is not None:
            assert Decimal(0) <= method.satisfaction_rate <= Decimal(1)
    if result.status == "rated":
        assert result.score is not None
        assert Decimal(0) <= result.score <= Decimal(100)
        scores = [m.score for m in result.methods]
        assert min(scores) - Decimal("0.01") <= result.score <= max(scores) + Decimal("0.01")
        assert abs(sum(result.effective_weights.values(), Decimal(0)) - 1) <= Decimal("0.0004")
    else:
        assert result.methods == ()
