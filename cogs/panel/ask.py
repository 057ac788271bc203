"""``/ask``: members put a question to the live panel (a modal when the text is omitted)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot.client import ColloquyBot
from bot.dialogues.model import Dialogue
from bot.errors import UserError
from bot.i18n import N_
from bot.panel.model import Panel
from bot.text import shorten
from cogs.kit.access import require_guild
from cogs.kit.reply import bot_of
from cogs.panel import flow

ATTRIBUTION_CHOICES = [
    app_commands.Choice(name=_T("My name and organisation"), value="name"),
    app_commands.Choice(name=_T("My organisation only"), value="organisation"),
    app_commands.Choice(name=_T("Anonymous"), value="anonymous"),
]


async def _open_panel(bot: ColloquyBot, dialogue: Dialogue) -> Panel | None:
    """The dialogue's panel if members may ask it now (it exists and is not closed)."""
    try:
        panel = await bot.services.panel.for_dialogue(dialogue)
    except UserError:
        return None
    return None if panel.closed else panel


async def ask_dialogue_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """``/ask`` is for every member: it offers only dialogues whose panel is open (a panel is announced
    publicly; a dialogue without one, a draft's title for instance, is never shown)."""
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    found = await bot.services.dialogues.search(interaction.guild_id, current or "")
    return [
        app_commands.Choice(name=shorten(d.title, 100), value=f"#{d.id}")
        for d in found if await _open_panel(bot, d) is not None
    ]


class AskCog(commands.Cog):
    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    @app_commands.command(name=_T("ask"), description=_T("Ask the live panel a question"))
    @app_commands.guild_only()
    @app_commands.describe(
        dialogue=_T("The dialogue whose panel you ask (default: the panel of this channel)"),
        question=_T("Your question (leave empty to write it in a form)"),
        attribution=_T("How you are credited (default: your /profile choice)"),
    )
    @app_commands.choices(attribution=ATTRIBUTION_CHOICES)
    @app_commands.autocomplete(dialogue=ask_dialogue_autocomplete)
    async def ask(
        self, interaction: discord.Interaction, dialogue: str | None = None, question: str | None = None,
        attribution: app_commands.Choice[str] | None = None,
    ) -> None:
        guild_id = require_guild(interaction)
        service = self.bot.services.panel
        if dialogue:
            found = await self.bot.services.dialogues.resolve(guild_id, dialogue)
            open_panel = await _open_panel(self.bot, found)
            if open_panel is None:
                raise UserError(N_("There is no open panel to ask in right now."))
            panel = open_panel
        else:
            panel = await service.for_asking(guild_id, interaction.channel_id)
        chosen = attribution.value if attribution else None
        if question is None:
            await flow.open_ask_modal(self.bot, interaction, panel.id, chosen)
        else:
            await flow.submit_question(self.bot, interaction, panel.id, question, chosen)


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(AskCog(bot))
