"""The case state machine (DESIGN §8) and the hearing guard of seed 004 第二十八条."""

from __future__ import annotations

import pytest

from services.accountability.domain.assessment import PersonConcerned
from services.accountability.domain.cases import (
    ACTIVE_STATES,
    STATES,
    TRANSITIONS,
    HearingRecord,
    allowed_actions,
    missing_statements,
    transition,
)
from shared.domain import DomainError, InvalidInput

WANG = PersonConcerned("p-1", "王办理", "handler")
LI = PersonConcerned("p-2", "李分管", "leader_in_charge")


def test_a_case_runs_open_investigating_hearing_decided_appealed_decided_closed() -> None:
    state = "open"
    for action, expected in [
        ("investigate", "investigating"),
        ("start-hearing", "hearing"),
        ("decide", "decided"),
        ("appeal", "appealed"),
        ("decide-appeal", "decided"),
        ("close", "closed"),
    ]:
        state = transition(state, action)
        assert state == expected


@pytest.mark.parametrize("state", ["open", "investigating"])
def test_a_decision_is_refused_before_the_hearing(state: str) -> None:
    with pytest.raises(DomainError) as raised:
        transition(state, "decide", persons=[WANG], hearing=[HearingRecord("p-1", "statement")])
    assert raised.value.status == 409
    assert raised.value.code == "transition_not_allowed"
    assert "decide" not in raised.value.extensions["allowed_actions"]


def test_a_decision_is_refused_while_a_person_concerned_has_not_been_heard_and_names_them() -> None:
    with pytest.raises(DomainError) as raised:
        transition("hearing", "decide", persons=[WANG, LI], hearing=[HearingRecord("p-1", "statement")])
    assert raised.value.status == 409
    assert raised.value.code == "hearing_incomplete"
    assert raised.value.extensions["missing"] == ["p-2"]
    assert "李分管" in (raised.value.detail or "")


def test_a_written_waiver_counts_as_heard() -> None:
    records = [HearingRecord("p-1", "statement"), HearingRecord("p-2", "waiver")]
    assert missing_statements([WANG, LI], records) == ()
    assert transition("hearing", "decide", persons=[WANG, LI], hearing=records) == "decided"


def test_a_case_can_be_dismissed_until_it_is_decided() -> None:
    for state in ("open", "investigating", "hearing"):
        assert transition(state, "dismiss") == "closed"
    with pytest.raises(DomainError):
        transition("decided", "dismiss")


def test_a_closed_case_allows_nothing() -> None:
    assert allowed_actions("closed") == []
    with pytest.raises(DomainError) as raised:
        transition("closed", "appeal")
    assert raised.value.extensions["state"] == "closed"


def test_an_appeal_is_only_against_a_decision() -> None:
    assert allowed_actions("decided") == ["appeal", "close"]
    with pytest.raises(DomainError):
        transition("hearing", "appeal")
    with pytest.raises(DomainError):
        transition("appealed", "close")


def test_an_unknown_action_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as raised:
        transition("open", "pardon")
    assert raised.value.code == "action_invalid"


def test_only_undecided_cases_take_new_findings() -> None:
    assert {"open", "investigating", "hearing"} == ACTIVE_STATES


def test_every_transition_goes_between_known_states() -> None:
    for (source, _), target in TRANSITIONS.items():
        assert source in STATES and target in STATES
