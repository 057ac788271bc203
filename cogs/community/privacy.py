"""``/privacy``: a member's control over what Colloquy holds about them.

``opt-out`` stops collection in this server and deletes the member's earlier contributions there, so
they leave counts and reports; ``opt-in`` resumes collection. ``forget-me`` (after a confirmation
button) deletes everything about the member in every server; ``my-data`` sends it all as JSON.
"""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot.client import ColloquyBot
from bot.community.privacy import ForgetResult
from bot.errors import UserError
from bot.i18n import N_, t
from cogs.kit.access import require_guild
from cogs.kit.reply import NO_MENTIONS, bot_of, language_for, send_ephemeral
from cogs.kit.ui import guarded
from cogs.panel import flow

log = logging.getLogger(__name__)


class ForgetButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"colloquy:forget:(?P<user>\d+)"):
    """The confirmation of ``/privacy forget-me``; only the member it was shown to can press it."""

    def __init__(self, user_id: int, label: str = "-") -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.danger, custom_id=f"colloquy:forget:{user_id}")
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ForgetButton:
        return cls(int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._forget(interaction))

    async def _forget(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            raise UserError(N_("This button is for the member who asked to be forgotten."))
        bot = bot_of(interaction)
        lang = await language_for(bot, interaction)
        await interaction.response.defer(ephemeral=True)
        done = await bot.services.privacy.forget(self.user_id)
        removed, kept = await remove_bot_posts(bot, done)
        lines = [
            t(lang, "Done: Colloquy holds nothing about you any more."),
            t(lang, "Contributions deleted: {n}. Panel questions deleted: {questions}.",
              n=done.contributions, questions=done.panel_questions),
        ]
        if removed:
            lines.append(t(lang, "The bot's own posts that showed your panel questions were deleted: {n}.", n=removed))
        if kept:
            lines.append(t(lang, "{n} of the bot's posts showing your words could not be deleted; the moderators "
                                 "can remove them.", n=kept))
        lines += [
            t(lang, "Reports already published are not rewritten."),
            t(lang, "Messages you write in a dialogue from now on are collected again, unless you use "
                    "/privacy opt-out."),
        ]
        text = bot.mentions.link("\n".join(lines))
        await interaction.edit_original_response(content=text, view=None, allowed_mentions=NO_MENTIONS)


async def remove_bot_posts(bot: ColloquyBot, done: ForgetResult) -> tuple[int, int]:
    """Best effort, after the rows are gone: delete the bot's posts that showed the member's panel
    questions, and re-render the posts of others' questions that had absorbed theirs (they credited
    them). Returns (deleted, could not be deleted); a message already gone counts as deleted."""
    removed = kept = 0
    for post in done.posts:
        for channel_id in post.channel_ids:
            try:
                await bot.get_partial_messageable(channel_id).get_partial_message(post.message_id).delete()
            except discord.NotFound:
                continue  # not in this channel (or already deleted): try the next one
            except discord.HTTPException as error:
                log.warning("could not delete message %s after forget-me: %s", post.message_id, error.status)
                kept += 1
                break
            removed += 1
            break
    for panel_id, question_id in done.merged_into:
        try:
            panel = await bot.services.panel.get(panel_id)
            await flow.refresh_review(bot, panel, question_id)
            await flow.refresh_public(bot, panel, question_id)
        except Exception:  # a post that cannot be refreshed must not undo the forgetting
            log.exception("could not refresh panel question %s after forget-me", question_id)
    return removed, kept


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(name=_T("privacy"), description=_T("Your data: opt out, erase it or download it"))

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ForgetButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ForgetButton)

    @privacy.command(name=_T("opt-out"), description=_T("Stop Colloquy collecting your messages in this server"))
    async def opt_out(self, interaction: discord.Interaction) -> None:
        guild_id = require_guild(interaction)
        result = await self.bot.services.privacy.opt_out(guild_id, interaction.user.id)
        lang = await language_for(self.bot, interaction)
        lines = [
            t(lang, "You had already opted out.") if result.already else
            t(lang, "You have opted out: Colloquy no longer collects your messages in this server."),
        ]
        if result.removed:
            lines.append(t(lang, "Your earlier contributions were deleted and leave the reports: {n}.",
                           n=result.removed))
        lines.append(t(lang, "Use /privacy opt-in to take part again."))
        await send_ephemeral(interaction, "\n".join(lines))

    @privacy.command(name=_T("opt-in"), description=_T("Let Colloquy collect your messages in dialogues again"))
    async def opt_in(self, interaction: discord.Interaction) -> None:
        guild_id = require_guild(interaction)
        was = await self.bot.services.privacy.opt_in(guild_id, interaction.user.id)
        lang = await language_for(self.bot, interaction)
        if was:
            text = t(lang, "Welcome back: your messages in dialogues are collected again from now on.")
        else:
            text = t(lang, "You had not opted out: your messages in dialogues are collected.")
        await send_ephemeral(interaction, text)

    @privacy.command(name=_T("forget-me"), description=_T("Delete everything Colloquy holds about you"))
    async def forget_me(self, interaction: discord.Interaction) -> None:
        lang = await language_for(self.bot, interaction)
        text = t(lang, "This deletes, in every server, your contributions (and their tags and support), your "
                       "panel questions and votes, the support you gave, and your profile. It cannot be undone. "
                       "Your messages stay in Discord: delete them there if you wish.")
        view = discord.ui.View(timeout=None)
        view.add_item(ForgetButton(interaction.user.id, t(lang, "Delete everything about me")))
        await send_ephemeral(interaction, text, view=view)

    @privacy.command(name=_T("my-data"), description=_T("Get everything Colloquy holds about you, as a file"))
    async def my_data(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        data = await self.bot.services.privacy.export(interaction.user.id)
        payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        lang = await language_for(self.bot, interaction)
        text = t(lang, "Everything Colloquy holds about you: {contributions} contribution(s), {questions} panel "
                       "question(s).", contributions=len(data["contributions"]), questions=len(data["panel_questions"]))
        await send_ephemeral(
            interaction, text, file=discord.File(io.BytesIO(payload), filename="colloquy-my-data.json")
        )


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
