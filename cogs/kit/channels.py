"""Channels the bot posts in, and finding its own earlier posts after a crash (reconciliation)."""

from __future__ import annotations

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
#: How many messages after that point reconciliation reads (one history request).
RECONCILE_LIMIT = 100


async def resolve_channel(bot: ColloquyBot, channel_id: int) -> AnyChannel:
    """From the cache, else from Discord (an archived thread is not cached)."""
    channel = bot.get_channel(channel_id)
    if channel is None:
        channel = await bot.fetch_channel(channel_id)
    return channel


async def own_messages(bot: ColloquyBot, channel: Postable, since: datetime) -> list[discord.Message]:
    """The bot's own messages in ``channel`` after ``since``, oldest first."""
    me = bot.user
    after = discord.Object(discord.utils.time_snowflake(since))
    return [
        m async for m in channel.history(limit=RECONCILE_LIMIT, after=after, oldest_first=True)
        if me is not None and m.author.id == me.id
    ]
