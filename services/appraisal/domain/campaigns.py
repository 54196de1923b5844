"""A public-appraisal campaign (社会评议活动) as data, its validation and its life cycle.

社会评议办法 第六条(一): "拟定评议方案，确定评议对象、内容、标准、方式等" — the definition below is that
方案: target units (对象), the questionnaire (内容), the conversion and bands (标准), the methods and
their weights (方式), plus the minimum number of responses per unit and the answering window.

Life cycle: ``draft`` → ``open`` (第六条(二) 发布社会评议信息) → ``closed`` (第六条(三) 汇总评议结果)
→ ``published`` (第六条(四)(五) 确定等次、反馈、报告). Choices the design left open:

- A draft may be saved without target units; opening needs at least one.
- Once open, only the name and the closing time may change: changing questions, weights, units,
  conversion, bands or the minimum would make answers already given mean something else (409).
  Once closed, nothing in the definition changes.
- Responses are accepted while the state is ``open`` and ``opens_at <= now < closes_at``: the office
  may open a campaign (publish its link and poster) before answering starts.
- Third-party scores (第七条(三)) may be imported while open or closed, not after publication: the
  assessor's report often arrives after the questionnaire closes.
- Publishing twice is the service's no-op (it sees ``published`` and returns); here it is illegal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from services.appraisal.domain.questionnaire import DEFAULT_QUESTIONNAIRE, Questionnaire, validate_questionnaire
from services.appraisal.domain.text import free_text_error
from shared.domain import DomainError, InvalidInput, allowed_actions_in, next_state
from shared.vocabulary import APPRAISAL_METHOD_LABELS, AppraisalMethod, CampaignState, SatisfactionRating

__all__ = [
    "EDITABLE_WHEN_OPEN",
    "QUESTIONNAIRE_METHODS",
    "TRANSITIONS",
    "CampaignDefinition",
    "Conversion",
    "MethodWeight",
    "RatingBands",
    "allowed_actions",
    "check_accepting_responses",
    "check_editable",
    "check_can_open",
    "check_third_party_import",
    "transition",
    "validate_campaign",
]

# The methods answered through the questionnaire; third_party comes as imported scores.
QUESTIONNAIRE_METHODS: frozenset[AppraisalMethod] = frozenset({"public", "representative", "supervisor"})

TRANSITIONS: dict[tuple[CampaignState, str], CampaignState] = {
    ("draft", "open"): "open",
    ("open", "close"): "closed",
    ("closed", "publish"): "published",
}

# The fields of a definition, by name, that may still change while the campaign is open.
EDITABLE_WHEN_OPEN = frozenset({"name", "closes_at"})
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class MethodWeight:
    """One 评议方式 and its share of the unit's total (社会评议办法 第七条)."""

    method: AppraisalMethod
    weight: Decimal


@dataclass(frozen=True)
class Conversion:
    """评议等次换算成相应分值 (社会评议办法 第八条); the default is the usual 100 / 60 / 0."""

    satisfied: Decimal = Decimal(100)
    basically_satisfied: Decimal = Decimal(60)
    unsatisfied: Decimal = Decimal(0)

    def points(self, rating: SatisfactionRating) -> Decimal:
        return {
            "satisfied": self.satisfied,
            "basically_satisfied": self.basically_satisfied,
            "unsatisfied": self.unsatisfied,
        }[rating]


@dataclass(frozen=True)
class RatingBands:
    """Score (0–100) back to a rating: the inverse of the default conversion.

    ``basically_satisfied_from`` = 60, the points of 基本满意: a unit is at least basically satisfied
    when its opinion averages at least what a unanimous 基本满意 gives. ``satisfied_from`` = 80, half
    way from 基本满意 (60) to 满意 (100): the score is nearer 满意. Bands apply to the published
    score (rounded to two decimals), so what people read is what was rated; the lower bound is in
    the band. The 95/85/75 of 政务公开考核制度 第七条 grade a 考核 score, another instrument.
    """

    satisfied_from: Decimal = Decimal(80)
    basically_satisfied_from: Decimal = Decimal(60)

    def rating(self, score: Decimal) -> SatisfactionRating:
        if score >= self.satisfied_from:
            return "satisfied"
        if score >= self.basically_satisfied_from:
            return "basically_satisfied"
        return "unsatisfied"


@dataclass(frozen=True)
class CampaignDefinition:
    year: int  # the year appraised (评议年度); answering may run into the next
    name: str
    target_units: tuple[str, ...]  # unit codes, any kind (社会评议制度 第三条: public enterprises too)
    methods: tuple[MethodWeight, ...]
    opens_at: datetime  # aware; [opens_at, closes_at) is the answering window
    closes_at: datetime
    questionnaire: Questionnaire = DEFAULT_QUESTIONNAIRE
    conversion: Conversion = field(default_factory=Conversion)
    bands: RatingBands = field(default_factory=RatingBands)
    min_responses: int = 30  # per unit, over the questionnaire methods; below it: insufficient

    def weight_of(self, method: AppraisalMethod) -> Decimal | None:
        return next((m.weight for m in self.methods if m.method == method), None)

    @cached_property  # asked on every response
    def questionnaire_methods(self) -> tuple[AppraisalMethod, ...]:
        return tuple(m.method for m in self.methods if m.method in QUESTIONNAIRE_METHODS)


def validate_campaign(definition: CampaignDefinition) -> None:
    """``InvalidInput`` (422) for the first part of the definition no campaign could run on."""
    d = definition
    if not 2000 <= d.year <= 2100:
        raise InvalidInput("campaign_year_invalid", "评议年度无效", f"{d.year}")
    if not d.name.strip() or free_text_error(d.name, MAX_NAME_LENGTH) is not None:
        raise InvalidInput("campaign_name_invalid", "评议名称不能为空、不超过200字且不含控制字符")
    _check_units(d.target_units)
    _check_methods(d.methods)
    _check_window(d.opens_at, d.closes_at)
    validate_questionnaire(d.questionnaire)
    if d.questionnaire_methods and not d.questionnaire.rating_questions:
        raise InvalidInput("questionnaire_without_rating", "问卷评议须至少有一道满意度评价题")
    _check_scale(d.conversion, d.bands)
    if isinstance(d.min_responses, bool) or d.min_responses < 0:
        raise InvalidInput("min_responses_invalid", "每个单位的最少有效答卷数须为非负整数", f"{d.min_responses}")
    if d.min_responses > 0 and not d.questionnaire_methods:
        raise InvalidInput("min_responses_invalid", "没有问卷评议方式时，最少有效答卷数须为0", f"{d.min_responses}")


def _check_units(units: tuple[str, ...]) -> None:
    blank = [u for u in units if not u.strip()]
    if blank:
        raise InvalidInput("target_unit_invalid", "被评议单位编码不能为空")
    duplicated = sorted({u for u in units if units.count(u) > 1})
    if duplicated:
        raise InvalidInput("target_unit_duplicated", "被评议单位重复", "、".join(duplicated), units=duplicated)


