"""Everyone's commands and the server's settings: /colloquy, /setup, /profile, /privacy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.community import help, privacy, profile, server_setup

if TYPE_CHECKING:
    from bot.client import ColloquyBot


async def setup(bot: ColloquyBot) -> None:
    await help.setup(bot)
    await server_setup.setup(bot)
    await profile.setup(bot)
    await privacy.setup(bot)
