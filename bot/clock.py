"""The bot's one notion of "now".

In production it is the wall clock; inside SimCord, ``discord.utils.utcnow`` follows the virtual
clock, so services that take a :data:`Clock` follow ``env.advance_time``. Services never import
discord: the client hands them ``discord.utils.utcnow`` as their clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    """A UTC ISO-8601 string as stored in the database."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def parse_iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
