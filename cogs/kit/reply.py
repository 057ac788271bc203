"""Answering people on Discord: the bot behind an interaction, the reader's language, private
replies within Discord's limits, and the one rule for every post: no pings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord

from bot import i18n
from bot.i18n.mentions import CommandMentions

if TYPE_CHECKING:
    from bot.client import ColloquyBot

#: Nothing the bot posts may ping anyone: members' words are quoted, never turned into pings.
NO_MENTIONS = discord.AllowedMentions.none()


def bot_of(interaction: discord.Interaction) -> ColloquyBot:
    """The typed bot of an interaction (discord.py types ``interaction.client`` as a plain ``Client``)."""
    return cast("ColloquyBot", interaction.client)


async def language_for(bot: ColloquyBot, interaction: discord.Interaction) -> str:
    """The reader's language: their Discord client's, else the guild's setting, else English."""
    settings_lang = None
    if interaction.guild_id is not None:
        settings_lang = (await bot.services.guilds.get(interaction.guild_id)).language
    return i18n.resolve(
        interaction.locale.value if interaction.locale else None,
        settings_lang,
        interaction.guild_locale.value if interaction.guild_locale else None,
    )


#: Discord's limit on a message's content.
MESSAGE_LIMIT = 2000


def fit(content: str, limit: int = MESSAGE_LIMIT) -> str:
    """``content`` within Discord's limit: renderers keep their texts short; this is the last guard, so
    that an unexpectedly long answer is cut (at a line end when one is near) rather than refused."""
    if len(content) <= limit:
        return content
    cut = content[: limit - 1]
    newline = cut.rfind("\n")
    if newline > limit * 0.8:
        cut = cut[:newline]
    return cut.rstrip("\\") + "…"


async def send_ephemeral(interaction: discord.Interaction, content: str | None, **kwargs: Any) -> None:
    """Answer privately, whether or not the interaction was already answered or deferred. Commands
    named in the answer become mentions (each member sees them in their language)."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    if content is not None:
        mentions = getattr(interaction.client, "mentions", None)
        kwargs["content"] = fit(mentions.link(content) if isinstance(mentions, CommandMentions) else content)
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=True, **kwargs)

