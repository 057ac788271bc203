"""Slash-command options several cogs declare the same way."""

from __future__ import annotations

from discord import app_commands
from discord.app_commands import locale_str as _T

#: The ``dialogue:`` option's description in the dialogue and contribution commands.
DIALOGUE = _T("The dialogue (its title or number)")

#: The languages Colloquy speaks, as a ``language:`` option's choices.
LANGUAGE_CHOICES = [
    app_commands.Choice(name=_T("English"), value="en"),
    app_commands.Choice(name=_T("Spanish"), value="es"),
    app_commands.Choice(name=_T("French"), value="fr"),
]
