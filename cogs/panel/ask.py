"""``/ask``: members put a question to the live panel (a modal when the text is omitted)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot.client import ColloquyBot
from cogs.dialogues.cog import dialogue_autocomplete
from cogs.kit.access import require_guild
from cogs.panel import flow

ATTRIBUTION_CHOICES = [
    app_commands.Choice(name=_T("My name and organisation"), value="name"),
    app_commands.Choice(name=_T("My organisation only"), value="organisation"),
    app_commands.Choice(name=_T("Anonymous"), value="anonymous"),
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
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def ask(
        self, interaction: discord.Interaction, dialogue: str | None = None, question: str | None = None,
        attribution: app_commands.Choice[str] | None = None,
    ) -> None:
        guild_id = require_guild(interaction)
        service = self.bot.services.panel
        if dialogue:
            panel = await service.for_dialogue(await self.bot.services.dialogues.resolve(guild_id, dialogue))
        else:
            panel = await service.for_asking(guild_id, interaction.channel_id)
        chosen = attribution.value if attribution else None
        if question is None:
            await flow.open_ask_modal(self.bot, interaction, panel.id, chosen)
        else:
            await flow.submit_question(self.bot, interaction, panel.id, question, chosen)


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(AskCog(bot))
