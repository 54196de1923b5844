"""If-Match against a resource's version (RFC 9110 §13.1.1, DESIGN §10)."""

import pytest

from shared.errors import ProblemError
from shared.etags import check_if_match, etag


def test_if_match_accepts_the_current_version_weak_tags_lists_and_star() -> None:
    for header in ('"3"', 'W/"3"', '"1", "3"', "*"):
        check_if_match(header, 3)


def test_a_stale_if_match_or_one_for_a_resource_not_yet_there_is_412() -> None:
    for header, version in (('"2"', 3), ('"1"', None)):
        with pytest.raises(ProblemError) as raised:
            check_if_match(header, version)
        assert (raised.value.status, raised.value.code) == (412, "precondition_failed")


def test_a_missing_if_match_is_428_only_where_it_is_required() -> None:
    check_if_match(None, 3)
    with pytest.raises(ProblemError) as raised:
        check_if_match(None, 3, required=True)
    assert (raised.value.status, raised.value.code) == (428, "precondition_required")
    assert etag(3) == '"3"'
