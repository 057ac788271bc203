"""``/panel``: the live panel, run by the moderators; and the panellists' answers in the panel channel."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot.client import ColloquyBot
from bot.errors import UserError
from bot.i18n import N_, number, t
from bot.panel.model import Panel
from cogs.kit.access import moderator_only, require_guild
from cogs.kit.autocomplete import dialogue_autocomplete
from cogs.kit.reply import language_for, send_ephemeral
from cogs.panel import duplicates, flow, render
from cogs.panel.autocomplete import panel_question_autocomplete, panellist_autocomplete
from cogs.panel.views import DYNAMIC_ITEMS, PANEL_COG, PresentationModal

log = logging.getLogger(__name__)


class PanelCog(commands.Cog, name=PANEL_COG):
    panel = app_commands.Group(
        name=_T("panel"), description=_T("Run a dialogue's live panel (moderators)"), guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    panellist = app_commands.Group(name=_T("panellist"), description=_T("The panel's speakers"), parent=panel)

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot
        self.service = bot.services.panel
        self.questions = bot.services.panel_questions
        self._answers: set[asyncio.Task[Any]] = set()

    async def cog_load(self) -> None:
        # Buttons carry their ids in custom_id: registered once, they answer on every message, even
        # those posted before a restart.
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, duplicates.InsteadButton)
        await self.service.load()
        await self.questions.load()
        self.bot.message_hooks.append(self.on_message_now)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        if self.on_message_now in self.bot.message_hooks:
            self.bot.message_hooks.remove(self.on_message_now)
        if self._answers:
            await asyncio.gather(*self._answers, return_exceptions=True)

    async def _panel(self, interaction: discord.Interaction, dialogue: str) -> Panel:
        found = await self.bot.services.dialogues.resolve(require_guild(interaction), dialogue)
        return await self.service.for_dialogue(found)

    @staticmethod
    def _require_posting(interaction: discord.Interaction, channel_id: int) -> None:
        """Refuse before creating anything if the panel's posts could not be made there."""
        guild = interaction.guild
        channel = guild.get_channel(channel_id) if guild else None
        if guild is None or not isinstance(channel, discord.TextChannel):
            raise UserError(N_("The panel needs a text channel."))
        perms = channel.permissions_for(guild.me)
        if not (perms.view_channel and perms.send_messages):
            raise UserError(N_("I cannot post in <#{channel}>: give me View Channel and Send Messages there."),
                            channel=channel_id)

    @panel.command(name=_T("create"), description=_T("Create a dialogue's live panel and its Discord event"))
    @moderator_only()
    @app_commands.describe(
        dialogue=_T("The dialogue"),
        starts=_T("Start, as YYYY-MM-DD HH:MM in the dialogue's time zone"),
        ends=_T("End, as YYYY-MM-DD HH:MM (default: 90 minutes after the start)"),
        channel=_T("Where the panel takes place (default: the dialogue's channel)"),
    )
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def create(
        self, interaction: discord.Interaction, dialogue: str, starts: str, ends: str | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        ref = await self.bot.services.dialogues.resolve(require_guild(interaction), dialogue)
        # A forum has no room for a live conversation: then the panel happens where the command is run.
        channel_id = channel.id if channel else ref.channel_id if ref.channel_kind == "text" else interaction.channel_id
        assert channel_id is not None
        self._require_posting(interaction, channel_id)
        panel = await self.service.create(ref, channel_id, starts, ends)
        await interaction.response.defer(ephemeral=True)
        has_event = await flow.create_event(self.bot, panel)
        panel = await self.service.get(panel.id)
        await flow.announce(self.bot, panel)
        lang = await language_for(self.bot, interaction)
        lines = [t(lang, "Panel of “{title}” created: {when}, in <#{channel}>.", title=ref.title,
                   when=render.when(lang, panel), channel=panel.channel_id)]
        if (event := render.event_line(lang, panel)) is not None:
            lines.append(event)
        lines.append(
            t(lang, "Members can mark the Discord event “Interested”.") if has_event
            else t(lang, "I could not create the Discord event: check that I have the Manage Events permission.")
        )
        await send_ephemeral(interaction, "\n".join(lines))

    @panellist.command(name=_T("add"), description=_T("Add a speaker to a dialogue's panel"))
    @moderator_only()
    @app_commands.describe(
        dialogue=_T("The dialogue"),
        name=_T("The panellist's name, as the report shows it"),
        member=_T("The panellist's Discord account: their messages during a live question are its answers"),
        organisation=_T("Their organisation"),
        title=_T("Their title or role, such as Research Director"),
    )
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def panellist_add(
        self, interaction: discord.Interaction, dialogue: str, name: str, member: discord.Member | None = None,
        organisation: str | None = None, title: str | None = None,
    ) -> None:
        panel = await self._panel(interaction, dialogue)
        added = await self.service.add_panellist(
            panel, name, user_id=member.id if member else None, organisation=organisation, title=title
        )
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(
            interaction, t(lang, "{heading} joins the panel of “{title}”.", heading=added.heading,
                           title=panel.dialogue.title)
        )
        await flow.refresh_announcement(self.bot, panel)
        await flow.sync_event_description(self.bot, panel)

    @panel.command(name=_T("presentation"), description=_T("Enter a panellist's key points"))
    @moderator_only()
    @app_commands.describe(dialogue=_T("The dialogue"), panellist=_T("The panellist"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete, panellist=panellist_autocomplete)
    async def presentation(self, interaction: discord.Interaction, dialogue: str, panellist: str) -> None:
        panel = await self._panel(interaction, dialogue)
        speaker = await self.service.find_panellist(panel, panellist)
        lang = await language_for(self.bot, interaction)
        await interaction.response.send_modal(PresentationModal(lang, speaker))

    @panel.command(name=_T("queue"), description=_T("Approved questions by votes, and how many await review"))
    @moderator_only()
    @app_commands.describe(dialogue=_T("The dialogue"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def queue(self, interaction: discord.Interaction, dialogue: str) -> None:
        panel = await self._panel(interaction, dialogue)
        approved = await self.questions.queue(panel.id)
        pending = len(await self.questions.questions(panel.id, ("pending",)))
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, render.queue_text(lang, panel, approved, pending)[:2000])

    @panel.command(name=_T("relay"), description=_T("Pose the top-voted (or chosen) question to the panel"))
    @moderator_only()
    @app_commands.describe(dialogue=_T("The dialogue"), question=_T("The question (default: the most voted)"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    @app_commands.autocomplete(question=panel_question_autocomplete(("approved", "pending")))
    async def relay(self, interaction: discord.Interaction, dialogue: str, question: int | None = None) -> None:
        panel = await self._panel(interaction, dialogue)
        posed = await flow.relay(self.bot, panel, question, interaction.user.id)
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(
            interaction, t(lang, "Question #{number} is now live in <#{channel}>: the panellists' messages there "
                                 "are its answers.", number=posed.id, channel=panel.channel_id)
        )

    @panel.command(name=_T("answer"), description=_T("Record a panellist's answer given elsewhere"))
    @moderator_only()
    @app_commands.describe(
        dialogue=_T("The dialogue"), question=_T("The question that was answered"),
        panellist=_T("Who answered"), text=_T("The answer"),
    )
    @app_commands.autocomplete(dialogue=dialogue_autocomplete, panellist=panellist_autocomplete)
    @app_commands.autocomplete(question=panel_question_autocomplete(("relayed",)))
    async def answer(
        self, interaction: discord.Interaction, dialogue: str, question: int, panellist: str, text: str
    ) -> None:
        panel = await self._panel(interaction, dialogue)
        asked = await self.questions.question_of(panel, question)
        speaker = await self.service.find_panellist(panel, panellist)
        await self.questions.record_answer(asked.id, speaker.id, text)
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(
            interaction, t(lang, "Answer of {name} to question #{number} recorded.", name=speaker.name, number=asked.id)
        )

    @panel.command(name=_T("close"), description=_T("End the panel; unanswered questions go to the report"))
    @moderator_only()
    @app_commands.describe(dialogue=_T("The dialogue"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def close(self, interaction: discord.Interaction, dialogue: str) -> None:
        panel = await self.service.close(await self._panel(interaction, dialogue))
        await interaction.response.defer(ephemeral=True)
        await flow.set_event_status(self.bot, panel, live=False)
        await flow.refresh_announcement(self.bot, panel)
        unanswered = len(await self.questions.unanswered(panel.id))
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(
            interaction,
            t(lang, "The panel of “{title}” is closed.", title=panel.dialogue.title) + "\n"
            + t(lang, "Unanswered questions kept for “Questions for further discussion”: {n}.",
                n=number(lang, unanswered)),
        )

    # -- PanelActions: what the panel's buttons and modals call (cogs.panel.views) --------------

    async def review_action(self, interaction: discord.Interaction, action: str, question_id: int) -> None:
        await flow.review_action(self.bot, interaction, action, question_id)

    async def merge(self, interaction: discord.Interaction, source_id: int, target_id: int) -> None:
        await flow.merge(self.bot, interaction, source_id, target_id)

    async def upvote(self, interaction: discord.Interaction, question_id: int) -> None:
        await flow.upvote(self.bot, interaction, question_id)

    async def upvote_instead(self, interaction: discord.Interaction, mine_id: int, target_id: int) -> None:
        await flow.upvote_instead(self.bot, interaction, mine_id, target_id)

    async def open_ask_modal(self, interaction: discord.Interaction, panel_id: int) -> None:
        await flow.open_ask_modal(self.bot, interaction, panel_id)

    async def submit_question(
        self, interaction: discord.Interaction, panel_id: int, text: str, attribution: str | None
    ) -> None:
        await flow.submit_question(self.bot, interaction, panel_id, text, attribution)

    async def save_presentation(self, interaction: discord.Interaction, panellist_id: int, text: str) -> None:
        await flow.save_presentation(self.bot, interaction, panellist_id, text)

    # -- the panellists' answers in the panel channel --------------------------------------------

    def on_message_now(self, message: discord.Message) -> None:
        """Called synchronously by the bot for every message: a task only for a panellist's answer."""
        if message.author.bot or message.guild is None:
            return
        target = self.service.live_answerer(message.channel.id, message.author.id)  # in memory: no query
        if target is None or not message.content.strip():
            return
        question_id, panellist_id = target
        task = asyncio.create_task(
            self.questions.record_answer(question_id, panellist_id, message.content, message_id=message.id)
        )
        self._answers.add(task)
        task.add_done_callback(self._answer_done)

    def _answer_done(self, task: asyncio.Task[Any]) -> None:
        self._answers.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("recording a panellist's answer failed", exc_info=task.exception())

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if not self.questions.is_answer_message(payload.message_id):
            return
        content = payload.data.get("content")
        if content is not None:
            await self.questions.edit_answer(payload.message_id, content)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if self.questions.is_answer_message(payload.message_id):
            await self.questions.delete_answer(payload.message_id)


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(PanelCog(bot))
