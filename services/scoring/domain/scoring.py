"""Scoring a sheet (考核评分表) and a category: leaf points under their rules, sums, grade, rank,
vetoes (一票否决), shortfalls (明显短板) and the gap between the self-check (自查) and the assessors.

Entries are findings recorded against a leaf indicator. The assessors' figures come from the
``assessor`` and ``system`` entries; the unit's ``self`` entries are scored apart, by the same
rules, and only ever compared (考核办法 第七条(二): 单位自查 is one input, 综合评价 is the assessors').
Voided entries (an appeal upheld) count for nothing but stay on record in the service.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from services.scoring.domain.scheme import (
    HUNDRED,
    ZERO,
    AllOrNothing,
    Bonus,
    Category,
    Deduct,
    Indicator,
    Proportional,
    Ranked,
    Scheme,
)
from shared.domain import InvalidInput
from shared.vocabulary import CheckMethod, EntrySource, Grade

CENT = Decimal("0.01")
ASSESSORS: tuple[EntrySource, ...] = ("assessor", "system")
SELF: tuple[EntrySource, ...] = ("self",)


@dataclass(frozen=True)
class Entry:
    """One finding on a leaf. Which field it carries depends on the leaf's rule:

    - ``occurrences``: deduct (findings), all_or_nothing (failures), bonus (times taken part, with
      ``participant``);
    - ``ratio`` (0–1): proportional; ``measure``: ranked (what the units are ordered by);
    - ``points``: the assessors' (or the unit's) own figure for the leaf, replacing the rule's.
    A later ``ratio``/``points``/``measure`` replaces an earlier one: entries are in recording order.
    """

    indicator: str
    source: EntrySource
    occurrences: int | None = None
    participant: str | None = None
    ratio: Decimal | None = None
    measure: Decimal | None = None
    points: Decimal | None = None
    method: CheckMethod | None = None
    on: date | None = None
    voided: bool = False


def validate_entry(category: Category, entry: Entry) -> Indicator:
    """The leaf ``entry`` is about, or ``InvalidInput`` when the entry cannot apply to it."""
    leaf = category.indicator(entry.indicator)

    def refuse(code: str, title: str, detail: str) -> InvalidInput:
        return InvalidInput(code, title, f"指标 {leaf.code}（{leaf.name}）：{detail}", indicator=leaf.code)

    if not leaf.is_leaf or leaf.rule is None:
        raise refuse("indicator_not_leaf", "只能对末级指标评分", "该指标有下级指标")
    rule = leaf.rule
    given = {name for name in ("occurrences", "ratio", "measure", "points") if getattr(entry, name) is not None}
    wanted = {
        "deduct": "occurrences",
        "all_or_nothing": "occurrences",
        "bonus": "occurrences",
        "proportional": "ratio",
        "ranked": "measure",
    }[rule.kind]
    if len(given) != 1 or not given <= {wanted, "points"}:
        raise refuse("entry_value_invalid", "评分记录的数值无效", f"{rule.kind} 规则的记录应只给出 {wanted} 或 points")
    if entry.occurrences is not None and entry.occurrences < 1:
        raise refuse("entry_value_invalid", "评分记录的数值无效", "次数应为正整数")
    if entry.ratio is not None and not ZERO <= entry.ratio <= 1:
        raise refuse("entry_value_invalid", "评分记录的数值无效", "比例应在 0 与 1 之间")
    if entry.points is not None and not ZERO <= entry.points <= leaf.max_points:
        raise refuse("entry_value_invalid", "评分记录的数值无效", f"分数应在 0 与 {leaf.max_points} 之间")
    if (
        isinstance(rule, Bonus)
        and entry.occurrences is not None
        and entry.participant not in rule.points_by_participant
    ):
        raise refuse(
            "entry_participant_invalid",
            "参加人员类别无效",
            f"应为 {' / '.join(rule.points_by_participant)} 之一",
        )
    if entry.method is not None and entry.source != "system" and entry.method not in leaf.methods:
        raise refuse("entry_method_invalid", "考核方式与指标不符", f"本指标的考核方式为 {' / '.join(leaf.methods)}")
    return leaf


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name: str
    level: int  # 1 = 一级指标
    max_points: Decimal
    points: Decimal
    assessed: bool  # False for a leaf that needs a figure and has none (ranked, proportional)
    children: tuple[IndicatorScore, ...] = ()

    def walk(self) -> Iterable[IndicatorScore]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Shortfall:
    """明显短板: a first-level indicator scored under the scheme's share of its maximum."""

    code: str
    name: str
    points: Decimal
    max_points: Decimal
    threshold: Decimal


