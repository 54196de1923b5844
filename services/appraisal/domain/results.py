"""A campaign's results (汇总评议结果, 确定评议等次 — 社会评议办法 第六条(三)(四)) from the tallies.

The rule, by hand (and what ``compute_results`` does, exactly, in fractions):

1. Per unit, method and rating question: the mean points of its answers (第八条 换算成相应分值).
2. Per unit and method: the question-weighted mean of step 1 over the rating questions that have
   answers; counts per rating (answers, over all rating questions); satisfaction rate
   (满意率) = (满意 + 基本满意) / all answers — the usual 综合满意率. A third-party method's
   score is the imported score (第七条(三)), without counts.
3. Per unit: the method-weighted mean of step 2 over the methods that have data for the unit.
   A method with no data for a unit (no responses, no imported score) is left out and the others'
   weights are rescaled to add up to 1 (``effective_weights``): a missing third-party report or an
   empty panel neither gives the unit zero for that share nor lets the share vanish silently — the
   result shows the weights actually used.
4. A unit with fewer questionnaire responses (all methods but third_party) than the campaign's
   minimum, or with no data at all, is ``insufficient``: no score, no rating, but its counts shown.
5. Scores are rounded half up to two decimals once, at the end of each step shown; the rating is
   read from the rounded total (``RatingBands``). Satisfaction rates are rounded to four decimals.

Tallies are what the service aggregates (GROUP BY unit, method, question, rating); ``tally_responses``
builds the same from ``Response`` objects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from services.appraisal.domain.campaigns import CampaignDefinition
from services.appraisal.domain.responses import Response
from shared.vocabulary import AppraisalMethod, AppraisalResultStatus, SatisfactionRating

__all__ = [
    "MethodResult",
    "RatingCounts",
    "Tallies",
    "UnitResult",
    "compute_results",
    "round_half_up",
    "tally_responses",
]


@dataclass(frozen=True)
class RatingCounts:
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied

    def of(self, rating: SatisfactionRating) -> int:
        return int(getattr(self, rating))

    def __add__(self, other: RatingCounts) -> RatingCounts:
        return RatingCounts(
            self.satisfied + other.satisfied,
            self.basically_satisfied + other.basically_satisfied,
            self.unsatisfied + other.unsatisfied,
        )


_RATINGS: tuple[SatisfactionRating, ...] = ("satisfied", "basically_satisfied", "unsatisfied")


@dataclass(frozen=True)
class Tallies:
    """Counts of rating answers by (unit, method, question) and of responses by (unit, method)."""

    ratings: Mapping[tuple[str, str, str], RatingCounts] = field(default_factory=dict)
    responses: Mapping[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls, rating_rows: Iterable[tuple[str, str, str, str, int]], response_rows: Iterable[tuple[str, str, int]]
    ) -> Tallies:
        """From ``(unit, method, question, rating, count)`` and ``(unit, method, responses)`` rows."""
        counts: dict[tuple[str, str, str], Counter[str]] = {}
        for unit, method, question, rating, count in rating_rows:
            counts.setdefault((unit, method, question), Counter())[rating] += count
        responses: Counter[tuple[str, str]] = Counter()
        for unit, method, count in response_rows:
            responses[(unit, method)] += count
        return cls(
            ratings={key: RatingCounts(*(c[r] for r in _RATINGS)) for key, c in counts.items()},
            responses=dict(responses),
        )


def tally_responses(responses: Iterable[Response]) -> Tallies:
    rating_rows: Counter[tuple[str, str, str, str]] = Counter()
    response_rows: Counter[tuple[str, str]] = Counter()
    for response in responses:
        response_rows[(response.unit_code, response.method)] += 1
        for question, rating in response.ratings.items():
            rating_rows[(response.unit_code, response.method, question, rating)] += 1
    return Tallies.from_rows(
        ((*key, n) for key, n in rating_rows.items()), ((*key, n) for key, n in response_rows.items())
    )


@dataclass(frozen=True)
class MethodResult:
    method: AppraisalMethod
    responses: int  # 0 for third_party
    counts: RatingCounts | None  # None for third_party
    satisfaction_rate: Decimal | None  # 0–1, 4 decimals; None for third_party
    score: Decimal  # 0–100, 2 decimals


@dataclass(frozen=True)
class UnitResult:
    unit_code: str
    status: AppraisalResultStatus
    responses: int  # questionnaire responses, all methods
    methods: tuple[MethodResult, ...]  # the methods with data, in the campaign's order
    effective_weights: Mapping[AppraisalMethod, Decimal]  # rescaled over ``methods``; empty if insufficient
    score: Decimal | None  # weighted total, 2 decimals; None if insufficient
    rating: SatisfactionRating | None


def round_half_up(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def compute_results(
    campaign: CampaignDefinition, tallies: Tallies, third_party_scores: Mapping[str, Decimal]
) -> tuple[UnitResult, ...]:
    """One result per target unit, in the campaign's order; ``third_party_scores`` by unit code (0–100)."""
    return tuple(_unit_result(campaign, unit, tallies, third_party_scores.get(unit)) for unit in campaign.target_units)


def _unit_result(campaign: CampaignDefinition, unit: str, tallies: Tallies, third_party: Decimal | None) -> UnitResult:
    methods: list[MethodResult] = []
    exact: dict[AppraisalMethod, Fraction] = {}
    for method_weight in campaign.methods:
        method = method_weight.method
        if method == "third_party":
            if third_party is None:
                continue
            exact[method] = Fraction(third_party)
            methods.append(MethodResult(method, 0, None, None, round_half_up(exact[method], 2)))
            continue
        responses = tallies.responses.get((unit, method), 0)
        scored = _questionnaire_score(campaign, tallies, unit, method)
        if responses == 0 or scored is None:
            continue
        counts, exact[method] = scored
        rate = Fraction(counts.satisfied + counts.basically_satisfied, counts.total)
        methods.append(MethodResult(method, responses, counts, round_half_up(rate, 4), round_half_up(exact[method], 2)))
    responses_total = sum(m.responses for m in methods)
    if not exact or responses_total < campaign.min_responses:
        return UnitResult(unit, "insufficient", responses_total, tuple(methods), {}, None, None)
    weights = {m.method: Fraction(m.weight) for m in campaign.methods if m.method in exact}
    present = sum(weights.values(), Fraction(0))
    total = sum((weights[m] * s for m, s in exact.items()), Fraction(0)) / present
    score = round_half_up(total, 2)
    return UnitResult(
        unit_code=unit,
        status="rated",
        responses=responses_total,
        methods=tuple(methods),
        effective_weights={m: round_half_up(w / present, 4) for m, w in weights.items()},
        score=score,
        rating=campaign.bands.rating(score),
    )


def _questionnaire_score(
    campaign: CampaignDefinition, tallies: Tallies, unit: str, method: AppraisalMethod
) -> tuple[RatingCounts, Fraction] | None:
    """Counts over the rating questions and the question-weighted score, or None without answers."""
    all_counts = RatingCounts()
    weighted = Fraction(0)
    weight_present = Fraction(0)
    for question in campaign.questionnaire.rating_questions:
        counts = tallies.ratings.get((unit, method, question.code))
        if counts is None or counts.total == 0:
            continue
        points = sum((counts.of(r) * Fraction(campaign.conversion.points(r)) for r in _RATINGS), Fraction(0))
        weighted += Fraction(question.weight) * points / counts.total
        weight_present += Fraction(question.weight)
        all_counts += counts
    if weight_present == 0:
        return None
    return all_counts, weighted / weight_present
