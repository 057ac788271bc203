"""``/dialogue …`` (moderators): create, edit, schedule, follow and close dialogues; runs the scheduler.

The scheduler starts once the bot is connected (the first ``on_ready``: start-up catch-up posts need
the gateway) and stops in ``cog_unload``, which ``bot.close()`` runs: no job runs after close.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot.client import ColloquyBot
from bot.dialogues.model import Dialogue
from bot.errors import UserError
from bot.i18n import N_, t
from bot.scheduling.wakeups import Scheduler
from bot.text import shorten
from cogs.dialogues import closing, render, translate
from cogs.dialogues.posting import DialoguePoster
from cogs.kit.access import moderator_only, require_guild
from cogs.kit.autocomplete import (
    dialogue_autocomplete,
    guiding_question_autocomplete,
    theme_autocomplete,
    timezone_autocomplete,
)
from cogs.kit.options import DIALOGUE, LANGUAGE_CHOICES
from cogs.kit.reply import language_for, send_ephemeral

log = logging.getLogger(__name__)


def channel_kind(channel: object) -> str:
    if isinstance(channel, discord.ForumChannel):
        return "forum"
    if isinstance(channel, discord.TextChannel):
        return "text"
    return "other"


class DialoguesCog(commands.Cog):
    dialogue = app_commands.Group(
        name=_T("dialogue"),
        description=_T("Create and run Virtual Dialogues (moderators)"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    question = app_commands.Group(name=_T("question"), description=_T("Guiding questions"), parent=dialogue)
    theme = app_commands.Group(name=_T("theme"), description=_T("Themes for tagging contributions"), parent=dialogue)

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot
        self.poster = DialoguePoster(bot)
        self.scheduler = Scheduler(bot.services.schedule, bot.clock)
        self._started = False

    async def cog_load(self) -> None:
        self.poster.register()
        self.bot.add_dynamic_items(closing.CloseButton)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Start the scheduler once connected (``on_ready`` may fire again after a new session)."""
        if self._started:
            return
        self._started = True
        await self.scheduler.start()

    @commands.Cog.listener()
    async def on_colloquy_dialogue_translated(self, dialogue_id: int) -> None:
        """Posts already made show a new translation too (the opening post, the questions posted)."""
        await self.poster.refresh_translations(dialogue_id)

    async def cog_unload(self) -> None:
        await self.scheduler.stop()

    async def _resolve(self, interaction: discord.Interaction, value: str) -> Dialogue:
        return await self.bot.services.dialogues.resolve(require_guild(interaction), value)

    async def _send_themes(self, interaction: discord.Interaction, dialogue: Dialogue) -> None:
        lang = await language_for(self.bot, interaction)
        themes = await self.bot.services.dialogues.themes(dialogue.id)
        await send_ephemeral(interaction, render.theme_list(lang, dialogue, themes))

    async def _changed(self, dialogue_id: int) -> None:
        await self.bot.services.schedule.changed()
        self.bot.dispatch("colloquy_dialogue_changed", dialogue_id)

    # -- create / list ----------------------------------------------------------------------------

    @dialogue.command(name=_T("create"), description=_T("Create a dialogue (a draft until scheduled)"))
    @moderator_only()
    @app_commands.describe(
        title=_T("The dialogue's title, unique in this server"),
        starts=_T("Start: YYYY-MM-DD HH:MM or YYYY-MM-DD, in the time zone"),
        ends=_T("End: YYYY-MM-DD HH:MM or YYYY-MM-DD (a bare date means the end of that day)"),
        timezone=_T("Time zone of the dates, such as Europe/Paris (default: the server's)"),
        channel=_T("A text or forum channel for the dialogue (default: this one)"),
        languages=_T("Languages of the posts, main one first, such as: en es fr"),
        concept_note=_T("Link to the concept note"),
        description=_T("Objective and introduction, shown in the opening post and the report"),
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def create(
        self,
        interaction: discord.Interaction,
        title: str,
        starts: str,
        ends: str,
        timezone: str | None = None,
        channel: discord.TextChannel | discord.ForumChannel | None = None,
        languages: str | None = None,
        concept_note: str | None = None,
        description: str | None = None,
    ) -> None:
        guild_id = require_guild(interaction)
        target = channel if channel is not None else interaction.channel
        if target is None:
            raise UserError(N_("A dialogue needs a text channel or a forum channel."))
        dialogue = await self.bot.services.dialogues.create(
            guild_id, title=title, starts=starts, ends=ends, timezone=timezone, channel_id=target.id,
            channel_kind=channel_kind(target), languages=languages, concept_note=concept_note,
            description=description, created_by=interaction.user.id,
        )
        self.bot.dispatch("colloquy_dialogue_changed", dialogue.id)
        await send_ephemeral(interaction, render.created(await language_for(self.bot, interaction), dialogue))

    @dialogue.command(name=_T("list"), description=_T("This server's dialogues and their state"))
    @moderator_only()
    async def list_(self, interaction: discord.Interaction) -> None:
        lang = await language_for(self.bot, interaction)
        found = await self.bot.services.dialogues.list_for_guild(require_guild(interaction))
        if not found:
            text = t(lang, "No dialogues yet: start one with /dialogue create.")
        else:
            text = "\n".join([render.summary_line(lang, d) for d in found])[:2000]
        await send_ephemeral(interaction, text)

    # -- questions --------------------------------------------------------------------------------

    @question.command(name=_T("add"), description=_T("Add a guiding question"))
    @moderator_only()
    @app_commands.describe(
        dialogue=DIALOGUE,
        text=_T("The question, as members will read it"),
        post_at=_T("When to post it, YYYY-MM-DD HH:MM (default: spread over the dialogue)"),
    )
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def question_add(
        self, interaction: discord.Interaction, dialogue: str, text: str, post_at: str | None = None
    ) -> None:
        found = await self._resolve(interaction, dialogue)
        question = await self.bot.services.dialogue_content.add_question(found.id, text, post_at)
        await self._changed(found.id)
        lang = await language_for(self.bot, interaction)
        questions = await self.bot.services.dialogues.questions(found.id)
        items = await self.bot.services.dialogue_schedule.items(found.id)
        await send_ephemeral(
            interaction,
            t(lang, "Question {number} added.", number=question.position) + "\n\n"
            + render.question_list(lang, found, questions, items),
        )

    @question.command(name=_T("list"), description=_T("The guiding questions of a dialogue"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def question_list(self, interaction: discord.Interaction, dialogue: str) -> None:
        found = await self._resolve(interaction, dialogue)
        lang = await language_for(self.bot, interaction)
        questions = await self.bot.services.dialogues.questions(found.id)
        items = await self.bot.services.dialogue_schedule.items(found.id)
        await send_ephemeral(interaction, render.question_list(lang, found, questions, items))

    @question.command(name=_T("remove"), description=_T("Remove a guiding question not yet posted"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, number=_T("The question's number"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    @app_commands.autocomplete(number=guiding_question_autocomplete)
    async def question_remove(self, interaction: discord.Interaction, dialogue: str, number: int) -> None:
        found = await self._resolve(interaction, dialogue)
        removed = await self.bot.services.dialogue_content.remove_question(found.id, number)
        await self._changed(found.id)
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(
            interaction, t(lang, "Question {number} removed: {text}", number=number, text=shorten(removed.text, 200))
        )

    # -- themes -----------------------------------------------------------------------------------

    @theme.command(name=_T("add"), description=_T("Add a theme for tagging contributions"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, name=_T("The theme's name"), emoji=_T("An emoji members can react with"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def theme_add(
        self, interaction: discord.Interaction, dialogue: str, name: str, emoji: str | None = None
    ) -> None:
        found = await self._resolve(interaction, dialogue)
        await self.bot.services.dialogue_content.add_theme(found.id, name, emoji)
        self.bot.dispatch("colloquy_dialogue_changed", found.id)
        await self._send_themes(interaction, found)

    @theme.command(name=_T("list"), description=_T("The themes of a dialogue"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def theme_list(self, interaction: discord.Interaction, dialogue: str) -> None:
        found = await self._resolve(interaction, dialogue)
        await self._send_themes(interaction, found)

    @theme.command(name=_T("remove"), description=_T("Remove a theme (its tags go with it)"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, name=_T("The theme's name"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete, name=theme_autocomplete)
    async def theme_remove(self, interaction: discord.Interaction, dialogue: str, name: str) -> None:
        found = await self._resolve(interaction, dialogue)
        await self.bot.services.dialogue_content.remove_theme(found.id, name)
        self.bot.dispatch("colloquy_dialogue_changed", found.id)
        await self._send_themes(interaction, found)

    # -- translations -----------------------------------------------------------------------------

    @dialogue.command(
        name=_T("translate"), description=_T("Give a dialogue's title, questions, themes… in another of its languages")
    )
    @moderator_only()
    @app_commands.describe(
        dialogue=DIALOGUE,
        item=_T("What to translate (the list shows which languages each item lacks)"),
        language=_T("The language of this text"),
        text=_T("The text in that language"),
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete, item=translate.item_autocomplete)
    async def translate_(
        self, interaction: discord.Interaction, dialogue: str, item: str, language: str,
        text: app_commands.Range[str, 1, 4000],
    ) -> None:
        found = await self._resolve(interaction, dialogue)
        done = await self.bot.services.translations.translate(found, item, language, text)
        if done.kind in ("title", "description", "question"):  # what the opening and question posts show
            self.bot.dispatch("colloquy_dialogue_translated", found.id)
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, translate.translated(lang, done, language, found))

    # -- schedule / status / close ----------------------------------------------------------------

    @dialogue.command(name=_T("schedule"), description=_T("Check a dialogue and schedule its posts"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def schedule(self, interaction: discord.Interaction, dialogue: str) -> None:
        found = await self._resolve(interaction, dialogue)
        questions = await self.bot.services.dialogues.questions(found.id)
        missing: list[str] = []
        guild = interaction.guild
        channel = guild.get_channel(found.channel_id) if guild is not None else None
        if channel is None or guild is None:
            missing = [name for _, name in render.REQUIRED_PERMISSIONS]
        else:
            missing = render.missing_permissions(channel, guild.me)
        tr = await self.bot.services.translations.lookup(found)
        items = await self.bot.services.dialogue_schedule.schedule(
            found.id, missing_permissions=missing, too_long=render.too_long_questions(found, questions, tr)
        )
        await self._changed(found.id)
        lang = await language_for(self.bot, interaction)
        untranslated = translate.missing_warning(lang, await self.bot.services.translations.missing(found))
        text = render.timeline(lang, found, items, questions)
        if untranslated:
            text = (text + "\n\n" + untranslated)[:2000]
        await send_ephemeral(interaction, text)

    @dialogue.command(name=_T("status"), description=_T("State, next post and contribution figures"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def status(self, interaction: discord.Interaction, dialogue: str) -> None:
        # Deferred first: under a flood or beside a report compile the figures may take a moment, and an
        # interaction not acknowledged within 3 s expires for the moderator.
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await self._resolve(interaction, dialogue)
        lang = await language_for(self.bot, interaction)
        figures = await self.bot.services.contributions.counts(found.id)
        status = await self.bot.services.dialogue_schedule.status(found.id, figures)
        await send_ephemeral(interaction, render.status(lang, status))

    @dialogue.command(name=_T("close"), description=_T("Close a dialogue now (posts the closing message)"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def close(self, interaction: discord.Interaction, dialogue: str) -> None:
        await closing.ask_or_close(self.bot, interaction, await self._resolve(interaction, dialogue))


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(DialoguesCog(bot))
