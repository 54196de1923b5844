"""Sanction ladders (责任追究方式的档次) kept as data, and the recommendation computed on one.

A ladder is a list of rungs from the lightest to the heaviest; each rung names the 情节 it is for
and the sanctions it gives the unit and the responsible persons. Two ship; a deployment picks one
by name (``LADDERS``):

- ``handan``: seed 000 责任追究办法 第七条, three rungs — 责令整改; 通报批评 + 约谈; 处分建议.
- ``finance_bureau``: seed 004 第二十七条(四), four rungs — 告诫、批评教育 + 限期改正; 批评、通报批评
  + 取消当年评优资格; 通报批评 + 限期整改 + 取消评优资格 + 处分; 移送司法机关.

``recommend`` starts from the rung of the severity, lowers it one rung when a mitigating factor
(第八条) is present and raises it one rung when an aggravating one (第九条) is: one rung each way
however many factors, so both present cancel out. The move is clamped to the ladder. A rung reached
by the facts alone (``by_fact_only``: 触犯刑律 → 移送司法机关) neither moves nor is reached by
weighing: whether conduct is a crime is a fact for the judicial organs, not a matter of
从轻/从重 (so an aggravated 情节严重 stops at the heaviest ordinary rung).

Choices the regulations leave open, made here and shown in every recommendation's reasons:

- Seed 000 has no rung for a crime (its 第十条 defers to the law): ``criminal`` is not on the
  ``handan`` ladder (422). The inspector records ``grave`` and departs from the recommendation with
  a written reason to add ``judicial_referral``.
- A person bearing secondary responsibility (次要责任) is recommended the sanctions of the rung
  below (责任追究办法 第四条: 错责相当); the unit's sanctions are the rung's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import get_args

from services.accountability.domain.catalogue import AGGRAVATING, FACTORS, MITIGATING, SANCTIONS
from shared.domain import InvalidInput
from shared.vocabulary import (
    SEVERITY_LABELS,
    FactorCode,
    ResponsibilityShare,
    SanctionCode,
    Severity,
)

__all__ = [
    "DEFAULT_LADDER",
    "LADDERS",
    "AppliedFactor",
    "Departure",
    "Ladder",
    "Recommendation",
    "Rung",
    "check_departure",
    "ladder_named",
    "person_sanctions",
    "recommend",
]


@dataclass(frozen=True)
class Rung:
    """One step of a ladder: the 情节 it is for and what it gives the unit and the persons."""

    severity: Severity
    unit: tuple[SanctionCode, ...]
    persons: tuple[SanctionCode, ...]
    source: str
    by_fact_only: bool = False  # reached only by the facts (a crime), never by weighing factors


@dataclass(frozen=True)
class Ladder:
    name: str
    title: str
    rungs: tuple[Rung, ...]

    def __post_init__(self) -> None:
        severities = [rung.severity for rung in self.rungs]
        assert len(set(severities)) == len(severities), f"ladder {self.name}: one rung per severity"

    @property
    def severities(self) -> tuple[Severity, ...]:
        return tuple(rung.severity for rung in self.rungs)

    def index_of(self, severity: Severity) -> int:
        for index, rung in enumerate(self.rungs):
            if rung.severity == severity:
                return index
        raise InvalidInput(
            "severity_not_on_ladder",
            "所选追究档次不适用该情节",
            f"{self.title}没有“{SEVERITY_LABELS.get(severity, severity)}”一档；"
            f"可选：{'、'.join(SEVERITY_LABELS[s] for s in self.severities)}",
            ladder=self.name,
            severities=list(self.severities),
        )


@dataclass(frozen=True)
class AppliedFactor:
    """A factor found in a case; ``automatic`` when the system found it (第九条(四)), with a note why."""

    code: FactorCode
    automatic: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if self.code not in FACTORS:
            raise InvalidInput("factor_invalid", "从轻或从重情形不在目录内", f"未知情形：{self.code}")


@dataclass(frozen=True)
class Recommendation:
    """The sanctions a ladder recommends for a severity and the factors found, with the reasons."""

    ladder: str
    severity: Severity
    base_step: int  # 1-based rung of the severity alone
    step: int  # 1-based rung after the factors
    unit_sanctions: tuple[SanctionCode, ...]
    person_sanctions: tuple[SanctionCode, ...]
    factors: tuple[AppliedFactor, ...]
    reasons: tuple[str, ...] = field(default=())


# 责任追究办法 第七条: 有第五条情形的，责令整改；情节较重的，给予通报批评，并约谈负有责任的领导人员和直接
# 责任人员；情节严重的，建议有权机关对负有责任的领导人员和直接责任人员依法给予处分。
HANDAN = Ladder(
    name="handan",
    title="邯郸市政务公开工作责任追究办法 第七条",
    rungs=(
        Rung("minor", ("rectification_order",), (), "责任追究办法 第七条：责令整改"),
        Rung("serious", ("public_criticism",), ("interview",), "责任追究办法 第七条：情节较重的，通报批评并约谈"),
        Rung("grave", (), ("disciplinary_recommendation",), "责任追究办法 第七条：情节严重的，建议依法给予处分"),
    ),
)

# seed 004 第二十七条(四) 责任的追究.
FINANCE_BUREAU = Ladder(
    name="finance_bureau",
    title="政务公开工作实施细则 第二十七条(四)",
    rungs=(
        # 1、情节轻微，影响较小的，对直接责任人给予告诫或批评教育，并限期改正。
        Rung("minor", (), ("admonition", "rectification_order"), "第二十七条(四)1：告诫或批评教育，限期改正"),
        # 2、影响正常工作，或者给群众造成损失的，对科室、单位提出批评；对有关责任人给予通报批评，责令作出
        # 书面检查，取消当年评先、评优资格。
        Rung(
            "serious",
            ("admonition",),
            ("public_criticism", "award_disqualification"),
            "第二十七条(四)2：单位批评；责任人通报批评、取消当年评优资格",
        ),
        # 3、情节严重，影响较大的，对科室、单位给予通报批评，责令限期整改，取消评优、评先资格；取消直接责任人
        # 年度评优资格直至给予相应的党纪政纪处分。
        Rung(
            "grave",
            ("public_criticism", "rectification_order", "award_disqualification"),
            ("award_disqualification", "disciplinary_recommendation"),
            "第二十七条(四)3：单位通报批评、限期整改、取消评优；责任人取消评优直至处分",
        ),
        # 4、触犯刑律的，移送司法机关处理。
        Rung("criminal", (), ("judicial_referral",), "第二十七条(四)4：移送司法机关", by_fact_only=True),
    ),
)

LADDERS: dict[str, Ladder] = {ladder.name: ladder for ladder in (HANDAN, FINANCE_BUREAU)}
DEFAULT_LADDER = HANDAN.name


def ladder_named(name: str) -> Ladder:
    """The shipped ladder a deployment picked by name."""
    found = LADDERS.get(name)
    if found is None:
        raise InvalidInput("ladder_unknown", "未知的追究档次表", f"可选：{', '.join(LADDERS)}", ladders=list(LADDERS))
    return found


def _factor_text(factor: AppliedFactor) -> str:
    entry = FACTORS[factor.code]
    text = f"{entry.label}（{entry.source}）"
    if factor.automatic:
        text += "，系统自动认定"
    if factor.note:
        text += f"：{factor.note}"
    return text


def recommend(ladder: Ladder, severity: Severity, factors: Iterable[FactorCode | AppliedFactor] = ()) -> Recommendation:
    """The rung for ``severity`` moved one rung down by mitigating and one up by aggravating factors."""
    if severity not in get_args(Severity):
        raise InvalidInput("severity_invalid", "情节档次无效", f"未知情节：{severity}")
    applied: list[AppliedFactor] = []
    for item in factors:
        factor = item if isinstance(item, AppliedFactor) else AppliedFactor(item)
        if factor.code not in {f.code for f in applied}:  # one factor counts once, the first note kept
            applied.append(factor)
    base = ladder.index_of(severity)
    rung = ladder.rungs[base]
    reasons = [f"{SEVERITY_LABELS[severity]}：第{base + 1}档（{rung.source}）"]
    mitigating = [f for f in applied if f.code in MITIGATING]
    aggravating = [f for f in applied if f.code in AGGRAVATING]
    # 第八条: 可以从轻或者减轻处理 — the recommendation applies it; the inspector may depart with a reason.
    reasons += [f"从轻：{_factor_text(f)}" for f in mitigating]
    # 第九条: 应当从重处理.
    reasons += [f"从重：{_factor_text(f)}" for f in aggravating]
    step = base
    if rung.by_fact_only:
        if applied:
            reasons.append("触犯刑律的移送司法机关处理，不因从轻、从重情形改变")
    else:
        shift = (1 if aggravating else 0) - (1 if mitigating else 0)
        if mitigating and aggravating:
            reasons.append("从轻与从重情形并存，相互抵消，维持本档")
        weighable = [i for i, r in enumerate(ladder.rungs) if not r.by_fact_only]
        step = min(max(base + shift, weighable[0]), weighable[-1])
        if shift < 0:
            reasons.append(f"降一档至第{step + 1}档" if step != base else "已是最轻一档，不再降低")
        elif shift > 0:
            reasons.append(f"升一档至第{step + 1}档" if step != base else "已是可依情节适用的最重一档，不再升高")
    chosen = ladder.rungs[step]
    return Recommendation(
        ladder=ladder.name,
        severity=severity,
        base_step=base + 1,
        step=step + 1,
        unit_sanctions=chosen.unit,
        person_sanctions=chosen.persons,
        factors=tuple(applied),
        reasons=tuple(reasons),
    )


def person_sanctions(
    ladder: Ladder, recommendation: Recommendation, share: ResponsibilityShare
) -> tuple[SanctionCode, ...]:
    """The sanctions recommended to one person by their share of the responsibility.

    责任追究办法 第四条 (错责相当): who bears secondary responsibility (次要责任, seed 004 第二十七条(三)3)
    gets the person sanctions of the rung below; a rung reached by the facts alone does not move.
    """
    index = recommendation.step - 1
    rung = ladder.rungs[index]
    if share != "secondary" or rung.by_fact_only or index == 0:
        return rung.persons
    return ladder.rungs[index - 1].persons


@dataclass(frozen=True)
class Departure:
    """The inspector's departure from a recommendation (偏离建议), kept with its written reason."""

    added: tuple[SanctionCode, ...]
    removed: tuple[SanctionCode, ...]
    reason: str


def check_departure(
    recommended: Collection[SanctionCode], chosen: Collection[SanctionCode], reason: str | None
) -> Departure | None:
    """None when the choice is the recommendation; a departure otherwise, which needs a written reason."""
    for code in chosen:
        if code not in SANCTIONS:
            raise InvalidInput("sanction_invalid", "追究方式不在目录内", f"未知追究方式：{code}")
    added = tuple(s.code for s in SANCTIONS.values() if s.code in chosen and s.code not in recommended)
    removed = tuple(s.code for s in SANCTIONS.values() if s.code in recommended and s.code not in chosen)
    if not added and not removed:
        return None
    text = (reason or "").strip()
    if not text:
        # 责任追究办法 第四条 (错责相当) and seed 004 第二十八条 (形成书面材料): a choice other than the
        # ladder's must be explained in writing, and the explanation is kept with the decision.
        raise InvalidInput(
            "departure_reason_required",
            "偏离建议的追究方式须书面说明理由",
            f"增加：{'、'.join(SANCTIONS[c].label for c in added) or '无'}；"
            f"减少：{'、'.join(SANCTIONS[c].label for c in removed) or '无'}",
        )
    return Departure(added, removed, text)