def _check_methods(methods: tuple[MethodWeight, ...]) -> None:
    if not methods:
        raise InvalidInput("methods_required", "至少需要一种评议方式")
    names = [m.method for m in methods]
    for m in methods:
        if m.method not in APPRAISAL_METHOD_LABELS:
            raise InvalidInput("method_invalid", "评议方式无效", f"{m.method!r}")
        if not m.weight.is_finite() or m.weight <= 0:
            raise InvalidInput("method_weight_invalid", "评议方式权重须为正数", f"{m.method}: {m.weight}")
    if len(set(names)) != len(names):
        raise InvalidInput("method_duplicated", "评议方式重复", "、".join(names))
    total = sum((m.weight for m in methods), Decimal(0))
    # Exactly 1: weights are decimals as the office writes them (0.4, 0.3 …), so no rounding slack.
    if total != 1:
        raise InvalidInput(
            "method_weights_not_one",
            "各评议方式权重之和须等于1",
            "＋".join(f"{APPRAISAL_METHOD_LABELS[m.method]} {m.weight}" for m in methods) + f" ＝ {total}",
            total=str(total),
        )


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if opens_at.utcoffset() is None or closes_at.utcoffset() is None:
        raise InvalidInput("campaign_window_invalid", "评议起止时间须带时区")
    if closes_at <= opens_at:
        raise InvalidInput("campaign_window_invalid", "评议截止时间须晚于开始时间", f"{opens_at} — {closes_at}")


def _check_scale(conversion: Conversion, bands: RatingBands) -> None:
    points = (conversion.satisfied, conversion.basically_satisfied, conversion.unsatisfied)
    if not all(p.is_finite() for p in points) or not 100 >= points[0] > points[1] > points[2] >= 0:
        raise InvalidInput(
            "conversion_invalid", "分值换算须满足 100 ≥ 满意 > 基本满意 > 不满意 ≥ 0", "／".join(map(str, points))
        )
    edges = (bands.satisfied_from, bands.basically_satisfied_from)
    if not all(e.is_finite() for e in edges) or not 100 >= edges[0] > edges[1] > 0:
        raise InvalidInput(
            "bands_invalid", "等次分数线须满足 100 ≥ 满意线 > 基本满意线 > 0", "／".join(map(str, edges))
        )


# -- life cycle -----------------------------------------------------------------------------------


def allowed_actions(state: CampaignState) -> list[str]:
    return allowed_actions_in(TRANSITIONS, state)


def transition(state: CampaignState, action: str) -> CampaignState:
    """The state after ``action``, or ``DomainError`` (409) naming the actions the state allows."""
    return next_state(TRANSITIONS, state, action)


def check_can_open(definition: CampaignDefinition, now: datetime) -> None:
    """Opening needs units to appraise and a window that has not already passed."""
    validate_campaign(definition)
    if not definition.target_units:
        raise DomainError("target_units_required", "开始评议前须确定被评议单位")
    if definition.closes_at <= now:
        raise DomainError("campaign_window_passed", "评议截止时间已过，无法开始评议", f"{definition.closes_at}")


def check_editable(state: CampaignState, changed: Iterable[str]) -> None:
    """``DomainError`` (409) when ``changed`` (field names of the definition) may not change in ``state``."""
    changed = sorted(set(changed))
    if state == "draft" or not changed:
        return
    locked = changed if state != "open" else [f for f in changed if f not in EDITABLE_WHEN_OPEN]
    if locked:
        raise DomainError(
            "campaign_locked",
            "评议已开始，问卷和评议规则不能再修改" if state == "open" else "评议已结束，评议方案不能再修改",
            f"状态 {state} 下不能修改：{'、'.join(locked)}",
            current_state=state,
            fields=locked,
        )


def check_accepting_responses(state: CampaignState, opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    """``DomainError`` (409) unless answers are taken now: state ``open`` and ``opens_at <= now < closes_at``."""
    if state != "open" or now >= closes_at:
        raise DomainError("campaign_not_open", "本次评议已结束或尚未开放", f"状态 {state}，截止时间 {closes_at}")
    if now < opens_at:
        raise DomainError("campaign_not_started", "本次评议尚未开始", f"开始时间 {opens_at}")


def check_third_party_import(definition: CampaignDefinition, state: CampaignState) -> None:
    if definition.weight_of("third_party") is None:
        raise DomainError("third_party_not_in_campaign", "本次评议未设第三方评估方式")
    if state not in ("open", "closed"):
        raise DomainError("third_party_import_not_allowed", "评议进行中或结束后、公布前方可导入第三方评估分数", state)
