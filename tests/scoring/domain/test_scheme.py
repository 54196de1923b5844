"""The scheme as data: seed 003 loads as written; malformed or inconsistent schemes are refused."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
import yaml

from services.scoring.domain.scheme import Scheme
from services.scoring.domain.scheme_format import (
    SCHEME_JSON_SCHEMA,
    dump_scheme,
    dump_scheme_text,
    load_scheme,
    load_scheme_text,
)
from shared.domain import InvalidInput


def _doc(example_text: str) -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(example_text))


def test_seed_003_a_table_adds_up_to_100_with_its_three_vetoes(district_2023: Scheme) -> None:
    a = district_2023.category("A")
    assert a.attainable == a.total == Decimal(100)
    assert [top.max_points for top in a.indicators] == [11, 52, 12, 15, 10]
    assert len(a.units) == 10 and len(list(a.leaves())) == 20
    assert [v.code for v in district_2023.vetoes] == [
        "serious_platform_error",
        "interpretation_opinion_crisis",
        "fraud_in_assessment",
    ]
    assert a.indicator("A3.2.1").name == "依申请公开的及时规范答复情况"


def test_seed_003_b_table_loads_partial_with_its_missing_tail(district_2023: Scheme) -> None:
    b = district_2023.category("B")
    assert b.partial and b.total == 100 and b.attainable == Decimal(87)
    assert len(b.units) == 35


def test_scheme_dumps_and_loads_back_equal_in_yaml_and_json(district_2023: Scheme) -> None:
    assert load_scheme_text(dump_scheme_text(district_2023, "yaml")) == district_2023
    assert load_scheme_text(dump_scheme_text(district_2023, "json"), "json") == district_2023
    assert load_scheme(json.loads(json.dumps(dump_scheme(district_2023)))) == district_2023


def test_json_schema_is_serializable_and_names_every_rule() -> None:
    text = json.dumps(SCHEME_JSON_SCHEMA, ensure_ascii=False)
    for kind in ("deduct", "all_or_nothing", "bonus", "ranked", "proportional"):
        assert kind in text


def _refusal(doc: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        load_scheme(doc)
    return caught.value


def test_a_leaf_that_breaks_its_parents_sum_is_refused_naming_the_indicator(example_text: str) -> None:
    doc = _doc(example_text)
    # 组织领导 declares 8 points; its leaves now add up to 9.
    a1_1 = doc["categories"][0]["indicators"][0]["children"][0]
    a1_1["max_points"] = 8
    a1_1["children"][0]["max_points"] = 5
    error = _refusal(doc)
    assert error.code == "indicator_points_mismatch"
    assert error.extensions["indicator"] == "A1.1"
    assert "A1.1" in (error.detail or "")


def test_a_category_whose_indicators_miss_its_total_is_refused(example_text: str) -> None:
    doc = _doc(example_text)
    doc["categories"][0]["indicators"][0]["children"][1]["children"][0]["max_points"] = 2  # 3 → 2: 99 points
    error = _refusal(doc)
    assert error.code == "indicator_points_mismatch" and error.extensions["category"] == "A"
    assert "99" in (error.detail or "")


def test_a_unit_in_two_categories_is_refused(example_text: str) -> None:
    doc = _doc(example_text)
    doc["categories"][1]["units"].append("A01")
    assert _refusal(doc).code == "unit_in_two_categories"


def test_duplicate_indicator_codes_are_refused(example_text: str) -> None:
    doc = _doc(example_text)
    doc["categories"][1]["indicators"][0]["code"] = "A1"
    assert _refusal(doc).code == "indicator_code_duplicate"


def test_two_leaves_bound_to_one_event_source_in_a_category_are_refused(example_text: str) -> None:
    doc = _doc(example_text)
    doc["categories"][0]["indicators"][2]["children"][0]["children"][0]["auto_source"] = "request_overdue"
    error = _refusal(doc)
    assert error.code == "auto_source_duplicate" and error.extensions["indicator"] in {"A3.1.1", "A3.2.1"}


def test_an_event_source_on_a_rule_it_cannot_feed_is_refused(example_text: str) -> None:
    doc = _doc(example_text)
    doc["categories"][0]["indicators"][0]["children"][0]["children"][0]["auto_source"] = "public_appraisal"
    assert _refusal(doc).code == "auto_source_rule_mismatch"


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.pop("year"), "year"),
        (lambda d: d.update(year="2023"), "year"),
        (lambda d: d["period"].update(start="2023-13-01"), "period.start"),
        (lambda d: d.update(colour="red"), "(文档)"),
        (lambda d: d["categories"][0].update(total="lots"), "categories[0].total"),
        (lambda d: d["categories"][0]["indicators"][0].pop("children"), "categories[0].indicators[0].rule"),
        (
            lambda d: d["categories"][0]["indicators"][0]["children"][0]["children"][0].update(method="phone"),
            "categories[0].indicators[0].children[0].children[0].method",
        ),
        (
            lambda d: d["categories"][0]["indicators"][0]["children"][0]["children"][0]["rule"].update(kind="vibes"),
            "categories[0].indicators[0].children[0].children[0].rule.kind",
        ),
        (lambda d: d.update(categories=[]), "categories"),
    ],
)
def test_malformed_scheme_documents_are_invalid_input_naming_the_place(
    example_text: str, mutate: Any, path: str
) -> None:
    doc = _doc(example_text)
    mutate(doc)
    error = _refusal(doc)
    assert error.code == "scheme_document_invalid"
    assert error.extensions["path"] == path
    assert (error.detail or "").startswith(path)


@pytest.mark.parametrize(("text", "fmt"), [("year: [unclosed", "yaml"), ("{not json", "json"), ("- a list", "yaml")])
def test_unreadable_or_non_mapping_documents_are_invalid_input(text: str, fmt: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_scheme_text(text, fmt)
    assert caught.value.code in {"scheme_document_unreadable", "scheme_document_invalid"}


def test_grade_bands_out_of_order_are_refused(example_text: str) -> None:
    doc = _doc(example_text)
    doc["grade_bands"] = {"excellent": 85, "good": 95, "pass": 75}
    assert _refusal(doc).code == "grade_bands_invalid"
