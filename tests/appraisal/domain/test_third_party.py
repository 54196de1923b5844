"""Third-party assessment scores (社会评议办法 第七条(三)): all rows valid or none."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.appraisal.domain.third_party import ThirdPartyRow, ThirdPartyScore, validate_third_party_scores
from shared.domain import InvalidInput
from tests.appraisal.domain.factories import campaign


def test_valid_rows_become_scores_with_their_remarks() -> None:
    rows = [
        ThirdPartyRow(2, "U1", "90.5", "信息更新不及时"),
        ThirdPartyRow(3, " U2 ", 87.5, None),
        ThirdPartyRow(4, "U3", 100),
        ThirdPartyRow(5, "U4", "0"),
    ]
    assert validate_third_party_scores(campaign(), rows) == (
        ThirdPartyScore("U1", Decimal("90.5"), "信息更新不及时"),
        ThirdPartyScore("U2", Decimal("87.5")),
        ThirdPartyScore("U3", Decimal(100)),
        ThirdPartyScore("U4", Decimal(0)),
    )


def test_a_float_cell_keeps_its_written_value() -> None:
    # Decimal(86.35) is 86.3499999…; the cell was written 86.35.
    assert validate_third_party_scores(campaign(), [ThirdPartyRow(2, "U1", 86.35)])[0].score == Decimal("86.35")


def test_every_faulty_row_is_reported_and_none_is_imported() -> None:
    rows = [
        ThirdPartyRow(2, "U1", "88"),
        ThirdPartyRow(3, "U9", "70"),
        ThirdPartyRow(4, "U1", "75"),
        ThirdPartyRow(5, "U2", "100.5"),
        ThirdPartyRow(6, "U3", "86.125"),
        ThirdPartyRow(7, "U4", "很好"),
        ThirdPartyRow(8, None, True),
        ThirdPartyRow(9, "U4", "NaN", "意见\x00"),
    ]
    with pytest.raises(InvalidInput) as raised:
        validate_third_party_scores(campaign(), rows)
    assert raised.value.code == "third_party_scores_invalid"
    assert [(e["row"], e["field"]) for e in raised.value.extensions["errors"]] == [
        (3, "unit_code"),
        (4, "unit_code"),
        (5, "score"),
        (6, "score"),
        (7, "score"),
        (8, "unit_code"),
        (8, "score"),
        (9, "unit_code"),
        (9, "score"),
        (9, "remarks"),
    ]
    assert "第4行" in (raised.value.detail or "") and "第2行重复" in (raised.value.detail or "")


def test_an_empty_import_is_refused() -> None:
    with pytest.raises(InvalidInput, match="third_party_scores_empty"):
        validate_third_party_scores(campaign(), [])
