"""Contributions: the write path of members' messages in open dialogues, and reads over them.

The message hot path is synchronous and touches no database: :meth:`ContributionService.capture_values`
looks the channel up in an in-memory map of open dialogues' channels and threads and queues the
message in a write-behind batch. A batch (``batch_size`` messages at most) is written as it came, in
one transaction with the channels' cursors. What a text implies (language, links, keyword
suggestions) is derived afterwards, off the loop, in chunks: right after the batch when messages
come at a normal pace, after a flood when they pile up (a flood is written at the speed it arrives),
and before any read that needs it (:meth:`ContributionService.flush`). A kill loses nothing: the rows
wait in the database marked underived.
Edits and deletions of a message still in the batch are applied to the batch; every write to
contributions holds one lock, so an edit or delete never overtakes the insert it follows.

Reads (counts, queues, tagging) flush first, so they always see every message received so far;
tagging (:mod:`bot.contributions.tagging`) and key points (:mod:`bot.contributions.key_points`) read
through this service.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from bot.clock import DISCORD_EPOCH_MS, Clock, iso, parse_iso
from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.derived import derive
from bot.contributions.model import Contribution, Incoming, Place, contribution_of
from bot.contributions.text import KeywordRules, storable
from bot.errors import UserError
from bot.i18n import N_
from bot.store import Database
from bot.store.base import Row, rejects_data
from bot.store.repositories.contributions import ContributionRepository, Derivation

log = logging.getLogger(__name__)

#: How many of a channel's most recent stored messages backfill re-reads to catch edits and deletions.
BACKFILL_RECHECK = 50
#: How many stored contributions one derivation pass takes (about 5 ms of text work).
DERIVE_CHUNK = 500

#: A queued message: its ``contributions`` row as written (``_INSERT_CONTRIBUTION``'s columns).
_Row = tuple[Any, ...]
# Positions in a queued row.
_DIALOGUE, _GUILD, _CHANNEL, _MESSAGE, _AUTHOR, _CONTENT, _ATTACHMENTS, _EDITED = 0, 2, 3, 4, 5, 7, 8, 11


@dataclass(frozen=True)
class Counts:
    """What ``/dialogue status`` shows about contributions."""

    total: int
    per_question: dict[int | None, int]  # question id (None: the dialogue's channel) → contributions
    per_theme: dict[int, int]  # theme id → contributions with that confirmed tag
    participants: int
    untagged: int  # contributions with no confirmed tag
    suggested: int  # contributions with a suggestion awaiting a moderator
    support: int  # support reactions


@dataclass(frozen=True)
class BackfillTarget:
    """Where backfill reads a watched channel's history from."""

    channel_id: int
    dialogue_id: int
    after_message_id: int | None  # read history after this id (None: from the beginning)


@dataclass(frozen=True)
class ClosedTarget:
    """A channel of a dialogue closed since its last stored message: read from ``after_message_id`` up to
    ``until_message_id`` (the last snowflake of the closing's millisecond)."""

    channel_id: int
    place: Place
    after_message_id: int | None
    until_message_id: int