@dataclass(frozen=True)
class SheetScore:
    unit_code: str
    category: str
    indicators: tuple[IndicatorScore, ...]
    total: Decimal
    attainable: Decimal  # the category total, or what a partial category's indicators add up to
    graded_on: Decimal  # the score the grade bands are applied to (see ``graded_score``)
    grade: Grade
    vetoes: tuple[str, ...]
    shortfalls: tuple[Shortfall, ...]
    rank: int | None = None  # set when the whole category is scored


@dataclass(frozen=True)
class Gap:
    """自查与考核的差异 on one indicator: the unit's figure minus the assessors'."""

    code: str
    name: str
    self_points: Decimal
    assessed_points: Decimal

    @property
    def difference(self) -> Decimal:
        return self.self_points - self.assessed_points


def _active(entries: Iterable[Entry], sources: Collection[EntrySource], code: str) -> list[Entry]:
    return [e for e in entries if e.indicator == code and e.source in sources and not e.voided]


def _last(entries: Sequence[Entry], field: str) -> Decimal | None:
    for entry in reversed(entries):
        value = getattr(entry, field)
        if value is not None:
            return value  # type: ignore[no-any-return]
    return None


def leaf_points(
    leaf: Indicator, entries: Sequence[Entry], ranked_points: Decimal | None = None
) -> tuple[Decimal, bool]:
    """(points, assessed) of a leaf from its active entries of one side (assessors or self)."""
    rule = leaf.rule
    if not entries:  # nothing found: the rule's default (the common case, kept cheap)
        if isinstance(rule, Deduct | AllOrNothing):
            return leaf.max_points, True
        if isinstance(rule, Bonus):
            return ZERO, True
        if isinstance(rule, Ranked) and ranked_points is not None:
            return ranked_points, True
        return ZERO, False
    override = _last(entries, "points")
    if override is not None:
        return min(override, leaf.max_points), True
    occurrences = sum(e.occurrences or 0 for e in entries)
    if isinstance(rule, Deduct):
        # e.g. 考核方案 附件2 依申请公开的及时规范答复情况: 一次扣2分, never under 0.
        return max(ZERO, leaf.max_points - rule.points * occurrences), True
    if isinstance(rule, AllOrNothing):
        # 未研究的 / 未落实的，不得分
        return (ZERO if occurrences else leaf.max_points), True
    if isinstance(rule, Bonus):
        # 主要负责人参加加5分，其他人员参加加3分 — capped at the indicator's points.
        earned = sum(
            (rule.points_by_participant.get(e.participant or "", ZERO) * (e.occurrences or 0) for e in entries),
            ZERO,
        )
        return min(earned, leaf.max_points), True
    if isinstance(rule, Proportional):
        ratio = _last(entries, "ratio")
        if ratio is None:
            return ZERO, False
        return (leaf.max_points * ratio).quantize(CENT, ROUND_HALF_UP), True
    assert isinstance(rule, Ranked)
    return (ZERO, False) if ranked_points is None else (ranked_points, True)


