"""The report's draft, edited by moderators: ``/report edit`` (a modal per part), ``/report hide`` and
``/report restore`` (items autocompleted from the report), ``/report reactions`` (what counts as
agreement), and the suggested key points' **Accept**, **Edit**, **Dismiss** buttons in the preview.

The buttons are persistent :class:`discord.ui.DynamicItem` s (``colloquy:rs:accept:<dialogue>:<id>``)
checked server-side: a member who sees one cannot use it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T

from bot.errors import UserError
from bot.i18n import N_, t
from bot.report import sections as sx
from bot.report import text as tx
from bot.report.drafts import MAX_BODY, MAX_NAME, MAX_TITLE, PARTS
from bot.report.model import Report
from bot.text import shorten
from cogs.kit.access import is_moderator, require_guild, require_moderator
from cogs.kit.reply import bot_of, language_for, send_ephemeral
from cogs.kit.ui import button_label, guarded

if TYPE_CHECKING:
    from bot.client import ColloquyBot

PART_CHOICES = [
    app_commands.Choice(name=_T("Introduction"), value="introduction"),
    app_commands.Choice(name=_T("About the community"), value="about"),
    app_commands.Choice(name=_T("Panel: recording link and moderator"), value="panel"),
    app_commands.Choice(name=_T("A free section with a title"), value="section"),
]
PART_TITLES = {
    "introduction": N_("Report: introduction"),
    "about": N_("Report: about the community"),
    "panel": N_("Report: the panel"),
    "section": N_("Report: a free section"),
}
PART_NAMES = {
    "introduction": N_("The introduction"),
    "about": N_("The text about the community"),
    "panel": N_("The panel's recording link and moderator"),
    "section": N_("The section"),
}
assert set(PART_TITLES) == set(PARTS) == set(PART_NAMES)


async def item_choices(
    interaction: discord.Interaction, current: str, *, hidden: bool
) -> list[app_commands.Choice[str]]:
    """The report's items (contributions) for ``item:``: shown ones to hide, hidden ones to restore.
    The same access rule as the command: moderators only."""
    bot = bot_of(interaction)
    if interaction.guild_id is None or not await is_moderator(bot, interaction):
        return []
    ref = getattr(interaction.namespace, "dialogue", None)
    if not ref:
        return []
    try:
        found = await bot.services.report.dialogue(interaction.guild_id, ref)
    except UserError:
        return []
    items = await bot.services.report.drafts.items(found.id, current or "", hidden=hidden)
    return [
        app_commands.Choice(name=shorten(f"{i.label} {i.author}: {i.text}", 100), value=i.value)
        for i in items
    ]


async def shown_items(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return await item_choices(interaction, current, hidden=False)


async def hidden_items(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return await item_choices(interaction, current, hidden=True)


# ------------------------------------------------------------------------------------ the modal


class PartModal(discord.ui.Modal):
    """One part of the report's front matter, prefilled with what is saved."""

    def __init__(self, lang: str, dialogue_id: int, part: str, language: str, *, title: str = "", body: str = "",
                 link: str = "", moderator: str = "") -> None:
        super().__init__(title=shorten(t(lang, PART_TITLES[part]) + f" ({language})", 45),
                         custom_id=f"colloquy:rd:edit:{dialogue_id}:{part}:{language}")
        self.dialogue_id, self.part, self.language = dialogue_id, part, language
        self.fields: dict[str, discord.ui.TextInput[Any]] = {}
        if part == "section":
            self._add("title", t(lang, "Section title"), title, MAX_TITLE, paragraph=False, required=True)
        if part == "panel":
            self._add("link", t(lang, "Recording or webinar link"), link, 500, paragraph=False)
            self._add("moderator", t(lang, "Moderator's name"), moderator, MAX_NAME, paragraph=False)
        else:
            self._add("body", t(lang, "Text (empty: remove it)"), body, MAX_BODY, paragraph=True)

    def _add(self, key: str, label: str, value: str, limit: int, *, paragraph: bool, required: bool = False) -> None:
        field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=shorten(label, 45), custom_id=key, default=value or None, max_length=limit, required=required,
            style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
        )
        self.fields[key] = field
        self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        await guarded(interaction, self._save(interaction))

    async def _save(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        await require_moderator(bot, interaction)
        values = {key: field.value for key, field in self.fields.items()}
        saved = await bot.services.report.drafts.save_part(
            self.dialogue_id, self.part, self.language, interaction.user.id, **values
        )
        reader = await language_for(bot, interaction)
        part = t(reader, PART_NAMES[self.part])
        text = (t(reader, "Saved: {part} ({language}). See it with /report preview.", part=part,
                  language=self.language)
                if saved else t(reader, "Removed: {part} ({language}).", part=part, language=self.language))
        await send_ephemeral(interaction, text)


class EditKeyPointModal(discord.ui.Modal):
    """A suggested key point, reworded before it is accepted (it keeps its source link)."""

    def __init__(self, lang: str, dialogue_id: int, contribution_id: int, text: str) -> None:
        super().__init__(title=shorten(t(lang, "Edit the key point"), 45),
                         custom_id=f"colloquy:rs:editmodal:{dialogue_id}:{contribution_id}")
        self.dialogue_id, self.contribution_id = dialogue_id, contribution_id
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=shorten(t(lang, "Key point"), 45), style=discord.TextStyle.paragraph, custom_id="text",
            default=text[:MAX_BODY], max_length=MAX_BODY,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        await guarded(
            interaction, decide(bot_of(interaction), interaction, self.dialogue_id, self.contribution_id, True,
                                self.text.value)
        )


# ------------------------------------------------------------------------------ the suggestions


async def decide(bot: ColloquyBot, interaction: discord.Interaction, dialogue_id: int, contribution_id: int,
                 accept: bool, text: str | None = None) -> None:
    await require_moderator(bot, interaction)
    dialogue = await bot.services.report.get(dialogue_id)
    if dialogue is None or dialogue.guild_id != interaction.guild_id:
        raise UserError(N_("There is no such item in this report: choose one from the list."))
    item = await bot.services.report.drafts.decide(dialogue_id, contribution_id, accept, interaction.user.id, text)
    reader = await language_for(bot, interaction)
    done = (t(reader, "Accepted as a key point, with its source: {text}", text=shorten(text or item.text, 1500))
            if accept else t(reader, "Dismissed: {text}", text=shorten(item.text, 1500)))
    await send_ephemeral(interaction, done)


class SuggestionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"colloquy:rs:(?P<action>accept|edit|dismiss):(?P<dialogue>\d+):(?P<cid>\d+)",
):
    """Accept, Edit or Dismiss one suggested key point (moderators)."""

    STYLES = {"accept": discord.ButtonStyle.success, "edit": discord.ButtonStyle.primary,
              "dismiss": discord.ButtonStyle.secondary}

    def __init__(self, action: str, dialogue_id: int, contribution_id: int, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(
            label=label or action, style=self.STYLES[action],
            custom_id=f"colloquy:rs:{action}:{dialogue_id}:{contribution_id}",
        ))
        self.action, self.dialogue_id, self.contribution_id = action, dialogue_id, contribution_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SuggestionButton:
        return cls(match["action"], int(match["dialogue"]), int(match["cid"]), button_label(item))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._press(interaction))

    async def _press(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        if self.action != "edit":
            await decide(bot, interaction, self.dialogue_id, self.contribution_id, self.action == "accept")
            return
        await require_moderator(bot, interaction)
        dialogue = await bot.services.report.get(self.dialogue_id)
        if dialogue is None or dialogue.guild_id != interaction.guild_id:
            raise UserError(N_("There is no such item in this report: choose one from the list."))
        text = await bot.services.report.drafts.suggestion_text(self.dialogue_id, self.contribution_id)
        reader = await language_for(bot, interaction)
        await interaction.response.send_modal(EditKeyPointModal(reader, self.dialogue_id, self.contribution_id, text))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (SuggestionButton,)


def suggestion_messages(report: Report, reader: str, lang: str) -> list[tuple[str, discord.ui.View]]:
    """One message per guiding question with suggestions: each numbered, with its figures, and a row
    of Accept / Edit / Dismiss buttons."""
    out = []
    for q in report.questions:
        if not q.suggested:
            continue
        lines = [t(reader, "Suggested key points for question {n}: accept, edit or dismiss each one. Only "
                           "accepted ones are published.", n=q.position)]
        view = discord.ui.View(timeout=None)
        for i, point in enumerate(q.suggested[:5], 1):
            credit = f" — *{discord.utils.escape_markdown(point.credit)}*" if point.credit else ""
            figures = sx.reactions_line(point.agree, point.disagree, report, lang)
            link = f" [↗](<{tx.safe_url(point.url)}>)" if tx.safe_url(point.url) else ""
            body = discord.utils.escape_markdown(shorten(tx.member_text(point.text, lang), 300))
            lines.append(f"**{i}.** {body}{credit} ({figures}){link}")
            assert point.contribution_id is not None
            for action, label in (("accept", N_("Accept")), ("edit", N_("Edit")), ("dismiss", N_("Dismiss"))):
                view.add_item(SuggestionButton(action, report.dialogue_id, point.contribution_id,
                                               f"{t(reader, label)} {i}"))
        out.append(("\n".join(lines)[:2000], view))
    return out


async def require_language(bot: ColloquyBot, interaction: discord.Interaction, dialogue: str,
                           language: str | None) -> tuple[int, str]:
    found = await bot.services.report.dialogue(require_guild(interaction), dialogue)
    return found.id, bot.services.report.language(found, language)
