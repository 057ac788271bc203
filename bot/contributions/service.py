"""Contributions: the write path of members' messages in open dialogues, and reads over them.

The message hot path is synchronous and touches no database: :meth:`ContributionService.capture`
looks the channel up in an in-memory map of open dialogues' channels and threads, builds the row and
queues it in a write-behind batch. :meth:`ContributionService.flush` writes a batch with one
``executemany`` in one transaction (plus the links, suggestions and channel cursors it implies).
Edits and deletions of a message still in the batch are applied to the batch; every write to
contributions holds one lock, so an edit or delete never overtakes the insert it follows.

Reads (counts, queues, tagging) flush first, so they always see every message received so far;
tagging (:mod:`bot.contributions.tagging`) and key points (:mod:`bot.contributions.key_points`) read
through this service.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import Clock, iso, parse_iso
from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.derived import (
    Derived,
    chunks,
    derive,
    insert_links,
    insert_suggestions,
    marks,
    recredit,
    theme_keys_of,
)
from bot.contributions.model import Contribution, Incoming, Place, contribution_of
from bot.contributions.text import KeywordRules
from bot.errors import UserError
from bot.i18n import N_
from bot.store import Database, Executor

#: How many of a channel's most recent stored messages backfill re-reads to catch edits and deletions.
BACKFILL_RECHECK = 50
DISCORD_EPOCH_MS = 1420070400000


@dataclass(slots=True)
class _Pending:
    place: Place
    msg: Incoming


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


class ContributionService:
    """Captures, batches, edits and deletes contributions, backfills missed ones, and reads and counts them."""

    def __init__(self, db: Database, config: ContributionsConfig, clock: Clock, profiles: ProfileService) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.profiles = profiles
        self.rules = KeywordRules(config.keywords)
        #: channel or thread id → where it belongs, for open dialogues only.
        self._places: dict[int, Place] = {}
        self._pending: dict[int, _Pending] = {}
        #: channel id → (dialogue id, highest message id seen there) since the last flush.
        self._seen: dict[int, tuple[int, int]] = {}
        self._write_lock = asyncio.Lock()

    # ------------------------------------------------------------------ the map of open dialogues

    async def load(self) -> None:
        """Build the channel map and load the opt-out set (start-up)."""
        await self.profiles.opted_out_members()
        await self.rebuild_map()

    async def rebuild_map(self) -> None:
        rows = await self.db.fetchall(
            """SELECT d.id AS dialogue_id, d.guild_id, d.channel_id, d.channel_kind, d.languages,
                      q.id AS question_id, q.thread_id
               FROM dialogues d LEFT JOIN questions q ON q.dialogue_id = d.id AND q.thread_id IS NOT NULL
               WHERE d.state = 'open'"""
        )
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
        """The hot path: queue ``msg`` if it belongs to an open dialogue and its author takes part.

        Returns whether it was queued. No database access.
        """
        place = self._places.get(msg.channel_id)
        if place is None:
            return False
        seen = self._seen.get(msg.channel_id)
        if seen is None or msg.message_id > seen[1]:
            self._seen[msg.channel_id] = (place.dialogue_id, msg.message_id)
        if self.profiles.is_opted_out(msg.guild_id, msg.author_id):
            return False
        self._pending[msg.message_id] = _Pending(place, msg)
        return True

    @property
    def pending(self) -> int:
        return len(self._pending)

    def is_pending(self, message_id: int) -> bool:
        """Whether ``message_id`` waits in the batch (a read of it must flush first)."""
        return message_id in self._pending

    @property
    def batch_full(self) -> bool:
        return len(self._pending) >= self.config.batch_size

    async def flush(self) -> int:
        """Write the pending batch in one transaction; returns how many messages were written."""
        if not self._pending and not self._seen:
            return 0
        async with self._write_lock:
            return await self._flush_locked()

    async def _flush_locked(self) -> int:
        batch, seen = self._pending, self._seen
        if not batch and not seen:
            return 0
        self._pending, self._seen = {}, {}
        try:
            await self._write_batch(list(batch.values()), seen)
        except BaseException:
            # Nothing is lost: the batch goes back in front of whatever arrived meanwhile.
            self._pending = {**batch, **self._pending}
            for channel_id, value in seen.items():
                current = self._seen.get(channel_id)
                if current is None or current[1] < value[1]:
                    self._seen[channel_id] = value
            raise
        return len(batch)

    async def _write_batch(self, batch: list[_Pending], seen: dict[int, tuple[int, int]]) -> None:
        derived = [derive(self.rules, p.place.languages, p.msg.content, p.msg.attachments) for p in batch]
        rows = [
            (
                p.place.dialogue_id,
                p.place.question_id,
                p.msg.guild_id,
                p.msg.channel_id,
                p.msg.message_id,
                p.msg.author_id,
                p.msg.author_name,
                p.msg.content,
                json.dumps(list(p.msg.attachments)),
                d.language,
                iso(p.msg.created_at),
                iso(p.msg.edited_at) if p.msg.edited_at else None,
            )
            for p, d in zip(batch, derived, strict=True)
        ]
        needs_ids = [i for i, d in enumerate(derived) if d.urls or d.theme_keys]
        async with self.db.transaction() as conn:
            await conn.executemany(
                """INSERT INTO contributions (dialogue_id, question_id, guild_id, channel_id, message_id,
                       author_id, author_name, content, attachments, language, created_at, edited_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (message_id) DO NOTHING""",
                rows,
            )
            if needs_ids:
                await self._write_derived(conn, [batch[i] for i in needs_ids], [derived[i] for i in needs_ids])
            if seen:
                await conn.executemany(
                    """INSERT INTO channel_cursors (channel_id, dialogue_id, last_message_id) VALUES (?, ?, ?)
                       ON CONFLICT (channel_id) DO UPDATE
                       SET last_message_id = max(last_message_id, excluded.last_message_id)""",
                    [(channel, dialogue, last) for channel, (dialogue, last) in seen.items()],
                )

    async def _write_derived(self, conn: Executor, batch: list[_Pending], derived: list[Derived]) -> None:
        message_ids = [p.msg.message_id for p in batch]
        ids: dict[int, int] = {}
        for chunk in chunks(message_ids):
            sql = f"SELECT id, message_id FROM contributions WHERE message_id IN ({marks(len(chunk))})"  # noqa: S608
            ids.update({r["message_id"]: r["id"] for r in await conn.fetchall(sql, tuple(chunk))})
        themes = await theme_keys_of(conn, {p.place.dialogue_id for p in batch})
        now = iso(self.clock())
        links, tags = [], []
        for p, d in zip(batch, derived, strict=True):
            cid = ids.get(p.msg.message_id)
            if cid is None:
                continue
            links += [(p.place.dialogue_id, url, cid, p.msg.author_id, iso(p.msg.created_at)) for url in d.urls]
            keys = themes.get(p.place.dialogue_id, {})
            tags += [(cid, keys[k], now) for k in d.theme_keys if k in keys]
        await insert_links(conn, links)
        await insert_suggestions(conn, tags)

    # ------------------------------------------------------------------------ edits and deletes

    async def edit(self, message_id: int, content: str, attachments: Sequence[str], edited_at: datetime | None) -> bool:
        """Apply an edit; returns whether a contribution (stored or pending) changed."""
        async with self._write_lock:
            pending = self._pending.get(message_id)
            if pending is not None:
                pending.msg.content = content
                pending.msg.attachments = tuple(attachments)
                pending.msg.edited_at = edited_at
                return True
            return await self._edit_stored(message_id, content, tuple(attachments), edited_at)

    async def _edit_stored(
        self, message_id: int, content: str, attachments: tuple[str, ...], edited_at: datetime | None
    ) -> bool:
        row = await self.db.fetchone(
            """SELECT c.id, c.dialogue_id, c.question_id, c.guild_id, c.content, c.attachments, c.author_id,
                      c.created_at, c.edited_at, d.languages
               FROM contributions c JOIN dialogues d ON d.id = c.dialogue_id WHERE c.message_id = ?""",
            (message_id,),
        )
        if row is None:
            return False
        attachments_json = json.dumps(list(attachments))
        if row["content"] == content and row["attachments"] == attachments_json:
            return False
        if edited_at is not None and row["edited_at"] is not None and parse_iso(row["edited_at"]) > edited_at:  # type: ignore[operator]
            return False  # an older version (backfill read it before a newer live edit arrived)
        derived = derive(self.rules, tuple(row["languages"].split()), content, attachments)
        cid, now = row["id"], iso(self.clock())
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE contributions SET content = ?, attachments = ?, language = ?, edited_at = ? WHERE id = ?",
                (content, attachments_json, derived.language, iso(edited_at or self.clock()), cid),
            )
            old_urls = {
                r["url"] for r in await conn.fetchall("SELECT url FROM links WHERE contribution_id = ?", (cid,))
            }
            gone = old_urls - set(derived.urls)
            if gone:
                await conn.executemany(
                    "DELETE FROM links WHERE contribution_id = ? AND url = ?", [(cid, u) for u in gone]
                )
            await insert_links(
                conn, [(row["dialogue_id"], u, cid, row["author_id"], row["created_at"]) for u in derived.urls]
            )
            await recredit(conn, row["dialogue_id"], gone)
            await conn.execute(
                "DELETE FROM contribution_tags WHERE contribution_id = ? AND status = 'suggested'", (cid,)
            )
            keys = (await theme_keys_of(conn, {row["dialogue_id"]})).get(row["dialogue_id"], {})
            await insert_suggestions(conn, [(cid, keys[k], now) for k in derived.theme_keys if k in keys])
        return True

    async def delete(self, message_ids: Iterable[int]) -> int:
        """Delete the contributions of these messages (tags, support, links, key points go with them)."""
        ids = list(message_ids)
        async with self._write_lock:
            removed = 0
            for mid in ids:
                if self._pending.pop(mid, None) is not None:
                    removed += 1
            return removed + await self._delete_where("message_id", ids)

    async def _delete_where(self, column: str, values: Sequence[int], guild_id: int | None = None) -> int:
        """Delete contributions whose ``column`` is in ``values`` (caller holds the write lock)."""
        if not values:
            return 0
        assert column in ("message_id", "author_id", "id")
        removed = 0
        async with self.db.transaction() as conn:
            for chunk in chunks(list(values)):
                where = f"{column} IN ({marks(len(chunk))})"
                params: tuple[Any, ...] = tuple(chunk)
                if guild_id is not None:
                    where += " AND guild_id = ?"
                    params += (guild_id,)
                sql = f"""SELECT l.dialogue_id, l.url FROM links l JOIN contributions c ON c.id = l.contribution_id
                          WHERE c.{where}"""  # noqa: S608
                lost = [(r["dialogue_id"], r["url"]) for r in await conn.fetchall(sql, params)]
                done = await conn.execute(f"DELETE FROM contributions WHERE {where}", params)  # noqa: S608
                removed += done.rowcount
                for dialogue_id, url in lost:
                    await recredit(conn, dialogue_id, {url})
        return removed

    async def remove_author(self, user_id: int, guild_id: int | None = None) -> int:
        """Drop everything ``user_id`` contributed (in ``guild_id``, or everywhere), pending included."""
        async with self._write_lock:
            removed = 0
            for mid, p in list(self._pending.items()):
                if p.msg.author_id == user_id and (guild_id is None or p.msg.guild_id == guild_id):
                    del self._pending[mid]
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
            cursor = await self.db.fetchval(
                "SELECT last_message_id FROM channel_cursors WHERE channel_id = ?", (channel_id,)
            )
            recheck = await self.db.fetchval(
                """SELECT min(message_id) FROM (SELECT message_id FROM contributions WHERE channel_id = ?
                   ORDER BY message_id DESC LIMIT ?)""",
                (channel_id, BACKFILL_RECHECK),
            )
            candidates = [v for v in (cursor, recheck - 1 if recheck is not None else None) if v is not None]
            after = min(candidates) if candidates else None
            if after is None and place.question_id is None:
                after = await self._dialogue_start_floor(place.dialogue_id)
            targets.append(BackfillTarget(channel_id, place.dialogue_id, after))
        return targets

    async def _dialogue_start_floor(self, dialogue_id: int) -> int | None:
        """In a dialogue's channel, nothing before the dialogue's opening post (or start) belongs to it."""
        row = await self.db.fetchone("SELECT opening_message_id, starts_at FROM dialogues WHERE id = ?", (dialogue_id,))
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
        rows = await self.db.fetchall(
            "SELECT message_id FROM contributions WHERE channel_id = ? AND message_id > ?",
            (channel_id, after_message_id or 0),
        )
        stored = {r["message_id"] for r in rows}
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
        row = await self.db.fetchone("SELECT * FROM contributions WHERE message_id = ?", (message_id,))
        return None if row is None else contribution_of(row)

    async def get(self, contribution_id: int) -> Contribution:
        row = await self.db.fetchone("SELECT * FROM contributions WHERE id = ?", (contribution_id,))
        if row is None:
            raise UserError(N_("That contribution no longer exists (its message was deleted)."))
        return contribution_of(row)

    async def require_by_message(self, message_id: int) -> Contribution:
        found = await self.get_by_message(message_id)
        if found is None:
            raise UserError(N_("That message is not a contribution to a dialogue."))
        return found

    async def counts(self, dialogue_id: int) -> Counts:
        await self.flush()
        per_question = {
            r["question_id"]: r["n"]
            for r in await self.db.fetchall(
                "SELECT question_id, count(*) AS n FROM contributions WHERE dialogue_id = ? GROUP BY question_id",
                (dialogue_id,),
            )
        }
        per_theme = {
            r["theme_id"]: r["n"]
            for r in await self.db.fetchall(
                """SELECT t.theme_id, count(*) AS n FROM contribution_tags t
                   JOIN contributions c ON c.id = t.contribution_id
                   WHERE c.dialogue_id = ? AND t.status = 'confirmed' GROUP BY t.theme_id""",
                (dialogue_id,),
            )
        }
        row = await self.db.fetchone(
            """SELECT count(*) AS total, count(DISTINCT author_id) AS participants,
                      sum(NOT EXISTS (SELECT 1 FROM contribution_tags t
                                      WHERE t.contribution_id = c.id AND t.status = 'confirmed')) AS untagged,
                      sum(EXISTS (SELECT 1 FROM contribution_tags t
                                  WHERE t.contribution_id = c.id AND t.status = 'suggested')) AS suggested
               FROM contributions c WHERE c.dialogue_id = ?""",
            (dialogue_id,),
        )
        support = await self.db.fetchval(
            """SELECT count(*) FROM contribution_support s JOIN contributions c ON c.id = s.contribution_id
               WHERE c.dialogue_id = ?""",
            (dialogue_id,),
        )
        assert row is not None
        return Counts(
            total=row["total"],
            per_question=per_question,
            per_theme=per_theme,
            participants=row["participants"],
            untagged=row["untagged"] or 0,
            suggested=row["suggested"] or 0,
            support=support or 0,
        )