def _score_node(
    node: Indicator,
    level: int,
    by_code: Mapping[str, Sequence[Entry]],
    ranked: Mapping[str, Decimal],
) -> IndicatorScore:
    if node.is_leaf:
        points, assessed = leaf_points(node, by_code.get(node.code, ()), ranked.get(node.code))
        return IndicatorScore(node.code, node.name, level, node.max_points, points, assessed)
    children = tuple(_score_node(c, level + 1, by_code, ranked) for c in node.children)
    return IndicatorScore(
        node.code,
        node.name,
        level,
        node.max_points,
        sum((c.points for c in children), ZERO),
        all(c.assessed for c in children),
        children,
    )


def score_tree(
    category: Category,
    entries: Sequence[Entry],
    sources: Collection[EntrySource] = ASSESSORS,
    ranked: Mapping[str, Decimal] | None = None,
) -> tuple[IndicatorScore, ...]:
    """The indicator tree scored from one side's entries (``ranked``: leaf code → points by rank)."""
    # The active entries grouped by leaf once, in recording order (not one scan per leaf).
    by_code: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.source in sources and not entry.voided:
            by_code.setdefault(entry.indicator, []).append(entry)
    return tuple(_score_node(top, 1, by_code, ranked or {}) for top in category.indicators)


def graded_score(category: Category, total: Decimal) -> Decimal:
    """The score the grade bands apply to: the total, or pro rata for a partial category.

    A partial category (seed 003's B table, transcribed as far as the seed goes) cannot reach its
    declared total; its units are graded on ``total × declared / attainable`` so the 95/85/75
    bands keep their meaning, and the raw total is still reported beside it.
    """
    attainable = category.attainable
    if attainable >= category.total or attainable == 0:
        return total
    return (total * category.total / attainable).quantize(CENT, ROUND_HALF_UP)


def grade_for(scheme: Scheme, score: Decimal, vetoed: bool = False) -> Grade:
    """考核办法 第九条: 优秀/良好/合格/不合格 by the scheme's bands; 一票否决 → 不合格 whatever the points."""
    if vetoed:
        return "fail"
    for band in scheme.grade_bands:
        if score >= band.min_points:
            return band.grade
    return "fail"


def find_shortfalls(scheme: Scheme, indicators: Sequence[IndicatorScore]) -> tuple[Shortfall, ...]:
    """考核方案 四(一): 明显短板 — a first-level indicator under ``shortfall_share`` of its maximum."""
    found = []
    for top in indicators:
        threshold = (top.max_points * scheme.shortfall_share).quantize(CENT, ROUND_HALF_UP)
        if top.points < threshold:
            found.append(Shortfall(top.code, top.name, top.points, top.max_points, threshold))
    return tuple(found)


def _check_vetoes(scheme: Scheme, vetoes: Collection[str]) -> tuple[str, ...]:
    known = {v.code for v in scheme.vetoes}
    unknown = sorted(set(vetoes) - known)
    if unknown:
        raise InvalidInput("veto_unknown", "一票否决情形不存在", f"方案中没有 {', '.join(unknown)}", vetoes=unknown)
    return tuple(v.code for v in scheme.vetoes if v.code in vetoes)


def score_sheet(
    scheme: Scheme,
    category: Category,
    unit_code: str,
    entries: Sequence[Entry],
    vetoes: Collection[str] = (),
    ranked: Mapping[str, Decimal] | None = None,
) -> SheetScore:
    """One unit's sheet on the assessors' and the system's entries (without rank)."""
    indicators = score_tree(category, entries, ASSESSORS, ranked)
    total = sum((top.points for top in indicators), ZERO)
    found = _check_vetoes(scheme, vetoes)
    on = graded_score(category, total)
    return SheetScore(
        unit_code=unit_code,
        category=category.code,
        indicators=indicators,
        total=total,
        attainable=category.attainable,
        graded_on=on,
        grade=grade_for(scheme, on, vetoed=bool(found)),
        vetoes=found,
        shortfalls=find_shortfalls(scheme, indicators),
    )


