"""Channels the bot posts in, and finding its own earlier posts after a crash (reconciliation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.client import ColloquyBot

#: Where the bot's scheduled posts go: a text channel, or a thread (a forum post is a thread).
Postable = discord.TextChannel | discord.Thread
AnyChannel = discord.abc.GuildChannel | discord.Thread | discord.abc.PrivateChannel

#: How far before a schedule item's claim to look for a post made by an earlier attempt.
RECONCILE_MARGIN = timedelta(minutes=10)
#: How many messages one history request reads (Discord's maximum); reconciliation pages on.
RECONCILE_PAGE = 100


async def resolve_channel(bot: ColloquyBot, channel_id: int) -> AnyChannel:
    """From the cache, else from Discord (an archived thread is not cached)."""
    channel = bot.get_channel(channel_id)
    if channel is None:
        channel = await bot.fetch_channel(channel_id)
    return channel


async def own_messages(bot: ColloquyBot, channel: Postable, since: datetime) -> list[discord.Message]:
    """The bot's own messages in ``channel`` after ``since``, oldest first (every page of history up
    to now: in a busy channel the first 100 messages may all be members')."""
    me = bot.user
    after = discord.Object(discord.utils.time_snowflake(since))
    return [
        m async for m in channel.history(limit=None, after=after, oldest_first=True)
        if me is not None and m.author.id == me.id
    ]


async def first_own_message(
    bot: ColloquyBot, channel: Postable, since: datetime, wanted: Callable[[discord.Message], bool]
) -> discord.Message | None:
    """The bot's first message in ``channel`` after ``since`` that is ``wanted``: history is read page
    by page (oldest first) until it is found or the window (up to now) is exhausted."""
    me = bot.user
    after = discord.Object(discord.utils.time_snowflake(since))
    async for message in channel.history(limit=None, after=after, oldest_first=True):
        if me is not None and message.author.id == me.id and wanted(message):
            return message
    return None
