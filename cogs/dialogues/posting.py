"""The dialogue poster: the Discord side of schedule items (opening, questions, reminder, closing).

Registered into :class:`bot.scheduling.runner.ScheduleRunner` by the dialogues cog. Each handler posts, finds
its own earlier post after a crash (``find_posted``: the bot's messages in the channel since the row
was claimed, compared with the deterministic text of :mod:`bot.dialogues.posts`), and does idempotent
follow-ups. Thread and forum-post creation carry no nonce, so a 5xx retried by discord.py can create
a second one: after creating a question's thread the poster keeps exactly one per item.

In a forum channel the opening is a forum post; the reminder and the closing are replies in it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.dialogues import posts
from bot.dialogues.model import Dialogue, Question, ScheduleItem
from bot.dialogues.service import DialogueService
from bot.i18n.content import ContentTranslations
from bot.scheduling.runner import Posted, nonce
from cogs.kit.channels import (
    RECONCILE_MARGIN,
    AnyChannel,
    Postable,
    first_own_message,
    own_messages,
    resolve_channel,
)
from cogs.kit.reply import NO_MENTIONS

if TYPE_CHECKING:
    from bot.client import ColloquyBot

log = logging.getLogger(__name__)


class DialoguePoster:
    """Posts a dialogue's schedule items and tells moderators what was skipped."""

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot

    @property
    def dialogues(self) -> DialogueService:
        return self.bot.services.dialogues

    def register(self) -> None:
        runner = self.bot.services.schedule
        for kind in ("opening", "question", "reminder", "closing"):
            runner.register(kind, _Handler(self, kind))
        runner.notifier = self

    # -- helpers -----------------------------------------------------------------------------------

    async def channel(self, channel_id: int) -> AnyChannel:
        return await resolve_channel(self.bot, channel_id)

    async def context(self, item: ScheduleItem) -> tuple[Dialogue, list[Question]]:
        dialogue = await self.dialogues.require(item.dialogue_id)
        return dialogue, await self.dialogues.questions(item.dialogue_id)

    async def translations(self, dialogue: Dialogue) -> ContentTranslations:
        """The moderators' translations of the dialogue's content (``/dialogue translate``)."""
        return await self.bot.services.translations.lookup(dialogue)

    async def opening_thread_id(self, dialogue: Dialogue) -> int | None:
        """The forum post the opening made (forum dialogues only)."""
        return await self.bot.services.dialogue_schedule.opening_thread_id(dialogue.id)

    async def announce_target(self, dialogue: Dialogue) -> Postable | None:
        """Where the reminder and closing go: the channel, or (forum) the opening post's thread."""
        if dialogue.channel_kind == "forum":
            thread_id = await self.opening_thread_id(dialogue)
            return None if thread_id is None else await self.channel(thread_id)  # type: ignore[return-value]
        return await self.channel(dialogue.channel_id)  # type: ignore[return-value]

    @staticmethod
    async def forum_post(thread: discord.Thread) -> Posted:
        """A forum post as (starter message, thread); the starter is the thread's oldest message."""
        first = [m async for m in thread.history(limit=1, oldest_first=True)]
        return Posted(first[0].id if first else thread.id, thread.id)

    async def opening_embeds(self, dialogue: Dialogue) -> list[discord.Embed]:
        questions = await self.dialogues.questions(dialogue.id)
        items = await self.bot.services.dialogue_schedule.items(dialogue.id)
        tr = await self.translations(dialogue)
        return [
            discord.Embed(
                title=posts.opening_title(dialogue, lang, tr),
                description=self.bot.mentions.link(
                    posts.opening_embed_text(dialogue, lang, questions, items, tr)
                )[: posts.EMBED_LIMIT],
            )
            for lang in dialogue.languages
        ]

    async def own_messages(self, channel: Postable, since: datetime) -> list[discord.Message]:
        """The bot's own messages in ``channel`` after ``since``, oldest first."""
        return await own_messages(self.bot, channel, since)

    async def own_forum_posts(self, forum: discord.ForumChannel, name: str, since: datetime) -> list[discord.Thread]:
        """The bot's forum posts called ``name`` created after ``since``, oldest first."""
        me = self.bot.user
        threads = await forum.guild.active_threads()
        found = [
            th for th in threads
            if th.parent_id == forum.id and me is not None and th.owner_id == me.id and th.name == name
            and discord.utils.snowflake_time(th.id) >= since
        ]
        return sorted(found, key=lambda th: th.id)

    async def keep_one(self, forum: discord.ForumChannel, name: str, since: datetime, keep: int) -> None:
        """Delete extra forum posts an automatically retried request may have created."""
        for thread in await self.own_forum_posts(forum, name, since):
            if thread.id != keep:
                log.warning("removing duplicate forum post %s (a retried request created it)", thread.id)
                await thread.delete()

    @staticmethod
    def since(item: ScheduleItem) -> datetime:
        return (item.claimed_at or item.run_at) - RECONCILE_MARGIN

    # -- opening -----------------------------------------------------------------------------------

    async def post_opening(self, item: ScheduleItem) -> Posted:
        dialogue, _ = await self.context(item)
        channel = await self.channel(dialogue.channel_id)
        embeds = await self.opening_embeds(dialogue)
        header = posts.opening_header(dialogue)
        if isinstance(channel, discord.ForumChannel):
            name = posts.opening_title(dialogue, dialogue.language)[:100]
            created = await channel.create_thread(
                name=name, content=header, embeds=embeds, allowed_mentions=NO_MENTIONS
            )
            await self.keep_one(channel, name, self.since(item), created.thread.id)
            return Posted(created.message.id, created.thread.id)
        message = await channel.send(  # type: ignore[union-attr]
            header, embeds=embeds, allowed_mentions=NO_MENTIONS, nonce=nonce(item.id)
        )
        return Posted(message.id)

    async def find_opening(self, item: ScheduleItem) -> Posted | None:
        dialogue, _ = await self.context(item)
        channel = await self.channel(dialogue.channel_id)
        if isinstance(channel, discord.ForumChannel):
            name = posts.opening_title(dialogue, dialogue.language)[:100]
            found = await self.own_forum_posts(channel, name, self.since(item))
            for extra in found[1:]:
                await extra.delete()
            return await self.forum_post(found[0]) if found else None
        header = posts.opening_header(dialogue)
        posted = await first_own_message(self.bot, channel, self.since(item),  # type: ignore[arg-type]
                                         lambda m: m.content == header)
        return Posted(posted.id) if posted is not None else None

    async def refresh_opening(self, dialogue_id: int) -> None:
        """Re-render the opening post (e.g. to add a question's thread link)."""
        dialogue = await self.dialogues.require(dialogue_id)
        if dialogue.opening_message_id is None:
            return
        where = await self.opening_thread_id(dialogue) if dialogue.channel_kind == "forum" else dialogue.channel_id
        if where is None:
            return
        channel = await self.channel(where)
        message = channel.get_partial_message(dialogue.opening_message_id)  # type: ignore[union-attr]
        await message.edit(embeds=await self.opening_embeds(dialogue), allowed_mentions=NO_MENTIONS)

    async def refresh_translations(self, dialogue_id: int) -> None:
        """After ``/dialogue translate``: re-render the opening post and the question posts already made.
        A post that can no longer be edited (deleted, no access) is left as it is."""
        dialogue = await self.dialogues.require(dialogue_id)
        try:
            await self.refresh_opening(dialogue_id)
        except discord.HTTPException as error:
            log.warning("dialogue %s: could not refresh the opening post: %s", dialogue_id, error)
        questions = await self.dialogues.questions(dialogue_id)
        tr = await self.translations(dialogue)
        for question in questions:
            if question.message_id is None or question.thread_id is None:
                continue
            where = question.thread_id if dialogue.channel_kind == "forum" else dialogue.channel_id
            content = posts.question_message(dialogue, question, len(questions), tr)
            try:
                channel = await self.channel(where)
                message = channel.get_partial_message(question.message_id)  # type: ignore[union-attr]
                await message.edit(content=content, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as error:
                log.warning("dialogue %s: could not refresh question %s: %s", dialogue_id, question.position, error)

    # -- questions ---------------------------------------------------------------------------------

    async def question_parts(self, item: ScheduleItem) -> tuple[Dialogue, Question, str, str]:
        dialogue, questions = await self.context(item)
        question = next(q for q in questions if q.id == item.question_id)
        content = posts.question_message(dialogue, question, len(questions), await self.translations(dialogue))
        return dialogue, question, content, posts.thread_name(question)

    async def post_question(self, item: ScheduleItem) -> Posted:
        dialogue, _question, content, name = await self.question_parts(item)
        channel = await self.channel(dialogue.channel_id)
        if isinstance(channel, discord.ForumChannel):
            created = await channel.create_thread(name=name, content=content, allowed_mentions=NO_MENTIONS)
            await self.keep_one(channel, name, self.since(item), created.thread.id)
            return Posted(created.message.id, created.thread.id)
        message = await channel.send(  # type: ignore[union-attr]
            content, allowed_mentions=NO_MENTIONS, nonce=nonce(item.id)
        )
        thread = await self.thread_for(message, name)
        return Posted(message.id, thread.id)

    async def thread_for(self, message: discord.Message, name: str) -> discord.Thread:
        """The thread started from ``message``, creating it if needed (at most one per message)."""
        existing = message.guild.get_thread(message.id) if message.guild else None
        if existing is not None:
            return existing
        try:
            return await message.create_thread(name=name)
        except discord.HTTPException:
            # A retried request whose first attempt succeeded: Discord refuses a second thread on the
            # same message, and the first one exists.
            try:
                found = await self.bot.fetch_channel(message.id)
            except discord.NotFound:
                raise
            if isinstance(found, discord.Thread):
                return found
            raise

    async def find_question(self, item: ScheduleItem) -> Posted | None:
        dialogue, _question, content, name = await self.question_parts(item)
        channel = await self.channel(dialogue.channel_id)
        if isinstance(channel, discord.ForumChannel):
            found = await self.own_forum_posts(channel, name, self.since(item))
            for extra in found[1:]:
                await extra.delete()
            return await self.forum_post(found[0]) if found else None
        message = await first_own_message(self.bot, channel, self.since(item),  # type: ignore[arg-type]
                                          lambda m: m.content == content)
        if message is None:
            return None
        thread = await self.thread_for(message, name)
        return Posted(message.id, thread.id)

    # -- reminder and closing ----------------------------------------------------------------------

    async def announcement(self, item: ScheduleItem) -> tuple[Postable, str]:
        dialogue, questions = await self.context(item)
        target = await self.announce_target(dialogue)
        if target is None:
            raise RuntimeError(f"dialogue {dialogue.id} has no opening post to reply to")
        tr = await self.translations(dialogue)
        text = (
            posts.reminder_message(dialogue, questions, tr) if item.kind == "reminder"
            else posts.closing_message(dialogue, tr)
        )
        return target, text

    async def post_announcement(self, item: ScheduleItem) -> Posted:
        if item.kind == "closing":
            await self.store_everything_before_the_close(item.dialogue_id)
        target, text = await self.announcement(item)
        message = await target.send(text, allowed_mentions=NO_MENTIONS, nonce=nonce(item.id))
        return Posted(message.id)

    async def find_announcement(self, item: ScheduleItem) -> Posted | None:
        target, text = await self.announcement(item)
        found = await first_own_message(self.bot, target, self.since(item), lambda m: m.content == text)
        return Posted(found.id) if found is not None else None

    async def store_everything_before_the_close(self, dialogue_id: int) -> None:
        """Before the closing is recorded (after which the dialogue's channels are no longer watched):
        write the messages still in the write-behind batch, and read the dialogue's channels' history
        for any the gateway has not delivered, so every message posted before the close is stored."""
        contributions = self.bot.services.contributions
        channels = {cid for cid, place in contributions.watched_channels().items() if place.dialogue_id == dialogue_id}
        cog = self.bot.get_cog("ContributionsCog")
        backfill = getattr(cog, "backfill", None)
        if channels and backfill is not None:
            try:
                await backfill(only=channels)
            except Exception:  # the closing goes out regardless; the start-up backfill tries again
                log.exception("dialogue %s: backfill before the close failed", dialogue_id)
        await contributions.flush()

    # -- after recording ---------------------------------------------------------------------------

    async def after_record(self, item: ScheduleItem, posted: Posted) -> None:
        if item.kind == "question":
            await self.refresh_opening(item.dialogue_id)
        if item.kind in ("opening", "question", "closing"):
            self.bot.dispatch("colloquy_dialogue_changed", item.dialogue_id)
        if item.kind == "closing":
            self.bot.dispatch("colloquy_dialogue_closed", item.dialogue_id)

    # -- the notifier ------------------------------------------------------------------------------

    async def moderators_channel(self, dialogue: Dialogue) -> Postable | None:
        settings = await self.bot.services.guilds.get(dialogue.guild_id)
        if settings.mod_channel_id:
            return await self.channel(settings.mod_channel_id)  # type: ignore[return-value]
        return await self.announce_target(dialogue)

    async def skipped(self, dialogue_id: int, items: list[ScheduleItem]) -> None:
        dialogue = await self.dialogues.require(dialogue_id)
        questions = {q.id: q for q in await self.dialogues.questions(dialogue_id)}
        channel = await self.moderators_channel(dialogue)
        settings = await self.bot.services.guilds.get(dialogue.guild_id)
        if channel is not None:
            grace = self.bot.config.schedule.grace_period_hours
            text = posts.skipped_notice(settings.language, dialogue, items, questions, grace)
            await channel.send(text, allowed_mentions=NO_MENTIONS)
        else:
            log.warning("dialogue %s: %d skipped post(s), no channel to tell moderators", dialogue_id, len(items))
        self.bot.dispatch("colloquy_dialogue_changed", dialogue_id)
        if any(item.kind == "closing" for item in items):
            self.bot.dispatch("colloquy_dialogue_closed", dialogue_id)

    async def late(self, item: ScheduleItem, error: str) -> None:
        dialogue = await self.dialogues.require(item.dialogue_id)
        questions = {q.id: q for q in await self.dialogues.questions(item.dialogue_id)}
        settings = await self.bot.services.guilds.get(dialogue.guild_id)
        channel = await self.moderators_channel(dialogue)
        if channel is not None:
            await channel.send(
                posts.late_notice(settings.language, dialogue, item, questions), allowed_mentions=NO_MENTIONS
            )

    async def failed(self, item: ScheduleItem, error: str) -> None:
        dialogue = await self.dialogues.require(item.dialogue_id)
        questions = {q.id: q for q in await self.dialogues.questions(item.dialogue_id)}
        settings = await self.bot.services.guilds.get(dialogue.guild_id)
        channel = await self.moderators_channel(dialogue)
        if channel is not None:
            await channel.send(
                posts.failed_notice(settings.language, dialogue, item, questions), allowed_mentions=NO_MENTIONS
            )


class _Handler:
    """Adapts :class:`DialoguePoster` to :class:`bot.scheduling.runner.ItemHandler` for one kind."""

    def __init__(self, poster: DialoguePoster, kind: str) -> None:
        self.poster = poster
        self.kind = kind

    async def post(self, item: ScheduleItem) -> Posted:
        if self.kind == "opening":
            return await self.poster.post_opening(item)
        if self.kind == "question":
            return await self.poster.post_question(item)
        return await self.poster.post_announcement(item)

    async def find_posted(self, item: ScheduleItem) -> Posted | None:
        if self.kind == "opening":
            return await self.poster.find_opening(item)
        if self.kind == "question":
            return await self.poster.find_question(item)
        return await self.poster.find_announcement(item)

    async def after_record(self, item: ScheduleItem, posted: Posted) -> None:
        await self.poster.after_record(item, posted)