def competition_ranks(values: Mapping[str, Decimal], higher_is_better: bool = True) -> dict[str, int]:
    """Ranks with ties sharing (并列): 98, 97, 97, 90 → 1, 2, 2, 4."""
    ordered = sorted(values.values(), reverse=higher_is_better)
    first_place: dict[Decimal, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    return {key: first_place[value] for key, value in values.items()}


def ranked_leaf_points(
    category: Category, entries_by_unit: Mapping[str, Sequence[Entry]]
) -> dict[str, dict[str, Decimal]]:
    """unit → {ranked leaf code → points by its rank among the units that have a measure}.

    考核方案 附件2 区政府办公室督查通报和检查情况: 对各有关单位进行排名（可并列），根据排名情况赋分.
    A unit without a measure is not ranked (its leaf stays unassessed at 0).
    """
    result: dict[str, dict[str, Decimal]] = {unit: {} for unit in entries_by_unit}
    for leaf in category.leaves():
        rule = leaf.rule
        if not isinstance(rule, Ranked):
            continue
        measures = {
            unit: measure
            for unit, entries in entries_by_unit.items()
            if (measure := _last(_active(entries, ASSESSORS, leaf.code), "measure")) is not None
        }
        for unit, rank in competition_ranks(measures, rule.higher_is_better).items():
            result[unit][leaf.code] = rule.points_for(rank)
    return result


def score_category(
    scheme: Scheme,
    category: Category,
    entries_by_unit: Mapping[str, Sequence[Entry]],
    vetoes_by_unit: Mapping[str, Collection[str]] | None = None,
) -> tuple[SheetScore, ...]:
    """Every unit of the category scored and ranked on its total (ties share a rank), best first."""
    strangers = sorted(set(entries_by_unit) - set(category.units))
    if strangers:
        raise InvalidInput(
            "unit_not_in_category",
            "单位不属于该考核类别",
            f"类别 {category.code} 不含单位 {', '.join(strangers)}",
            units=strangers,
        )
    everyone = {unit: entries_by_unit.get(unit, ()) for unit in category.units}
    ranked = ranked_leaf_points(category, everyone)
    vetoes_by_unit = vetoes_by_unit or {}
    sheets = {
        unit: score_sheet(scheme, category, unit, entries, vetoes_by_unit.get(unit, ()), ranked[unit])
        for unit, entries in everyone.items()
    }
    ranks = competition_ranks({unit: sheet.total for unit, sheet in sheets.items()})
    return tuple(
        sorted(
            (replace(sheet, rank=ranks[unit]) for unit, sheet in sheets.items()),
            key=lambda s: (s.rank or 0, s.unit_code),
        )
    )


def assessment_gaps(category: Category, entries: Sequence[Entry]) -> tuple[Gap, ...]:
    """Self-check against assessors, per indicator at every level, where both sides have a figure.

    The unit's self-check scores every leaf by the same rules (a leaf it recorded nothing on is
    claimed at the rule's default: full points for deduct/all_or_nothing, none for bonus).
    """
    own = {s.code: s for top in score_tree(category, entries, SELF) for s in top.walk()}
    return tuple(
        Gap(s.code, s.name, own[s.code].points, s.points)
        for top in score_tree(category, entries)
        for s in top.walk()
        if s.assessed and own[s.code].assessed
    )


def appraisal_ratio(score: Decimal) -> Decimal:
    """社会评议办法 第八条: the result "换算成相应分值" — a 0–100 appraisal score as a share of the
    public_appraisal indicator's maximum (100 → full points, 60 → 60 %)."""
    if not ZERO <= score <= HUNDRED:
        raise InvalidInput("appraisal_score_invalid", "社会评议分数无效", f"分数应在 0 与 100 之间，而不是 {score}")
    return score / HUNDRED


def appraisal_points(leaf: Indicator, score: Decimal) -> Decimal:
    """The public_appraisal indicator's points for an appraisal score (what its entry will yield)."""
    return (leaf.max_points * appraisal_ratio(score)).quantize(CENT, ROUND_HALF_UP)
