"""The appraisal scheme (年度考核方案) as data, and the checks a scheme must pass before it is used.

A scheme is what the office publishes each year (seed 003: XX区2023年度政务公开工作考核方案): the
categories of units (A 乡镇, B 区直部门 …), for each the indicator tree (一级/二级/三级指标) with its
points (赋分), the grade bands (考核等次) and the veto conditions (一票否决). Nothing here reads a file
or a clock: ``scheme_format`` turns documents into these objects, ``scoring`` applies them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import get_args

from shared.domain import InvalidInput
from shared.vocabulary import AutoSource, CheckMethod, Grade, IndicatorRule

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# 政务公开考核制度 第七条 (seed 001) and 考核办法 第九条 (seed 000): 优秀 ≥ 95, 良好 ≥ 85, 合格 ≥ 75,
# 不合格 below, on a 100-point scale (百分制); a scheme may set its own.
DEFAULT_BANDS: tuple[tuple[Grade, Decimal], ...] = (
    ("excellent", Decimal(95)),
    ("good", Decimal(85)),
    ("pass", Decimal(75)),
)
# 考核方案 四(一): units with a 明显短板 must rectify; "明显" is a first-level indicator under this share.
DEFAULT_SHORTFALL_SHARE = Decimal("0.6")

# Which rule an event-bound indicator must have: events are findings counted against the unit,
# except the public-appraisal result, which is a score converted to a share of the maximum.
AUTO_SOURCE_RULES: Mapping[AutoSource, IndicatorRule] = {
    "request_overdue": "deduct",
    "review_corrected": "deduct",
    "hotline_unanswered": "deduct",
    "public_appraisal": "proportional",
}
GRADES_WITH_BANDS: tuple[Grade, ...] = tuple(g for g in get_args(Grade) if g != "fail")


@dataclass(frozen=True)
class Deduct:
    """扣分: each occurrence takes ``points`` off the maximum, never below 0 (e.g. "一次扣2分")."""

    points: Decimal
    kind: IndicatorRule = field(default="deduct", init=False)


@dataclass(frozen=True)
class AllOrNothing:
    """未落实的，不得分: the maximum, or 0 once a failure is found."""

    kind: IndicatorRule = field(default="all_or_nothing", init=False)


@dataclass(frozen=True)
class Bonus:
    """加分 by who took part, capped at the maximum (主要负责人参加加5分，其他人员参加加3分)."""

    points_by_participant: Mapping[str, Decimal]
    kind: IndicatorRule = field(default="bonus", init=False)


@dataclass(frozen=True)
class Ranked:
    """排名赋分 (可并列): ``points_by_rank[i]`` for rank i+1; ranks past the table get its last value.

    ``higher_is_better`` says how the assessors' measure orders the units (a count of problems found
    in the monthly checks ranks lower-is-better; a score, higher-is-better).
    """

    points_by_rank: tuple[Decimal, ...]
    higher_is_better: bool = False
    kind: IndicatorRule = field(default="ranked", init=False)

    def points_for(self, rank: int) -> Decimal:
        return self.points_by_rank[min(rank, len(self.points_by_rank)) - 1]


@dataclass(frozen=True)
class Proportional:
    """按比例计分: the maximum × a compliance ratio (e.g. 双公示 合规性、及时性、完整性)."""

    kind: IndicatorRule = field(default="proportional", init=False)


LeafRule = Deduct | AllOrNothing | Bonus | Ranked | Proportional


@dataclass(frozen=True)
class Indicator:
    """A node of the indicator tree: a leaf (with a rule) or a parent (with children).

    A parent's ``max_points`` is the sum of its children's; ``partial`` marks a node whose children
    the source document does not give in full (then the sum may fall short of the declared maximum).
    """

    code: str
    name: str
    max_points: Decimal
    children: tuple[Indicator, ...] = ()
    rule: LeafRule | None = None
    methods: tuple[CheckMethod, ...] = ()
    auto_source: AutoSource | None = None
    content: str = ""  # 考核内容: the criterion as the scheme words it
    partial: bool = False

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Indicator]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Category:
    """A category of units appraised on one indicator tree (A类: 乡镇, B类: 区直部门)."""

    code: str
    name: str
    total: Decimal  # 满分 of the category (100 in seed 003)
    indicators: tuple[Indicator, ...]
    units: tuple[str, ...] = ()
    # 考核方案 三(二): the day the 考核通知 went to this category's units; None until it is sent.
    notice_date: date | None = None
    partial: bool = False  # the document gives only part of the tree (seed 003's B table)

    def walk(self) -> Iterator[Indicator]:
        for top in self.indicators:
            yield from top.walk()

    def leaves(self) -> Iterator[Indicator]:
        return (node for node in self.walk() if node.is_leaf)

    def bound_leaf(self, auto_source: AutoSource) -> Indicator | None:
        """The leaf an event of ``auto_source`` lands on (the first bound to it), if any."""
        return self._bound_leaves.get(auto_source)

    @cached_property
    def _bound_leaves(self) -> dict[str, Indicator]:
        # Looked up once per consumed event: the tree is walked once per parsed scheme.
        bound: dict[str, Indicator] = {}
        for leaf in self.leaves():
            if leaf.auto_source is not None:
                bound.setdefault(leaf.auto_source, leaf)
        return bound

    def indicator(self, code: str) -> Indicator:
        for node in self.walk():
            if node.code == code:
                return node
        raise InvalidInput(
            "indicator_unknown",
            "考核指标不存在",
            f"类别 {self.code} 中没有指标 {code}",
            indicator=code,
        )

    @property
    def attainable(self) -> Decimal:
        """What the indicators present add up to: the total, unless the category is partial."""
        return sum((top.max_points for top in self.indicators), ZERO)


@dataclass(frozen=True)
class GradeBand:
    grade: Grade
    min_points: Decimal


@dataclass(frozen=True)
class VetoCondition:
    """一票否决: found once, the unit's grade is 不合格 whatever its points."""

    code: str
    description: str


