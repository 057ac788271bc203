"""Channels the bot posts in, and finding its own earlier posts after a crash (reconciliation)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
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
    """The bot's own messages in ``channel`` after ``since``, oldest first: every page of history back
    to ``since`` (in a busy channel the last 100 messages may all be members')."""
    me = bot.user
    found = [m async for m in _back_to(channel, since) if me is not None and m.author.id == me.id]
    return found[::-1]


async def first_own_message(
    bot: ColloquyBot, channel: Postable, since: datetime, wanted: Callable[[discord.Message], bool]
) -> discord.Message | None:
    """The bot's earliest message in ``channel`` after ``since`` that is ``wanted``; history is read page
    by page, newest first, until the window (back to ``since``) is exhausted."""
    match = None
    me = bot.user
    async for message in _back_to(channel, since):
        if me is not None and message.author.id == me.id and wanted(message):
            match = message  # keep going: an earlier copy is the one to keep
    return match


async def _back_to(channel: Postable, since: datetime) -> AsyncIterator[discord.Message]:
    """Messages newest first, page after page (``before=``), stopping at the first one older than
    ``since``. Paging backwards is what Discord's history does best (and SimCord models exactly)."""
    async for message in channel.history(limit=None, oldest_first=False):
        if message.created_at < since:
            return
        yield message
