"""Stored timestamps: a message's ``created_at`` from its snowflake, as :func:`bot.clock.iso` writes it."""

from __future__ import annotations

import discord.utils
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import iso, snowflake_iso

# Snowflakes up to 2**63 - 1 (what a store holds); their times run to about 2084.
SNOWFLAKES = st.integers(min_value=0, max_value=2**63 - 1)


@given(SNOWFLAKES)
def test_snowflake_iso_is_iso_of_the_snowflakes_time(snowflake: int) -> None:
    assert snowflake_iso(snowflake) == iso(discord.utils.snowflake_time(snowflake))


@given(st.integers(min_value=0, max_value=2**41 // 1000 - 1), st.integers(min_value=0, max_value=2**22 - 1))
def test_a_whole_second_has_no_fraction_as_in_iso(seconds: int, low_bits: int) -> None:
    snowflake = (seconds * 1000) << 22 | low_bits  # Discord's epoch is a whole second too
    assert "." not in snowflake_iso(snowflake)
    assert snowflake_iso(snowflake) == iso(discord.utils.snowflake_time(snowflake))
