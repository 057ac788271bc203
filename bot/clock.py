"""The bot's one notion of "now".

In production it is the wall clock; inside SimCord, ``discord.utils.utcnow`` follows the virtual
clock, so services that take a :data:`Clock` follow ``env.advance_time``. Services never import
discord: the client hands them ``discord.utils.utcnow`` as their clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache

Clock = Callable[[], datetime]

#: Discord's epoch (2015-01-01T00:00:00Z) in milliseconds: a snowflake's top 42 bits count from it.
DISCORD_EPOCH_MS = 1420070400000


def system_clock() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    """A UTC ISO-8601 string as stored in the database."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def snowflake_iso(snowflake: int) -> str:
    """``iso(snowflake_time(snowflake))`` (a message's ``created_at`` as stored) without building a
    datetime: the message hot path's timestamp. A flood's messages share their second, so its text
    is cached."""
    second, milli = divmod((snowflake >> 22) + DISCORD_EPOCH_MS, 1000)
    if milli:
        return f"{_second_iso(second)}.{milli:03d}000+00:00"
    return _second_iso(second) + "+00:00"


@lru_cache(maxsize=256)
def _second_iso(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).isoformat()[:-6]  # without "+00:00"


def parse_iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
