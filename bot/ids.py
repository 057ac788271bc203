"""Ids people type: a dialogue's ``#12``, a report item's ``12`` or ``Q7``.

Only ASCII digits make an id (``str.isdigit`` also takes ``²`` and other scripts' digits, which
``int`` refuses), and only up to what both stores hold: a signed 64-bit integer (PostgreSQL's
``bigint``; a larger number is a ``DataError`` there, not "no such item").
"""

from __future__ import annotations

import re

#: The largest id a store holds.
MAX_ID = 2**63 - 1

_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str) -> int | None:
    """``text`` as an id, or ``None`` when it is not one any store could hold."""
    if _DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if value <= MAX_ID else None
