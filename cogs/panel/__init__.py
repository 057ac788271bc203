"""The live panel: /panel, /ask, the review queue and the panellists' answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.panel import ask, cog

if TYPE_CHECKING:
    from bot.client import ColloquyBot


async def setup(bot: ColloquyBot) -> None:
    await cog.setup(bot)
    await ask.setup(bot)
