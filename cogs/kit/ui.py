"""Shared plumbing for buttons, selects and modals (persistent ``DynamicItem`` s)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot.client import ColloquyBot


async def guarded(interaction: discord.Interaction, work: Awaitable[Any]) -> None:
    """Run a component's work; any failure is answered by the tree's single error handler.

    discord.py only logs a ``DynamicItem`` 's exception; routing it here gives the user the same
    localized ephemeral answer as a slash command would.
    """
    try:
        await work
    except Exception as error:
        await interaction.client.tree.on_error(interaction, error)  # type: ignore[attr-defined, arg-type]


def bot_of(interaction: discord.Interaction) -> ColloquyBot:
    return interaction.client  # type: ignore[return-value]
