"""Posting reports to Discord: the final report (split, with files), and the end-of-week summaries.

Used by :mod:`cogs.report.cog` (``/report publish``, the automatic publication at the close) and
registered as the scheduler's ``week_summary`` handler. Every message: no mentions, no embeds.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
from typing import TYPE_CHECKING

import discord

from bot.dialogues.model import ScheduleItem
from bot.i18n import language_name, t, tn
from bot.report.discord_text import render_discord, render_week
from bot.report.html import render_html
from bot.report.markdown import render_markdown
from bot.report.model import Report
from bot.report.service import DialogueInfo
from bot.scheduling.runner import Posted, nonce
from cogs.kit.channels import RECONCILE_MARGIN, Postable, first_own_message, own_messages, resolve_channel
from cogs.kit.reply import MESSAGE_LIMIT, NO_MENTIONS

if TYPE_CHECKING:
    from bot.client import ColloquyBot

log = logging.getLogger(__name__)

VERIFY_BATCH = 5  # cited messages checked at once before publication

def file_stem(report: Report, language: str) -> str:
    return file_stem_of(report.title, language)


def file_stem_of(title: str, language: str) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-")[:60] or "report"
    return f"{slug}-{language}"


async def report_files(report: Report, language: str) -> list[discord.File]:
    """The report as .md and .html files, rendered in a worker thread (not on the event loop)."""
    stem = file_stem(report, language)
    markdown = await asyncio.to_thread(render_markdown, report, language)
    html = await asyncio.to_thread(render_html, report, language)
    return [
        discord.File(io.BytesIO(markdown.encode()), filename=f"{stem}.md"),
        discord.File(io.BytesIO(html.encode()), filename=f"{stem}.html"),
    ]


async def summary_target(bot: ColloquyBot, dialogue: DialogueInfo) -> Postable | None:
    """The ``/setup`` summary channel, else the dialogue's channel (a forum: its opening post)."""
    settings = await bot.services.guilds.get(dialogue.guild_id)
    ids = [settings.summary_channel_id, dialogue.channel_id]
    for channel_id in ids:
        if not channel_id:
            continue
        channel = await resolve_channel(bot, channel_id)
        if isinstance(channel, discord.ForumChannel):
            opening = await bot.services.dialogues.get(dialogue.id)
            if opening is not None and opening.opening_message_id:
                channel = await resolve_channel(bot, opening.opening_message_id)
            else:
                continue
        if isinstance(channel, Postable):
            return channel
    return None


async def post_report(channel: Postable, report: Report, language: str, others: tuple[str, ...] = (),
                      item_id: int | None = None) -> list[int]:
    """The report as messages within Discord's limits; the last one carries the .md and .html files, and
    those of the ``others`` languages (a multilingual report is posted once, not once per language).
    Posted for schedule item ``item_id``, each message carries a nonce derived from it."""
    messages = await asyncio.to_thread(render_discord, report, language)
    if others:
        names = ", ".join(language_name(other, language) for other in others)
        line = t(language, "Also in {languages}: see the attached files.", languages=names)
        if len(messages[-1]) + len(line) + 2 <= MESSAGE_LIMIT:
            messages[-1] = f"{messages[-1]}\n\n{line}"
    ids = []
    publication = secrets.randbelow(10**9)  # a moderator's /report publish: one nonce per message all the same
    for i, text in enumerate(messages):
        tag = nonce(item_id, f"{language}{i}") if item_id is not None else f"p{publication}.{language}{i}"
        if i == len(messages) - 1:
            files = [f for lang in (language, *others) for f in await report_files(report, lang)]
            sent = await channel.send(text, files=files, allowed_mentions=NO_MENTIONS, suppress_embeds=True,
                                      nonce=tag)
        else:
            sent = await channel.send(text, allowed_mentions=NO_MENTIONS, suppress_embeds=True, nonce=tag)
        ids.append(sent.id)
    return ids


async def _message_exists(bot: ColloquyBot, channel_id: int, message_id: int) -> bool:
    """False only when Discord says the message (or its channel) is gone; any other failure keeps it."""
    try:
        channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return True
        await channel.fetch_message(message_id)
    except discord.NotFound:
        return False
    except discord.HTTPException:
        log.warning("could not check message %s in channel %s before publishing", message_id, channel_id)
    return True


async def verified_report(bot: ColloquyBot, dialogue: DialogueInfo) -> Report:
    """The report, after checking every message it cites: one deleted (while the bot was away, say) or
    from a member who opted out is left out (``report_hidden``, reason ``missing``) and the moderators
    are told how many."""
    service = bot.services.report
    report = await service.compile(dialogue.id)
    keep, drop = await service.drafts.citations(report)
    # Asked of Discord, not of the cache: a deletion missed during an outage leaves the cache stale.
    unchecked = [(cid, ch, msg) for cid, (ch, msg) in keep.items()]
    for start in range(0, len(unchecked), VERIFY_BATCH):
        batch = unchecked[start:start + VERIFY_BATCH]
        found = await asyncio.gather(*(_message_exists(bot, ch, msg) for _, ch, msg in batch))
        drop |= {cid for (cid, _, _), ok in zip(batch, found, strict=True) if not ok}
    if not drop:
        return report
    await service.drafts.hide_missing(dialogue.id, drop)
    settings = await bot.services.guilds.get(dialogue.guild_id)
    if settings.mod_channel_id:
        channel = await resolve_channel(bot, settings.mod_channel_id)
        if isinstance(channel, Postable):
            text = tn(settings.language, "“{title}”: {n} cited message was left out of the report: it was deleted "
                                         "or its author opted out.",
                      "“{title}”: {n} cited messages were left out of the report: they were deleted or their "
                      "authors opted out.", len(drop), title=dialogue.title)
            await channel.send(text, allowed_mentions=NO_MENTIONS)
    return await service.compile(dialogue.id)


