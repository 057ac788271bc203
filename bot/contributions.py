"""Contributions: members' messages in open dialogues, their tags, support, links and key points.

The message hot path is synchronous and touches no database: :meth:`ContributionService.capture`
looks the channel up in an in-memory map of open dialogues' channels and threads, builds the row and
queues it in a write-behind batch. :meth:`ContributionService.flush` writes a batch with one
``executemany`` in one transaction (plus the links, suggestions and channel cursors it implies).
Edits and deletions of a message still in the batch are applied to the batch; every write to
contributions holds one lock, so an edit or delete never overtakes the insert it follows.

Reads (counts, queues, tagging) flush first, so they always see every message received so far.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.clock import Clock, iso, parse_iso
from bot.config import ContributionsConfig
from bot.contribution_text import KeywordRules, detect_language, extract_urls
from bot.errors import UserError
from bot.i18n import N_
from bot.profiles import ProfileService
from bot.store import Database

#: How many of a channel's most recent stored messages backfill re-reads to catch edits and deletions.
BACKFILL_RECHECK = 50
MAX_KEY_POINT = 1000
DISCORD_EPOCH_MS = 1420070400000
_SQL_CHUNK = 500

@dataclass(frozen=True)
class Place:
    """Where a channel or thread belongs: a dialogue, and a question unless it is the dialogue's channel."""

    dialogue_id: int
    question_id: int | None
    guild_id: int
    languages: tuple[str, ...]


@dataclass(slots=True)
class Incoming:
    """A member's message as the cog hands it over (plain values, no discord objects)."""

    message_id: int
    channel_id: int
    guild_id: int
    author_id: int
    author_name: str
    content: str
    attachments: tuple[str, ...]
    created_at: datetime
    edited_at: datetime | None = None


@dataclass(slots=True)
class _Pending:
    place: Place
    msg: Incoming


@dataclass(frozen=True)
class Contribution:
    id: int
    dialogue_id: int
    question_id: int | None
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    author_name: str
    content: str
    attachments: tuple[str, ...]
    language: str | None
    created_at: datetime
    edited_at: datetime | None
    is_key_point: bool


@dataclass(frozen=True)
class ThemeRef:
    id: int
    key: str
    name: str
    emoji: str | None
    position: int


@dataclass(frozen=True)
class Tag:
    theme_id: int
    source: str
    status: str
    tagged_by: int | None


@dataclass(frozen=True)
class QueueItem:
    contribution: Contribution
    question_position: int | None
    suggested: tuple[int, ...]  # theme ids suggested by keyword rules, awaiting a moderator


@dataclass(frozen=True)
class UntaggedPage:
    total: int
    item: QueueItem | None


@dataclass(frozen=True)
class KeyPoint:
    id: int
    dialogue_id: int
    question_id: int | None
    question_position: int | None
    text: str
    source: str
    contribution_id: int | None
    created_at: datetime


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
    channel_id: int
    dialogue_id: int
    after_message_id: int | None  # read history after this id (None: from the beginning)


ReactionOutcome = Literal["tag", "self", "support"]


# ------------------------------------------------------------------------------------------ service


