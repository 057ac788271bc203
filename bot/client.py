"""ColloquyBot: intents, allowed mentions, cog loading, the error handler, graceful close."""

from __future__ import annotations

import gc
import logging
import pkgutil
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot import i18n
from bot.config import Config
from bot.errors import NotModerator, UserError
from bot.i18n.mentions import CommandMentions
from bot.i18n.translator import CatalogTranslator
from bot.services import Services, build_services
from bot.sharding import ShardScope
from bot.store import Database, StoreUnavailable, open_database
from cogs.kit.reply import NO_MENTIONS, language_for, send_ephemeral

log = logging.getLogger(__name__)


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


async def report_interaction_error(
    bot: ColloquyBot, interaction: discord.Interaction, error: BaseException
) -> None:
    """The single place where an interaction's failure becomes an answer to the user."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if already_acknowledged(error):
        # Discord did the callback but its answer was lost; the retry was refused. The member has their
        # answer: nothing to tell them, nothing to log as an error.
        log.info("interaction %s was already acknowledged (code 40060); treated as answered", interaction.id)
        return
    try:
        lang = await language_for(bot, interaction)
    except StoreUnavailable:  # the guild's language is in the store: the member's own client decides
        lang = i18n.resolve(interaction.locale.value if interaction.locale else None)
    if isinstance(error, StoreUnavailable):
        log.warning("interaction %s: the database is unreachable (%s)", interaction.id, error)
        message = i18n.t(lang, "The database cannot be reached right now, so nothing was done. "
                               "Please try again in a few minutes.")
    elif isinstance(error, UserError):
        message = error.render(lang)
    elif isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        message = NotModerator().render(lang)
    elif isinstance(error, app_commands.TransformerError):
        message = i18n.t(lang, "“{value}” is not a valid value here.", value=str(error.value)[:100])
    else:
        command = interaction.command.qualified_name if interaction.command else None
        log.error(
            "interaction failed: command=%r options=%s guild=%s user=%s",
            command, option_shapes(interaction.data), interaction.guild_id, interaction.user.id, exc_info=error,
        )
        message = i18n.t(lang, "Sorry, something went wrong. The moderators can find the details in the bot's log.")
    try:
        await send_ephemeral(interaction, message)
    except discord.HTTPException as failure:
        if already_acknowledged(failure):
            return
        log.warning("could not deliver an error message for interaction %s", interaction.id)


#: Discord's JSON error code for "Interaction has already been acknowledged".
ALREADY_ACKNOWLEDGED = 40060


def already_acknowledged(error: BaseException | None) -> bool:
    """Whether ``error`` is Discord's 40060 (also when wrapped by discord.py)."""
    while error is not None:
        if isinstance(error, discord.HTTPException) and error.code == ALREADY_ACKNOWLEDGED:
            return True
        error = getattr(error, "original", None)
    return False


def option_shapes(data: Any) -> str:
    """The options of an interaction as names and sizes, never values: members' words (a question, a
    profile name) must not outlive ``/privacy forget-me`` in a log file."""
    shapes: list[str] = []

    def walk(options: Any, prefix: str) -> None:
        for option in options or ():
            if not isinstance(option, dict):
                continue
            name = f"{prefix}{option.get('name', '?')}"
            if "options" in option:  # a subcommand or group
                walk(option["options"], f"{name} ")
                continue
            value = option.get("value")
            size = f"{len(value)} chars" if isinstance(value, str) else type(value).__name__
            shapes.append(f"{name}=<{size}>")

    walk((data or {}).get("options") if isinstance(data, dict) else None, "")
    return "[" + ", ".join(shapes) + "]"


def settle_heap() -> None:
    """Take every object alive now (modules, services, discord.py's caches) out of the garbage
    collector's reach (``gc.freeze``). A full collection otherwise walks that whole long-lived heap
    while holding the GIL: ~22 ms of CPU for the ~60k objects of the report benchmark's process, more
    in the bot, which stalled the event loop while a report compiled. Frozen objects are still freed by
    reference counting; only reference cycles among them are never collected (start-up objects live
    as long as the process anyway; :meth:`ColloquyBot.close` hands them back)."""
    gc.freeze()


class ColloquyTree(app_commands.CommandTree["ColloquyBot"]):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Slash commands' failures, and (through ``cogs.kit.ui.guarded``) components' and modals'."""
        await report_interaction_error(self.client, interaction, error)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """discord.py runs no command checks before an autocomplete: run them here, so that an
        option's suggestions are never shown to someone who may not run the command (a member
        typing into ``/panel relay`` after an admin opened it to everyone gets no questions)."""
        if interaction.type is not discord.InteractionType.autocomplete:
            return True
        if await autocomplete_allowed(interaction):
            return True
        try:
            await interaction.response.autocomplete([])
        except discord.HTTPException:
            log.info("could not answer a refused autocomplete %s", interaction.id)
        return False

    async def sync(self, *, guild: discord.abc.Snowflake | None = None) -> list[app_commands.AppCommand]:
        """Sync, and remember the commands' ids for command mentions."""
        synced = await super().sync(guild=guild)
        self.client.mentions.set_ids({c.name: c.id for c in synced})
        return synced

    async def fetch_commands(self, *, guild: discord.abc.Snowflake | None = None) -> list[app_commands.AppCommand]:
        found = await super().fetch_commands(guild=guild)
        self.client.mentions.set_ids({c.name: c.id for c in found})
        return found


