"""Who answers for it (seed 004 第二十七条(三)) and the repeat offence of 责任追究办法 第九条(四)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.accountability.domain.assessment import PersonConcerned, PriorDecision, attribute, repeat_offence
from services.accountability.domain.ladders import HANDAN, recommend
from shared.domain import InvalidInput

HANDLER = PersonConcerned("p-handler", "王办理", "handler")
LEADER = PersonConcerned("p-leader", "李分管", "leader_in_charge")
PRINCIPAL = PersonConcerned("p-principal", "张主任", "principal_leader")
MEMBER = PersonConcerned("p-member", "赵委员", "collective_member")
EVERYONE = (HANDLER, LEADER, PRINCIPAL, MEMBER)

ASSESSED_ON = date(2026, 9, 29)


def shares(approval: str) -> dict[str, str]:
    return {r.person_id: r.share for r in attribute(approval, EVERYONE)}  # type: ignore[arg-type]


def test_acting_without_approval_puts_all_the_responsibility_on_the_handler() -> None:
    assert shares("none") == {"p-handler": "sole"}


def test_approval_by_the_leader_in_charge_puts_the_responsibility_on_that_leader() -> None:
    assert shares("leader_in_charge") == {"p-leader": "sole"}


def test_a_collective_decision_puts_it_mainly_on_the_principal_leader_and_secondarily_on_the_members() -> None:
    # The leader in charge sat in the leading group: one of its other members.
    assert shares("collective") == {"p-principal": "primary", "p-leader": "secondary", "p-member": "secondary"}


def test_the_reason_cites_the_item_of_article_27() -> None:
    (only,) = attribute("none", EVERYONE)
    assert only.reason.endswith("seed 004 第二十七条(三)1）")


@pytest.mark.parametrize(
    ("approval", "persons", "code"),
    [
        ("none", (LEADER, PRINCIPAL), "handler_missing"),
        ("leader_in_charge", (HANDLER,), "leader_in_charge_missing"),
        ("collective", (HANDLER, MEMBER), "principal_leader_missing"),
        ("by_phone", EVERYONE, "approval_invalid"),
    ],
)
def test_attribution_without_the_person_it_falls_on_is_invalid_input(
    approval: str, persons: tuple[PersonConcerned, ...], code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        attribute(approval, persons)  # type: ignore[arg-type]
    assert raised.value.code == code


def prior(days_before: int, **changes: object) -> PriorDecision:
    fields: dict[str, object] = {
        "case_id": "C-1",
        "unit_code": "U-1",
        "decided_on": ASSESSED_ON - timedelta(days=days_before),
    }
    fields.update(changes)
    return PriorDecision(**fields)  # type: ignore[arg-type]


def find(*priors: PriorDecision, unit_code: str = "U-1", persons: tuple[str, ...] = ()) -> object:
    return repeat_offence(priors, case_id="C-2", unit_code=unit_code, person_ids=persons, on=ASSESSED_ON)


def test_a_case_decided_364_days_before_aggravates_the_unit_automatically() -> None:
    found = repeat_offence([prior(364)], case_id="C-2", unit_code="U-1", person_ids=(), on=ASSESSED_ON)
    assert found is not None
    assert found.code == "repeat_offence" and found.automatic
    assert "C-1" in found.note and "2025-09-30" in found.note


def test_a_case_decided_365_days_before_is_still_within_the_year() -> None:
    assert find(prior(365)) is not None


def test_a_case_decided_366_days_before_does_not_aggravate() -> None:
    assert find(prior(366)) is None


def test_a_revoked_decision_does_not_aggravate() -> None:
    assert find(prior(30, revoked=True)) is None


def test_another_units_case_aggravates_when_it_names_the_same_person() -> None:
    other = prior(100, unit_code="U-9", person_ids=frozenset({"p-handler"}))
    found = repeat_offence([other], case_id="C-2", unit_code="U-1", person_ids=["p-handler"], on=ASSESSED_ON)
    assert found is not None and "p-handler" in found.note
    assert find(other, persons=("p-other",)) is None


def test_the_case_itself_and_later_decisions_do_not_count() -> None:
    assert find(prior(10, case_id="C-2")) is None
    assert find(prior(-1)) is None


def test_the_repeat_offence_raises_the_recommendation_one_rung_and_says_why() -> None:
    factor = repeat_offence([prior(364)], case_id="C-2", unit_code="U-1", person_ids=(), on=ASSESSED_ON)
    assert factor is not None
    found = recommend(HANDAN, "minor", [factor])
    assert found.step == 2
    assert any("第九条(四)" in r and "系统自动认定" in r for r in found.reasons)
    revoked = repeat_offence([prior(364, revoked=True)], case_id="C-2", unit_code="U-1", person_ids=(), on=ASSESSED_ON)
    assert revoked is None
    assert recommend(HANDAN, "minor", []).step == 1
