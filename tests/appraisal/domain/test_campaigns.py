"""Campaign definitions (社会评议办法 第六条(一) 评议方案) and the campaign's life cycle."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from services.appraisal.domain.campaigns import (
    Conversion,
    MethodWeight,
    RatingBands,
    check_accepting_responses,
    check_can_open,
    check_editable,
    check_third_party_import,
    transition,
    validate_campaign,
)
from services.appraisal.domain.questionnaire import DEFAULT_QUESTIONNAIRE, Question, Questionnaire
from shared.domain import DomainError, InvalidInput
from tests.appraisal.domain.factories import CLOSES_AT, OPENS_AT, campaign


def test_a_campaign_with_every_method_and_the_default_questionnaire_is_valid() -> None:
    validate_campaign(campaign(questionnaire=DEFAULT_QUESTIONNAIRE))


def test_method_weights_that_do_not_add_up_to_one_are_refused() -> None:
    methods = (MethodWeight("public", Decimal("0.4")), MethodWeight("representative", Decimal("0.5")))
    with pytest.raises(InvalidInput) as raised:
        validate_campaign(campaign(methods=methods))
    assert raised.value.code == "method_weights_not_one"
    assert raised.value.status == 422
    assert raised.value.extensions["total"] == "0.9"


def test_weights_adding_up_to_one_in_thirds_written_as_decimals_are_accepted() -> None:
    methods = (
        MethodWeight("public", Decimal("0.3333")),
        MethodWeight("representative", Decimal("0.3333")),
        MethodWeight("supervisor", Decimal("0.3334")),
    )
    validate_campaign(campaign(methods=methods))


@pytest.mark.parametrize(
    ("methods", "code"),
    [
        ((), "methods_required"),
        ((MethodWeight("public", Decimal(1)), MethodWeight("public", Decimal(0))), "method_weight_invalid"),
        ((MethodWeight("public", Decimal("0.5")), MethodWeight("public", Decimal("0.5"))), "method_duplicated"),
        ((MethodWeight("hearsay", Decimal(1)),), "method_invalid"),  # type: ignore[arg-type]
        ((MethodWeight("public", Decimal("NaN")),), "method_weight_invalid"),
    ],
)
def test_malformed_methods_are_refused(methods: tuple[MethodWeight, ...], code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        validate_campaign(campaign(methods=methods))
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"year": 1999}, "campaign_year_invalid"),
        ({"name": "  "}, "campaign_name_invalid"),
        ({"name": "评议\x00"}, "campaign_name_invalid"),
        ({"target_units": ("U1", "U1")}, "target_unit_duplicated"),
        ({"target_units": ("U1", "")}, "target_unit_invalid"),
        ({"closes_at": OPENS_AT}, "campaign_window_invalid"),
        ({"opens_at": datetime(2024, 11, 1, 9, 0)}, "campaign_window_invalid"),
        ({"conversion": Conversion(Decimal(100), Decimal(0), Decimal(60))}, "conversion_invalid"),
        ({"conversion": Conversion(Decimal(120))}, "conversion_invalid"),
        ({"bands": RatingBands(Decimal(60), Decimal(80))}, "bands_invalid"),
        ({"min_responses": -1}, "min_responses_invalid"),
        ({"questionnaire": Questionnaire(())}, "questionnaire_empty"),
        (
            {"questionnaire": Questionnaire((Question(code="t", kind="free_text", text="意见"),))},
            "questionnaire_without_rating",
        ),
    ],
)
def test_a_definition_no_campaign_could_run_on_is_refused(changes: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        validate_campaign(campaign(**changes))
    assert raised.value.code == code


def test_a_third_party_only_campaign_needs_no_minimum_of_responses() -> None:
    only_third_party = (MethodWeight("third_party", Decimal(1)),)
    validate_campaign(campaign(methods=only_third_party, min_responses=0))
    with pytest.raises(InvalidInput, match="min_responses_invalid"):
        validate_campaign(campaign(methods=only_third_party, min_responses=3))


def test_the_life_cycle_runs_draft_open_closed_published() -> None:
    assert transition("draft", "open") == "open"
    assert transition("open", "close") == "closed"
    assert transition("closed", "publish") == "published"


def test_publishing_twice_is_an_illegal_transition_naming_no_allowed_action() -> None:
    with pytest.raises(DomainError) as raised:
        transition("published", "publish")
    assert (raised.value.code, raised.value.status) == ("illegal_transition", 409)
    assert raised.value.extensions["allowed_actions"] == []


def test_a_draft_saved_without_units_cannot_be_opened() -> None:
    draft = campaign(target_units=())
    validate_campaign(draft)
    with pytest.raises(DomainError, match="target_units_required"):
        check_can_open(draft, OPENS_AT - timedelta(days=1))


def test_a_campaign_whose_window_has_passed_cannot_be_opened() -> None:
    with pytest.raises(DomainError, match="campaign_window_passed"):
        check_can_open(campaign(), CLOSES_AT)
    check_can_open(campaign(), CLOSES_AT - timedelta(seconds=1))


def test_editing_the_questions_after_the_campaign_opened_is_refused_with_409() -> None:
    with pytest.raises(DomainError) as raised:
        check_editable("open", ["questionnaire", "name"])
    assert (raised.value.code, raised.value.status) == ("campaign_locked", 409)
    assert raised.value.extensions["fields"] == ["questionnaire"]


@pytest.mark.parametrize("field", ["methods", "target_units", "conversion", "bands", "min_responses", "opens_at"])
def test_the_rules_of_an_open_campaign_are_locked(field: str) -> None:
    with pytest.raises(DomainError, match="campaign_locked"):
        check_editable("open", [field])


def test_an_open_campaign_may_be_renamed_and_its_closing_time_moved() -> None:
    check_editable("open", ["name", "closes_at"])


def test_a_draft_may_change_everything() -> None:
    check_editable("draft", ["questionnaire", "methods", "target_units", "conversion", "bands"])


@pytest.mark.parametrize("state", ["closed", "published"])
def test_nothing_in_a_closed_campaign_may_change(state: str) -> None:
    with pytest.raises(DomainError, match="campaign_locked"):
        check_editable(state, ["name"])  # type: ignore[arg-type]


def test_responses_are_taken_from_the_opening_time_up_to_but_not_at_the_closing_time() -> None:
    check_accepting_responses("open", OPENS_AT, CLOSES_AT, OPENS_AT)
    check_accepting_responses("open", OPENS_AT, CLOSES_AT, CLOSES_AT - timedelta(microseconds=1))
    with pytest.raises(DomainError, match="campaign_not_started"):
        check_accepting_responses("open", OPENS_AT, CLOSES_AT, OPENS_AT - timedelta(seconds=1))
    with pytest.raises(DomainError, match="campaign_not_open") as raised:
        check_accepting_responses("open", OPENS_AT, CLOSES_AT, CLOSES_AT)
    assert raised.value.status == 409


@pytest.mark.parametrize("state", ["draft", "closed", "published"])
def test_responses_are_refused_unless_the_campaign_is_open(state: str) -> None:
    with pytest.raises(DomainError, match="campaign_not_open"):
        check_accepting_responses(state, OPENS_AT, CLOSES_AT, OPENS_AT + timedelta(days=1))  # type: ignore[arg-type]


def test_third_party_scores_are_imported_while_open_or_closed_only() -> None:
    check_third_party_import(campaign(), "open")
    check_third_party_import(campaign(), "closed")
    for state in ("draft", "published"):
        with pytest.raises(DomainError, match="third_party_import_not_allowed"):
            check_third_party_import(campaign(), state)
    no_third_party = campaign(methods=(MethodWeight("public", Decimal(1)),))
    with pytest.raises(DomainError, match="third_party_not_in_campaign"):
        check_third_party_import(no_third_party, "open")


def test_rating_bands_include_their_lower_edge() -> None:
    bands = RatingBands()
    assert bands.rating(Decimal("100")) == "satisfied"
    assert bands.rating(Decimal("80.00")) == "satisfied"
    assert bands.rating(Decimal("79.99")) == "basically_satisfied"
    assert bands.rating(Decimal("60.00")) == "basically_satisfied"
    assert bands.rating(Decimal("59.99")) == "unsatisfied"
    assert bands.rating(Decimal("0")) == "unsatisfied"


def test_a_unanimous_rating_converts_to_points_that_band_back_to_the_same_rating() -> None:
    conversion, bands = Conversion(), RatingBands()
    for rating in ("satisfied", "basically_satisfied", "unsatisfied"):
        assert bands.rating(conversion.points(rating)) == rating


def test_a_campaign_may_set_its_own_conversion_and_bands() -> None:
    own = campaign(
        conversion=Conversion(Decimal(100), Decimal(80), Decimal(50)), bands=RatingBands(Decimal(90), Decimal(75))
    )
    validate_campaign(own)
    assert own.bands.rating(Decimal("89.99")) == "basically_satisfied"
