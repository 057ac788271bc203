"""Autocomplete for the panel's ``question:`` and ``panellist:`` options (``dialogue:`` is the dialogues cog's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import UserError
from bot.panel.model import Panel
from cogs.panel.render import short

if TYPE_CHECKING:
    from bot.client import ColloquyBot


def _bot(interaction: discord.Interaction) -> ColloquyBot:
    return interaction.client  # type: ignore[return-value]


async def _chosen_panel(interaction: discord.Interaction) -> Panel | None:
    """The panel of the dialogue already chosen in the command being typed, if any."""
    ref = getattr(interaction.namespace, "dialogue", None)
    if interaction.guild_id is None or not ref:
        return None
    services = _bot(interaction).services
    try:
        return await services.panel.for_dialogue(await services.dialogues.resolve(interaction.guild_id, str(ref)))
    except UserError:
        return None


def question_autocomplete(
    statuses: Sequence[str],
) -> Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[int]]]]:
    """Questions of the chosen dialogue's panel in ``statuses``, most voted first."""

    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        panel = await _chosen_panel(interaction)
        if panel is None:
            return []
        needle = current.casefold().lstrip("#").strip()
        questions = await _bot(interaction).services.panel_questions.questions(panel.id, statuses)
        return [
            app_commands.Choice(name=f"#{q.id} · {short(q.text, 80)}"[:100], value=q.id)
            for q in questions
            if needle in q.text.casefold() or str(q.id).startswith(needle)
        ][:25]

    return complete


async def panellist_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    panel = await _chosen_panel(interaction)
    if panel is None:
        return []
    needle = current.casefold().strip()
    panellists = await _bot(interaction).services.panel.panellists(panel.id)
    return [
        app_commands.Choice(name=p.heading[:100], value=p.name[:100]) for p in panellists if needle in p.name.casefold()
    ][:25]
