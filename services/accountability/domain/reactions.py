"""What an event means for accountability (DESIGN §3, §8): pure decisions the handlers carry out.

| event | reaction |
|---|---|
| ``request.overdue`` | case ``application_mishandled`` (责任追究办法 第五条(五)), the handler concerned |
| ``hotline.complaint_received`` | case ``complaint_mishandled`` (第五条(九)) when it is about 政务公开 work |
| ``scoring.grade_failed`` | case ``appraisal_failed`` + rectification order (考核办法 第十一条) |
| ``scoring.sheet_finalized`` with shortfalls | rectification order, no case (考核方案 四(一)) |
| ``appraisal.unit_unsatisfied`` | rectification order for the problems (社会评议办法 第九条) |

An event for a unit that already has an active case (``cases.ACTIVE_STATES``) of the same violation
appends a finding to it instead of opening another. Redelivery is the inbox's business: the same
event reaches ``react`` once.

A failing sheet (``grade == "fail"``) is left to ``scoring.grade_failed``, which orders the
rectification of the whole appraisal: 考核方案 四(一) names 不合格 and 明显短板 in one breath, and one
unit gets one order for one appraisal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.accountability.domain.cases import ACTIVE_STATES
from shared.domain import InvalidInput
from shared.vocabulary import PersonRole, RectificationBasis, ViolationCode

__all__ = [
    "DISCLOSURE_KEYWORDS",
    "HANDLED_EVENTS",
    "ActiveCase",
    "AppendFinding",
    "Finding",
    "Ignore",
    "OpenCase",
    "OrderRectification",
    "Reaction",
    "is_about_disclosure",
    "react",
]

# Words by which a 12345 complaint is about 政务公开 work (第五条(九) 群众有关信息公开的投诉) rather
# than about the unit's other business.
DISCLOSURE_KEYWORDS: tuple[str, ...] = (
    "信息公开",
    "政务公开",
    "依申请公开",
    "公开申请",
    "申请公开",
    "主动公开",
    "不予公开",
    "政府信息",
    "公开指南",
    "公开目录",
    "年度报告",
    "政策解读",
)


@dataclass(frozen=True)
class Finding:
    """A fact found about a unit, from an event: what, under which article, and what it points to."""

    text: str
    source: str
    ref: str  # the thing the event is about, e.g. "request:…", "workorder:…", "scheme:…"
    persons: tuple[tuple[str, PersonRole], ...] = ()  # (person id, role) the event names


@dataclass(frozen=True)
class OpenCase:
    unit_code: str
    violation: ViolationCode
    finding: Finding


@dataclass(frozen=True)
class AppendFinding:
    case_id: str
    violation: ViolationCode
    finding: Finding


@dataclass(frozen=True)
class OrderRectification:
    """A rectification order (责令整改); ``with_case``: attached to the case this event opens or extends."""

    unit_code: str
    basis: RectificationBasis
    problems: tuple[str, ...]
    source: str
    with_case: bool


@dataclass(frozen=True)
class Ignore:
    reason: str


Reaction = OpenCase | AppendFinding | OrderRectification | Ignore


@dataclass(frozen=True)
class ActiveCase:
    """A case of the unit as far as the decision needs it."""

    case_id: str
    unit_code: str
    violations: frozenset[str]
    state: str


HANDLED_EVENTS: tuple[str, ...] = (
    "request.overdue",
    "hotline.complaint_received",
    "scoring.grade_failed",
    "scoring.sheet_finalized",
    "appraisal.unit_unsatisfied",
)


def is_about_disclosure(content: str) -> bool:
    return any(word in content for word in DISCLOSURE_KEYWORDS)


def _field(data: Mapping[str, Any], name: str, event_type: str) -> str:
    value = data.get(name)
    if value is None or not str(value).strip():
        raise InvalidInput("event_data_invalid", "事件数据缺少必要字段", f"{event_type} 缺少 {name}", field=name)
    return str(value).strip()


def _case_or_finding(
    unit_code: str, violation: ViolationCode, finding: Finding, cases: Iterable[ActiveCase]
) -> OpenCase | AppendFinding:
    for case in sorted(cases, key=lambda c: c.case_id):
        if case.unit_code == unit_code and case.state in ACTIVE_STATES and violation in case.violations:
            return AppendFinding(case.case_id, violation, finding)
    return OpenCase(unit_code, violation, finding)


def _describe_problem(item: Any) -> str:
    """A shortfall or problem as one line: events carry strings or objects with a name and points."""
    if isinstance(item, Mapping):
        name = item.get("name") or item.get("indicator") or item.get("code") or item.get("text") or ""
        points, maximum = item.get("points", item.get("score")), item.get("max_points")
        if points is not None and maximum is not None:
            return f"{name}（{points}/{maximum}分）"
        return str(name) or str(dict(item))
    return str(item)


def react(event_type: str, data: Mapping[str, Any], active_cases: Iterable[ActiveCase]) -> tuple[Reaction, ...]:
    """The reactions to one event, given the unit's active cases."""
    cases = list(active_cases)
    if event_type not in HANDLED_EVENTS:
        raise InvalidInput("event_type_unhandled", "责任追究不处理该事件", event_type)
    unit_code = _field(data, "unit_code", event_type)

    if event_type == "request.overdue":
        tracking_no = _field(data, "tracking_no", event_type)
        handler = data.get("handler_id")
        finding = Finding(
            text=f"政府信息公开申请 {tracking_no} 未按规定时限答复（答复期限 {data.get('due_on', '未知')}）",
            source="责任追究办法 第五条(五)",
            ref=f"request:{_field(data, 'request_id', event_type)}",
            persons=((str(handler), "handler"),) if handler else (),
        )
        return (_case_or_finding(unit_code, "application_mishandled", finding, cases),)

    if event_type == "hotline.complaint_received":
        workorder_no = _field(data, "workorder_no", event_type)
        content = str(data.get("content") or "")
        if not is_about_disclosure(content):
            return (Ignore(f"12345工单 {workorder_no} 不涉及政务公开工作"),)
        finding = Finding(
            text=f"12345工单 {workorder_no} 投诉信息公开工作：{content[:200]}",
            source="责任追究办法 第五条(九)",
            ref=f"workorder:{workorder_no}",
        )
        return (_case_or_finding(unit_code, "complaint_mishandled", finding, cases),)

    year = _field(data, "year", event_type)
    if event_type == "scoring.grade_failed":
        vetoes = tuple(_describe_problem(v) for v in data.get("veto_reasons") or ())
        text = f"{year}年度政务公开工作考核不合格（得分 {data.get('total', '未知')}）"
        if vetoes:
            text += f"，一票否决：{'；'.join(vetoes)}"
        finding = Finding(text, "考核办法 第十一条", f"scheme:{_field(data, 'scheme_id', event_type)}")
        return (
            _case_or_finding(unit_code, "appraisal_failed", finding, cases),
            # 考核办法 第十一条: 考核结果通报后20个工作日内作出书面整改报告.
            OrderRectification(unit_code, "appraisal_failed", vetoes or (text,), "考核办法 第十一条", with_case=True),
        )

    if event_type == "scoring.sheet_finalized":
        shortfalls = tuple(_describe_problem(s) for s in data.get("shortfalls") or ())
        if data.get("grade") == "fail":
            return (Ignore("考核不合格的单位由 scoring.grade_failed 责令整改"),)
        if not shortfalls:
            return (Ignore(f"{year}年度考核无明显短板"),)
        # 考核方案 四(一): 对…考核中存在明显短板的单位，责令限期整改 — an order, not a case.
        return (OrderRectification(unit_code, "appraisal_shortfall", shortfalls, "考核方案 四(一)", with_case=False),)

    # appraisal.unit_unsatisfied — 社会评议办法 第九条: 对社会评议中发现的问题和不足…按要求整改.
    problems = tuple(_describe_problem(p) for p in data.get("problems") or ()) or (f"{year}年度社会评议不满意",)
    return (OrderRectification(unit_code, "public_appraisal", problems, "社会评议办法 第九条", with_case=False),)
