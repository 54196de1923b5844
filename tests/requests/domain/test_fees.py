"""信息处理费 (条例 第四十二条; 国办函〔2020〕109号): every band boundary of both methods."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.requests.domain.fees import fee_amount, fee_per_application, fee_per_page
from shared.domain import DomainError


@pytest.mark.parametrize(
    ("nth", "yuan"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400)],
)
def test_per_application_first_10_free_then_100_to_the_30th_then_100_more_per_block_of_10(nth: int, yuan: int) -> None:
    assert fee_per_application(nth) == yuan


@pytest.mark.parametrize(
    ("pages", "yuan"),
    [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740)],
)
def test_per_page_first_30_free_then_10_20_and_40_yuan_a_page_by_band(pages: int, yuan: int) -> None:
    assert fee_per_page(pages) == yuan


def test_per_page_charges_each_band_at_its_own_rate() -> None:
    # 250 pages: 70 × 10 + 100 × 20 + 50 × 40.
    assert fee_per_page(250) == 700 + 2000 + 2000


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=500))
def test_per_application_fee_never_decreases_with_the_count(nth: int) -> None:
    assert fee_per_application(nth + 1) >= fee_per_application(nth)


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=2000))
def test_per_page_fee_never_decreases_and_rises_by_the_page_rate(pages: int) -> None:
    step = fee_per_page(pages + 1) - fee_per_page(pages)
    expected = 0 if pages < 30 else 10 if pages < 100 else 20 if pages < 200 else 40
    assert step == expected


def test_fee_amount_uses_the_method_the_office_chose() -> None:
    assert fee_amount("per_application", nth_in_month=31) == 200
    assert fee_amount("per_page", pages=101) == 720


@pytest.mark.parametrize(
    ("method", "kwargs", "code"),
    [
        ("per_application", {"pages": 40}, "fee_input_missing"),
        ("per_page", {"nth_in_month": 12}, "fee_input_missing"),
        ("per_application", {"nth_in_month": 0}, "fee_input_invalid"),
        ("per_page", {"pages": -1}, "fee_input_invalid"),
        ("per_page", {"pages": True}, "fee_input_invalid"),
        ("per_volume", {"pages": 40}, "fee_method_invalid"),
    ],
)
def test_fee_amount_refuses_missing_or_invalid_input(method: str, kwargs: dict[str, int], code: str) -> None:
    with pytest.raises(DomainError) as raised:
        fee_amount(method, **kwargs)  # type: ignore[arg-type]
    assert raised.value.code == code
