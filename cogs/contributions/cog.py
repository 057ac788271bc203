"""Contributions: members' messages in open dialogues become contributions; moderators tag them.

Listeners follow messages, edits, deletions and reactions; start-up and reconnection backfill what
was missed. The ``on_message`` hot path asks an in-memory map whether the channel is a dialogue's,
hands the row to the service's write-behind batch and arms the flush timer: no database access.

Edits and reactions are followed in open dialogues' channels; deletions everywhere (a deleted
message leaves the report even after the dialogue closed). The context menus and commands work on
any dialogue's contributions, open or closed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.app_commands import locale_str as _T
from discord.ext import commands, tasks

from bot.client import ColloquyBot
from bot.clock import iso, snowflake_iso
from bot.contributions.key_points import KeyPointService
from bot.contributions.model import Incoming
from bot.contributions.pacing import DerivePacing
from bot.contributions.service import DERIVE_CHUNK, ContributionService
from bot.contributions.tagging import TaggingService
from bot.i18n import t
from bot.report.discord_text import split_messages
from bot.store import StoreUnavailable
from cogs.contributions import views
from cogs.kit.access import member_is_moderator, moderator_only, require_guild
from cogs.kit.autocomplete import dialogue_autocomplete, guiding_question_autocomplete
from cogs.kit.options import DIALOGUE
from cogs.kit.reply import bot_of, language_for, send_ephemeral

log = logging.getLogger(__name__)

#: Seconds between write-behind retries at most, while the database server is away.
STORE_AWAY_RETRY_MAX = 30.0
#: The longest the text of stored contributions waits while messages keep pouring in (``DerivePacing``).
DERIVE_AT_LEAST_EVERY = 10.0
#: How far back a start-up looks for dialogues closed without their last messages stored.
RECENTLY_CLOSED = timedelta(days=7)

#: Message types members write; joins, pins, thread-created notices and the like are not contributions.
MEMBER_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
_MEMBER_TYPE_VALUES = frozenset(kind.value for kind in MEMBER_MESSAGE_TYPES)  # ints hash faster than enums


def incoming(message: discord.Message) -> Incoming:
    return Incoming(
        message_id=message.id,
        channel_id=message.channel.id,
        guild_id=message.guild.id if message.guild else 0,
        author_id=message.author.id,
        author_name=message.author.display_name,
        content=message.content,
        attachments=tuple(a.url for a in message.attachments) if message.attachments else (),
        created_at=message.created_at,
        edited_at=message.edited_at,
    )


def is_member_message(message: discord.Message) -> bool:
    return (
        message.guild is not None
        and not message.author.bot
        and message.webhook_id is None
        and message.type.value in _MEMBER_TYPE_VALUES
    )


# ------------------------------------------------------------------------------ context menus


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
@moderator_only()
async def tag_contribution(interaction: discord.Interaction, message: discord.Message) -> None:
    bot = bot_of(interaction)
    contribution = await bot.services.contributions.require_by_message(message.id)
    lang = await language_for(bot, interaction)
    themes = await bot.services.translations.themes(contribution.dialogue_id, lang)
    tags = await bot.services.tagging.tags(contribution.id)
    if not themes:
        text = t(lang, "This dialogue has no themes yet: add some with /dialogue theme add.")
        await send_ephemeral(interaction, text)
        return
    position = None
    if contribution.question_id is not None:
        position = next(
            (q.position for q in await bot.services.dialogues.questions(contribution.dialogue_id)
             if q.id == contribution.question_id),
            None,
        )
    text = "\n".join([
        t(lang, "Choose the themes of this contribution:"),
        views.describe_contribution(lang, contribution, position),
    ])
    await send_ephemeral(interaction, text, view=views.tag_view(lang, contribution.id, themes, tags))


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
@moderator_only()
async def mark_key_point(interaction: discord.Interaction, message: discord.Message) -> None:
    bot = bot_of(interaction)
    point = await bot.services.key_points.mark_key_point(message.id, interaction.user.id)
    lang = await language_for(bot, interaction)
    if point.question_position is None:
        text = t(lang, "Marked as a key point of the dialogue.")
    else:
        text = t(lang, "Marked as a key point of question {number}.", number=point.question_position)
    await send_ephemeral(interaction, text)


# ------------------------------------------------------------------------------------------ cog


class ContributionsCog(commands.Cog):
    contributions_group = app_commands.Group(
        name=_T("contributions"),
        description=_T("Triage members' contributions (moderators)"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    keypoint = app_commands.Group(
        name=_T("keypoint"),
        description=_T("Key points of a dialogue (moderators)"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ColloquyBot) -> None:
        self.bot = bot
        self.service: ContributionService = bot.services.contributions
        self.tagging: TaggingService = bot.services.tagging
        self.key_points: KeyPointService = bot.services.key_points
        self._flusher = tasks.loop(seconds=self.service.config.flush_interval_seconds)(self._flush_tick)
        #: Whether the last write found the database server away (the timer then backs off).
        self._store_away = False
        self._urgent: asyncio.Task[None] | None = None
        self._reaction_flush: asyncio.Task[None] | None = None
        self._backfill_lock = asyncio.Lock()
        self._pacing = DerivePacing(DERIVE_CHUNK, DERIVE_AT_LEAST_EVERY)  # a chunk a tick keeps up below that
        self._menus = [
            app_commands.ContextMenu(name=_T("Tag contribution"), callback=tag_contribution),
            app_commands.ContextMenu(name=_T("Mark key point"), callback=mark_key_point),
        ]

    async def cog_load(self) -> None:
        await self.service.load()
        if self.service.underived:  # stored before a stop, their text not derived yet
            self._flusher.start()
        self.bot.message_hooks.append(self.on_message_now)
        for menu in self._menus:
            self.bot.tree.add_command(menu)
        self.bot.add_dynamic_items(*views.DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        """Stop the timer and write the pending batch: a close never loses one."""
        self._flusher.cancel()
        if self.on_message_now in self.bot.message_hooks:
            self.bot.message_hooks.remove(self.on_message_now)
        for menu in self._menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)
        self.bot.remove_dynamic_items(*views.DYNAMIC_ITEMS)
        if self._urgent is not None:
            await asyncio.gather(self._urgent, return_exceptions=True)
        if self._reaction_flush is not None:
            await asyncio.gather(self._reaction_flush, return_exceptions=True)
        try:
            await self.service.flush()
            while self.tagging.reactions_pending:
                await self.tagging.flush_reactions()
        except Exception:
            log.exception("could not write %d pending contributions and %d reactions at close",
                          self.service.pending, self.tagging.reactions_pending)

    # ------------------------------------------------------------------------- write-behind

    async def _flush_tick(self) -> None:
        if self._flusher.current_loop == 0:
            return  # the first pass only starts the wait: a batch waits one interval at most
        answered = await self._flush_logged()
        quiet = self._pacing.may_derive(asyncio.get_running_loop().time())
        if self.service.batch_full:
            self._queued()  # a flood: its text waits until it is over
        elif answered and quiet:
            await self._derive_logged()
        if self.service.pending == 0 and not self.service.underived:
            self._flusher.stop()  # idle: no timer runs until the next message

    async def _derive_logged(self) -> None:
        self._pacing.derived()
        try:
            derived = await self.service.derive()
        except StoreUnavailable as error:
            self._away(error)
        except Exception:
            log.exception("deriving stored contributions' text failed; it is tried again")
        else:
            if derived:
                self._back()

    async def _flush_logged(self) -> bool:
        """Write a batch; whether nothing failed (a batch written, or none to write)."""
        try:
            written = await self.service.flush_batch()
        except StoreUnavailable as error:
            self._away(error)
            return False
        except Exception:
            log.exception("writing %d contributions failed; they stay queued", self.service.pending)
            return False
        if written:  # the store answered (an empty queue proves nothing)
            self._back()
        return True

    def _away(self, error: StoreUnavailable) -> None:
        """The database server is away: what waits (the batch, the text to derive) stays; retry less and
        less often (one line in the log, not a traceback every half second) until the store answers."""
        if not self._store_away:
            log.warning("the database cannot be reached (%s); %d contributions stay queued, retrying",
                        error, self.service.pending)
        self._store_away = True
        interval = self._flusher.seconds or self.service.config.flush_interval_seconds
        self._flusher.change_interval(seconds=min(interval * 2, STORE_AWAY_RETRY_MAX))

    def _back(self) -> None:
        if self._store_away:
            self._store_away = False
            log.warning("the database is back; queued contributions written")
            self._flusher.change_interval(seconds=self.service.config.flush_interval_seconds)

    async def _flush_full_batches(self) -> None:
        while self.service.batch_full and await self._flush_logged():
            pass

    def _queued(self) -> None:
        """A message joined the batch: make sure it is written soon (a full batch at once)."""
        if not self._flusher.is_running():
            self._flusher.start()
        if self.service.batch_full and (self._urgent is None or self._urgent.done()):
            self._urgent = asyncio.create_task(self._flush_full_batches())  # one at a time, not one per message

    # ---------------------------------------------------------------------------- listeners

    def on_message_now(self, message: discord.Message) -> None:
        """The hot path, called synchronously by the bot for every message (no task): an in-memory
        lookup, the row, the batch (the message's values handed over as they are: no object built)."""
        channel_id = message.channel.id
        if self.service.place(channel_id) is None or not is_member_message(message):
            return
        author, edited_at = message.author, message.edited_at
        if self.service.capture_values(
            message.id, channel_id, message.guild.id, author.id, author.display_name,  # type: ignore[union-attr]
            message.content, [a.url for a in message.attachments] if message.attachments else (),
            snowflake_iso(message.id), iso(edited_at) if edited_at else None,
        ):
            self._pacing.arrivals += 1
            self._queued()

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if self.service.place(payload.channel_id) is None or "content" not in payload.data:
            return
        message = payload.message
        if message.author.bot:
            return
        await self.service.edit(
            message.id, message.content, [a.url for a in message.attachments], message.edited_at
        )

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is not None:
            await self.service.delete([payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if payload.guild_id is not None:
            await self.service.delete(sorted(payload.message_ids))

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        member = payload.member
        if self.service.place(payload.channel_id) is None or member is None or member.bot:
            return
        moderator = await member_is_moderator(self.bot, member)
        self.tagging.queue_reaction(payload.message_id, str(payload.emoji), payload.user_id,
                                    moderator=moderator, added=True)
        self._reactions_queued()

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        if self.service.place(payload.channel_id) is None:
            return
        self.tagging.queue_reaction(payload.message_id, str(payload.emoji), payload.user_id,
                                    moderator=False, added=False)
        self._reactions_queued()

    def _reactions_queued(self) -> None:
        """Apply queued reactions as soon as the loop is free: one at a time when they trickle in,
        in batches when they pile up (what arrives during a batch waits for the next)."""
        if self._reaction_flush is None or self._reaction_flush.done():
            self._reaction_flush = asyncio.create_task(self._flush_reactions())

    async def _flush_reactions(self) -> None:
        while self.tagging.reactions_pending:
            try:
                await self.tagging.flush_reactions()
            except Exception:
                log.exception("applying %d reactions failed; they stay queued", self.tagging.reactions_pending)
                await asyncio.sleep(self.service.config.flush_interval_seconds)

    # ----------------------------------------------------------------------------- backfill

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self.backfill()

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        await self.backfill()

    @commands.Cog.listener()
    async def on_colloquy_dialogue_changed(self, dialogue_id: int) -> None:
        before = set(self.service.watched_channels())
        await self.service.rebuild_map()
        added = set(self.service.watched_channels()) - before
        if added:
            await self.backfill(only=added)

    async def backfill(self, only: set[int] | None = None) -> int:
        """Read each open dialogue's channel and threads after what was stored; safe to run twice."""
        changed = 0
        async with self._backfill_lock:
            for target in await self.service.backfill_targets():
                if only is not None and target.channel_id not in only:
                    continue
                try:
                    messages = await self._history(target.channel_id, target.after_message_id)
                except discord.HTTPException as error:
                    log.warning("backfill of channel %s failed: %s", target.channel_id, error)
                    continue
                if messages is not None:
                    changed += await self.service.reconcile(target.channel_id, target.after_message_id, messages)
            if only is None:
                changed += await self._backfill_closed()
        if changed:
            log.info("backfill: %d contributions stored, updated or removed", changed)
        return changed

    async def _backfill_closed(self) -> int:
        """Dialogues closed recently whose channels were not read up to the close (a kill right after
        the closing was recorded): store what members posted before the close."""
        since = self.bot.clock() - RECENTLY_CLOSED
        stored = 0
        for target in await self.service.closed_backfill_targets(since):
            try:
                messages = await self._history(target.channel_id, target.after_message_id)
            except discord.HTTPException as error:
                log.warning("backfill of closed channel %s failed: %s", target.channel_id, error)
                continue
            if messages:
                stored += await self.service.store_missed(target, messages)
        return stored

    async def _history(self, channel_id: int, after: int | None) -> list[Incoming] | None:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)  # an archived thread
            except discord.NotFound:
                return None
        if not self.bot.scope.owns(getattr(channel, "guild", None) and channel.guild.id):  # type: ignore[union-attr]
            return None  # another shard process's guild: it backfills its own
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return None  # a forum channel has no messages of its own; its posts are threads
        return [
            incoming(m)
            async for m in channel.history(
                limit=None, after=discord.Object(after) if after else None, oldest_first=True
            )
            if is_member_message(m)
        ]

    # ----------------------------------------------------------------------------- commands

    @contributions_group.command(name=_T("untagged"), description=_T("Contributions that still need a theme"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def untagged(self, interaction: discord.Interaction, dialogue: str) -> None:
        found = await self.bot.services.dialogues.resolve(require_guild(interaction), dialogue)
        await views.show_queue(interaction, found.id, edit=False)

    @keypoint.command(name=_T("add"), description=_T("Add a key point to a guiding question"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE, question=_T("The guiding question's number"),
                           text=_T("The key point, in a sentence or two"))
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    @app_commands.autocomplete(question=guiding_question_autocomplete)
    async def keypoint_add(
        self, interaction: discord.Interaction, dialogue: str, question: app_commands.Range[int, 1, 100],
        text: app_commands.Range[str, 1, 1000],
    ) -> None:
        found = await self.bot.services.dialogues.resolve(require_guild(interaction), dialogue)
        point = await self.key_points.add_key_point(found.id, question, text, interaction.user.id)
        lang = await language_for(self.bot, interaction)
        await send_ephemeral(
            interaction, t(lang, "Key point added to question {number}.", number=point.question_position)
        )

    @keypoint.command(name=_T("list"), description=_T("The key points of a dialogue"))
    @moderator_only()
    @app_commands.describe(dialogue=DIALOGUE)
    @app_commands.autocomplete(dialogue=dialogue_autocomplete)
    async def keypoint_list(self, interaction: discord.Interaction, dialogue: str) -> None:
        found = await self.bot.services.dialogues.resolve(require_guild(interaction), dialogue)
        points = await self.key_points.key_points(found.id)
        lang = await language_for(self.bot, interaction)
        if not points:
            await send_ephemeral(interaction, t(lang, "“{title}” has no key points yet.", title=found.title))
            return
        lines = [t(lang, "**Key points of “{title}”**", title=found.title)]
        current: int | None = -1
        for point in points:
            if point.question_position != current:
                current = point.question_position
                heading = (t(lang, "Question {number}", number=current) if current is not None
                           else t(lang, "The dialogue as a whole"))
                lines.append(f"__{heading}__")
            origin = t(lang, "from a contribution") if point.source == "marked" else t(lang, "by a moderator")
            lines.append(f"- {views.one_line(point.text, 300, lang)} ({origin})")
        for chunk in split_messages("\n".join(lines)):
            await send_ephemeral(interaction, chunk)


async def setup(bot: ColloquyBot) -> None:
    await bot.add_cog(ContributionsCog(bot))
