"""Autocomplete callbacks shared by several cogs."""

from __future__ import annotations

import functools

import discord
from discord import app_commands

from bot.config import known_timezones


@functools.cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in known_timezones() if "/" in z or z == "UTC"))


async def timezone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    needle = current.lower().replace(" ", "_")
    matches = [z for z in _zones() if needle in z.lower()] if needle else ["UTC", *_zones()[:24]]
    return [app_commands.Choice(name=z, value=z) for z in matches[:25]]
