"""Shared fixtures: a real store per test, the real bot inside SimCord, a small community.

Every test that touches the store runs on each store: SQLite (a temp file) always, and PostgreSQL
when ``COLLOQUY_TEST_POSTGRES_URL`` is set (a fresh schema per test, dropped afterwards; the test
ids say which: ``test_x[sqlite]``, ``test_x[postgresql]``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
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


#: The PostgreSQL server the suite also runs on (``.ci/run`` sets it); unset: SQLite only.
POSTGRES_URL = os.environ.get("COLLOQUY_TEST_POSTGRES_URL", "")
STORES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def schema_url(base: str, schema: str) -> str:
    """``base`` with its connections confined to ``schema`` (asyncpg passes unknown URL parameters
    to the server as settings); the application name lets the teardown find stray connections."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}{urlencode({'search_path': schema, 'application_name': schema})}"


async def create_schema() -> str:
    """A fresh, empty schema on the test server; its name."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return schema


async def drop_schema(schema: str) -> None:
    """Drop ``schema`` and everything in it, first ending connections a test left open on it."""
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", schema
        )
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgresql"``: the store this test runs on."""
    return str(request.param)


@pytest.fixture
async def db_path(store_kind: str, tmp_path: Path) -> AsyncIterator[Path | str]:
    """The store's target, as ``open_database`` and ``for_database`` take it: a SQLite file path, or a
    PostgreSQL URL confined to a schema of its own (created here, dropped after the test)."""
    if store_kind == "sqlite":
        yield tmp_path / "colloquy.sqlite3"
        return
    schema = await create_schema()
    try:
        yield schema_url(POSTGRES_URL, schema)
    finally:
        await drop_schema(schema)


@pytest.fixture
def config(db_path: Path | str) -> Config:
    return for_database(db_path)


@pytest.fixture
async def db(db_path: Path | str) -> AsyncIterator[Database]:
    database = await open_database(db_path)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def simcord_bot(config: Config) -> ColloquyBot:
    return create_bot(config)


@asynccontextmanager
async def simcord_world(bot: ColloquyBot, **options: Any) -> AsyncIterator[simcord.Env]:
    """SimCord's environment around ``bot``, plus what it leaves to us: the bot is closed (cogs flush,
    database closes) before the environment shuts down; errors the bot swallowed fail the test."""
    env = simcord.Env(bot, **options)  # as simcord's own fixture does
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


@pytest.fixture
async def simcord_env(simcord_bot: ColloquyBot, request: pytest.FixtureRequest) -> AsyncIterator[simcord.Env]:
    """:func:`simcord_world` for the test's bot. ``@pytest.mark.simcord(...)`` passes options."""
    marker = request.node.get_closest_marker("simcord")
    options = marker.kwargs if marker else {}
    async with simcord_world(simcord_bot, **options) as env:
        yield env


async def restart(
    env: simcord.Env, config: Config, *, crash: bool = False, down_for: float = 0.0
) -> ColloquyBot:
    """Stop the bot and start a new one on the same store, in the same virtual world.

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

    async def close_dialogue(self, title: str, moderator: simcord.MemberActor | None = None) -> str:
        """``/dialogue close``, confirming with **Close now** when Colloquy asks (before the planned end);
        returns the moderator's last answer."""
        mod = moderator or self.moderator
        asked = await mod.slash(self.general, "dialogue close", dialogue=title)
        if asked.response is not None and asked.response.components:
            pressed = await mod.click(asked.response, label="Close now")
            return self.env.backend.get_message(asked.response.channel_id, asked.response.id).content or "\n".join(
                m.content for m in pressed.followups
            )
        return "\n".join(m.content for m in [*([asked.response] if asked.response else []), *asked.followups])

    def user_errors(self) -> list[BaseException]:
        """Acknowledge and return the errors the bot turned into answers (SimCord records them),
        unwrapped from discord.py's ``CommandInvokeError``."""
        return [getattr(e, "original", e) for e in self.env.errors]


@pytest.fixture
async def community(simcord_env: simcord.Env) -> Community:
    synced = await simcord_env.bot.tree.sync()
    return build_community(simcord_env, {c.name: c for c in synced})


def build_community(
    env: simcord.Env, commands: dict[str, discord.app_commands.AppCommand], name: str = "Community of Practice",
    *, shard_id: int | None = None,
) -> Community:
    """A server (on shard ``shard_id`` of a sharded world) with a moderator, three members and the
    usual channels; ``commands`` are the synced commands."""
    guild = env.create_guild(name, shard_id=shard_id)
    general = guild.create_text_channel("general")
    dialogue = guild.create_text_channel("virtual-dialogue")
    mods = guild.create_text_channel("moderators")
    summary = guild.create_text_channel("summaries")
    mod_role = guild.create_role("Facilitators", permissions=discord.Permissions(manage_guild=True))
    moderator = guild.add_member(env.create_user("maria"), roles=[mod_role])
    alice = guild.add_member(env.create_user("alice"))
    bob = guild.add_member(env.create_user("bob"))
    carol = guild.add_member(env.create_user("carol"))
    return Community(env, guild, general, dialogue, mods, summary, moderator, alice, bob, carol, commands)
