"""Shared fixtures: a real SQLite file per test, the real bot inside SimCord, a small community."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
import simcord
import simcord.interactions

from bot import create_bot
from bot.client import ColloquyBot
from bot.config import Config, for_database
from bot.store import Database, open_database

# -- SimCord 3.2.1 sends every interaction with locale "en-US". This shim (the only one) lets a test
# -- give a member their own Discord client language, until SimCord supports it (DESIGN.md).
USER_LOCALES: dict[int, str] = {}
_original_base_payload = simcord.interactions.base_payload


def _base_payload_with_locale(backend, **kwargs):  # type: ignore[no-untyped-def]
    record, payload = _original_base_payload(backend, **kwargs)
    payload["locale"] = USER_LOCALES.get(kwargs["user_id"], payload.get("locale", "en-US"))
    return record, payload


simcord.interactions.base_payload = _base_payload_with_locale


def set_locale(member: simcord.MemberActor, locale: str) -> None:
    """Make ``member``'s Discord client speak ``locale`` (e.g. ``"es-ES"``, ``"fr"``)."""
    USER_LOCALES[member.id] = locale


@pytest.fixture(autouse=True)
def _reset_locales() -> None:
    USER_LOCALES.clear()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "colloquy.sqlite3"


@pytest.fixture
def config(db_path: Path) -> Config:
    return for_database(db_path)


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    database = await open_database(db_path)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def simcord_bot(config: Config) -> ColloquyBot:
    return create_bot(config)


@pytest.fixture
async def simcord_env(simcord_bot: ColloquyBot, request: pytest.FixtureRequest) -> AsyncIterator[simcord.Env]:
    """SimCord's environment, plus what it leaves to us: the bot is closed (cogs flush, database
    closes) before the environment shuts down. ``@pytest.mark.simcord(...)`` passes options."""
    marker = request.node.get_closest_marker("simcord")
    options = marker.kwargs if marker else {}
    env = simcord.Env(simcord_bot, **options)  # as simcord's own fixture does
    await env.start()
    try:
        yield env
    finally:
        try:
            if not env.bot.is_closed():
                await env.bot.close()
        finally:
            await env.shutdown()
        if env.check_errors:
            env._raise_errors_since(env._errors_acknowledged)


async def restart(
    env: simcord.Env, config: Config, *, crash: bool = False, down_for: float = 0.0
) -> ColloquyBot:
    """Stop the bot and start a new one on the same database file, in the same virtual world.

    ``crash=True`` skips the graceful close (no flush, no clean shutdown), as a killed process would.
    ``down_for=seconds`` keeps the bot down that long in virtual time before the new one starts
    (graceful close only: a crashed bot would still be attached to the world).
    """
    if crash and down_for:
        raise ValueError("down_for needs a graceful close")
    old = env.bot
    if not crash:
        await old.close()
    if down_for:
        await env.advance_time(down_for)
    bot = create_bot(config)
    await env.restart_bot(bot)
    if crash and getattr(old, "db", None) is not None:
        await old.db.close()  # the dead process's file handle; nothing is flushed through it
    await bot.tree.sync()
    return bot


@dataclass
class Community:
    """A server with a moderator, three members and the usual channels."""

    env: simcord.Env
    guild: simcord.GuildHandle
    general: simcord.ChannelHandle
    dialogue: simcord.ChannelHandle
    mods: simcord.ChannelHandle
    summary: simcord.ChannelHandle
    moderator: simcord.MemberActor
    alice: simcord.MemberActor
    bob: simcord.MemberActor
    carol: simcord.MemberActor
    commands: dict[str, discord.app_commands.AppCommand]

    def open_to_everyone(self, command: str) -> None:
        """A server admin overrides a moderator command's default permissions, so members see it."""
        self.guild.set_command_permissions(self.commands[command], {self.guild.default_role: True})

    @property
    def bot(self) -> ColloquyBot:
        return self.env.bot  # type: ignore[return-value]

    def user_errors(self) -> list[BaseException]:
        """Acknowledge and return the errors the bot turned into answers (SimCord records them),
        unwrapped from discord.py's ``CommandInvokeError``."""
        return [getattr(e, "original", e) for e in self.env.errors]


@pytest.fixture
async def community(simcord_env: simcord.Env) -> Community:
    env = simcord_env
    guild = env.create_guild("Community of Practice")
    general = guild.create_text_channel("general")
    dialogue = guild.create_text_channel("virtual-dialogue")
    mods = guild.create_text_channel("moderators")
    summary = guild.create_text_channel("summaries")
    mod_role = guild.create_role("Facilitators", permissions=discord.Permissions(manage_guild=True))
    moderator = guild.add_member(env.create_user("maria"), roles=[mod_role])
    alice = guild.add_member(env.create_user("alice"))
    bob = guild.add_member(env.create_user("bob"))
    carol = guild.add_member(env.create_user("carol"))
    synced = await env.bot.tree.sync()
    commands = {c.name: c for c in synced}
    return Community(env, guild, general, dialogue, mods, summary, moderator, alice, bob, carol, commands)
