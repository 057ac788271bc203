"""``/profile``: how a member is credited wherever Colloquy quotes them (reports, panel questions)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot import text as escape
from bot.client import ColloquyBot
from bot.community.profiles import Profile, credit
from bot.i18n import N_, t
from cogs.kit.access import require_guild
from cogs.kit.reply import language_for, send_ephemeral

_ATTRIBUTION_NAMES = {
    "name": N_("Name and organisation"),
    "organisation": N_("Organisation only"),
    "anonymous": N_("Anonymous"),
}
ATTRIBUTION_CHOICES = [app_commands.Choice(name=_T(label), value=value) for value, label in _ATTRIBUTION_NAMES.items()]


def describe_profile(lang: str, profile: Profile, discord_name: str) -> str:
    none = t(lang, "not set")
    credited = credit(profile.attribution, profile.display_name or discord_name, profile.organisation)
    name = escape.for_discord(profile.display_name, lang, single_line=True) if profile.display_name else None
    organisation = escape.for_discord(profile.organisation, lang, single_line=True) if profile.organisation else None
    lines = [
        t(lang, "**Your profile in this server**"),
        t(lang, "Name: {value}", value=name or t(lang, "not set (your Discord name is used)")),
        t(lang, "Organisation: {value}", value=organisation or none),
        t(lang, "Attribution: {value}", value=t(lang, _ATTRIBUTION_NAMES[profile.attribution])),
        t(lang, "You are credited as: {credit}", credit=escape.for_discord(credited, lang, single_line=True))
        if credited
        else t(lang, "You are quoted anonymously."),
    ]
    if profile.opted_out:
        lines.append(t(lang, "You have opted out: your messages are not collected (/privacy opt-in to resume)."))
    return "\n".join(lines)


class ProfileCog(commands.Cog):
    profile = app_commands.Group(
        name=_T("profile"), description=_T("How you are credited when Colloquy quotes you"), guild_only=True
    )

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    @profile.command(name=_T("set"), description=_T("Set your name, organisation and how you are credited"))
    @app_commands.describe(
        name=_T("Your name as it should appear in reports (empty text clears it)"),
        organisation=_T("Your organisation (empty text clears it)"),
        attribution=_T("Credit you by name and organisation, organisation only, or not at all"),
    )
    @app_commands.choices(attribution=ATTRIBUTION_CHOICES)
    async def set_profile(
        self,
        interaction: discord.Interaction,
        name: str | None = None,
        organisation: str | None = None,
        attribution: app_commands.Choice[str] | None = None,
    ) -> None:
        guild_id = require_guild(interaction)
        # One line each: a newline in a name must never start a line (or a heading) where it is quoted.
        name = escape.profile_field(name) or "" if name is not None else None
        organisation = escape.profile_field(organisation) or "" if organisation is not None else None
        profile = await self.bot.services.profiles.update(
            guild_id, interaction.user.id, name=name, organisation=organisation,
            attribution=attribution.value if attribution else None,
        )
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, describe_profile(lang, profile, interaction.user.display_name))

    @profile.command(name=_T("show"), description=_T("See your profile and how you are credited"))
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id = require_guild(interaction)
        profile = await self.bot.services.profiles.get(guild_id, interaction.user.id)
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, describe_profile(lang, profile, interaction.user.display_name))


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(ProfileCog(bot))