async def publish(bot: ColloquyBot, dialogue: DialogueInfo, channel: Postable, languages: tuple[str, ...],
                  report: Report | None = None, item_id: int | None = None) -> list[int]:
    """Post the final report once: in the first of ``languages``, the others attached as files; record it
    for each of them (the dialogue becomes published). Every cited message is checked first
    (:func:`verified_report`)."""
    service = bot.services.report
    report = report or await verified_report(bot, dialogue)
    first, *others = languages
    ids = await post_report(channel, report, first, tuple(others), item_id)
    for language in languages:
        await service.record(dialogue.id, "final", language, channel.id, ids)
    bot.dispatch("colloquy_dialogue_changed", dialogue.id)
    return ids


class WeekSummaryHandler:
    """The scheduler's ``week_summary`` items: one post per dialogue language in the summary channel."""

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    async def _target(self, item: ScheduleItem) -> tuple[DialogueInfo, Postable]:
        dialogue = await self.bot.services.report.get(item.dialogue_id)
        if dialogue is None:
            raise RuntimeError(f"dialogue {item.dialogue_id} is gone")
        channel = await summary_target(self.bot, dialogue)
        if channel is None:
            raise RuntimeError(f"dialogue {item.dialogue_id}: no channel for the week summary")
        return dialogue, channel

    async def post(self, item: ScheduleItem) -> Posted:
        dialogue, channel = await self._target(item)
        week = item.week or 1
        summary = await self.bot.services.report.week(dialogue.id, week)
        first: int | None = None
        for language in dialogue.languages:
            ids = []
            for i, text in enumerate(render_week(summary, language)):
                sent = await channel.send(text, allowed_mentions=NO_MENTIONS, suppress_embeds=True,
                                          nonce=nonce(item.id, f"{language}{i}"))
                ids.append(sent.id)
            await self.bot.services.report.record(dialogue.id, "week", language, channel.id, ids, week=week)
            first = first or ids[0]
        return Posted(first)

    async def find_posted(self, item: ScheduleItem) -> Posted | None:
        """A summary already recorded, or (after a crash between post and record) found in the channel."""
        ids = await self.bot.services.report.week_message_ids(item.dialogue_id, item.week or 1)
        if ids is not None:
            return Posted(ids[0] if ids else None)
        dialogue, channel = await self._target(item)
        summary = await self.bot.services.report.week(dialogue.id, item.week or 1)
        heading = render_week(summary, dialogue.language)[0].split("\n", 1)[0]
        since = (item.claimed_at or item.run_at) - RECONCILE_MARGIN
        found = await first_own_message(self.bot, channel, since, lambda m: m.content.startswith(heading))
        return Posted(found.id) if found is not None else None

    async def after_record(self, item: ScheduleItem, posted: Posted) -> None:
        return None


class FinalReportHandler:
    """The scheduler's ``report`` items: the final report, due in the same transaction as the closing.

    ``post`` publishes every language not yet recorded, recording each as soon as it is out;
    ``find_posted`` (after a kill) records a language whose messages are all in the channel and
    deletes an incomplete one (it is then posted again, whole): exactly one copy each time.
    """

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    async def _state(self, item: ScheduleItem) -> tuple[DialogueInfo, Postable, list[str]]:
        dialogue = await self.bot.services.report.get(item.dialogue_id)
        if dialogue is None:
            raise RuntimeError(f"dialogue {item.dialogue_id} is gone")
        channel = await summary_target(self.bot, dialogue)
        if channel is None:
            raise RuntimeError(f"dialogue {item.dialogue_id}: no channel to publish its report in")
        missing = list(await self.bot.services.report.unpublished_languages(dialogue))
        return dialogue, channel, missing

    async def _first_id(self, dialogue: DialogueInfo) -> int | None:
        ids = await self.bot.services.report.final_message_ids(dialogue.id)
        return ids[0] if ids else None

    async def post(self, item: ScheduleItem) -> Posted:
        dialogue, channel, missing = await self._state(item)
        if missing:
            await publish(self.bot, dialogue, channel, tuple(missing), item_id=item.id)
        return Posted(await self._first_id(dialogue))

    async def find_posted(self, item: ScheduleItem) -> Posted | None:
        dialogue, channel, missing = await self._state(item)
        if not missing:
            return Posted(await self._first_id(dialogue))
        # Posted once in the first missing language (the others as files): its first line, then the
        # bot's messages up to the one carrying the files.
        report = await self.bot.services.report.compile(dialogue.id)
        expected = await asyncio.to_thread(render_discord, report, missing[0])
        heading = expected[0].split("\n", 1)[0]
        since = (item.claimed_at or item.run_at) - RECONCILE_MARGIN
        mine = await own_messages(self.bot, channel, since)
        start = next((i for i, m in enumerate(mine) if m.content.startswith(heading)), None)
        if start is None:
            return None
        end = next((i for i in range(start, len(mine)) if mine[i].attachments), None)
        if end is None:  # killed halfway through: remove the part, the report is posted again whole
            for message in mine[start:start + len(expected)]:
                log.warning("removing part of an unfinished report: message %s", message.id)
                await message.delete()
            return None
        ids = [m.id for m in mine[start:end + 1]]
        for language in missing:
            await self.bot.services.report.record(dialogue.id, "final", language, channel.id, ids)
        return Posted(ids[0])

    async def after_record(self, item: ScheduleItem, posted: Posted) -> None:
        self.bot.dispatch("colloquy_dialogue_changed", item.dialogue_id)
