"""``/report …`` (moderators): preview, publish and export a dialogue's report; automatic publication.

Besides COMMANDS.md's ``preview``, ``publish`` and ``export``, this group adds:
``/report autopublish dialogue enabled`` (publish at the close, or wait for ``/report publish``) and
``/report question add|list|remove`` (questions for further discussion).

At the close the report is published in every dialogue language by a ``report`` schedule item,
written in the same transaction as the closing (:class:`cogs.report.posting.FinalReportHandler`), unless
the dialogue is set to publish by hand (then the moderators are told it is ready). A final report
already posted in a language is not posted again by the automatic path, and ``/report publish`` waits
while the automatic one is in flight.
"""

from __future__ import annotations

import asyncio
import io
import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands

from bot.client import ColloquyBot
from bot.errors import UserError
from bot.i18n import N_, t
from bot.report.discord_text import render_discord
from bot.report.html import render_html
from bot.report.jsonout import render_json
from bot.report.markdown import render_markdown
from bot.report.service import DialogueInfo
from bot.text import shorten
from cogs.kit.access import moderator_only, require_guild
from cogs.kit.autocomplete import dialogue_autocomplete
from cogs.kit.channels import resolve_channel
from cogs.kit.options import LANGUAGE_CHOICES
from cogs.kit.reply import NO_MENTIONS, language_for, send_ephemeral
from cogs.report import editing
from cogs.report.posting import (
    FinalReportHandler,
    WeekSummaryHandler,
    file_stem,
    file_stem_of,
    publish,
    summary_target,
)

log = logging.getLogger(__name__)

DIALOGUE = _T("The dialogue (title or id)")
LANGUAGE = _T("The report's language (default: the dialogue's main language)")
FORMAT_CHOICES = [
    app_commands.Choice(name=_T("Markdown"), value="markdown"),
    app_commands.Choice(name=_T("HTML (print-friendly page)"), value="html"),
    app_commands.Choice(name=_T("JSON"), value="json"),
    app_commands.Choice(name=_T("CSV (one row per contribution)"), value="csv"),
]
#: An ephemeral preview shows at most this many messages; the whole draft comes as a file.
PREVIEW_MESSAGES = 8


