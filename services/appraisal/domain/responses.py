"""One response (答卷): a respondent's answers about one unit, checked against the questionnaire.

A response must rate the unit on at least one rating question: a response without a rating says
nothing about satisfaction, and counting it toward the minimum would let empty forms make a unit
"rated". Every problem found is reported at once (``response_invalid`` with ``errors``, one per
question), so the public page can show each message beside its question.

One response per respondent per unit per campaign (DESIGN §7): the service keeps a keyed hash of
``RespondentKey.message()`` under a unique constraint. Hashing needs a secret and is the service's;
what identifies a respondent's answer is decided here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import get_args

from services.appraisal.domain.campaigns import CampaignDefinition
from services.appraisal.domain.questionnaire import Question
from services.appraisal.domain.text import free_text_error, normalise_line_breaks
from shared.domain import InvalidInput
from shared.vocabulary import (
    APPRAISAL_METHOD_LABELS,
    AppraisalMethod,
    SatisfactionRating,
)

__all__ = ["AnswerError", "RawAnswer", "RespondentKey", "Response", "validate_response"]

RawAnswer = str | Sequence[str]
_RATINGS: dict[str, SatisfactionRating] = {rating: rating for rating in get_args(SatisfactionRating)}
_TOKEN = re.compile(r"[A-Za-z0-9._~:-]{16,256}")


@dataclass(frozen=True)
class Response:
    unit_code: str
    method: AppraisalMethod
    ratings: Mapping[str, SatisfactionRating] = field(default_factory=dict)  # question → rating
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # question → choice codes
    texts: Mapping[str, str] = field(default_factory=dict)  # question → text as written


@dataclass(frozen=True)
class AnswerError:
    question: str
    code: str
    message: str  # Chinese, for the page

    def as_dict(self) -> dict[str, str]:
        return {"question": self.question, "code": self.code, "message": self.message}


def validate_response(
    campaign: CampaignDefinition, unit_code: str, method: str, answers: Mapping[str, RawAnswer]
) -> Response:
    """The checked ``Response``, or ``InvalidInput`` (422).

    ``answers`` maps question codes to what the form or JSON posted: a string, or for a multiple
    choice a list of choice codes (a single string is one choice). Empty or whitespace-only text,
    an empty string and an empty list are "not answered".
    """
    if unit_code not in campaign.target_units:
        raise InvalidInput("response_unit_not_targeted", "该单位不在本次评议范围内", unit_code)
    chosen = next((m for m in campaign.questionnaire_methods if m == method), None)
    if chosen is None:
        offered = "、".join(APPRAISAL_METHOD_LABELS[m] for m in campaign.questionnaire_methods)
        raise InvalidInput("response_method_invalid", "本次评议不以该方式答卷", f"{method!r}；可用：{offered or '无'}")
    errors: list[AnswerError] = [
        AnswerError(code, "answer_question_unknown", "问卷中没有这道题")
        for code in answers
        if campaign.questionnaire.question(code) is None
    ]
    ratings: dict[str, SatisfactionRating] = {}
    choices: dict[str, tuple[str, ...]] = {}
    texts: dict[str, str] = {}
    for question in campaign.questionnaire.questions:
        raw = answers.get(question.code)
        if _is_blank(raw):
            if question.required:
                errors.append(AnswerError(question.code, "answer_required", "此题必答"))
            continue
        assert raw is not None
        problem = _read(question, raw, ratings, choices, texts)
        if problem is not None:
            errors.append(AnswerError(question.code, *problem))
    if not errors and not ratings:
        errors.append(AnswerError("", "response_without_rating", "请至少对一个方面作出满意度评价"))
    if errors:
        raise InvalidInput(
            "response_invalid",
            "答卷填写有误",
            "；".join(f"{e.question or '答卷'}：{e.message}" for e in errors),
            errors=[e.as_dict() for e in errors],
        )
    return Response(unit_code=unit_code, method=chosen, ratings=ratings, choices=choices, texts=texts)


def _is_blank(raw: RawAnswer | None) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return len(raw) == 0


def _read(
    question: Question,
    raw: RawAnswer,
    ratings: dict[str, SatisfactionRating],
    choices: dict[str, tuple[str, ...]],
    texts: dict[str, str],
) -> tuple[str, str] | None:
    """Store the answer in its bucket, or return ``(code, message)`` for what is wrong with it."""
    if question.kind == "multiple_choice":
        picked = (raw,) if isinstance(raw, str) else tuple(raw)
    elif isinstance(raw, str):
        picked = (raw,)
    else:
        return "answer_type_invalid", "此题只能有一个答案"
    if question.kind == "rating":
        rating = _RATINGS.get(picked[0])
        if rating is None:
            return "answer_rating_invalid", "请选择满意、基本满意或不满意"
        ratings[question.code] = rating
    elif question.kind == "free_text":
        text = normalise_line_breaks(picked[0])
        problem = free_text_error(text, question.max_length)
        if problem is not None:
            return problem
        texts[question.code] = text
    else:
        offered = {c.code for c in question.choices}
        if not all(isinstance(p, str) and p in offered for p in picked):
            return "answer_choice_invalid", "所选项不在本题选项中"
        if len(set(picked)) != len(picked):
            return "answer_choice_invalid", "同一选项只能选一次"
        if question.max_selected is not None and len(picked) > question.max_selected:
            return "answer_choices_too_many", f"本题最多选{question.max_selected}项"
        choices[question.code] = picked
    return None


@dataclass(frozen=True)
class RespondentKey:
    """What makes two answers "the same respondent's about the same unit" (DESIGN §7).

    ``respondent`` is the public respondent's token (cookie or caller) or a panel member's id;
    ``method`` keeps the two namespaces apart. The service stores only HMAC(secret, ``message()``).
    """

    campaign_id: str
    unit_code: str
    method: AppraisalMethod
    respondent: str

    def __post_init__(self) -> None:
        if self.method == "public" and not _TOKEN.fullmatch(self.respondent):
            raise InvalidInput("respondent_token_invalid", "答卷人标识无效", "须为16至256位字母、数字或 . _ ~ : -")
        if not self.respondent:
            raise InvalidInput("respondent_token_invalid", "答卷人标识无效", "不能为空")

    def message(self) -> bytes:
        """The bytes to key: a versioned JSON array, so no two different keys share an encoding."""
        parts = ["gongkai.appraisal.respondent.v1", self.campaign_id, self.unit_code, self.method, self.respondent]
        return json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()
