"""SMS segment count: UCS-2 for Chinese (70 single, 67 concatenated), GSM 7-bit 160/153."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.notifier.domain.sms import measure, truncate


def test_seventy_chinese_characters_are_one_segment_and_seventy_one_are_two() -> None:
    assert (measure("公" * 70).encoding, measure("公" * 70).segments) == ("ucs2", 1)
    assert measure("公" * 71).segments == 2
    assert measure("公" * 134).segments == 2
    assert measure("公" * 135).segments == 3


def test_one_chinese_character_turns_a_latin_text_into_ucs2() -> None:
    assert measure("a" * 69 + "公").segments == 1
    assert measure("a" * 70 + "公").segments == 2


def test_plain_latin_text_is_gsm_160_single_153_concatenated() -> None:
    assert (measure("a" * 160).encoding, measure("a" * 160).segments) == ("gsm7", 1)
    assert measure("a" * 161).segments == 2
    assert measure("a" * 306).segments == 2
    assert measure("a" * 307).segments == 3


def test_gsm_extension_characters_take_two_septets_and_never_straddle_segments() -> None:
    assert measure("€" * 80).units == 160 and measure("€" * 80).segments == 1
    # 152 septets then a two-septet € does not fit the first 153-septet segment
    assert measure("a" * 152 + "€" + "a" * 152).segments == 3


def test_a_character_beyond_the_bmp_takes_two_ucs2_units() -> None:
    assert measure("𠀀" * 35).units == 70 and measure("𠀀" * 35).segments == 1


def test_an_empty_text_takes_no_segment() -> None:
    assert measure("").segments == 0


def test_a_long_text_is_cut_to_fit_with_an_ellipsis() -> None:
    text = "您单位有3件政府信息公开申请已逾期未答复，" * 10
    cut = truncate(text, 1)
    assert cut.endswith("…") and measure(cut).segments == 1 and len(cut) == 70
    assert truncate("短信", 1) == "短信"


@given(st.text(max_size=400), st.integers(min_value=1, max_value=4))
def test_a_truncated_text_always_fits(text: str, segments: int) -> None:
    cut = truncate(text, segments)
    assert measure(cut).segments <= segments
    assert cut == text or text.startswith(cut[:-1])
