"""Outcome codes ↔ rows of the annual report's table 三 (国办公开办函〔2021〕30号; DESIGN §5)."""

from __future__ import annotations

from services.requests.domain.outcomes import (
    APPLICANT_TYPES,
    CHANNELS,
    OUTCOME_GROUPS,
    OUTCOMES,
    RELEASING_OUTCOMES,
    WITHDRAWAL_REPORT_OUTCOME,
    is_outcome,
)


def test_every_outcome_code_of_the_design_maps_to_one_report_row_in_its_group() -> None:
    by_group: dict[str, list[str]] = {}
    for code, outcome in OUTCOMES.items():
        assert outcome.code == code
        by_group.setdefault(outcome.group, []).append(code)
    assert by_group == {
        "予以公开": ["disclosed"],
        "部分公开": ["partially_disclosed"],
        "不予公开": [
            "withheld.state_secret",
            "withheld.law_prohibited",
            "withheld.security_stability",
            "withheld.third_party_rights",
            "withheld.internal_affairs",
            "withheld.process_info",
            "withheld.enforcement_file",
            "withheld.administrative_query",
        ],
        "无法提供": ["unavailable.not_held", "unavailable.needs_creation", "unavailable.still_unclear"],
        "不予处理": [
            "not_processed.petition",
            "not_processed.duplicate",
            "not_processed.publication",
            "not_processed.excessive",
            "not_processed.confirmation",
        ],
        "其他处理": ["other.correction_lapsed", "other.fee_unpaid", "other.other"],
    }
    assert tuple(by_group) == OUTCOME_GROUPS


def test_outcome_rows_carry_the_labels_of_table_three() -> None:
    assert OUTCOMES["withheld.security_stability"].label == "危及“三安全一稳定”"
    assert OUTCOMES["unavailable.still_unclear"].label == "补正后申请内容仍不明确"
    assert OUTCOMES["not_processed.confirmation"].label == "要求行政机关确认或重新出具已获取信息"
    assert OUTCOMES["other.fee_unpaid"].label == "逾期未缴费"
    assert len({o.label for o in OUTCOMES.values()}) == len(OUTCOMES)


def test_only_disclosed_and_partially_disclosed_release_information() -> None:
    assert {"disclosed", "partially_disclosed"} == RELEASING_OUTCOMES


def test_a_withdrawal_counts_as_other_other_in_the_report() -> None:
    assert WITHDRAWAL_REPORT_OUTCOME == "other.other"
    assert is_outcome(WITHDRAWAL_REPORT_OUTCOME)


def test_is_outcome_knows_exactly_the_codes_of_the_design() -> None:
    assert is_outcome("withheld.process_info")
    assert not is_outcome("withheld")
    assert not is_outcome("withdrawn")
    assert not is_outcome(None)


def test_applicant_types_and_channels_are_those_of_the_design() -> None:
    assert APPLICANT_TYPES == (
        "natural_person",
        "commercial_enterprise",
        "research_institution",
        "public_welfare_org",
        "legal_service_org",
        "other_org",
    )
    assert CHANNELS == ("in_person", "registered_mail", "mail", "online", "fax", "hotline_12345", "provincial")