def _contribution(row: Any) -> Contribution:
    return Contribution(
        id=row["id"],
        dialogue_id=row["dialogue_id"],
        question_id=row["question_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        content=row["content"],
        attachments=tuple(json.loads(row["attachments"])),
        language=row["language"],
        created_at=parse_iso(row["created_at"]),  # type: ignore[arg-type]
        edited_at=parse_iso(row["edited_at"]),
        is_key_point=bool(row["is_key_point"]),
    )


def _chunks(values: Sequence[Any], size: int = _SQL_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


@dataclass
class _Derived:
    language: str
    urls: list[str]
    theme_keys: set[str] = field(default_factory=set)


class ContributionService:
    def __init__(
        self, db: Database, config: ContributionsConfig, clock: Clock, profiles: ProfileService
    ) -> None:
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
                places[row["thread_id"]] = Place(
                    row["dialogue_id"], row["question_id"], row["guild_id"], languages
                )
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

    @property
    def batch_full(self) -> bool:
        return len(self._pending) >= self.config.batch_size

    def _derive(self, place: Place, msg: Incoming) -> _Derived:
        language, keys = detect_language(self.rules, place.languages, msg.content)
        urls = extract_urls(msg.content)
        urls += [u for u in msg.attachments if u not in urls]
        return _Derived(language, urls, keys)

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
        derived = [self._derive(p.place, p.msg) for p in batch]
        rows = [
            (
                p.place.dialogue_id, p.place.question_id, p.msg.guild_id, p.msg.channel_id, p.msg.message_id,
                p.msg.author_id, p.msg.author_name, p.msg.content, json.dumps(list(p.msg.attachments)),
                d.language, iso(p.msg.created_at), iso(p.msg.edited_at) if p.msg.edited_at else None,
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

    async def _write_derived(self, conn: Any, batch: list[_Pending], derived: list[_Derived]) -> None:
        message_ids = [p.msg.message_id for p in batch]
        ids: dict[int, int] = {}
        for chunk in _chunks(message_ids):
            sql = f"SELECT id, message_id FROM contributions WHERE message_id IN ({_marks(len(chunk))})"  # noqa: S608
            async with conn.execute(sql, tuple(chunk)) as cur:
                ids.update({r["message_id"]: r["id"] for r in await cur.fetchall()})
        themes = await self._theme_keys_of(conn, {p.place.dialogue_id for p in batch})
        now = iso(self.clock())
        links, tags = [], []
        for p, d in zip(batch, derived, strict=True):
            cid = ids.get(p.msg.message_id)
            if cid is None:
                continue
            links += [(p.place.dialogue_id, url, cid, p.msg.author_id, iso(p.msg.created_at)) for url in d.urls]
            keys = themes.get(p.place.dialogue_id, {})
            tags += [(cid, keys[k], now) for k in d.theme_keys if k in keys]
        await self._insert_links(conn, links)
        await self._insert_suggestions(conn, tags)

    @staticmethod
    async def _theme_keys_of(conn: Any, dialogue_ids: set[int]) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = defaultdict(dict)
        ids = sorted(dialogue_ids)
        for chunk in _chunks(ids):
            sql = f"SELECT id, dialogue_id, key FROM themes WHERE dialogue_id IN ({_marks(len(chunk))})"  # noqa: S608
            async with conn.execute(sql, tuple(chunk)) as cur:
                for row in await cur.fetchall():
                    found[row["dialogue_id"]][row["key"]] = row["id"]
        return found

    @staticmethod
    async def _insert_links(conn: Any, links: list[tuple[Any, ...]]) -> None:
        if links:
            await conn.executemany(
                """INSERT INTO links (dialogue_id, url, contribution_id, shared_by, shared_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (dialogue_id, url) DO NOTHING""",
                links,
            )

    @staticmethod
    async def _insert_suggestions(conn: Any, tags: list[tuple[Any, ...]]) -> None:
        if tags:
            await conn.executemany(
                """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
                   VALUES (?, ?, 'suggestion', 'suggested', NULL, ?)
                   ON CONFLICT (contribution_id, theme_id) DO NOTHING""",
                tags,
            )

    # ------------------------------------------------------------------------ edits and deletes

    async def edit(
        self, message_id: int, content: str, attachments: Sequence[str], edited_at: datetime | None
    ) -> bool:
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
        place = Place(row["dialogue_id"], row["question_id"], row["guild_id"], tuple(row["languages"].split()))
        derived = self._derive(place, Incoming(message_id, 0, 0, 0, "", content, attachments, self.clock()))
        cid, now = row["id"], iso(self.clock())
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE contributions SET content = ?, attachments = ?, language = ?, edited_at = ? WHERE id = ?",
                (content, attachments_json, derived.language, iso(edited_at or self.clock()), cid),
            )
            async with conn.execute("SELECT url FROM links WHERE contribution_id = ?", (cid,)) as cur:
                old_urls = {r["url"] for r in await cur.fetchall()}
            gone = old_urls - set(derived.urls)
            if gone:
                await conn.executemany(
                    "DELETE FROM links WHERE contribution_id = ? AND url = ?", [(cid, u) for u in gone]
                )
            await self._insert_links(
                conn, [(row["dialogue_id"], u, cid, row["author_id"], row["created_at"]) for u in derived.urls]
            )
            await self._recredit(conn, row["dialogue_id"], gone)
            await conn.execute(
                "DELETE FROM contribution_tags WHERE contribution_id = ? AND status = 'suggested'", (cid,)
            )
            keys = (await self._theme_keys_of(conn, {row["dialogue_id"]})).get(row["dialogue_id"], {})
            await self._insert_suggestions(conn, [(cid, keys[k], now) for k in derived.theme_keys if k in keys])
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
            for chunk in _chunks(list(values)):
                where = f"{column} IN ({_marks(len(chunk))})"
                params: tuple[Any, ...] = tuple(chunk)
                if guild_id is not None:
                    where += " AND guild_id = ?"
                    params += (guild_id,)
                sql = f"""SELECT l.dialogue_id, l.url FROM links l JOIN contributions c ON c.id = l.contribution_id
                          WHERE c.{where}"""  # noqa: S608
                async with conn.execute(sql, params) as cur:
                    lost = [(r["dialogue_id"], r["url"]) for r in await cur.fetchall()]
                async with conn.execute(f"DELETE FROM contributions WHERE {where}", params) as cur:  # noqa: S608
                    removed += cur.rowcount
                for dialogue_id, url in lost:
                    await self._recredit(conn, dialogue_id, {url})
        return removed

    async def _recredit(self, conn: Any, dialogue_id: int, urls: Iterable[str]) -> None:
        """A link whose first sharer's message is gone is credited to the next one who shared it."""
        for url in urls:
            async with conn.execute(
                """SELECT id, author_id, created_at FROM contributions
                   WHERE dialogue_id = ? AND (instr(content, ?) > 0 OR instr(attachments, ?) > 0)
                   ORDER BY message_id LIMIT 1""",
                (dialogue_id, url, json.dumps(url)),
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                await self._insert_links(conn, [(dialogue_id, url, row["id"], row["author_id"], row["created_at"])])

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
        if message_id in self._pending:
            await self.flush()
        row = await self.db.fetchone("SELECT * FROM contributions WHERE message_id = ?", (message_id,))
        return None if row is None else _contribution(row)

    async def get(self, contribution_id: int) -> Contribution:
        row = await self.db.fetchone("SELECT * FROM contributions WHERE id = ?", (contribution_id,))
        if row is None:
            raise UserError(N_("That contribution no longer exists (its message was deleted)."))
        return _contribution(row)

    async def require_by_message(self, message_id: int) -> Contribution:
        found = await self.get_by_message(message_id)
        if found is None:
            raise UserError(N_("That message is not a contribution to a dialogue."))
        return found

    async def themes(self, dialogue_id: int) -> list[ThemeRef]:
        rows = await self.db.fetchall(
            "SELECT id, key, name, emoji, position FROM themes WHERE dialogue_id = ? ORDER BY position, id",
            (dialogue_id,),
        )
        return [ThemeRef(r["id"], r["key"], r["name"], r["emoji"], r["position"]) for r in rows]

    async def tags(self, contribution_id: int) -> list[Tag]:
        rows = await self.db.fetchall(
            "SELECT theme_id, source, status, tagged_by FROM contribution_tags WHERE contribution_id = ?",
            (contribution_id,),
        )
        return [Tag(r["theme_id"], r["source"], r["status"], r["tagged_by"]) for r in rows]

    async def support(self, contribution_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT count(DISTINCT user_id) FROM contribution_support WHERE contribution_id = ?",
                (contribution_id,),
            )
        )

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

    # ------------------------------------------------------------------------------- tagging

    async def _theme_of(self, dialogue_id: int, theme_id: int) -> ThemeRef:
        for theme in await self.themes(dialogue_id):
            if theme.id == theme_id:
                return theme
        raise UserError(N_("That theme is not one of this dialogue's themes."))

    async def set_tags(self, contribution_id: int, theme_ids: Iterable[int], moderator_id: int) -> list[Tag]:
        """A moderator's choice of themes (the **Tag contribution** menu): the chosen themes become
        confirmed tags; other confirmed tags are removed and pending suggestions are rejected."""
        contribution = await self.get(contribution_id)
        wanted = set(theme_ids)
        known = {t.id for t in await self.themes(contribution.dialogue_id)}
        if wanted - known:
            raise UserError(N_("That theme is not one of this dialogue's themes."))
        now = iso(self.clock())
        async with self.db.transaction() as conn:
            for theme_id in wanted:
                await conn.execute(
                    """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
                       VALUES (?, ?, 'moderator', 'confirmed', ?, ?)
                       ON CONFLICT (contribution_id, theme_id) DO UPDATE
                       SET source = 'moderator', status = 'confirmed', tagged_by = excluded.tagged_by,
                           created_at = excluded.created_at
                       WHERE status != 'confirmed'""",
                    (contribution_id, theme_id, moderator_id, now),
                )
            others = sorted(known - wanted)
            if others:
                marks = _marks(len(others))
                await conn.execute(
                    f"""DELETE FROM contribution_tags WHERE contribution_id = ? AND status = 'confirmed'
                        AND theme_id IN ({marks})""",  # noqa: S608
                    (contribution_id, *others),
                )
                await conn.execute(
                    f"""UPDATE contribution_tags SET status = 'rejected', tagged_by = ?
                        WHERE contribution_id = ? AND status = 'suggested' AND theme_id IN ({marks})""",  # noqa: S608
                    (moderator_id, contribution_id, *others),
                )
        return await self.tags(contribution_id)

    async def add_tag(self, contribution_id: int, theme_id: int, moderator_id: int) -> None:
        """A moderator confirms one theme (a button in the untagged queue)."""
        contribution = await self.get(contribution_id)
        await self._theme_of(contribution.dialogue_id, theme_id)
        await self.db.execute(
            """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
               VALUES (?, ?, 'moderator', 'confirmed', ?, ?)
               ON CONFLICT (contribution_id, theme_id) DO UPDATE
               SET source = 'moderator', status = 'confirmed', tagged_by = excluded.tagged_by
               WHERE status != 'confirmed'""",
            (contribution_id, theme_id, moderator_id, iso(self.clock())),
        )

    async def reject_suggestions(self, contribution_id: int, moderator_id: int) -> int:
        await self.get(contribution_id)
        done = await self.db.execute(
            """UPDATE contribution_tags SET status = 'rejected', tagged_by = ?
               WHERE contribution_id = ? AND status = 'suggested'""",
            (moderator_id, contribution_id),
        )
        return done.rowcount

    async def _reaction_context(self, message_id: int, emoji: str) -> tuple[Any, int] | None:
        if message_id in self._pending:
            await self.flush()
        row = await self.db.fetchone(
            "SELECT id, dialogue_id, guild_id, author_id FROM contributions WHERE message_id = ?", (message_id,)
        )
        if row is None:
            return None
        theme_id = await self.db.fetchval(
            "SELECT id FROM themes WHERE dialogue_id = ? AND emoji = ? ORDER BY position LIMIT 1",
            (row["dialogue_id"], emoji),
        )
        return None if theme_id is None else (row, theme_id)

    async def react(self, message_id: int, emoji: str, user_id: int, *, moderator: bool) -> ReactionOutcome | None:
        """A reaction with a theme's emoji: a moderator's tags, the author's self-tags, anyone else's
        counts as support. Other reactions (and other messages) are ignored."""
        found = await self._reaction_context(message_id, emoji)
        if found is None:
            return None
        row, theme_id = found
        if self.profiles.is_opted_out(row["guild_id"], user_id):
            return None
        now = iso(self.clock())
        if moderator or user_id == row["author_id"]:
            source: ReactionOutcome = "tag" if moderator else "self"
            await self.db.execute(
                """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
                   VALUES (?, ?, ?, 'confirmed', ?, ?)
                   ON CONFLICT (contribution_id, theme_id) DO UPDATE
                   SET source = excluded.source, status = 'confirmed', tagged_by = excluded.tagged_by
                   WHERE status = 'suggested' OR (status = 'rejected' AND excluded.source = 'reaction')""",
                (row["id"], theme_id, "reaction" if moderator else "self", user_id, now),
            )
            return source
        await self.db.execute(
            "INSERT OR IGNORE INTO contribution_support (contribution_id, user_id, emoji) VALUES (?, ?, ?)",
            (row["id"], user_id, emoji),
        )
        return "support"

    async def unreact(self, message_id: int, emoji: str, user_id: int) -> bool:
        """Removing a reaction removes what it added (a reaction tag, a self-tag, or support)."""
        found = await self._reaction_context(message_id, emoji)
        if found is None:
            return False
        row, theme_id = found
        async with self.db.transaction() as conn:
            async with conn.execute(
                """DELETE FROM contribution_tags WHERE contribution_id = ? AND theme_id = ? AND tagged_by = ?
                   AND source IN ('reaction', 'self')""",
                (row["id"], theme_id, user_id),
            ) as cur:
                tags = cur.rowcount
            async with conn.execute(
                "DELETE FROM contribution_support WHERE contribution_id = ? AND user_id = ? AND emoji = ?",
                (row["id"], user_id, emoji),
            ) as cur:
                support = cur.rowcount
        return bool(tags or support)

    async def untagged(self, dialogue_id: int, after_id: int = 0) -> UntaggedPage:
        """The triage queue: how many contributions have no confirmed theme, and the next one after
        ``after_id`` (wrapping round to the first)."""
        await self.flush()
        untagged = """FROM contributions c WHERE c.dialogue_id = ? AND NOT EXISTS (
                          SELECT 1 FROM contribution_tags t
                          WHERE t.contribution_id = c.id AND t.status = 'confirmed')"""
        total = await self.db.fetchval(f"SELECT count(*) {untagged}", (dialogue_id,))
        row = await self.db.fetchone(
            f"SELECT c.* {untagged} AND c.id > ? ORDER BY c.id LIMIT 1", (dialogue_id, after_id)
        )
        if row is None and after_id:
            row = await self.db.fetchone(f"SELECT c.* {untagged} ORDER BY c.id LIMIT 1", (dialogue_id,))
        if row is None:
            return UntaggedPage(int(total or 0), None)
        contribution = _contribution(row)
        position = None
        if contribution.question_id is not None:
            position = await self.db.fetchval(
                "SELECT position FROM questions WHERE id = ?", (contribution.question_id,)
            )
        suggested = await self.db.fetchall(
            """SELECT t.theme_id FROM contribution_tags t JOIN themes th ON th.id = t.theme_id
               WHERE t.contribution_id = ? AND t.status = 'suggested' ORDER BY th.position""",
            (contribution.id,),
        )
        item = QueueItem(contribution, position, tuple(r["theme_id"] for r in suggested))
        return UntaggedPage(int(total), item)

    # ---------------------------------------------------------------------------- key points

    async def mark_key_point(self, message_id: int, moderator_id: int) -> KeyPoint:
        contribution = await self.require_by_message(message_id)
        if contribution.is_key_point:
            raise UserError(N_("That contribution is already a key point."))
        text = contribution.content.strip() or "\n".join(contribution.attachments)
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE contributions SET is_key_point = 1 WHERE id = ?", (contribution.id,))
            async with conn.execute(
                """INSERT INTO key_points (dialogue_id, question_id, text, contribution_id, source, created_by,
                       created_at) VALUES (?, ?, ?, ?, 'marked', ?, ?)""",
                (contribution.dialogue_id, contribution.question_id, text, contribution.id, moderator_id,
                 iso(self.clock())),
            ) as cur:
                key_point_id = cur.lastrowid
        return await self._key_point(key_point_id)

    async def add_key_point(self, dialogue_id: int, question: int, text: str, moderator_id: int) -> KeyPoint:
        """A moderator's synthesized key point for guiding question number ``question``."""
        problems = []
        text = text.strip()
        if not text:
            problems.append(UserError(N_("A key point needs some text.")))
        elif len(text) > MAX_KEY_POINT:
            problems.append(UserError(N_("A key point can be at most {n} characters."), n=MAX_KEY_POINT))
        question_id = await self.db.fetchval(
            "SELECT id FROM questions WHERE dialogue_id = ? AND position = ?", (dialogue_id, question)
        )
        if question_id is None:
            problems.append(UserError(N_("This dialogue has no question number {number}."), number=question))
        if problems:
            raise UserError.many(problems)
        done = await self.db.execute(
            """INSERT INTO key_points (dialogue_id, question_id, text, contribution_id, source, created_by, created_at)
               VALUES (?, ?, ?, NULL, 'moderator', ?, ?)""",
            (dialogue_id, question_id, text, moderator_id, iso(self.clock())),
        )
        assert done.lastrowid is not None
        return await self._key_point(done.lastrowid)

    async def _key_point(self, key_point_id: int | None) -> KeyPoint:
        rows = await self._key_point_rows("k.id = ?", (key_point_id,))
        return rows[0]

    async def key_points(self, dialogue_id: int) -> list[KeyPoint]:
        return await self._key_point_rows("k.dialogue_id = ?", (dialogue_id,))

    async def _key_point_rows(self, where: str, params: tuple[Any, ...]) -> list[KeyPoint]:
        rows = await self.db.fetchall(
            f"""SELECT k.*, q.position FROM key_points k LEFT JOIN questions q ON q.id = k.question_id
                WHERE {where} ORDER BY q.position IS NULL, q.position, k.id""",  # noqa: S608
            params,
        )
        return [
            KeyPoint(
                id=r["id"], dialogue_id=r["dialogue_id"], question_id=r["question_id"], question_position=r["position"],
                text=r["text"], source=r["source"], contribution_id=r["contribution_id"],
                created_at=parse_iso(r["created_at"]),  # type: ignore[arg-type]
            )
            for r in rows
        ]
