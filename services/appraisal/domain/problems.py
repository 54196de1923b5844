"""Problems found in the appraisal (评议中发现的问题和不足, 社会评议办法 第九条), gathered for the office.

The gathering is mechanical and the office edits the result before publication (it merges,
rewords, drops) — so this only does what a clerk would do first by hand:

- take the free-text answers of the questions marked ``collects_problems``, panel remarks and the
  third-party assessor's remarks (``Remark``);
- group the same remark written the same way: compared after Unicode NFKC (full-width ＡＢＣ and
  half-width ABC alike), case folding, whitespace ignored (Chinese puts none between words) and
  trailing punctuation dropped;
  the text shown is the first one as written, trimmed;
- leave out remarks that say there is nothing to say (无, 没有, 暂无意见, 很好 …: ``NOTHING_TO_SAY``);
- order each unit's problems by how many mentioned them, then by first mention.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from services.appraisal.domain.questionnaire import Questionnaire
from services.appraisal.domain.responses import Response
from shared.vocabulary import AppraisalMethod

__all__ = ["NOTHING_TO_SAY", "Problem", "Remark", "gather_problems", "remarks_of"]

NOTHING_TO_SAY = frozenset(
    {
        "无",
        "没有",
        "暂无",
        "无意见",
        "没意见",
        "没有意见",
        "暂无意见",
        "无建议",
        "没有建议",
        "暂无建议",
        "无意见建议",
        "无意见和建议",
        "没有意见和建议",
        "很好",
        "挺好",
        "满意",
        "非常满意",
        "none",
        "no",
        "n/a",
        "na",
    }
)
_SPACES = re.compile(r"\s+")
_TRAILING = "。．.！!？?；;，,、~～…-—/／"


@dataclass(frozen=True)
class Remark:
    unit_code: str
    method: AppraisalMethod
    text: str


@dataclass(frozen=True)
class Problem:
    text: str  # the first mention as written, trimmed
    mentions: int
    methods: tuple[AppraisalMethod, ...]  # who raised it, in order of first mention


def remarks_of(questionnaire: Questionnaire, response: Response) -> tuple[Remark, ...]:
    """The response's answers to the problem-collecting free-text questions."""
    return tuple(
        Remark(response.unit_code, response.method, text)
        for question in questionnaire.questions
        if question.collects_problems and (text := response.texts.get(question.code))
    )


def gather_problems(remarks: Iterable[Remark]) -> dict[str, tuple[Problem, ...]]:
    """Each unit's problems, most mentioned first; units without any are absent."""
    groups: dict[str, dict[str, tuple[str, int, list[AppraisalMethod]]]] = {}
    for remark in remarks:
        key = _key(remark.text)
        if not key or key in NOTHING_TO_SAY:
            continue
        unit = groups.setdefault(remark.unit_code, {})
        text, mentions, methods = unit.get(key, (remark.text.strip(), 0, []))
        if remark.method not in methods:
            methods.append(remark.method)
        unit[key] = (text, mentions + 1, methods)
    return {
        unit: tuple(
            Problem(text, mentions, tuple(methods))
            # sorted() is stable: equal counts keep the order of first mention.
            for text, mentions, methods in sorted(found.values(), key=lambda group: -group[1])
        )
        for unit, found in groups.items()
    }


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub("", folded).rstrip(_TRAILING)