class ContributionService:
    """Captures, batches, edits and deletes contributions, backfills missed ones, and reads and counts them."""

    def __init__(self, db: Database, config: ContributionsConfig, clock: Clock, profiles: ProfileService) -> None:
        self.db = db
        self.repo = ContributionRepository(db)
        self.config = config
        self.clock = clock
        self.profiles = profiles
        self.rules = KeywordRules(config.keywords)
        #: channel or thread id → where it belongs, for open dialogues only.
        self._places: dict[int, Place] = {}
        #: message id → its row, in arrival order: the write-behind batch.
        self._pending: dict[int, _Row] = {}
        #: channel id → how many of its messages wait in the batch.
        self._waiting: dict[int, int] = {}
        self._batches_written = 0
        #: dialogue id → (batches written when it began, the figures being computed).
        self._counting: dict[int, tuple[int, asyncio.Future[Counts]]] = {}
        #: channel id → (dialogue id, highest message id seen there) since the last flush.
        self._seen: dict[int, tuple[int, int]] = {}
        self._write_lock = asyncio.Lock()
        #: Whether stored contributions may wait for their text to be derived.
        self._underived = False
        self._derive_lock = asyncio.Lock()

    # ------------------------------------------------------------------ the map of open dialogues

    async def load(self) -> None:
        """Build the channel map and load the opt-out set (start-up)."""
        await self.profiles.opted_out_members()
        await self.rebuild_map()
        self._underived = await self.repo.has_underived()  # stored before a kill, not derived yet

    async def rebuild_map(self) -> None:
        rows = await self.repo.open_places()
        places: dict[int, Place] = {}
        for row in rows:
            languages = tuple(row["languages"].split()) or ("en",)
            if row["channel_kind"] == "text":
                places[row["channel_id"]] = Place(row["dialogue_id"], None, row["guild_id"], languages)
            if row["thread_id"] is not None:
                places[row["thread_id"]] = Place(row["dialogue_id"], row["question_id"], row["guild_id"], languages)
        self._places = places

    def place(self, channel_id: int) -> Place | None:
        return self._places.get(channel_id)

    def watched_channels(self) -> dict[int, Place]:
        return dict(self._places)

    # ------------------------------------------------------------------------------- capture

    def capture(self, msg: Incoming) -> bool:
        """Queue ``msg`` if it belongs to an open dialogue and its author takes part; whether it was."""
        return self.capture_values(
            msg.message_id, msg.channel_id, msg.guild_id, msg.author_id, msg.author_name, msg.content,
            msg.attachments, iso(msg.created_at), iso(msg.edited_at) if msg.edited_at else None,
        )

    def capture_values(self, message_id: int, channel_id: int, guild_id: int, author_id: int, author_name: str,
                       content: str, attachments: Sequence[str], created_at: str, edited_at: str | None) -> bool:
        """The hot path (:meth:`capture` with the message's values as they come, no object built):
        queue the message's row if it belongs to an open dialogue and its author takes part.

        Returns whether it was queued. No database access, no text work (that is derived after the
        batch is stored: :meth:`derive`). Times come as stored (:func:`~bot.clock.iso`; a message's
        ``created_at`` is :func:`~bot.clock.snowflake_iso` of its id).
        """
        place = self._places.get(channel_id)
        if place is None:
            return False
        seen = self._seen.get(channel_id)
        if seen is None or message_id > seen[1]:
            self._seen[channel_id] = (place.dialogue_id, message_id)
        if self.profiles.is_opted_out(guild_id, author_id):
            return False
        if message_id not in self._pending:
            self._waiting[channel_id] = self._waiting.get(channel_id, 0) + 1
        self._pending[message_id] = _row(place, message_id, channel_id, guild_id, author_id, author_name,
                                         content, attachments, created_at, edited_at)
        return True

    def _unqueue(self, message_id: int) -> _Row | None:
        """Take a message out of the batch (it was deleted, or its author left)."""
        pending = self._pending.pop(message_id, None)
        if pending is not None:
            self._left_channel(pending[_CHANNEL])
        return pending

    def _left_channel(self, channel_id: int) -> None:
        left = self._waiting[channel_id] - 1
        if left:
            self._waiting[channel_id] = left
        else:
            del self._waiting[channel_id]

    @property
    def pending(self) -> int:
        return len(self._pending)

    def is_pending(self, message_id: int) -> bool:
        """Whether ``message_id`` waits in the batch (a read of it must flush first)."""
        return message_id in self._pending

    @property
    def batch_full(self) -> bool:
        return len(self._pending) >= self.config.batch_size

    @property
    def underived(self) -> bool:
        """Whether stored contributions may still wait for :meth:`derive`."""
        return self._underived

    async def flush(self) -> int:
        """Write everything pending now, ``batch_size`` messages per transaction, and derive every stored
        text; how many were written.

        Reads that must see every message received so far call this; the cog's timer writes one
        batch at a time (:meth:`flush_batch`) and derives in chunks (:meth:`derive`).
        """
        written = await self.write_pending()
        while await self.derive():
            pass
        return written

    async def write_pending(self) -> int:
        """Write everything pending now, ``batch_size`` messages per transaction (their text not derived
        yet); how many were written. When it returns, every message received before the call is
        stored, or it raises."""
        written = 0
        for _ in range(2):
            rounds = -(-len(self._pending) // self.config.batch_size) or 1
            for _ in range(rounds):
                if not self._pending and not self._seen:
                    break
                written += await self.flush_batch()
            if not self._write_lock.locked():
                break
            # Another task's batch is being written: it is ours to see too. If that write fails, its
            # batch is back in the queue and the second pass writes it (or raises).
            async with self._write_lock:
                pass
        return written

    async def derive(self, limit: int = DERIVE_CHUNK) -> int:
        """Derive the text of up to ``limit`` stored contributions (oldest first) in a worker thread and
        store it; how many were derived (0: none waits)."""
        async with self._derive_lock:
            if not self._underived:
                return 0
            self._underived = False  # a batch written from now on sets it again
            try:
                rows = await self.repo.underived(limit)
                if rows:
                    derivations = await asyncio.to_thread(_derive_rows, self.rules, rows)
                    await self.repo.store_derived(derivations, iso(self.clock()))
            except BaseException:
                self._underived = True
                raise
            if len(rows) >= limit:
                self._underived = True
            return len(rows)

    async def flush_batch(self) -> int:
        """Write the oldest ``batch_size`` pending messages (and the channels' cursors) in one
        transaction, one call to the store (SQLite's ingest process, PostgreSQL's one statement). If it
        fails, nothing is lost: the batch goes back in front of whatever arrived meanwhile, to be retried."""
        if not self._pending and not self._seen:
            return 0
        async with self._write_lock:
            return await self._flush_locked()

    async def _flush_locked(self) -> int:
        pending = self._pending
        batch = [pending.pop(mid) for mid in list(islice(pending, self.config.batch_size))]
        tops: dict[int, tuple[int, int]] = {}  # channel → (dialogue, highest message id of this batch)
        for p in batch:
            channel_id = p[_CHANNEL]
            self._left_channel(channel_id)
            top = tops.get(channel_id)
            if top is None or p[_MESSAGE] > top[1]:
                tops[channel_id] = (p[_DIALOGUE], p[_MESSAGE])
        # A channel's cursor moves to the highest id seen once none of its messages waits any more.
        settled = {channel: self._seen.pop(channel) for channel in list(self._seen) if channel not in self._waiting}
        cursors = {**tops, **settled}
        if not batch and not cursors:
            return 0
        try:
            refused = await self._store(batch, [(channel, dialogue, last) for channel, (dialogue, last)
                                                in cursors.items()])
        except BaseException:
            self._pending = {p[_MESSAGE]: p for p in batch}
            for mid, p in pending.items():
                if mid in self._pending:  # captured again meanwhile (a replayed event): keep the newer copy
                    self._left_channel(p[_CHANNEL])
                self._pending[mid] = p
            for p in batch:
                self._waiting[p[_CHANNEL]] = self._waiting.get(p[_CHANNEL], 0) + 1
            for channel_id, value in settled.items():
                current = self._seen.get(channel_id)
                if current is None or current[1] < value[1]:
                    self._seen[channel_id] = value
            raise
        if refused is not None:  # written in parts, without the cursors: they settle with a later batch
            for channel_id, value in cursors.items():
                current = self._seen.get(channel_id)
                if current is None or current[1] < value[1]:
                    self._seen[channel_id] = value
            for p in refused:
                log.error("the store refused message %d of channel %d (%d characters): not stored",
                          p[_MESSAGE], p[_CHANNEL], len(p[_CONTENT]))
        self._batches_written += 1
        if batch:
            self._underived = True
        return len(batch) - len(refused or ())

    async def _store(self, batch: list[_Row], cursors: list[tuple[int, int, int]]) -> list[_Row] | None:
        """Store ``batch`` and ``cursors`` in one transaction: ``None``. If the store refuses the rows for
        what they hold (:func:`~bot.store.base.rejects_data`), the batch is written in halves, without
        the cursors, down to the single messages it refuses, which are returned: one message no store
        can hold must not keep every other one out at each retry. Any other error is raised."""
        try:
            await self.repo.store_batch(batch, cursors)
        except Exception as error:
            if not batch or not rejects_data(error):
                raise
            return await self._bisect(batch)
        return None

    async def _bisect(self, refused: list[_Row]) -> list[_Row]:
        """Write the halves of a refused batch (each in its own transaction, no cursors); the messages
        refused alone."""
        if len(refused) == 1:
            return refused
        half = len(refused) // 2
        alone: list[_Row] = []
        for part in (refused[:half], refused[half:]):
            try:
                await self.repo.store_batch(part, [])
            except Exception as error:
                if not rejects_data(error):
                    raise
                alone += await self._bisect(part)
        return alone

    # ------------------------------------------------------------------------ edits and deletes

    async def edit(self, message_id: int, content: str, attachments: Sequence[str], edited_at: datetime | None) -> bool:
        """Apply an edit; returns whether a contribution (stored or pending) changed."""
        content = storable(content)
        async with self._write_lock:
            pending = self._pending.get(message_id)
            if pending is not None:
                self._pending[message_id] = (
                    *pending[:_CONTENT], content, _attachments_json(attachments), *pending[_ATTACHMENTS + 1:_EDITED],
                    iso(edited_at) if edited_at else pending[_EDITED], content.count(" "),
                )
                return True
            return await self._edit_stored(message_id, content, tuple(attachments), edited_at)

    async def _edit_stored(
        self, message_id: int, content: str, attachments: tuple[str, ...], edited_at: datetime | None
    ) -> bool:
        row = await self.repo.edit_context(message_id)
        if row is None:
            return False
        attachments_json = json.dumps(list(attachments))
        if row["content"] == content and row["attachments"] == attachments_json:
            return False
        if edited_at is not None and row["edited_at"] is not None and parse_iso(row["edited_at"]) > edited_at:  # type: ignore[operator]
            return False  # an older version (backfill read it before a newer live edit arrived)
        derived = derive(self.rules, tuple(row["languages"].split()), content, attachments)
        await self.repo.apply_edit(
            row, content, attachments_json, derived.language, iso(edited_at or self.clock()),
            derived.urls, derived.theme_keys, iso(self.clock()),
        )
        return True

    async def delete(self, message_ids: Iterable[int]) -> int:
        """Delete the contributions of these messages (tags, support, links, key points go with them)."""
        ids = list(message_ids)
        async with self._write_lock:
            removed = 0
            for mid in ids:
                if self._unqueue(mid) is not None:
                    removed += 1
            return removed + await self._delete_where("message_id", ids)

    async def _delete_where(self, column: str, values: Sequence[int], guild_id: int | None = None) -> int:
        """Delete contributions whose ``column`` is in ``values`` (caller holds the write lock)."""
        if not values:
            return 0
        return await self.repo.delete_where(column, values, guild_id)

    async def remove_author(self, user_id: int, guild_id: int | None = None) -> int:
        """Drop everything ``user_id`` contributed (in ``guild_id``, or everywhere), pending included."""
        async with self._write_lock:
            removed = 0
            for mid, p in list(self._pending.items()):
                if p[_AUTHOR] == user_id and (guild_id is None or p[_GUILD] == guild_id):
                    self._unqueue(mid)
                    removed += 1
            return removed + await self._delete_where("author_id", [user_id], guild_id)

    # ----------------------------------------------------------------------------- backfill

    async def backfill_targets(self) -> list[BackfillTarget]:
        """For each open dialogue's channel and question threads: where to start reading history.

        From the lower of the channel's cursor and its ``BACKFILL_RECHECK``-th most recent stored
        contribution, so that edits and deletions of recent messages made meanwhile are seen too.
        """
        await self.flush()
        targets = []
        for channel_id, place in self._places.items():
            cursor = await self.repo.cursor(channel_id)
            recheck = await self.repo.oldest_of_recent(channel_id, BACKFILL_RECHECK)
            candidates = [v for v in (cursor, recheck - 1 if recheck is not None else None) if v is not None]
            after = min(candidates) if candidates else None
            if after is None and place.question_id is None:
                after = await self._dialogue_start_floor(place.dialogue_id)
            targets.append(BackfillTarget(channel_id, place.dialogue_id, after))
        return targets

    async def closed_backfill_targets(self, since: datetime) -> list[ClosedTarget]:
        """Channels of dialogues closed at or after ``since`` whose cursor stops before the close: a kill
        right after the closing was recorded may have lost messages posted just before it."""
        await self.flush()
        targets = []
        for row in await self.repo.recently_closed_places(iso(since)):
            closed = parse_iso(row["closed_at"])
            assert closed is not None
            until = max(0, (int(closed.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) + (1 << 22) - 1
            languages = tuple(row["languages"].split()) or ("en",)
            places = []
            if row["channel_kind"] == "text":
                places.append((int(row["channel_id"]), Place(row["dialogue_id"], None, row["guild_id"], languages)))
            if row["thread_id"] is not None:
                places.append((int(row["thread_id"]),
                               Place(row["dialogue_id"], row["question_id"], row["guild_id"], languages)))
            for channel_id, place in places:
                cursor = await self.repo.cursor(channel_id)
                if cursor is not None and cursor >= until:
                    continue
                after = cursor if cursor is not None else (
                    await self._dialogue_start_floor(place.dialogue_id) if place.question_id is None else None
                )
                targets.append(ClosedTarget(channel_id, place, after, until))
        return targets

    async def store_missed(self, target: ClosedTarget, messages: Sequence[Incoming]) -> int:
        """Store the members' messages of a closed dialogue's channel that were posted before its close
        and are not stored yet (never edits or deletions: the dialogue is over). Returns how many."""
        stored = await self.repo.stored_message_ids(target.channel_id, target.after_message_id or 0)
        added = 0
        for msg in messages:
            if msg.message_id > target.until_message_id or msg.message_id in stored:
                continue
            if self.profiles.is_opted_out(msg.guild_id, msg.author_id) or msg.message_id in self._pending:
                continue
            self._waiting[msg.channel_id] = self._waiting.get(msg.channel_id, 0) + 1
            self._pending[msg.message_id] = _row(
                target.place, msg.message_id, msg.channel_id, msg.guild_id, msg.author_id, msg.author_name,
                msg.content, msg.attachments, iso(msg.created_at), iso(msg.edited_at) if msg.edited_at else None,
            )
            added += 1
        await self.flush()
        return added

    async def _dialogue_start_floor(self, dialogue_id: int) -> int | None:
        """In a dialogue's channel, nothing before the dialogue's opening post (or start) belongs to it."""
        row = await self.repo.dialogue_start(dialogue_id)
        if row is None:
            return None
        if row["opening_message_id"] is not None:
            return int(row["opening_message_id"]) - 1
        starts = parse_iso(row["starts_at"])
        assert starts is not None
        return max(0, (int(starts.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22)

    async def reconcile(self, channel_id: int, after_message_id: int | None, messages: Sequence[Incoming]) -> int:
        """Apply what the channel's history says after ``after_message_id``: store what was missed,
        update what was edited, delete what was deleted. ``messages`` are the members' messages in
        that range (bots and system messages already left out). Returns how many changed."""
        if self.place(channel_id) is None:
            return 0
        await self.flush()
        stored = await self.repo.stored_message_ids(channel_id, after_message_id or 0)
        changed = 0
        for msg in messages:
            if msg.message_id in stored:
                changed += await self.edit(msg.message_id, msg.content, msg.attachments, msg.edited_at)
            elif self.capture(msg):
                changed += 1
        present = {m.message_id for m in messages}
        gone = sorted(stored - present)
        if gone:
            changed += await self.delete(gone)
        await self.flush()
        return changed

    # ------------------------------------------------------------------------------- reading

    async def get_by_message(self, message_id: int) -> Contribution | None:
        if self.is_pending(message_id):
            await self.flush()
        row = await self.repo.by_message(message_id)
        return None if row is None else contribution_of(row)

    async def get(self, contribution_id: int) -> Contribution:
        row = await self.repo.by_id(contribution_id)
        if row is None:
            raise UserError(N_("That contribution no longer exists (its message was deleted)."))
        return contribution_of(row)

    async def require_by_message(self, message_id: int) -> Contribution:
        found = await self.get_by_message(message_id)
        if found is None:
            raise UserError(N_("That message is not a contribution to a dialogue."))
        return found

    async def counts(self, dialogue_id: int) -> Counts:
        """The dialogue's figures, every message received so far included. Callers at the same moment
        (ten moderators' ``/dialogue status``) share one computation, provided it began after every
        batch they need was written."""
        await self.flush()
        written = self._batches_written
        job = self._counting.get(dialogue_id)
        if job is None or job[0] < written or job[1].done():
            job = (written, asyncio.ensure_future(self._counts(dialogue_id)))
            self._counting[dialogue_id] = job
        return await asyncio.shield(job[1])

    async def _counts(self, dialogue_id: int) -> Counts:
        per_question, per_theme, row, support = await self.repo.counts(dialogue_id)
        return Counts(
            total=row["total"],
            per_question=per_question,
            per_theme=per_theme,
            participants=row["participants"],
            untagged=row["untagged"] or 0,
            suggested=row["suggested"] or 0,
            support=support or 0,
        )


def _row(place: Place, message_id: int, channel_id: int, guild_id: int, author_id: int, author_name: str,
         content: str, attachments: Sequence[str], created_at: str, edited_at: str | None) -> _Row:
    """A message's row as it came (texts made :func:`storable`). Its language is the dialogue's main
    one until :func:`_derive_rows` knows better."""
    content = storable(content)
    return (
        place.dialogue_id, place.question_id, guild_id, channel_id, message_id, author_id,
        storable(author_name), content, _attachments_json(attachments), place.languages[0],
        created_at, edited_at, content.count(" "),
    )


def _attachments_json(attachments: Sequence[str]) -> str:
    return json.dumps(list(attachments)) if attachments else "[]"


def _derive_rows(rules: KeywordRules, rows: Sequence[Row]) -> list[Derivation]:
    """What each stored text implies (runs in a worker thread)."""
    derivations = []
    for row in rows:
        attachments = json.loads(row["attachments"]) if row["attachments"] else []
        d = derive(rules, tuple(row["languages"].split()) or ("en",), row["content"], attachments)
        derivations.append(Derivation(
            row["id"], row["dialogue_id"], row["author_id"], row["created_at"], d.language, d.urls, d.theme_keys
        ))
    return derivations
