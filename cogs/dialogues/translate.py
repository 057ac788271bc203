"""``/dialogue translate``: the item autocomplete (what each item still lacks) and the moderators' answers."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.dialogues.model import Dialogue
from bot.dialogues.translations import TranslatableItem
from bot.i18n import t, tn
from bot.text import shorten
from cogs.kit.autocomplete import chosen_dialogue
from cogs.kit.reply import bot_of, language_for

AUTOCOMPLETE_LIMIT = 25


def lacks(lang: str, item: TranslatableItem, dialogue: Dialogue) -> str:
    missing = item.missing(dialogue)
    if not missing:
        return t(lang, "complete")
    return t(lang, "lacks {languages}", languages=" ".join(missing))


def choice_name(lang: str, item: TranslatableItem, dialogue: Dialogue) -> str:
    """``Guiding question 2 · lacks es fr · What tools and…`` (Discord shows at most 100 characters)."""
    head = f"{item.label(lang)} · {lacks(lang, item, dialogue)} · "
    return shorten(head + item.original, 100)


async def item_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The chosen dialogue's translatable items, those that lack a language first."""
    dialogue = await chosen_dialogue(interaction)
    if dialogue is None:
        return []
    bot = bot_of(interaction)
    lang = await language_for(bot, interaction)
    needle = str(current or "").lower()
    items = await bot.services.translations.items(dialogue)
    items.sort(key=lambda it: not it.missing(dialogue))  # stable: reading order within each group
    return [
        app_commands.Choice(name=choice_name(lang, it, dialogue), value=it.ref)
        for it in items
        if needle in f"{it.label(lang)} {it.original}".lower() or needle == it.ref
    ][:AUTOCOMPLETE_LIMIT]


def translated(lang: str, item: TranslatableItem, language: str, dialogue: Dialogue) -> str:
    """The answer to a translation: what was stored, and what the item still lacks."""
    lines = [
        t(lang, "{item} in {language}:", item=item.label(lang), language=language),
        "> " + shorten(item.translations[language], 300),
        lacks(lang, item, dialogue),
    ]
    return "\n".join(lines)


def missing_warning(lang: str, missing: list[tuple[TranslatableItem, tuple[str, ...]]]) -> str:
    """``/dialogue schedule``'s reminder: posts will show the original where a translation is missing."""
    if not missing:
        return ""
    lines = [tn(lang, "⚠️ {n} item has no translation in every language of the dialogue yet; posts and the report "
                      "show the original there (/dialogue translate):",
                "⚠️ {n} items have no translation in every language of the dialogue yet; posts and the report "
                "show the original there (/dialogue translate):", len(missing))]
    for item, languages in missing[:10]:
        lines.append(f"- {item.label(lang)}: {' '.join(languages)}")
    if len(missing) > 10:
        lines.append("- …")
    return "\n".join(lines)
