"""What each consumed event means for accountability (DESIGN §3, issue 14 §1)."""

from __future__ import annotations

from typing import Any

import pytest

from services.accountability.domain.reactions import (
    ActiveCase,
    AppendFinding,
    Ignore,
    OpenCase,
    OrderRectification,
    is_about_disclosure,
    react,
)
from shared.domain import InvalidInput

OVERDUE: dict[str, Any] = {
    "request_id": "r-1",
    "tracking_no": "YSQ-2026-0001",
    "unit_code": "U-1",
    "handler_id": "p-7",
    "due_on": "2026-10-12",
    "source_ref": None,
}
COMPLAINT: dict[str, Any] = {
    "workorder_no": "WO-9",
    "unit_code": "U-1",
    "content": "我上月提交的政府信息公开申请至今没有答复",
    "received_at": "2026-10-20T09:00:00+08:00",
}
FAILED: dict[str, Any] = {
    "scheme_id": "s-2026",
    "year": 2026,
    "unit_code": "U-1",
    "total": 70.5,
    "veto_reasons": ["考核中弄虚作假"],
}


def case(case_id: str, violation: str, state: str = "investigating", unit_code: str = "U-1") -> ActiveCase:
    return ActiveCase(case_id, unit_code, frozenset({violation}), state)


def test_an_overdue_request_opens_an_application_mishandled_case_naming_the_handler() -> None:
    (reaction,) = react("request.overdue", OVERDUE, [])
    assert isinstance(reaction, OpenCase)
    assert reaction.unit_code == "U-1"
    assert reaction.violation == "application_mishandled"
    assert reaction.finding.source == "责任追究办法 第五条(五)"
    assert reaction.finding.ref == "request:r-1"
    assert reaction.finding.persons == (("p-7", "handler"),)
    assert "YSQ-2026-0001" in reaction.finding.text


def test_an_event_for_a_unit_with_an_active_case_of_the_same_violation_appends_a_finding() -> None:
    cases = [case("C-2", "application_mishandled"), case("C-1", "application_mishandled", "hearing")]
    (reaction,) = react("request.overdue", OVERDUE, cases)
    assert isinstance(reaction, AppendFinding)
    assert reaction.case_id == "C-1"


@pytest.mark.parametrize(
    "cases",
    [
        [case("C-1", "application_mishandled", "decided")],  # decided: no longer takes findings
        [case("C-1", "application_mishandled", "closed")],
        [case("C-1", "complaint_mishandled")],  # another violation
        [case("C-1", "application_mishandled", unit_code="U-2")],  # another unit
    ],
)
def test_an_event_opens_a_new_case_when_no_active_case_of_the_unit_has_that_violation(
    cases: list[ActiveCase],
) -> None:
    (reaction,) = react("request.overdue", OVERDUE, cases)
    assert isinstance(reaction, OpenCase)


def test_a_complaint_about_disclosure_work_opens_a_complaint_mishandled_case() -> None:
    (reaction,) = react("hotline.complaint_received", COMPLAINT, [])
    assert isinstance(reaction, OpenCase)
    assert reaction.violation == "complaint_mishandled"
    assert reaction.finding.source == "责任追究办法 第五条(九)"
    assert reaction.finding.ref == "workorder:WO-9"


def test_a_complaint_about_something_else_is_ignored() -> None:
    (reaction,) = react("hotline.complaint_received", {**COMPLAINT, "content": "小区路灯不亮"}, [])
    assert isinstance(reaction, Ignore)
    assert not is_about_disclosure("小区路灯不亮")
    assert is_about_disclosure("要求依申请公开拆迁补偿标准")


def test_a_failed_grade_opens_an_appraisal_failed_case_with_a_rectification_order() -> None:
    opened, order = react("scoring.grade_failed", FAILED, [])
    assert isinstance(opened, OpenCase) and opened.violation == "appraisal_failed"
    assert "2026年度" in opened.finding.text and "考核中弄虚作假" in opened.finding.text
    assert isinstance(order, OrderRectification)
    assert order.basis == "appraisal_failed" and order.with_case
    assert order.source == "考核办法 第十一条"
    assert order.problems == ("考核中弄虚作假",)


def test_a_failed_grade_for_a_unit_with_an_active_appraisal_case_appends_and_still_orders() -> None:
    appended, order = react("scoring.grade_failed", FAILED, [case("C-5", "appraisal_failed", "open")])
    assert isinstance(appended, AppendFinding) and appended.case_id == "C-5"
    assert isinstance(order, OrderRectification)


def test_a_finalized_sheet_with_shortfalls_orders_rectification_without_a_case() -> None:
    data = {
        "scheme_id": "s-2026",
        "year": 2026,
        "unit_code": "U-1",
        "total": 88,
        "grade": "good",
        "rank": 3,
        "shortfalls": [{"code": "A3", "name": "政策解读", "points": 4, "max_points": 10}, "平台建设"],
    }
    (order,) = react("scoring.sheet_finalized", data, [])
    assert isinstance(order, OrderRectification)
    assert order.basis == "appraisal_shortfall" and not order.with_case
    assert order.source == "考核方案 四(一)"
    assert order.problems == ("政策解读（4/10分）", "平台建设")


def test_a_finalized_sheet_without_shortfalls_or_with_a_fail_grade_orders_nothing() -> None:
    base = {"scheme_id": "s", "year": 2026, "unit_code": "U-1", "grade": "good", "shortfalls": []}
    assert isinstance(react("scoring.sheet_finalized", base, [])[0], Ignore)
    failing = {**base, "grade": "fail", "shortfalls": ["组织领导"]}
    assert isinstance(react("scoring.sheet_finalized", failing, [])[0], Ignore)


def test_an_unsatisfied_unit_gets_a_rectification_order_for_the_published_problems() -> None:
    data = {"campaign_id": "c", "year": 2026, "unit_code": "U-1", "score": 40, "problems": ["答复不及时"]}
    (order,) = react("appraisal.unit_unsatisfied", data, [])
    assert isinstance(order, OrderRectification)
    assert order.basis == "public_appraisal" and not order.with_case
    assert order.source == "社会评议办法 第九条"
    assert order.problems == ("答复不及时",)


def test_an_event_without_its_unit_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as raised:
        react("request.overdue", {**OVERDUE, "unit_code": " "}, [])
    assert raised.value.code == "event_data_invalid"
    assert raised.value.extensions["field"] == "unit_code"


def test_an_event_type_accountability_does_not_handle_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        react("request.replied", OVERDUE, [])
    assert raised.value.code == "event_type_unhandled"
