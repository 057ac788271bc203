"""Reports: /report, automatic publication and end-of-week summaries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.report import cog

if TYPE_CHECKING:
    from bot.client import ColloquyBot


async def setup(bot: ColloquyBot) -> None:
    await cog.setup(bot)