async def autocomplete_allowed(interaction: discord.Interaction) -> bool:
    """Whether the command being typed would pass its checks (moderator checks included)."""
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return True
    if command.guild_only and interaction.guild_id is None:
        return False
    try:
        for check in command.checks:
            if not await discord.utils.maybe_coroutine(check, interaction):
                return False
    except app_commands.AppCommandError:
        return False
    return True


class ColloquyBot(commands.Bot):
    services: Services
    db: Database
    tree: ColloquyTree  # typed as built (``tree_cls``): its ``on_error`` answers any interaction's failure

    def __init__(self, config: Config, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=ColloquyTree,
            help_command=None,
            **options,
        )
        self.config = config
        #: The guilds this process serves: all, or those of its shards (``bot.sharding``).
        self.scope = ShardScope.of(config)
        self.clock = discord.utils.utcnow
        #: Synchronous message hooks (see :meth:`dispatch`), in the order the cogs added them.
        self.message_hooks: list[Callable[[discord.Message], None]] = []
        #: Command ids for mentions (``</dialogue schedule:ID>``), learnt from the synced tree.
        self.mentions = CommandMentions()

    async def setup_hook(self) -> None:
        self.db = await open_database(self.config.storage.target)
        self.services = build_services(self.db, self.config, self.clock)
        await self.tree.set_translator(CatalogTranslator())
        for extension in cog_extensions():
            await self.load_extension(extension)
        self.mentions.set_paths(
            c.qualified_name for c in self.tree.walk_commands() if isinstance(c, app_commands.Command)
        )
        if self.config.bot.dev_guild_id:
            guild = discord.Object(self.config.bot.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        settle_heap()

    # -- the message hot path ------------------------------------------------------------------------

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """A ``MESSAGE_CREATE`` goes straight to the message hooks, synchronously: no task per message,
        no prefix-command processing (the bot has none). Other listeners of ``on_message`` (``wait_for``,
        the demo's narrator) still get it the usual way."""
        if event_name == "message":
            message = args[0]
            for hook in self.message_hooks:
                try:
                    hook(message)
                except Exception:
                    log.exception("error in message hook %s", getattr(hook, "__qualname__", hook))
            if not self._listeners.get("message") and not self.extra_events.get("on_message"):
                return
        elif event_name == "socket_event_type" and not self._hears(event_name):
            return  # sent for every gateway event; nobody listens (three dispatch layers for nothing)
        super().dispatch(event_name, *args, **kwargs)

    def _hears(self, event_name: str) -> bool:
        """Whether anything listens to ``event_name``: a listener, ``wait_for``, or an ``on_`` method."""
        return bool(self._listeners.get(event_name) or self.extra_events.get("on_" + event_name)
                    or hasattr(self, "on_" + event_name))

    async def on_message(self, message: discord.Message, /) -> None:
        """Nothing: messages go through :meth:`dispatch`'s hooks (no prefix commands to process)."""

    async def on_ready(self) -> None:
        """Settle the heap discord.py's caches just filled; learn the command ids once (commands synced
        earlier, e.g. by ``colloquy sync``)."""
        settle_heap()
        if self.mentions.ids:
            return
        try:
            await self.tree.fetch_commands()
            if self.config.bot.dev_guild_id:
                await self.tree.fetch_commands(guild=discord.Object(self.config.bot.dev_guild_id))
        except discord.HTTPException as error:
            log.warning("could not fetch the command ids (replies name commands as plain text): %s", error)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        # A failing listener is logged and the bot goes on.
        log.exception("error in event handler %s", event_method)

    async def close(self) -> None:
        """Unload cogs first (they flush pending writes and stop jobs), then close the database; the
        frozen heap goes back to the collector (a process, such as the tests', may go on without this bot)."""
        try:
            await super().close()
        finally:
            gc.unfreeze()
            db = getattr(self, "db", None)
            if db is not None:
                await db.close()
                del self.db


class ShardedColloquyBot(ColloquyBot, commands.AutoShardedBot):
    """One of several shard processes (``[bot] shard_count`` / ``shard_ids``): an ``AutoShardedBot``
    for its shards, serving (schedule, capture, reports) only the guilds on them."""

    def __init__(self, config: Config) -> None:
        ids = list(config.bot.shard_ids) if config.bot.shard_ids is not None else None
        super().__init__(config, shard_count=config.bot.shard_count, shard_ids=ids)


def create_bot(config: Config) -> ColloquyBot:
    """The bot ``config`` asks for: sharded when ``[bot] shard_count`` is set."""
    if config.bot.shard_count is not None:
        return ShardedColloquyBot(config)
    return ColloquyBot(config)
