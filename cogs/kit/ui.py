"""Shared plumbing for buttons, selects and modals (persistent ``DynamicItem`` s)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import discord

from cogs.kit.reply import bot_of


async def guarded(interaction: discord.Interaction, work: Awaitable[Any]) -> None:
    """Run a component's or a modal's work; any failure goes to the command tree's error handler.

    discord.py only logs a ``DynamicItem`` 's (or a modal's) exception; routing it here gives the
    user the same localized ephemeral answer as a slash command would.
    """
    try:
        await work
    except Exception as error:
        await bot_of(interaction).tree.on_error(interaction, error)


def button_label(item: discord.ui.Item[Any]) -> str | None:
    """The label of the button a ``DynamicItem`` is rebuilt from (``from_custom_id``)."""
    return item.label if isinstance(item, discord.ui.Button) else None


def select_state(item: discord.ui.Item[Any]) -> tuple[list[discord.SelectOption], str | None]:
    """The options and placeholder of the select a ``DynamicItem`` is rebuilt from."""
    if isinstance(item, discord.ui.Select):
        return item.options, item.placeholder
    return [], None
