"""``/setup``: the guild's defaults (moderators)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot.client import ColloquyBot
from bot.community.guilds import GuildSettings
from bot.errors import UserError
from bot.i18n import LANGUAGE_NAMES, N_, t
from cogs.community import guidance
from cogs.kit.access import moderator_only, require_guild
from cogs.kit.autocomplete import timezone_autocomplete
from cogs.kit.options import LANGUAGE_CHOICES
from cogs.kit.reply import language_for, send_ephemeral


def describe_settings(lang: str, s: GuildSettings) -> str:
    none = t(lang, "not set")
    lines = [
        t(lang, "**Colloquy settings for this server**"),
        t(lang, "Moderator role: {value}", value=f"<@&{s.moderator_role_id}>" if s.moderator_role_id else none),
        t(lang, "Moderation channel: {value}", value=f"<#{s.mod_channel_id}>" if s.mod_channel_id else none),
        t(lang, "Summary channel: {value}",
          value=f"<#{s.summary_channel_id}>" if s.summary_channel_id else none),
        t(lang, "Language: {value}", value=LANGUAGE_NAMES.get(s.language, s.language)),
        t(lang, "Time zone: {value}", value=s.timezone),
    ]
    return "\n".join(lines)


class SetupCog(commands.Cog):
    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    @app_commands.command(name=_T("setup"), description=_T("Set this server's Colloquy defaults (moderators)"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only()
    @app_commands.describe(
        moderator_role=_T("Members with this role may moderate dialogues"),
        mod_channel=_T("Where the panel question review queue and schedule warnings go"),
        summary_channel=_T("Where summaries and reports are posted"),
        language=_T("Default language of posts and reports"),
        timezone=_T("Default time zone, such as Europe/Paris"),
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def setup(
        self,
        interaction: discord.Interaction,
        moderator_role: discord.Role | None = None,
        mod_channel: discord.TextChannel | None = None,
        summary_channel: discord.TextChannel | None = None,
        language: app_commands.Choice[str] | None = None,
        timezone: str | None = None,
    ) -> None:
        guild_id = require_guild(interaction)
        changes: dict[str, object] = {}
        if moderator_role is not None:
            # Granting moderation is an administrator's decision, not a moderator's.
            if not (isinstance(interaction.user, discord.Member) and interaction.user.guild_permissions.manage_guild):
                raise UserError(N_("Only members with the Manage Server permission can change the moderator role."))
            if moderator_role.is_default():
                raise UserError(N_("@everyone cannot be the moderator role."))
            changes["moderator_role_id"] = moderator_role.id
        if mod_channel is not None:
            changes["mod_channel_id"] = mod_channel.id
        if summary_channel is not None:
            changes["summary_channel_id"] = summary_channel.id
        if language is not None:
            changes["language"] = language.value
        if timezone is not None:
            changes["timezone"] = timezone.strip()
        settings = await self.bot.services.guilds.update(guild_id, **changes)
        lang = await language_for(self.bot, interaction)
        text = describe_settings(lang, settings)
        if settings.moderator_role_id:
            text += "\n\n" + guidance.role_steps(lang, self.bot, settings.moderator_role_id)
        await send_ephemeral(interaction, text)


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(SetupCog(bot))