class ReportCog(commands.Cog):
    report = app_commands.Group(
        name=_T("report"),
        description=_T("Preview, publish and export dialogue reports (moderators)"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    question = app_commands.Group(
        name=_T("question"), description=_T("Questions for further discussion"), parent=report
    )

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.services.schedule.register("week_summary", WeekSummaryHandler(self.bot))
        self.bot.services.schedule.register("report", FinalReportHandler(self.bot))
        self.bot.add_dynamic_items(*editing.DYNAMIC_ITEMS)

    async def _dialogue(self, interaction: discord.Interaction, value: str) -> DialogueInfo:
        return await self.bot.services.report.dialogue(require_guild(interaction), value)

    # -- preview / publish / export ----------------------------------------------------------------

    @report.command(name=_T("preview"), description=_T("The draft report, only for you, suggestions marked"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, language=LANGUAGE)
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def preview(
        self, interaction: discord.Interaction, dialogue: str, language: app_commands.Choice[str] | None = None
    ) -> None:
        found = await self._dialogue(interaction, dialogue)
        lang = self.bot.services.report.language(found, language.value if language else None)
        await interaction.response.defer(ephemeral=True)
        report = await self.bot.services.report.compile(found.id, draft=True)
        # Rendering a large report takes tens of milliseconds: in a worker thread, not on the event loop.
        messages = await asyncio.to_thread(render_discord, report, lang, draft=True)
        markdown = await asyncio.to_thread(render_markdown, report, lang, draft=True)
        shown = messages[:PREVIEW_MESSAGES]
        for text in shown[:-1]:
            await send_ephemeral(interaction, text, suppress_embeds=True)
        draft = discord.File(io.BytesIO(markdown.encode()), filename=f"{file_stem(report, lang)}-draft.md")
        last = shown[-1]
        if len(messages) > len(shown):
            reader = await language_for(self.bot, interaction)
            more = "\n\n" + t(reader, "The draft continues in the attached file.")
            last = last[: 2000 - len(more)] if len(last) + len(more) > 2000 else last
            last += more
        await send_ephemeral(interaction, last, suppress_embeds=True, file=draft)
        reader = await language_for(self.bot, interaction)
        for text, view in editing.suggestion_messages(report, reader, lang):
            await send_ephemeral(interaction, text, suppress_embeds=True, view=view)

    # -- the draft: front matter, hidden items, agreement reactions --------------------------------

    @report.command(name=_T("edit"),
                    description=_T("Write a part of the report: introduction, about, panel, a section"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, part=_T("The part to write"), language=LANGUAGE)
    @app_commands.choices(part=editing.PART_CHOICES, language=LANGUAGE_CHOICES)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def edit(
        self, interaction: discord.Interaction, dialogue: str, part: app_commands.Choice[str],
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        dialogue_id, lang = await editing.require_language(self.bot, interaction, dialogue,
                                                           language.value if language else None)
        saved = await self.bot.services.report.drafts.part_text(dialogue_id, part.value, lang)
        reader = await language_for(self.bot, interaction)
        await interaction.response.send_modal(editing.PartModal(
            reader, dialogue_id, part.value, lang, title=saved.title if part.value != "section" else "",
            body=saved.body if part.value != "section" else "", link=saved.link, moderator=saved.moderator,
        ))

    @report.command(name=_T("hide"), description=_T("Leave a quoted item out of the report"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, item=_T("The item (start typing its words)"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete, item=editing.shown_items)
    async def hide(self, interaction: discord.Interaction, dialogue: str, item: str) -> None:
        found = await self._dialogue(interaction, dialogue)
        hidden = await self.bot.services.report.drafts.hide(found.id, item, interaction.user.id)
        reader = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, t(reader, "Left out of the report: {text}",
                                            text=shorten(hidden.text, 1500)))

    @report.command(name=_T("restore"), description=_T("Bring a hidden item back into the report"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, item=_T("The hidden item"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete, item=editing.hidden_items)
    async def restore(self, interaction: discord.Interaction, dialogue: str, item: str) -> None:
        found = await self._dialogue(interaction, dialogue)
        restored = await self.bot.services.report.drafts.restore(found.id, item)
        reader = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, t(reader, "Back in the report: {text}",
                                            text=shorten(restored.text, 1500)))

    @report.command(name=_T("reactions"), description=_T("The reactions that count as agreement and disagreement"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, agree=_T("Agreement (default 👍)"),
                           disagree=_T("Disagreement (default 👎)"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def reactions(self, interaction: discord.Interaction, dialogue: str, agree: str, disagree: str) -> None:
        found = await self._dialogue(interaction, dialogue)
        agree, disagree = await self.bot.services.report.drafts.set_reactions(found.id, agree, disagree)
        reader = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, t(reader, "In “{title}”, {agree} counts as agreement and {disagree} as "
                                                    "disagreement.", title=found.title, agree=agree, disagree=disagree))

    @report.command(name=_T("publish"), description=_T("Post the report in the summary channel, with files"))
    @moderator_only()
    @app_commands.describe(
        dialogue=DIALOGUE,
        channel=_T("Where to post (default: the summary channel, else the dialogue's channel)"),
        language=_T("Only this language (default: every language of the dialogue)"),
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def publish(
        self,
        interaction: discord.Interaction,
        dialogue: str,
        channel: discord.TextChannel | None = None,
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        found = await self._dialogue(interaction, dialogue)
        languages = (self.bot.services.report.language(found, language.value),) if language else found.languages
        self.bot.services.report.require_publishable(found)
        if await self.bot.services.dialogue_schedule.report_in_flight(found.id):
            raise UserError(N_("The report of “{title}” is being published automatically: it will appear in a "
                               "moment, once."), title=found.title)
        target = channel or await summary_target(self.bot, found)
        if target is None:
            raise UserError(N_("There is no channel to post the report in: set one with /setup summary_channel."))
        await interaction.response.defer(ephemeral=True)
        await publish(self.bot, found, target, languages)
        reader = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, t(reader, "The report of “{title}” is published in {channel}.",
                                            title=found.title, channel=target.mention))

    @report.command(name=_T("export"), description=_T("The report as a file: Markdown, HTML or JSON"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, format=_T("The file format"), language=LANGUAGE)
    @app_commands.choices(format=FORMAT_CHOICES, language=LANGUAGE_CHOICES)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def export(
        self,
        interaction: discord.Interaction,
        dialogue: str,
        format: app_commands.Choice[str],
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        found = await self._dialogue(interaction, dialogue)
        lang = self.bot.services.report.language(found, language.value if language else None)
        await interaction.response.defer(ephemeral=True)
        reader = await language_for(self.bot, interaction)
        if format.value == "csv":
            table = await self.bot.services.report.csv(found.id, lang)
            await send_ephemeral(
                interaction, t(reader, "The contributions of “{title}”, one row each.", title=found.title),
                file=discord.File(io.BytesIO(table.encode("utf-8")), filename=f"{file_stem_of(found.title, lang)}.csv"),
            )
            return
        report = await self.bot.services.report.compile(found.id)
        renderers = {"markdown": (render_markdown, "md"), "html": (render_html, "html"), "json": (render_json, "json")}
        render, extension = renderers[format.value]
        body = await asyncio.to_thread(render, report, lang)
        await send_ephemeral(
            interaction, t(reader, "The report of “{title}”.", title=found.title),
            file=discord.File(io.BytesIO(body.encode()), filename=f"{file_stem(report, lang)}.{extension}"),
        )

    @report.command(name=_T("autopublish"), description=_T("Publish the report automatically at the close, or not"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, enabled=_T("True: publish at the close; False: wait for /report publish"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def autopublish(self, interaction: discord.Interaction, dialogue: str, enabled: bool) -> None:
        found = await self._dialogue(interaction, dialogue)
        await self.bot.services.report.set_publish_mode(found.id, "auto" if enabled else "manual")
        reader = await language_for(self.bot, interaction)
        text = (t(reader, "The report of “{title}” will be published automatically at the close.", title=found.title)
                if enabled else
                t(reader, "The report of “{title}” will wait for /report publish.", title=found.title))
        await send_ephemeral(interaction, text)

    # -- questions for further discussion ----------------------------------------------------------

    @question.command(name=_T("add"), description=_T("Add a question for further discussion to the report"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, text=_T("The question"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def question_add(self, interaction: discord.Interaction, dialogue: str, text: str) -> None:
        found = await self._dialogue(interaction, dialogue)
        number = await self.bot.services.report.add_further_question(found.id, text, interaction.user.id)
        reader = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, t(reader, "Question {number} for further discussion added to “{title}”.",
                                            number=number, title=found.title))

    @question.command(name=_T("list"), description=_T("The questions for further discussion"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def question_list(self, interaction: discord.Interaction, dialogue: str) -> None:
        found = await self._dialogue(interaction, dialogue)
        questions = await self.bot.services.report.further_questions(found.id)
        reader = await language_for(self.bot, interaction)
        if not questions:
            text = t(reader, "No questions for further discussion yet: add one with /report question add.")
        else:
            text = "\n".join(f"{i}. {q}" for i, (_, q) in enumerate(questions, 1))
        await send_ephemeral(interaction, text[:2000])

    @question.command(name=_T("remove"), description=_T("Remove a question for further discussion"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, number=_T("The question's number in /report question list"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def question_remove(self, interaction: discord.Interaction, dialogue: str, number: int) -> None:
        found = await self._dialogue(interaction, dialogue)
        text = await self.bot.services.report.remove_further_question(found.id, number)
        reader = await language_for(self.bot, interaction)
        await send_ephemeral(interaction, t(reader, "Removed: {text}", text=text[:1800]))

    # -- the close ---------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_colloquy_dialogue_closed(self, dialogue_id: int) -> None:
        service = self.bot.services.report
        dialogue = await service.get(dialogue_id)
        if dialogue is None:
            return
        if dialogue.publish_mode == "manual":
            await self._tell_moderators(dialogue)
        # Otherwise the closing made the final report a schedule item (in the closing's transaction): the
        # scheduler publishes it, once, even across a kill.

    async def _tell_moderators(self, dialogue: DialogueInfo) -> None:
        settings = await self.bot.services.guilds.get(dialogue.guild_id)
        if not settings.mod_channel_id:
            return
        channel = await resolve_channel(self.bot, settings.mod_channel_id)
        if isinstance(channel, discord.TextChannel | discord.Thread):
            text = t(settings.language, "“{title}” is closed; its report waits for /report publish.",
                     title=dialogue.title)
            text = self.bot.mentions.link(text)
            await channel.send(text, allowed_mentions=NO_MENTIONS)


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(ReportCog(bot))
