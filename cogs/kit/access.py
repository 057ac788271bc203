"""Who may do what, checked on the server side.

Moderator commands also carry ``default_permissions(manage_guild=True)`` so Discord hides them
from members, but that is only a default a server can override: every moderator action (commands,
buttons, context menus) is checked here as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import NotModerator, UserError
from bot.i18n import N_
from cogs.kit.reply import bot_of

if TYPE_CHECKING:
    from bot.client import ColloquyBot


async def is_moderator(bot: ColloquyBot, interaction: discord.Interaction) -> bool:
    """Manage Server, or the moderator role chosen with ``/setup``."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    return await member_is_moderator(bot, interaction.user)


async def member_is_moderator(bot: ColloquyBot, member: discord.Member) -> bool:
    """The same rule for a member met outside an interaction (a reaction, a message)."""
    if member.guild_permissions.manage_guild:
        return True
    settings = await bot.services.guilds.get(member.guild.id)
    role = settings.moderator_role_id
    return role is not None and any(r.id == role for r in member.roles)


async def require_moderator(bot: ColloquyBot, interaction: discord.Interaction) -> None:
    """For buttons, selects and modals, which anyone who sees them could press."""
    if not await is_moderator(bot, interaction):
        raise NotModerator()


class NotModeratorCheck(app_commands.CheckFailure):
    """A slash command's moderator check failed (answered like :class:`NotModerator`)."""


def moderator_only() -> Any:
    """``app_commands.check`` for moderator commands."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if not await is_moderator(bot_of(interaction), interaction):
            raise NotModeratorCheck()
        return True

    return app_commands.check(predicate)


def require_guild(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise UserError(N_("This command works in a server, not in direct messages."))
    return interaction.guild_id
