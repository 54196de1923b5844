"""Problems gathered for the office (社会评议办法 第九条) and the events of publication (第六条(五), 第八条)."""

from __future__ import annotations

from decimal import Decimal

from services.appraisal.domain.problems import Problem, Remark, gather_problems, remarks_of
from services.appraisal.domain.publication import (
    ResultPublished,
    UnitUnsatisfied,
    publication_events,
    unsatisfied_units,
)
from services.appraisal.domain.responses import validate_response
from services.appraisal.domain.results import UnitResult
from tests.appraisal.domain.factories import QUESTIONNAIRE, campaign


def test_the_answers_to_problem_collecting_questions_are_the_remarks() -> None:
    response = validate_response(campaign(), "U1", "public", {"r1": "unsatisfied", "advice": "<b>网站</b>打不开"})
    assert remarks_of(QUESTIONNAIRE, response) == (Remark("U1", "public", "<b>网站</b>打不开"),)
    quiet = validate_response(campaign(), "U1", "public", {"r1": "satisfied"})
    assert remarks_of(QUESTIONNAIRE, quiet) == ()


def test_the_same_remark_written_alike_is_one_problem_counted_by_mentions() -> None:
    remarks = [
        Remark("U1", "public", "办事指南没有及时更新"),
        Remark("U1", "public", "网站检索功能不好用"),
        Remark("U1", "representative", " 网站检索功能不好用。"),
        Remark("U1", "public", "网站检索功能  不好用！"),
        Remark("U1", "third_party", "ＡＰＰ无法登录"),
        Remark("U1", "public", "app无法登录"),
        Remark("U2", "public", "办事指南没有及时更新"),
    ]
    problems = gather_problems(remarks)
    assert problems["U1"] == (
        Problem("网站检索功能不好用", 3, ("public", "representative")),
        Problem("ＡＰＰ无法登录", 2, ("third_party", "public")),
        Problem("办事指南没有及时更新", 1, ("public",)),
    )
    assert problems["U2"] == (Problem("办事指南没有及时更新", 1, ("public",)),)


def test_remarks_that_say_there_is_nothing_to_say_are_left_out() -> None:
    remarks = [Remark("U1", "public", text) for text in ("无", "暂无意见。", "  ", "很好！", "N/A", "没有")]
    assert gather_problems(remarks) == {}


def _rated(unit: str, score: str, rating: str) -> UnitResult:
    return UnitResult(unit, "rated", 30, (), {}, Decimal(score), rating)  # type: ignore[arg-type]


RESULTS = [
    _rated("U1", "74.54", "basically_satisfied"),
    _rated("U2", "38.89", "unsatisfied"),
    UnitResult("U3", "insufficient", 2, (), {}, None, None),
    _rated("U4", "90.00", "satisfied"),
]


def test_the_dissatisfied_units_are_the_rated_ones_rated_unsatisfied() -> None:
    assert [r.unit_code for r in unsatisfied_units(RESULTS)] == ["U2"]


def test_publication_announces_every_rated_unit_and_each_dissatisfied_one_with_its_problems() -> None:
    events = publication_events("c1", 2024, RESULTS, {"U2": ["网站检索功能不好用"], "U1": ["办事指南没有及时更新"]})
    assert events.results == (
        ResultPublished("c1", 2024, "U1", 74.54, "basically_satisfied"),
        ResultPublished("c1", 2024, "U2", 38.89, "unsatisfied"),
        ResultPublished("c1", 2024, "U4", 90.0, "satisfied"),
    )
    assert events.unsatisfied == (UnitUnsatisfied("c1", 2024, "U2", 38.89, ("网站检索功能不好用",)),)


def test_a_dissatisfied_unit_without_problems_is_still_announced() -> None:
    assert publication_events("c1", 2024, RESULTS, {}).unsatisfied[0].problems == ()
