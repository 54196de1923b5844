"""What publishing a campaign announces (社会评议办法 第六条(五), 第八条, 第九条).

- ``appraisal.result_published`` for every *rated* unit (DESIGN §3: ``campaign_id, year,
  unit_code, score, rating``); scoring fills its ``public_appraisal`` indicator from it
  (第八条: 评议结果作为被评议单位政务公开工作考核的重要内容). An ``insufficient`` unit has no score
  to send, so it gets no event: scoring keeps its indicator for manual entry.
- ``appraisal.unit_unsatisfied`` for every rated unit whose rating is 不满意, with its problems as
  the office edited them (``campaign_id, year, unit_code, score, problems[]``); accountability
  orders rectification within 20 working days of the notice (第九条) — the deadline is its rule.

The data are plain dataclasses; the service turns them into ``shared.events`` models (score as
float there) and emits them once, at the transition to ``published``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.appraisal.domain.results import UnitResult
from shared.vocabulary import SatisfactionRating

__all__ = ["PublicationEvents", "ResultPublished", "UnitUnsatisfied", "publication_events", "unsatisfied_units"]


@dataclass(frozen=True)
class ResultPublished:
    campaign_id: str
    year: int
    unit_code: str
    score: float
    rating: SatisfactionRating


@dataclass(frozen=True)
class UnitUnsatisfied:
    campaign_id: str
    year: int
    unit_code: str
    score: float
    problems: tuple[str, ...]


@dataclass(frozen=True)
class PublicationEvents:
    results: tuple[ResultPublished, ...]
    unsatisfied: tuple[UnitUnsatisfied, ...]


def unsatisfied_units(results: Sequence[UnitResult]) -> tuple[UnitResult, ...]:
    """The rated units whose rating is 不满意 (an insufficient unit is not rated, so never among them)."""
    return tuple(r for r in results if r.status == "rated" and r.rating == "unsatisfied")


def publication_events(
    campaign_id: str, year: int, results: Sequence[UnitResult], problems: Mapping[str, Sequence[str]]
) -> PublicationEvents:
    """The events to emit on publication; ``problems`` are the office's edited texts by unit code."""
    published = tuple(
        ResultPublished(campaign_id, year, r.unit_code, float(r.score), r.rating)
        for r in results
        if r.status == "rated" and r.score is not None and r.rating is not None
    )
    unsatisfied = tuple(
        UnitUnsatisfied(campaign_id, year, r.unit_code, float(r.score), tuple(problems.get(r.unit_code, ())))
        for r in unsatisfied_units(results)
        if r.score is not None
    )
    return PublicationEvents(published, unsatisfied)
