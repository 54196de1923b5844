"""The questionnaire (调查问卷) a campaign asks about each target unit.

社会评议办法 第七条(一): "根据评议内容设计调查问卷". Every question is asked once per target unit:
a response is one respondent's answers about one unit. Kinds:

- ``rating``: 满意 / 基本满意 / 不满意 (社会评议办法 第八条), converted to points by the campaign's
  conversion and weighted by the question's ``weight``. Weights are relative: a unit's score on a
  method is the weighted mean of its per-question scores over the rating questions that have
  answers, so an optional question nobody answered neither counts as zero nor breaks the weights.
- ``single_choice`` / ``multiple_choice``: e.g. "您通过哪些渠道获取政府信息"; collected, not scored.
- ``free_text``: kept as written (``domain.text``); ``collects_problems`` marks the questions whose
  answers are gathered as the unit's problems (社会评议办法 第九条).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from services.appraisal.domain.text import free_text_error
from shared.domain import InvalidInput
from shared.vocabulary import QUESTION_KIND_LABELS, QuestionKind

__all__ = [
    "DEFAULT_FREE_TEXT_LENGTH",
    "DEFAULT_QUESTIONNAIRE",
    "MAX_FREE_TEXT_LENGTH",
    "Choice",
    "Question",
    "Questionnaire",
    "validate_questionnaire",
]

DEFAULT_FREE_TEXT_LENGTH = 500
MAX_FREE_TEXT_LENGTH = 5000
MAX_QUESTION_TEXT_LENGTH = 500
_CODE = re.compile(r"[a-z0-9_]{1,32}")


@dataclass(frozen=True)
class Choice:
    """One option of a choice question: ``code`` is what the form posts, ``label`` what people read."""

    code: str
    label: str


@dataclass(frozen=True)
class Question:
    code: str  # stable within the campaign: answers and tallies refer to it
    kind: QuestionKind
    text: str  # Chinese, as the page shows it
    required: bool = True
    weight: Decimal = Decimal(1)  # rating questions only: relative weight in the unit's score
    choices: tuple[Choice, ...] = ()  # choice questions only
    max_selected: int | None = None  # multiple_choice only: None = any number of the choices
    max_length: int = DEFAULT_FREE_TEXT_LENGTH  # free_text only, in characters
    collects_problems: bool = False  # free_text only: answers feed the unit's problems (第九条)


@dataclass(frozen=True)
class Questionnaire:
    questions: tuple[Question, ...]

    @property
    def rating_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.kind == "rating")

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)


# 社会评议办法 第五条 "社会评议的内容包括" (一)–(七), transcribed as written: the page asks
# "您对该单位以下方面的评价" above them. (一)–(六) are rated with equal weight; (七) "其他需要进行社会评议的
# 内容" is open-ended, so it becomes the optional free-text question whose answers are the problems.
DEFAULT_QUESTIONNAIRE = Questionnaire(
    questions=(
        Question(code="q1", kind="rating", text="是否指定机构、人员负责政务公开日常工作"),
        Question(code="q2", kind="rating", text="公开的内容是否符合法律法规规章等有关规定"),
        Question(code="q3", kind="rating", text="公开的时间是否符合规定的时限要求"),
        Question(code="q4", kind="rating", text="公开的方式、渠道和设施是否便捷有效"),
        Question(code="q5", kind="rating", text="公开的制度是否健全规范、落实到位"),
        Question(code="q6", kind="rating", text="政府信息公开申请办理是否依法依规和高效便民"),
        Question(
            code="q7",
            kind="free_text",
            text="其他需要进行社会评议的内容（请写下您发现的问题或意见建议）",
            required=False,
            collects_problems=True,
        ),
    )
)


def validate_questionnaire(questionnaire: Questionnaire) -> None:
    """``InvalidInput`` (422) naming the first question that cannot be asked as defined."""
    if not questionnaire.questions:
        raise InvalidInput("questionnaire_empty", "问卷至少需要一道题")
    seen: set[str] = set()
    for question in questionnaire.questions:
        _check_question(question)
        if question.code in seen:
            raise InvalidInput("question_code_duplicated", "题目编号重复", question.code, question=question.code)
        seen.add(question.code)


def _check_question(q: Question) -> None:
    def invalid(code: str, title: str, detail: str) -> InvalidInput:
        return InvalidInput(code, title, f"题目 {q.code}：{detail}", question=q.code)

    if not _CODE.fullmatch(q.code):
        raise invalid("question_code_invalid", "题目编号无效", "编号须为1至32位小写字母、数字或下划线")
    if q.kind not in QUESTION_KIND_LABELS:
        raise invalid("question_kind_invalid", "题型无效", f"题型须为 {'、'.join(QUESTION_KIND_LABELS)}")
    if not q.text.strip():
        raise invalid("question_text_required", "题目内容不能为空", "题目内容为空")
    problem = free_text_error(q.text, MAX_QUESTION_TEXT_LENGTH)
    if problem is not None:
        raise invalid("question_text_invalid", "题目内容无效", problem[1])
    if not q.weight.is_finite() or q.weight <= 0:
        raise invalid("question_weight_invalid", "题目权重须为正数", f"权重 {q.weight}")
    _check_kind_specifics(q, invalid)


def _check_kind_specifics(q: Question, invalid: Callable[[str, str, str], InvalidInput]) -> None:
    has_choices = q.kind in ("single_choice", "multiple_choice")
    if has_choices:
        codes = [c.code for c in q.choices]
        if len(q.choices) < 2:
            raise invalid("question_choices_invalid", "选择题至少需要两个选项", f"选项 {len(q.choices)} 个")
        if len(set(codes)) != len(codes) or not all(_CODE.fullmatch(c) for c in codes):
            raise invalid("question_choices_invalid", "选项编号无效或重复", "、".join(codes))
        if not all(c.label.strip() and free_text_error(c.label, MAX_QUESTION_TEXT_LENGTH) is None for c in q.choices):
            raise invalid("question_choices_invalid", "选项文字无效", "选项文字不能为空或含控制字符")
    elif q.choices:
        raise invalid("question_choices_invalid", "只有选择题可以设置选项", f"{QUESTION_KIND_LABELS[q.kind]}不设选项")
    if q.max_selected is not None and (q.kind != "multiple_choice" or not 1 <= q.max_selected <= len(q.choices)):
        raise invalid("question_max_selected_invalid", "最多可选项数无效", f"{q.max_selected}")
    if q.kind == "free_text" and not 1 <= q.max_length <= MAX_FREE_TEXT_LENGTH:
        raise invalid("question_max_length_invalid", "字数上限无效", f"须在1至{MAX_FREE_TEXT_LENGTH}之间")
    if q.collects_problems and q.kind != "free_text":
        raise invalid("question_collects_problems_invalid", "只有文字填写题可以汇集问题", q.kind)
