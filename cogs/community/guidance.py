"""The one step an administrator takes so that a moderator role sees the moderator commands.

Moderator commands carry ``default_permissions(manage_guild=True)``: Discord shows them only to
members with Manage Server until an administrator allows another role for the app. Colloquy checks
the ``/setup`` role itself, but a member cannot run a command their client does not show.
"""

from __future__ import annotations

import discord

from bot.i18n import N_, t

STEPS = N_(
    "To let {role} see the moderator commands, an administrator opens **Server Settings → Integrations → "
    "{app}**, then under **Roles & Members** chooses **Add Roles or Members** and adds {role}. Until then "
    "Discord shows these commands only to members with the Manage Server permission."
)
YOU = N_(
    "You moderate dialogues here through {role}, but Discord hides the moderator commands from you: ask an "
    "administrator to allow the role in **Server Settings → Integrations → {app} → Roles & Members**."
)


def app_name(client: discord.Client) -> str:
    return client.user.name if client.user is not None else "Colloquy"


def role_steps(lang: str, client: discord.Client, role_id: int) -> str:
    """What an administrator does so that ``role_id`` sees the moderator commands."""
    return t(lang, STEPS, role=f"<@&{role_id}>", app=app_name(client))


def hidden_from(member: object) -> bool:
    """Whether Discord hides the moderator commands from this member by default (no Manage Server)."""
    return isinstance(member, discord.Member) and not member.guild_permissions.manage_guild


def you_steps(lang: str, client: discord.Client, role_id: int) -> str:
    return t(lang, YOU, role=f"<@&{role_id}>", app=app_name(client))
