"""Tagging components: the **Tag contribution** select and the untagged queue's buttons.

All are :class:`discord.ui.DynamicItem` s whose ``custom_id`` carries the ids they act on
(``colloquy:ut:tag:<contribution>:<theme>``): registered once with ``bot.add_dynamic_items``, they work
on every message, after a restart too. discord.py only logs a dynamic item's exception, so each
callback hands failures to the command tree's error handler.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot import text as escape
from bot.contributions.model import Contribution
from bot.contributions.tagging import Tag, UntaggedPage
from bot.dialogues.model import Theme
from bot.dialogues.service import DialogueService
from bot.i18n import t
from cogs.kit.access import require_moderator
from cogs.kit.reply import NO_MENTIONS, bot_of, language_for, send_ephemeral
from cogs.kit.ui import guarded, select_state

QUOTE_LIMIT = 700  # before escaping, which can double it: the message stays within Discord's 2,000
MAX_THEME_BUTTONS = 20  # four rows of five; the fifth row holds "reject" and "next"


def quote(text: str, limit: int = QUOTE_LIMIT, lang: str = "en") -> str:
    """A member's words as a Markdown quote (shortened, then escaped: never markup, never a ping)."""
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return escape.quote_block(text, lang) if text else "> …"


def one_line(text: str, limit: int, lang: str = "en") -> str:
    """A member's words on one line, shortened, then escaped for Discord."""
    return escape.for_discord(escape.shorten(text, limit), lang, single_line=True)


def jump_url(c: Contribution) -> str:
    return f"https://discord.com/channels/{c.guild_id}/{c.channel_id}/{c.message_id}"


def theme_label(theme: Theme, lang: str) -> str:
    return DialogueService.theme_name(theme, lang)


def describe_contribution(lang: str, c: Contribution, question: int | None) -> str:
    where = t(lang, "question {number}", number=question) if question else t(lang, "the dialogue channel")
    body = c.content or "\n".join(c.attachments)
    return "\n".join([
        quote(body, lang=lang),
        t(lang, "— {author}, in {where} · [message]({url})", author=escape.for_discord(c.author_name, lang,
          single_line=True), where=where, url=jump_url(c)),
    ])


def tagged_summary(lang: str, tags: list[Tag], themes: list[Theme]) -> str:
    names = {th.id: theme_label(th, lang) for th in themes}
    confirmed = [names[tag.theme_id] for tag in tags if tag.status == "confirmed" and tag.theme_id in names]
    if not confirmed:
        return t(lang, "This contribution has no theme now.")
    return t(lang, "Themes of this contribution: {themes}.", themes=", ".join(confirmed))


# ------------------------------------------------------------------------------- Tag contribution


class TagSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"colloquy:tags:(?P<cid>\d+)"):
    """The themes of one contribution, chosen by a moderator (from the **Tag contribution** menu)."""

    def __init__(self, contribution_id: int, options: list[discord.SelectOption] | None = None,
                 placeholder: str | None = None) -> None:
        options = options or [discord.SelectOption(label="-", value="0")]
        super().__init__(
            discord.ui.Select(
                custom_id=f"colloquy:tags:{contribution_id}", options=options, placeholder=placeholder,
                min_values=0, max_values=len(options),
            )
        )
        self.contribution_id = contribution_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TagSelect:
        options, placeholder = select_state(item)
        return cls(int(match["cid"]), options, placeholder)

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._choose(interaction))

    async def _choose(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        await require_moderator(bot, interaction)
        contributions = bot.services.contributions
        chosen = {int(v) for v in self.item.values}
        tags = await bot.services.tagging.set_tags(self.contribution_id, chosen, interaction.user.id)
        contribution = await contributions.get(self.contribution_id)
        lang = await language_for(bot, interaction)
        themes = await bot.services.translations.themes(contribution.dialogue_id, lang)
        await interaction.response.edit_message(content=tagged_summary(lang, tags, themes), view=None)


def tag_view(lang: str, contribution_id: int, themes: list[Theme], tags: list[Tag]) -> discord.ui.View:
    confirmed = {tag.theme_id for tag in tags if tag.status == "confirmed"}
    options = [
        discord.SelectOption(
            label=theme_label(th, lang)[:100], value=str(th.id), emoji=th.emoji or None, default=th.id in confirmed
        )
        for th in themes[:25]
    ]
    view = discord.ui.View(timeout=None)
    view.add_item(TagSelect(contribution_id, options, t(lang, "Choose the themes")))
    return view


# --------------------------------------------------------------------------------- untagged queue


class QueueTagButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"colloquy:ut:tag:(?P<cid>\d+):(?P<theme>\d+)"
):
    """Tag the queue's current contribution with one theme, then show the next one."""

    def __init__(self, contribution_id: int, theme_id: int, label: str = "-", emoji: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, emoji=emoji, style=style, custom_id=f"colloquy:ut:tag:{contribution_id}:{theme_id}"
            )
        )
        self.contribution_id = contribution_id
        self.theme_id = theme_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QueueTagButton:
        return cls(int(match["cid"]), int(match["theme"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._tag(interaction))

    async def _tag(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        await require_moderator(bot, interaction)
        contributions = bot.services.contributions
        contribution = await contributions.get(self.contribution_id)
        await bot.services.tagging.add_tag(self.contribution_id, self.theme_id, interaction.user.id)
        await show_queue(interaction, contribution.dialogue_id, after_id=self.contribution_id, edit=True)


class QueueRejectButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"colloquy:ut:reject:(?P<cid>\d+)"):
    """Reject the automatic suggestions for the queue's current contribution."""

    def __init__(self, contribution_id: int, label: str = "-") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.danger, custom_id=f"colloquy:ut:reject:{contribution_id}"
            )
        )
        self.contribution_id = contribution_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QueueRejectButton:
        return cls(int(match["cid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._reject(interaction))

    async def _reject(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        await require_moderator(bot, interaction)
        contributions = bot.services.contributions
        contribution = await contributions.get(self.contribution_id)
        await bot.services.tagging.reject_suggestions(self.contribution_id, interaction.user.id)
        await show_queue(interaction, contribution.dialogue_id, after_id=self.contribution_id - 1, edit=True)


class QueueNextButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"colloquy:ut:next:(?P<dialogue>\d+):(?P<after>\d+)"
):
    """Leave the current contribution for later and show the next one."""

    def __init__(self, dialogue_id: int, after_id: int, label: str = "-") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"colloquy:ut:next:{dialogue_id}:{after_id}"
            )
        )
        self.dialogue_id = dialogue_id
        self.after_id = after_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QueueNextButton:
        return cls(int(match["dialogue"]), int(match["after"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            await require_moderator(bot_of(interaction), interaction)
            await show_queue(interaction, self.dialogue_id, after_id=self.after_id, edit=True)

        await guarded(interaction, work())


def queue_message(
    lang: str, title: str, page: UntaggedPage, themes: list[Theme]
) -> tuple[str, discord.ui.View | None]:
    if page.item is None:
        return t(lang, "Every contribution to “{title}” has a theme. Nothing left to tag.", title=title), None
    item = page.item
    c = item.contribution
    names = {th.id: theme_label(th, lang) for th in themes}
    lines = [
        t(lang, "**{count} contribution(s) of “{title}” still need a theme.** Choose one for this one:",
          count=page.total, title=title),
        describe_contribution(lang, c, item.question_position),
    ]
    if item.suggested:
        lines.append(t(lang, "Suggested: {themes}", themes=", ".join(names[s] for s in item.suggested if s in names)))
    view = discord.ui.View(timeout=None)
    for index, theme in enumerate(themes[:MAX_THEME_BUTTONS]):
        style = discord.ButtonStyle.primary if theme.id in item.suggested else discord.ButtonStyle.secondary
        button = QueueTagButton(c.id, theme.id, names[theme.id][:80], theme.emoji or None, style)
        button.item.row = index // 5
        view.add_item(button)
    if item.suggested:
        reject = QueueRejectButton(c.id, t(lang, "Reject suggestions"))
        reject.item.row = 4
        view.add_item(reject)
    if page.total > 1:
        following = QueueNextButton(c.dialogue_id, c.id, t(lang, "Next"))
        following.item.row = 4
        view.add_item(following)
    return "\n".join(lines), view


async def show_queue(interaction: discord.Interaction, dialogue_id: int, *, after_id: int = 0, edit: bool) -> None:
    """Answer with the untagged queue at the contribution after ``after_id`` (editing the message
    the button was on, or as a new ephemeral answer)."""
    bot = bot_of(interaction)
    dialogue = await bot.services.dialogues.require(dialogue_id)
    page = await bot.services.tagging.untagged(dialogue_id, after_id=after_id)
    lang = await language_for(bot, interaction)
    themes = await bot.services.translations.themes(dialogue_id, lang)
    content, view = queue_message(lang, dialogue.title, page, themes)
    if edit:
        await interaction.response.edit_message(content=content, view=view, allowed_mentions=NO_MENTIONS)
    elif view is None:
        await send_ephemeral(interaction, content)
    else:
        await send_ephemeral(interaction, content, view=view)


DYNAMIC_ITEMS = (TagSelect, QueueTagButton, QueueRejectButton, QueueNextButton)
