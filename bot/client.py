"""ColloquyBot: intents, allowed mentions, cog loading, the error handler, graceful close."""

from __future__ import annotations

import logging
import pkgutil
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot import i18n
from bot.config import Config
from bot.errors import NotModerator, UserError
from bot.i18n.translator import CatalogTranslator
from bot.services import Services, build_services
from bot.store import Database, open_database

log = logging.getLogger(__name__)

#: Nothing the bot posts may ping anyone: members' words are quoted, never turned into pings.
NO_MENTIONS = discord.AllowedMentions.none()


def intents() -> discord.Intents:
    """What Colloquy needs, and no more. ``message_content`` is privileged: enable it in the portal.

    No ``members`` or ``presences`` intents: authors come with their messages.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True  # channels, threads, roles
    wanted.guild_messages = True  # contributions and their edits/deletions
    wanted.message_content = True  # the text of contributions
    wanted.guild_reactions = True  # theme tags and support by reaction
    wanted.guild_scheduled_events = True  # the panel's Discord event
    return wanted


def cog_extensions() -> list[str]:
    """Every feature package under ``cogs/`` (each one an extension), except the shared kit, in name order."""
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if m.ispkg and m.name != "kit")


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


async def send_ephemeral(interaction: discord.Interaction, content: str | None, **kwargs: Any) -> None:
    """Answer privately, whether or not the interaction was already answered or deferred."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    if content is not None:
        kwargs["content"] = content
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=True, **kwargs)


async def report_interaction_error(
    bot: ColloquyBot, interaction: discord.Interaction, error: BaseException
) -> None:
    """The single place where an interaction's failure becomes an answer to the user."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    lang = await language_for(bot, interaction)
    if isinstance(error, UserError):
        message = error.render(lang)
    elif isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        message = NotModerator().render(lang)
    elif isinstance(error, app_commands.TransformerError):
        message = i18n.t(lang, "“{value}” is not a valid value here.", value=str(error.value)[:100])
    else:
        command = interaction.command.qualified_name if interaction.command else interaction.data
        options = (interaction.data or {}).get("options") if interaction.data else None
        log.error(
            "interaction failed: command=%r options=%r guild=%s user=%s",
            command, options, interaction.guild_id, interaction.user.id, exc_info=error,
        )
        message = i18n.t(lang, "Sorry, something went wrong. The moderators can find the details in the bot's log.")
    try:
        await send_ephemeral(interaction, message[:2000])
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)


class ColloquyTree(app_commands.CommandTree["ColloquyBot"]):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_interaction_error(self.client, interaction, error)


class ColloquyBot(commands.Bot):
    services: Services
    db: Database

    def __init__(self, config: Config) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=ColloquyTree,
            help_command=None,
        )
        self.config = config
        self.clock = discord.utils.utcnow

    async def setup_hook(self) -> None:
        self.db = await open_database(self.config.storage.path)
        self.services = build_services(self.db, self.config, self.clock)
        await self.tree.set_translator(CatalogTranslator())
        for extension in cog_extensions():
            await self.load_extension(extension)
        if self.config.bot.dev_guild_id:
            guild = discord.Object(self.config.bot.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        # A failing listener is logged and the bot goes on.
        log.exception("error in event handler %s", event_method)

    async def close(self) -> None:
        """Unload cogs first (they flush pending writes and stop jobs), then close the database."""
        try:
            await super().close()
        finally:
            db = getattr(self, "db", None)
            if db is not None:
                await db.close()
                del self.db


def create_bot(config: Config) -> ColloquyBot:
    return ColloquyBot(config)
