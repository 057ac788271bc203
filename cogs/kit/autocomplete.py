"""Autocomplete shared by several cogs: time zones, and the ``dialogue:`` option with what depends on it.

Every moderator's ``dialogue:`` option offers the guild's dialogues (value: ``#id``); the options that depend on
the dialogue already chosen in the command being typed (its guiding questions, its themes, and in
the panel cog its panel's questions and panellists) start from :func:`chosen_dialogue`.
"""

from __future__ import annotations

import functools

import discord
from discord import app_commands

from bot.config import known_timezones
from bot.dialogues.model import Dialogue
from bot.errors import UserError
from bot.text import shorten
from cogs.kit.reply import bot_of, language_for


@functools.cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in known_timezones() if "/" in z or z == "UTC"))


async def timezone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    needle = current.lower().replace(" ", "_")
    matches = [z for z in _zones() if needle in z.lower()] if needle else ["UTC", *_zones()[:24]]
    return [app_commands.Choice(name=z, value=z) for z in matches[:25]]


async def dialogue_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The guild's dialogues whose title contains what was typed (value: ``#id``, which resolves to that
    dialogue even when another has the same title)."""
    if interaction.guild_id is None:
        return []
    found = await bot_of(interaction).services.dialogues.search(interaction.guild_id, current or "")
    return [app_commands.Choice(name=shorten(d.title, 100), value=f"#{d.id}") for d in found]


async def chosen_dialogue(interaction: discord.Interaction) -> Dialogue | None:
    """The dialogue already chosen in the command being typed, if any (and if it resolves)."""
    value = getattr(interaction.namespace, "dialogue", None)
    if interaction.guild_id is None or not value:
        return None
    try:
        return await bot_of(interaction).services.dialogues.resolve(interaction.guild_id, str(value))
    except UserError:
        return None


async def guiding_question_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """The chosen dialogue's guiding questions (value: the number)."""
    dialogue = await chosen_dialogue(interaction)
    if dialogue is None:
        return []
    needle = str(current or "").lower()
    return [
        app_commands.Choice(name=shorten(f"{q.position}. {q.text}", 100), value=q.position)
        for q in await bot_of(interaction).services.dialogues.questions(dialogue.id)
        if needle in f"{q.position}. {q.text}".lower()
    ][:25]


async def theme_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The chosen dialogue's themes, named in the reader's language (value: that name)."""
    dialogue = await chosen_dialogue(interaction)
    if dialogue is None:
        return []
    bot = bot_of(interaction)
    lang = await language_for(bot, interaction)
    needle = str(current or "").lower()
    choices = []
    for theme in await bot.services.dialogues.themes(dialogue.id):
        name = bot.services.dialogues.theme_name(theme, lang)
        if needle in name.lower():
            choices.append(app_commands.Choice(name=shorten(f"{theme.emoji or ''} {name}".strip(), 100), value=name))
    return choices[:25]
