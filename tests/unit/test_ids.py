"""Ids people type: ASCII digits only, and only what a store holds."""

from __future__ import annotations

import pytest

from bot.ids import MAX_ID, parse_id


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("0", 0), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("9" * 19, None), ("1" * 20, None),
    ("²", None), ("٣", None), ("１２", None), ("", None), ("-1", None), ("+1", None), (" 1", None), ("1.0", None),
])
def test_parse_id(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected
