"""The questionnaire: the default question set (社会评议办法 第五条) and question definitions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.appraisal.domain.questionnaire import (
    DEFAULT_QUESTIONNAIRE,
    Choice,
    Question,
    Questionnaire,
    validate_questionnaire,
)
from shared.domain import InvalidInput
from tests.appraisal.domain.factories import QUESTIONNAIRE


def test_the_default_questionnaire_transcribes_article_five_items_one_to_seven() -> None:
    validate_questionnaire(DEFAULT_QUESTIONNAIRE)
    texts = [q.text for q in DEFAULT_QUESTIONNAIRE.questions]
    assert texts[0] == "是否指定机构、人员负责政务公开日常工作"
    assert texts[5] == "政府信息公开申请办理是否依法依规和高效便民"
    assert texts[6].startswith("其他需要进行社会评议的内容")
    assert [q.kind for q in DEFAULT_QUESTIONNAIRE.questions] == ["rating"] * 6 + ["free_text"]
    assert all(q.required and q.weight == 1 for q in DEFAULT_QUESTIONNAIRE.rating_questions)
    last = DEFAULT_QUESTIONNAIRE.questions[6]
    assert not last.required and last.collects_problems


def test_a_questionnaire_with_every_kind_of_question_is_valid() -> None:
    validate_questionnaire(QUESTIONNAIRE)


def _refused(question: Question) -> str:
    with pytest.raises(InvalidInput) as raised:
        validate_questionnaire(Questionnaire((question,)))
    assert raised.value.extensions["question"] == question.code
    return raised.value.code


TWO = (Choice("a", "甲"), Choice("b", "乙"))


@pytest.mark.parametrize(
    ("question", "code"),
    [
        (Question(code="Q 1", kind="rating", text="评价"), "question_code_invalid"),
        (Question(code="q1", kind="essay", text="评价"), "question_kind_invalid"),  # type: ignore[arg-type]
        (Question(code="q1", kind="rating", text=" "), "question_text_required"),
        (Question(code="q1", kind="rating", text="评价\x1b[31m"), "question_text_invalid"),
        (Question(code="q1", kind="rating", text="评价", weight=Decimal(0)), "question_weight_invalid"),
        (Question(code="q1", kind="single_choice", text="渠道", choices=TWO[:1]), "question_choices_invalid"),
        (Question(code="q1", kind="single_choice", text="渠道", choices=(TWO[0], TWO[0])), "question_choices_invalid"),
        (
            Question(code="q1", kind="single_choice", text="渠道", choices=(TWO[0], Choice("b", ""))),
            "question_choices_invalid",
        ),
        (Question(code="q1", kind="rating", text="评价", choices=TWO), "question_choices_invalid"),
        (
            Question(code="q1", kind="multiple_choice", text="需求", choices=TWO, max_selected=3),
            "question_max_selected_invalid",
        ),
        (
            Question(code="q1", kind="single_choice", text="渠道", choices=TWO, max_selected=1),
            "question_max_selected_invalid",
        ),
        (Question(code="q1", kind="free_text", text="意见", max_length=0), "question_max_length_invalid"),
        (Question(code="q1", kind="free_text", text="意见", max_length=5001), "question_max_length_invalid"),
        (Question(code="q1", kind="rating", text="评价", collects_problems=True), "question_collects_problems_invalid"),
    ],
)
def test_a_question_that_cannot_be_asked_as_defined_is_refused(question: Question, code: str) -> None:
    assert _refused(question) == code


def test_question_codes_are_unique_within_the_questionnaire() -> None:
    twice = Questionnaire(
        (Question(code="q1", kind="rating", text="甲"), Question(code="q1", kind="rating", text="乙"))
    )
    with pytest.raises(InvalidInput, match="question_code_duplicated"):
        validate_questionnaire(twice)
