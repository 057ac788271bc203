"""Autocomplete for the panel's ``question:`` and ``panellist:`` options (``dialogue:`` is the kit's)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import discord
from discord import app_commands

from bot.errors import UserError
from bot.panel.model import Panel
from bot.text import shorten
from cogs.kit.autocomplete import chosen_dialogue
from cogs.kit.reply import bot_of


async def _chosen_panel(interaction: discord.Interaction) -> Panel | None:
    """The panel of the dialogue already chosen in the command being typed, if any."""
    dialogue = await chosen_dialogue(interaction)
    if dialogue is None:
        return None
    try:
        return await bot_of(interaction).services.panel.for_dialogue(dialogue)
    except UserError:
        return None


def panel_question_autocomplete(
    statuses: Sequence[str],
) -> Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[int]]]]:
    """Questions of the chosen dialogue's panel in ``statuses``, most voted first."""

    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        panel = await _chosen_panel(interaction)
        if panel is None:
            return []
        needle = current.casefold().lstrip("#").strip()
        questions = await bot_of(interaction).services.panel_questions.questions(panel.id, statuses)
        return [
            app_commands.Choice(name=f"#{q.id} · {shorten(q.text, 80)}"[:100], value=q.id)
            for q in questions
            if needle in q.text.casefold() or str(q.id).startswith(needle)
        ][:25]

    return complete


async def panellist_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    panel = await _chosen_panel(interaction)
    if panel is None:
        return []
    needle = current.casefold().strip()
    panellists = await bot_of(interaction).services.panel.panellists(panel.id)
    return [
        app_commands.Choice(name=p.heading[:100], value=p.name[:100]) for p in panellists if needle in p.name.casefold()
    ][:25]
