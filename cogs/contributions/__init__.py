"""Contributions: members' messages in open dialogues, tagging, the untagged queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.contributions import cog

if TYPE_CHECKING:
    from bot.client import ColloquyBot


async def setup(bot: ColloquyBot) -> None:
    await cog.setup(bot)
