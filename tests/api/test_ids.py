"""Row ids from GraphQL: only ASCII digits reach int() and the database."""

from __future__ import annotations

import pytest

from api.ids import MAX_INT_ID, is_digits, lookup_id, row_id
from domain.errors import InvalidInput, NotFound


@pytest.mark.parametrize("raw", ["²", "٣", "1²", "", " 1", "-1", "1.0"])
def test_text_that_only_looks_numeric_is_not_an_id(raw):
    # found by the schema fuzzer: "²".isdigit() is True, int("²") raises
    assert not is_digits(raw)
    assert lookup_id(raw) is None
    with pytest.raises(InvalidInput):
        row_id(raw, "id", "reward")


def test_ids_no_row_can_have_are_not_looked_up():
    assert lookup_id("0") is None
    assert lookup_id(str(MAX_INT_ID + 1)) is None
    assert lookup_id("42") == 42
    with pytest.raises(NotFound):
        row_id(str(MAX_INT_ID + 1), "id", "reward", MAX_INT_ID)
