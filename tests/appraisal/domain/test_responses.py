"""A response checked against the questionnaire; free text kept as written; the respondent key."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.appraisal.domain.responses import RawAnswer, RespondentKey, validate_response
from shared.domain import InvalidInput
from tests.appraisal.domain.factories import campaign

TOKEN = "c2f8a6e9-4b1d-4f0e-9a7c-2d3e4f5a6b7c"


def _errors(answers: dict[str, RawAnswer], unit: str = "U1", method: str = "public") -> list[dict[str, str]]:
    with pytest.raises(InvalidInput) as raised:
        validate_response(campaign(), unit, method, answers)
    assert raised.value.code == "response_invalid"
    assert raised.value.status == 422
    errors: list[dict[str, str]] = raised.value.extensions["errors"]
    return errors


def test_a_complete_response_is_sorted_into_ratings_choices_and_texts() -> None:
    response = validate_response(
        campaign(),
        "U1",
        "public",
        {
            "r1": "satisfied",
            "r2": "basically_satisfied",
            "channel": "hall",
            "needs": ["budget", "policy"],
            "advice": "好",
        },
    )
    assert response.ratings == {"r1": "satisfied", "r2": "basically_satisfied"}
    assert response.choices == {"channel": ("hall",), "needs": ("budget", "policy")}
    assert response.texts == {"advice": "好"}
    assert (response.unit_code, response.method) == ("U1", "public")


def test_optional_questions_may_be_left_blank() -> None:
    response = validate_response(
        campaign(), "U1", "supervisor", {"r1": "unsatisfied", "r2": "", "needs": [], "advice": " \n"}
    )
    assert response.ratings == {"r1": "unsatisfied"}
    assert response.choices == {} and response.texts == {}


def test_a_single_checked_box_of_a_multiple_choice_arrives_as_a_string() -> None:
    response = validate_response(campaign(), "U1", "public", {"r1": "satisfied", "needs": "services"})
    assert response.choices == {"needs": ("services",)}


def test_a_required_rating_left_out_is_reported_beside_its_question() -> None:
    assert _errors({"r2": "satisfied"}) == [{"question": "r1", "code": "answer_required", "message": "此题必答"}]


def test_every_faulty_answer_is_reported_at_once() -> None:
    errors = _errors(
        {
            "r1": "very_satisfied",
            "r2": ["satisfied", "unsatisfied"],
            "channel": "radio",
            "needs": ["budget", "policy", "services"],
            "bogus": "x",
        }
    )
    assert [(e["question"], e["code"]) for e in errors] == [
        ("bogus", "answer_question_unknown"),
        ("r1", "answer_rating_invalid"),
        ("r2", "answer_type_invalid"),
        ("channel", "answer_choice_invalid"),
        ("needs", "answer_choices_too_many"),
    ]


def test_the_same_choice_twice_is_refused() -> None:
    assert _errors({"r1": "satisfied", "needs": ["budget", "budget"]})[0]["code"] == "answer_choice_invalid"


def test_a_blank_required_rating_is_not_an_answer() -> None:
    assert [e["code"] for e in _errors({"r1": " ", "advice": "意见"}, unit="U2")] == ["answer_required"]


def test_a_response_without_any_rating_is_refused_even_when_every_question_is_optional() -> None:
    optional_all = campaign().questionnaire
    questions = tuple(replace(q, required=False) for q in optional_all.questions)
    relaxed = campaign(questionnaire=replace(optional_all, questions=questions))
    with pytest.raises(InvalidInput) as raised:
        validate_response(relaxed, "U1", "public", {"advice": "只写了意见"})
    assert raised.value.extensions["errors"][0]["code"] == "response_without_rating"


def test_a_unit_outside_the_campaign_is_refused() -> None:
    with pytest.raises(InvalidInput, match="response_unit_not_targeted"):
        validate_response(campaign(), "U9", "public", {"r1": "satisfied"})


@pytest.mark.parametrize("method", ["third_party", "hearsay"])
def test_third_party_scores_and_unknown_methods_do_not_come_as_responses(method: str) -> None:
    with pytest.raises(InvalidInput, match="response_method_invalid"):
        validate_response(campaign(), "U1", method, {"r1": "satisfied"})


def test_free_text_with_markup_is_kept_as_written() -> None:
    markup = '<script>alert("x")</script> & <b>公开</b>'
    response = validate_response(campaign(), "U1", "public", {"r1": "satisfied", "advice": markup})
    assert response.texts["advice"] == markup


def test_free_text_keeps_tabs_and_line_breaks_with_crlf_stored_as_lf() -> None:
    response = validate_response(campaign(), "U1", "public", {"r1": "satisfied", "advice": " 一\t二\r\n三\r四 "})
    assert response.texts["advice"] == " 一\t二\n三\n四 "


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\ud800"])
def test_free_text_with_control_characters_or_lone_surrogates_is_refused(char: str) -> None:
    errors = _errors({"r1": "satisfied", "advice": f"意见{char}"})
    assert errors[0]["code"] == "free_text_control_character"
    assert "第3个字符" in errors[0]["message"]


def test_free_text_over_the_question_limit_is_refused_counting_characters() -> None:
    validate_response(campaign(), "U1", "public", {"r1": "satisfied", "advice": "字" * 50})
    errors = _errors({"r1": "satisfied", "advice": "字" * 51})
    assert errors[0]["code"] == "free_text_too_long"


def test_a_crlf_counts_as_one_character_against_the_limit() -> None:
    validate_response(campaign(), "U1", "public", {"r1": "satisfied", "advice": "字" * 48 + "\r\n" + "字"})


def test_one_respondent_gets_one_key_per_unit_per_campaign() -> None:
    key = RespondentKey("c1", "U1", "public", TOKEN)
    assert key.message() == RespondentKey("c1", "U1", "public", TOKEN).message()
    others = {
        RespondentKey("c2", "U1", "public", TOKEN).message(),
        RespondentKey("c1", "U2", "public", TOKEN).message(),
        RespondentKey("c1", "U1", "representative", TOKEN).message(),
        RespondentKey("c1", "U1", "public", TOKEN[::-1]).message(),
    }
    assert key.message() not in others and len(others) == 4


def test_the_key_encoding_cannot_be_confused_by_moving_text_between_parts() -> None:
    assert (
        RespondentKey("c1", "U1", "representative", "a,b").message()
        != RespondentKey("c1", "U1,a", "representative", "b").message()
    )


@pytest.mark.parametrize("token", ["", "short", "x" * 257, "has space in it!!", "引号" * 10])
def test_a_public_respondent_token_must_be_a_long_url_safe_string(token: str) -> None:
    with pytest.raises(InvalidInput, match="respondent_token_invalid"):
        RespondentKey("c1", "U1", "public", token)


def test_a_panel_member_is_keyed_by_their_id() -> None:
    assert RespondentKey("c1", "U1", "representative", "42").message()
    with pytest.raises(InvalidInput, match="respondent_token_invalid"):
        RespondentKey("c1", "U1", "representative", "")
