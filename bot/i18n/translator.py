"""The slash-command translator: Discord localizes command names, descriptions, options and choices
from the same Babel catalogs as every other string."""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands

from bot import i18n

log = logging.getLogger(__name__)

#: Discord's rule for command and option names (lowercase where the script has case).
NAME_RE = re.compile(r"^[-_\w]{1,32}$")

_NAME_LOCATIONS = {
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
    app_commands.TranslationContextLocation.parameter_name,
}


def valid_name(name: str) -> bool:
    return bool(NAME_RE.match(name)) and name == name.lower()


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = i18n.normalize(locale.value)
        if lang is None or lang == i18n.DEFAULT_LANGUAGE:
            return None
        text = i18n.catalog(lang).gettext(string.message)
        if text == string.message:
            return None
        # Context-menu names are free text ("Tag contribution"): Discord's name rule is for slash commands.
        is_menu = isinstance(context.data, app_commands.ContextMenu)
        if context.location in _NAME_LOCATIONS and not is_menu and not valid_name(text):
            log.warning("catalog %s: %r is not a valid command name for %r", lang, text, string.message)
            return None
        if context.location is app_commands.TranslationContextLocation.choice_name:
            return text[:100]
        return text
