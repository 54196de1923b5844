"""The application's state machine (DESIGN §5) and the 保密审查 guards on a reply (seed 001)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.requests.domain.outcomes import OUTCOMES
from services.requests.domain.states import (
    ACTIONS,
    LAPSE_OUTCOMES,
    STATES,
    TRANSITIONS,
    allowed_actions,
    transition,
)
from shared.domain import DomainError

OPEN_STATES = ["submitted", "registered", "correction_requested", "in_progress", "consulting", "fee_pending", "review"]


def test_the_normal_path_runs_from_submitted_to_archived() -> None:
    state = "submitted"
    for action, expected in [
        ("register", "registered"),
        ("request-correction", "correction_requested"),
        ("receive-correction", "registered"),
        ("assign", "in_progress"),
        ("start-consultation", "consulting"),
        ("close-consultation", "in_progress"),
        ("fee-notice", "fee_pending"),
        ("fee-payment", "in_progress"),
    ]:
        state = transition(state, action)
        assert state == expected
    state = transition(state, "review", opinion="disclose")
    assert state == "review"
    assert transition(state, "reply", outcome="disclosed", latest_opinion="disclose") == "replied"
    assert transition("replied", "archive") == "archived"


def test_illegal_transition_names_the_actions_allowed_in_the_state() -> None:
    with pytest.raises(DomainError) as raised:
        transition("submitted", "reply", outcome="disclosed", latest_opinion="disclose")
    error = raised.value
    assert (error.code, error.title) == ("illegal_transition", "当前状态不允许该操作")
    assert error.extensions["allowed_actions"] == ["register", "withdraw"]
    assert error.extensions["current_state"] == "submitted"


@pytest.mark.parametrize("state", OPEN_STATES)
def test_withdrawal_is_allowed_from_every_state_before_replied(state: str) -> None:
    assert transition(state, "withdraw") == "withdrawn"


@pytest.mark.parametrize("state", ["replied", "archived", "withdrawn"])
def test_withdrawal_is_refused_once_replied(state: str) -> None:
    with pytest.raises(DomainError, match="illegal_transition"):
        transition(state, "withdraw")


def test_archived_and_withdrawn_are_final_but_a_refusal_may_still_be_reported_up() -> None:
    # Seed 001: the report of a withheld.* decision outlives the file's archiving; it changes no state.
    assert allowed_actions("archived") == ["report-up"]
    assert transition("archived", "report-up") == "archived"
    assert allowed_actions("withdrawn") == []


@pytest.mark.parametrize("state", ["in_progress", "consulting", "fee_pending", "review"])
def test_reassigning_a_handler_keeps_the_state(state: str) -> None:
    assert transition(state, "assign") == state


def test_assign_is_refused_before_registration_and_while_awaiting_a_correction() -> None:
    for state in ("submitted", "correction_requested"):
        with pytest.raises(DomainError, match="illegal_transition"):
            transition(state, "assign")


def test_closing_a_consultation_returns_to_in_progress_only_when_none_stays_open() -> None:
    assert transition("consulting", "start-consultation") == "consulting"  # a further party
    assert transition("consulting", "close-consultation", consultations_still_open=1) == "consulting"
    assert transition("consulting", "close-consultation", consultations_still_open=0) == "in_progress"


def test_a_consultation_or_fee_notice_needs_the_case_in_progress() -> None:
    for action in ("start-consultation", "fee-notice"):
        with pytest.raises(DomainError, match="illegal_transition"):
            transition("registered", action)


def test_a_later_review_opinion_stays_in_review() -> None:
    assert transition("review", "review", opinion="refer") == "review"
    assert transition("review", "review", opinion="disclose") == "review"


def test_a_review_opinion_must_be_disclose_withhold_or_refer() -> None:
    with pytest.raises(DomainError) as raised:
        transition("in_progress", "review", opinion="approve")
    assert raised.value.code == "review_opinion_invalid"


def test_a_reply_needs_the_review_state() -> None:
    with pytest.raises(DomainError, match="illegal_transition"):
        transition("in_progress", "reply", outcome="withheld.state_secret", latest_opinion="withhold")


def test_a_refer_opinion_blocks_every_reply_until_a_later_opinion() -> None:
    for outcome in ("disclosed", "withheld.state_secret", "unavailable.not_held"):
        with pytest.raises(DomainError) as raised:
            transition("review", "reply", outcome=outcome, latest_opinion="refer")
        assert raised.value.code == "review_referred"
    assert transition("review", "reply", outcome="withheld.state_secret", latest_opinion="withhold") == "replied"


@pytest.mark.parametrize("outcome", ["disclosed", "partially_disclosed"])
def test_releasing_information_needs_a_disclose_opinion(outcome: str) -> None:
    with pytest.raises(DomainError) as raised:
        transition("review", "reply", outcome=outcome, latest_opinion="withhold")
    assert raised.value.code == "disclosure_not_approved"
    assert transition("review", "reply", outcome=outcome, latest_opinion="disclose") == "replied"


def test_a_withholding_reply_may_follow_a_disclose_opinion() -> None:
    assert transition("review", "reply", outcome="not_processed.duplicate", latest_opinion="disclose") == "replied"


def test_a_reply_needs_a_known_outcome_and_a_review_opinion() -> None:
    with pytest.raises(DomainError, match="outcome_invalid"):
        transition("review", "reply", outcome="granted", latest_opinion="disclose")
    with pytest.raises(DomainError, match="review_required"):
        transition("review", "reply", outcome="withheld.state_secret", latest_opinion=None)


@pytest.mark.parametrize("outcome", ["other.correction_lapsed", "other.fee_unpaid"])
def test_lapse_outcomes_are_reserved_to_the_lapse_conclusions(outcome: str) -> None:
    with pytest.raises(DomainError) as raised:
        transition("review", "reply", outcome=outcome, latest_opinion="withhold")
    assert raised.value.code == "outcome_reserved"


def test_lapsed_correction_and_unpaid_fee_conclude_the_application_as_replied() -> None:
    assert transition("correction_requested", "lapse-correction") == "replied"
    assert transition("fee_pending", "lapse-fee") == "replied"
    assert LAPSE_OUTCOMES == {"lapse-correction": "other.correction_lapsed", "lapse-fee": "other.fee_unpaid"}
    assert all(outcome in OUTCOMES for outcome in LAPSE_OUTCOMES.values())


def test_extension_is_recorded_without_a_state_change_while_the_reply_period_runs() -> None:
    for state in ("registered", "in_progress", "consulting", "fee_pending", "review"):
        assert transition(state, "extend") == state
    for state in ("submitted", "correction_requested", "replied"):
        with pytest.raises(DomainError, match="illegal_transition"):
            transition(state, "extend")


def test_the_table_only_knows_the_states_and_actions_of_the_design() -> None:
    assert {s for s, _ in TRANSITIONS} | set(TRANSITIONS.values()) <= set(STATES)
    assert set(ACTIONS) == {
        "register", "request-correction", "receive-correction", "assign", "start-consultation",
        "close-consultation", "fee-notice", "fee-payment", "review", "reply", "withdraw", "archive",
        "lapse-correction", "lapse-fee", "extend",
        # issue 11: 条例 第三十二条、第三十五条; seed 001 保密审查制度 第十条, 主动公开工作制度 七
        "lapse-consultation", "request-reasons", "receive-reasons", "lapse-reasons", "defer",
        "request-review", "report-up",
    }  # fmt: skip


@settings(max_examples=200)
@given(st.sampled_from(STATES), st.sampled_from(ACTIONS))
def test_an_action_is_accepted_exactly_when_allowed_actions_lists_it(state: str, action: str) -> None:
    guards = {"opinion": "withhold", "latest_opinion": "withhold", "outcome": "withheld.state_secret"}
    if action in allowed_actions(state):
        assert transition(state, action, **guards) == TRANSITIONS[(state, action)]
    else:
        with pytest.raises(DomainError, match="illegal_transition"):
            transition(state, action, **guards)
