"""Dialogue weeks: /dialogue and the scheduled posts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.dialogues import cog

if TYPE_CHECKING:
    from bot.client import ColloquyBot


async def setup(bot: ColloquyBot) -> None:
    await cog.setup(bot)