@dataclass(frozen=True)
class Scheme:
    year: int
    name: str
    period_start: date
    period_end: date
    categories: tuple[Category, ...]
    grade_bands: tuple[GradeBand, ...] = tuple(GradeBand(g, p) for g, p in DEFAULT_BANDS)
    vetoes: tuple[VetoCondition, ...] = ()
    shortfall_share: Decimal = DEFAULT_SHORTFALL_SHARE

    def category(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        raise InvalidInput("category_unknown", "考核类别不存在", f"方案中没有类别 {code}", category=code)

    def category_of(self, unit_code: str) -> Category | None:
        return self._category_by_unit.get(unit_code)

    @cached_property
    def _category_by_unit(self) -> dict[str, Category]:
        # A unit belongs to one category (checked on load); the first wins as the scan did.
        found: dict[str, Category] = {}
        for category in self.categories:
            for unit in category.units:
                found.setdefault(unit, category)
        return found

    def holds(self, day: date) -> bool:
        """Whether ``day`` falls in the assessment period (an event is applied to that scheme)."""
        return self.period_start <= day <= self.period_end


def _refuse(code: str, title: str, detail: str, **extensions: object) -> InvalidInput:
    return InvalidInput(code, title, detail, **extensions)


def validate_scheme(scheme: Scheme) -> Scheme:
    """Return ``scheme`` if it can be used, else raise ``InvalidInput`` naming what is wrong."""
    if scheme.period_start > scheme.period_end:
        raise _refuse("scheme_period_invalid", "考核期间无效", "考核期间的开始日期晚于结束日期")
    if not scheme.categories:
        raise _refuse("scheme_categories_missing", "考核方案没有考核类别", "至少需要一个考核类别")
    if not ZERO < scheme.shortfall_share <= 1:
        raise _refuse("shortfall_share_invalid", "明显短板比例无效", "明显短板比例应在 0 到 1 之间")
    _validate_bands(scheme.grade_bands)
    _unique("veto_code_duplicate", "一票否决情形编号重复", (v.code for v in scheme.vetoes))
    _unique("category_code_duplicate", "考核类别编号重复", (c.code for c in scheme.categories))
    _unique("indicator_code_duplicate", "考核指标编号重复", (n.code for c in scheme.categories for n in c.walk()))
    seen_units: dict[str, str] = {}
    for category in scheme.categories:
        for unit in category.units:
            if unit in seen_units:
                raise _refuse(
                    "unit_in_two_categories",
                    "同一单位只能属于一个考核类别",
                    f"单位 {unit} 同时属于类别 {seen_units[unit]} 和 {category.code}",
                    unit_code=unit,
                )
            seen_units[unit] = category.code
        _validate_category(category)
    return scheme


def _validate_bands(bands: tuple[GradeBand, ...]) -> None:
    if tuple(b.grade for b in bands) != GRADES_WITH_BANDS:
        raise _refuse(
            "grade_bands_invalid", "考核等次设置无效", "等次应依次为 excellent、good、pass（低于 pass 为 fail）"
        )
    floors = [b.min_points for b in bands]
    if any(high <= low for high, low in zip(floors, floors[1:], strict=False)) or floors[-1] <= 0:
        raise _refuse("grade_bands_invalid", "考核等次设置无效", "各等次的最低分应为正数并由高到低严格递减")


def _unique(code: str, title: str, values: Iterator[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise _refuse(code, title, f"编号 {value} 出现不止一次", duplicate=value)
        seen.add(value)


def _validate_category(category: Category) -> None:
    if not category.indicators:
        raise _refuse("category_indicators_missing", "考核类别没有指标", f"类别 {category.code} 没有考核指标")
    for top in category.indicators:
        _validate_node(top)
    attainable = category.attainable
    # 考核办法 第九条: 百分制计分 — the indicators must add up to the category's total exactly,
    # unless the category is marked partial (then they may only fall short of it).
    if attainable > category.total or (attainable < category.total and not category.partial):
        raise _refuse(
            "indicator_points_mismatch",
            "指标分值之和与上级分值不符",
            f"类别 {category.code} 的一级指标合计 {attainable} 分，满分为 {category.total} 分",
            category=category.code,
            indicator=None,
        )
    bound: dict[str, str] = {}
    for leaf in category.leaves():
        if leaf.auto_source is None:
            continue
        # One leaf per event source and category, so each event has exactly one place to land.
        if leaf.auto_source in bound:
            raise _refuse(
                "auto_source_duplicate",
                "同一数据来源只能关联一个指标",
                f"类别 {category.code} 的指标 {bound[leaf.auto_source]} 和 {leaf.code} 都关联 {leaf.auto_source}",
                indicator=leaf.code,
            )
        bound[leaf.auto_source] = leaf.code


def _validate_node(node: Indicator) -> None:
    def refuse(code: str, title: str, detail: str) -> InvalidInput:
        return _refuse(code, title, f"指标 {node.code}（{node.name}）：{detail}", indicator=node.code)

    if node.max_points <= 0:
        raise refuse("indicator_points_invalid", "指标分值无效", "分值应为正数")
    if not node.is_leaf:
        if node.rule is not None or node.auto_source is not None:
            raise refuse("indicator_rule_on_parent", "上级指标不能设置评分规则", "评分规则只属于末级指标")
        for child in node.children:
            _validate_node(child)
        total = sum((child.max_points for child in node.children), ZERO)
        if total > node.max_points or (total < node.max_points and not node.partial):
            raise refuse(
                "indicator_points_mismatch",
                "指标分值之和与上级分值不符",
                f"下级指标合计 {total} 分，本指标为 {node.max_points} 分",
            )
        return
    rule = node.rule
    if rule is None:
        raise refuse("indicator_rule_missing", "末级指标缺少评分规则", "末级指标需要评分规则")
    if not node.methods:
        raise refuse("indicator_method_missing", "末级指标缺少考核方式", "末级指标需要考核方式")
    if node.auto_source is not None and AUTO_SOURCE_RULES[node.auto_source] != rule.kind:
        raise refuse(
            "auto_source_rule_mismatch",
            "数据来源与评分规则不符",
            f"{node.auto_source} 需要 {AUTO_SOURCE_RULES[node.auto_source]} 规则",
        )
    if isinstance(rule, Deduct) and not ZERO < rule.points <= node.max_points:
        raise refuse("rule_points_invalid", "扣分分值无效", "每次扣分应为正数且不超过本指标分值")
    if isinstance(rule, Bonus) and (
        not rule.points_by_participant or any(p <= 0 for p in rule.points_by_participant.values())
    ):
        raise refuse("rule_points_invalid", "加分分值无效", "应列出参加人员及其加分（正数）")
    if isinstance(rule, Ranked) and (
        not rule.points_by_rank or any(not ZERO <= p <= node.max_points for p in rule.points_by_rank)
    ):
        raise refuse("rule_points_invalid", "排名赋分无效", "名次赋分表不能为空，每项在 0 与本指标分值之间")
