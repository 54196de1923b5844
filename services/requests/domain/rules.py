"""Named rule sets: the working-day limits of 依申请公开, configurable per deployment (DESIGN §5).

The national law (中华人民共和国政府信息公开条例, 2019) is the default; local rules may be stricter,
e.g. seed 004 (掇刀区财政局政务公开实施细则 第十七条) decides within 15 working days, extendable
to 30 in all. A deployment picks its rule set by name.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_RULE_SET", "RULE_SETS", "RuleSet", "rule_set"]


@dataclass(frozen=True)
class RuleSet:
    """One set of time limits (时限), all in working days (工作日), the day of the event not counted."""

    name: str
    title: str  # Chinese, for explanations
    reply_working_days: int  # 答复期限 — 条例 第三十三条: 20
    extension_max_working_days: int  # 延长答复期限 — 条例 第三十三条: at most 20, once
    correction_notice_working_days: int  # 补正告知 — 条例 第三十条: 7
    consultation_working_days: int  # 征求第三方意见 — 条例 第三十二条: 15
    fee_payment_working_days: int  # 缴费期限 — 国办函〔2020〕109号: 20
    due_soon_marks: tuple[int, ...]  # working days left at which request.due_soon is emitted
    # Seed 001 保密审查制度 第十条: the 保密审查 opinion within 15 working days of the request (a reminder).
    review_opinion_working_days: int = 15
    # Seed 001 政府信息主动公开工作制度 七: a refusal reported to the office one level up within 5.
    report_up_working_days: int = 5
    # The reminder before the report-up falls due: this many working days left, or fewer.
    report_up_reminder_working_days: int = 2

    def __post_init__(self) -> None:
        # A misconfigured deployment must fail at start-up, not compute nonsense due dates later.
        limits = {
            "reply_working_days": self.reply_working_days,
            "extension_max_working_days": self.extension_max_working_days,
            "correction_notice_working_days": self.correction_notice_working_days,
            "consultation_working_days": self.consultation_working_days,
            "fee_payment_working_days": self.fee_payment_working_days,
            "review_opinion_working_days": self.review_opinion_working_days,
            "report_up_working_days": self.report_up_working_days,
            "report_up_reminder_working_days": self.report_up_reminder_working_days,
        }
        for field, value in limits.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"rule set {self.name!r}: {field} must be a positive integer, got {value!r}")
        marks = self.due_soon_marks
        if any(isinstance(m, bool) or not isinstance(m, int) or m < 1 for m in marks) or list(marks) != sorted(
            set(marks), reverse=True
        ):
            raise ValueError(f"rule set {self.name!r}: due_soon_marks must be distinct positive integers, descending")


RULE_SETS: dict[str, RuleSet] = {
    rules.name: rules
    for rules in (
        RuleSet(
            name="national_2019",
            title="中华人民共和国政府信息公开条例（2019年修订）",
            reply_working_days=20,
            extension_max_working_days=20,
            correction_notice_working_days=7,
            consultation_working_days=15,
            fee_payment_working_days=20,
            due_soon_marks=(5, 3, 1),
        ),
        # Seed 004 第十七条: decide within 15 working days, extendable "至30个工作日" — i.e. by 15 more.
        # The seed says nothing on correction, consultation or fees, so the national limits apply.
        RuleSet(
            name="local_15_15",
            title="地方实施细则（15个工作日内答复，可延长至30个工作日）",
            reply_working_days=15,
            extension_max_working_days=15,
            correction_notice_working_days=7,
            consultation_working_days=15,
            fee_payment_working_days=20,
            due_soon_marks=(5, 3, 1),
        ),
    )
}
DEFAULT_RULE_SET = "national_2019"


def rule_set(name: str) -> RuleSet:
    """The rule set called ``name``; ``KeyError`` naming the known ones otherwise."""
    try:
        return RULE_SETS[name]
    except KeyError:
        raise KeyError(f"unknown rule set {name!r}; known rule sets: {', '.join(sorted(RULE_SETS))}") from None
