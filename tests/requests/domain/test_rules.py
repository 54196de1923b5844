"""Named rule sets (DESIGN §5): the national default and seed 004's 15+15."""

from __future__ import annotations

import dataclasses

import pytest

from services.requests.domain.rules import DEFAULT_RULE_SET, RULE_SETS, rule_set


def test_national_rule_set_is_the_default_with_the_limits_of_the_2019_regulation() -> None:
    rules = rule_set(DEFAULT_RULE_SET)
    assert DEFAULT_RULE_SET == "national_2019"
    assert (
        rules.reply_working_days,
        rules.extension_max_working_days,
        rules.correction_notice_working_days,
        rules.consultation_working_days,
        rules.fee_payment_working_days,
        rules.due_soon_marks,
    ) == (20, 20, 7, 15, 20, (5, 3, 1))


def test_local_rule_set_of_seed_004_replies_in_15_working_days_extendable_to_30_in_all() -> None:
    rules = rule_set("local_15_15")
    assert rules.reply_working_days == 15
    assert rules.reply_working_days + rules.extension_max_working_days == 30


def test_unknown_rule_set_name_raises_key_error_naming_the_known_ones() -> None:
    with pytest.raises(KeyError, match="local_15_15, national_2019"):
        rule_set("provincial_10")


def test_rule_set_with_a_non_positive_limit_or_unordered_marks_is_refused() -> None:
    national = RULE_SETS["national_2019"]
    with pytest.raises(ValueError, match="reply_working_days"):
        dataclasses.replace(national, reply_working_days=0)
    with pytest.raises(ValueError, match="due_soon_marks"):
        dataclasses.replace(national, due_soon_marks=(1, 3, 5))
