"""``/dialogue close``: closing now, and the confirmation asked before a dialogue's planned end.

The confirmation's buttons are persistent (``DynamicItem``): their custom id carries the dialogue and
the moment the offer expires, so a press after a restart still works and a late press is answered
clearly instead of closing a dialogue long after the moderator changed their mind.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot.dialogues.model import Dialogue
from bot.dialogues.posts import ts
from bot.errors import UserError
from bot.i18n import N_, t
from cogs.kit.access import require_moderator
from cogs.kit.reply import NO_MENTIONS, bot_of, language_for, send_ephemeral
from cogs.kit.ui import guarded

if TYPE_CHECKING:
    from bot.client import ColloquyBot

#: How long the confirmation stays valid.
CONFIRM_FOR = timedelta(minutes=5)


def confirmation(lang: str, dialogue: Dialogue, expires: datetime) -> tuple[str, discord.ui.View]:
    text = "\n".join([
        t(lang, "Close “{title}” now? It is planned to run until {end}.", title=dialogue.title,
          end=ts(dialogue.ends_at)),
        t(lang, "The closing post goes out at once, the posts still planned are cancelled, and the report "
                "covers the dialogue up to now."),
        t(lang, "This confirmation expires {when}.", when=ts(expires, "R")),
    ])
    stamp = int(expires.timestamp())
    view = discord.ui.View(timeout=None)
    view.add_item(CloseButton(dialogue.id, stamp, "yes", t(lang, "Close now")))
    view.add_item(CloseButton(dialogue.id, stamp, "no", t(lang, "Keep it open")))
    return text, view


async def close_now(bot: ColloquyBot, dialogue: Dialogue) -> str:
    """Close ``dialogue`` (the closing post goes out now) and say so, in the words of ``close``."""
    outcome = await bot.services.dialogue_schedule.close(dialogue.id)
    await bot.services.schedule.changed()
    if outcome.post_closing:
        await bot.services.schedule.run_due()
    else:
        bot.dispatch("colloquy_dialogue_changed", dialogue.id)
    after = await bot.services.dialogues.require(dialogue.id)
    return "closed" if after.is_closed else "closing"


def closed_text(lang: str, dialogue: Dialogue, result: str) -> str:
    if result == "closed":
        return t(lang, "“{title}” is closed.", title=dialogue.title)
    return t(lang, "“{title}” will close as soon as the closing post goes out.", title=dialogue.title)


class CloseButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"colloquy:close:(?P<dialogue>\d+):(?P<expires>\d+):(?P<choice>yes|no)",
):
    """**Close now** / **Keep it open** under ``/dialogue close``'s question (moderators only)."""

    def __init__(self, dialogue_id: int, expires: int, choice: str, label: str = "-") -> None:
        style = discord.ButtonStyle.danger if choice == "yes" else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(
            label=label, style=style, custom_id=f"colloquy:close:{dialogue_id}:{expires}:{choice}"
        ))
        self.dialogue_id = dialogue_id
        self.expires = expires
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CloseButton:
        return cls(int(match["dialogue"]), int(match["expires"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._answer(interaction))

    async def _answer(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        await require_moderator(bot, interaction)
        lang = await language_for(bot, interaction)
        dialogue = await bot.services.dialogues.get(self.dialogue_id)
        if dialogue is None or dialogue.guild_id != interaction.guild_id:
            raise UserError(N_("This dialogue no longer exists."))
        if self.choice == "no":
            text = t(lang, "“{title}” stays open.", title=dialogue.title)
        elif bot.clock().timestamp() > self.expires:
            text = t(lang, "This confirmation has expired and nothing was closed: run /dialogue close again.")
        elif dialogue.is_closed:
            text = t(lang, "“{title}” is already closed.", title=dialogue.title)
        else:
            await interaction.response.defer()
            text = closed_text(lang, dialogue, await close_now(bot, dialogue))
        text = bot.mentions.link(text)
        if interaction.response.is_done():
            await interaction.edit_original_response(content=text, view=None, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.edit_message(content=text, view=None, allowed_mentions=NO_MENTIONS)


async def ask_or_close(bot: ColloquyBot, interaction: discord.Interaction, dialogue: Dialogue) -> None:
    """``/dialogue close``: before the planned end, ask first; otherwise close at once."""
    lang = await language_for(bot, interaction)
    bot.services.dialogue_schedule.require_closable(dialogue)
    now = bot.clock()
    if dialogue.closes_early(now):
        text, view = confirmation(lang, dialogue, now + CONFIRM_FOR)
        await send_ephemeral(interaction, text, view=view)
        return
    await interaction.response.defer(ephemeral=True)
    await send_ephemeral(interaction, closed_text(lang, dialogue, await close_now(bot, dialogue)))
