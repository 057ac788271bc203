"""``/colloquy``: what the bot does and the commands open to you, in your language."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot.client import ColloquyBot
from bot.i18n import LANGUAGE_NAMES, t
from bot.i18n.mentions import CommandMentions
from cogs.community import guidance
from cogs.kit.access import is_moderator
from cogs.kit.reply import language_for, send_ephemeral


def _text(lang: str, value: str | app_commands.locale_str) -> str:
    message = value.message if isinstance(value, app_commands.locale_str) else value
    return t(lang, message) if message else ""


def command_lines(
    tree: app_commands.CommandTree, lang: str, moderator: bool, mentions: CommandMentions | None = None
) -> tuple[list[str], list[str]]:
    """(everyone's commands, moderators' commands) as ``/name — description`` lines; a command mention
    (clickable, in the reader's language) once the command ids are known."""
    public: list[str] = []
    moderation: list[str] = []
    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        restricted = command.default_permissions is not None and command.default_permissions.value != 0
        if restricted and not moderator:
            continue
        target = moderation if restricted else public
        leaves = (
            [c for c in command.walk_commands() if isinstance(c, app_commands.Command)]
            if isinstance(command, app_commands.Group)
            else [command]
        )
        for leaf in leaves:
            parts: list[str] = []
            node: app_commands.Command | app_commands.Group | None = leaf
            while node is not None:
                parts.append(_text(lang, node._locale_name or node.name))
                node = node.parent
            description = _text(lang, leaf._locale_description or leaf.description)
            name = f"`/{' '.join(reversed(parts))}`"
            if mentions is not None and (linked := mentions.link("/" + leaf.qualified_name)).startswith("</"):
                name = linked
            target.append(f"{name} — {description}")
    return public, moderation


class HelpCog(commands.Cog):
    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    async def server_lines(self, interaction: discord.Interaction, lang: str) -> list[str]:
        """Where things happen on this server, from ``/setup`` (nothing in direct messages)."""
        if interaction.guild_id is None:
            return []
        settings = await self.bot.services.guilds.get(interaction.guild_id)
        lines = ["", t(lang, "**On this server**"),
                 t(lang, "Dialogues use the time zone {timezone}; posts and reports are in {language}.",
                   timezone=settings.timezone, language=LANGUAGE_NAMES.get(settings.language, settings.language))]
        if settings.summary_channel_id:
            channel = settings.summary_channel_id
            lines.append(t(lang, "Summaries and reports are posted in <#{channel}>.", channel=channel))
        if settings.moderator_role_id:
            lines.append(t(lang, "Moderators: <@&{role}>.", role=settings.moderator_role_id))
            if await is_moderator(self.bot, interaction):
                role = settings.moderator_role_id
                lines.append(
                    guidance.you_steps(lang, self.bot, role) if guidance.hidden_from(interaction.user)
                    else guidance.role_steps(lang, self.bot, role)
                )
        return lines

    @app_commands.command(name=_T("colloquy"), description=_T("What Colloquy does and the commands open to you"))
    async def colloquy(self, interaction: discord.Interaction) -> None:
        lang = await language_for(self.bot, interaction)
        moderator = await is_moderator(self.bot, interaction)
        public, moderation = command_lines(self.bot.tree, lang, moderator, self.bot.mentions)
        server = await self.server_lines(interaction, lang)
        parts = [
            t(lang, "**Colloquy** runs Virtual Dialogues: a week of moderated discussion around guiding "
                    "questions, a live panel with members' questions, and a report of what was said."),
            t(lang, "Take part by answering in a guiding question's thread. Your words are quoted in the "
                    "report as you choose with /profile; /privacy lets you opt out or erase your data."),
            *server,
            "",
            t(lang, "**Commands for everyone**"),
            *public,
        ]
        if moderation:
            parts += ["", t(lang, "**Commands for moderators**"), *moderation]
        text = "\n".join(parts)
        embed = discord.Embed(description=text[:4096], colour=discord.Colour.blurple())
        await send_ephemeral(interaction, None, embed=embed)


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(HelpCog(bot))
