"""The contributions feature's SQL: the write path, edits and deletes, backfill, reads and counts,
tagging, support and key points.

Portable SQL (SQLite and PostgreSQL); where the dialects differ (a substring search) the repository
branches on ``db.dialect``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.store.base import BatchWriter, Database, Executor, Row

_SQL_CHUNK = 500


def chunks(values: Sequence[Any], size: int = _SQL_CHUNK) -> Iterable[Sequence[Any]]:
    """``values`` in slices small enough for one ``IN (...)`` list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def marks(n: int) -> str:
    return ",".join("?" * n)


def _no_nul(value: Any) -> Any:
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _values(n: int, row: str) -> str:
    """``n`` rows of placeholders for a ``VALUES`` list (its columns are ``column1``… in both dialects)."""
    return ", ".join([f"({row})"] * n)


@dataclass(frozen=True, slots=True)
class Derivation:
    """What a stored contribution's text implies: its language, the links it shares, the themes its
    keywords suggest (:func:`bot.contributions.derived.derive`)."""

    contribution_id: int
    dialogue_id: int
    author_id: int
    created_at: str
    language: str
    urls: Sequence[str]
    theme_keys: Iterable[str]


#: A message as it came: ``derived = 0`` until :meth:`ContributionRepository.store_derived`.
_INSERT_CONTRIBUTION = """
INSERT INTO contributions (dialogue_id, question_id, guild_id, channel_id, message_id,
    author_id, author_name, content, attachments, language, created_at, edited_at, space_count, derived)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
ON CONFLICT (message_id) DO NOTHING"""

_UPSERT_CURSOR = """
INSERT INTO channel_cursors (channel_id, dialogue_id, last_message_id) VALUES (?, ?, ?)
ON CONFLICT (channel_id) DO UPDATE
SET last_message_id = CASE WHEN excluded.last_message_id > channel_cursors.last_message_id
                           THEN excluded.last_message_id ELSE channel_cursors.last_message_id END"""

_INSERT_LINK = """
INSERT INTO links (dialogue_id, url, contribution_id, shared_by, shared_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (dialogue_id, url) DO NOTHING"""

_INSERT_SUGGESTION = """
INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
SELECT ?, th.id, 'suggestion', 'suggested', NULL, ? FROM themes th WHERE th.dialogue_id = ? AND th.key = ?
ON CONFLICT (contribution_id, theme_id) DO NOTHING"""

_CONFIRM_TAG = """
INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
VALUES (?, ?, 'moderator', 'confirmed', ?, ?)
ON CONFLICT (contribution_id, theme_id) DO UPDATE
SET source = 'moderator', status = 'confirmed', tagged_by = excluded.tagged_by{extra}
WHERE contribution_tags.status != 'confirmed'"""

_UNTAGGED = """FROM contributions c WHERE c.dialogue_id = ? AND NOT EXISTS (
                   SELECT 1 FROM contribution_tags t
                   WHERE t.contribution_id = c.id AND t.status = 'confirmed')"""


class ContributionRepository:
    """Every statement of :mod:`bot.contributions` (the write path, tagging, key points)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the map of open dialogues -------------------------------------------------------------------

    async def open_places(self) -> list[Row]:
        """Open dialogues with their channel and the threads of their posted questions."""
        return await self.db.fetchall(
            """SELECT d.id AS dialogue_id, d.guild_id, d.channel_id, d.channel_kind, d.languages,
                      q.id AS question_id, q.thread_id
               FROM dialogues d LEFT JOIN questions q ON q.dialogue_id = d.id AND q.thread_id IS NOT NULL
               WHERE d.state = 'open'"""
        )

    async def recently_closed_places(self, since: str) -> list[Row]:
        """Dialogues closed at or after ``since``, with their channel, question threads and close time
        (start-up backfill reads what was posted before each close and not stored)."""
        return await self.db.fetchall(
            """SELECT d.id AS dialogue_id, d.guild_id, d.channel_id, d.channel_kind, d.languages, d.closed_at,
                      q.id AS question_id, q.thread_id
               FROM dialogues d LEFT JOIN questions q ON q.dialogue_id = d.id AND q.thread_id IS NOT NULL
               WHERE d.state IN ('closed', 'published') AND d.closed_at IS NOT NULL AND d.closed_at >= ?""",
            (since,),
        )

    # -- the write path --------------------------------------------------------------------------------

    async def store_batch(self, rows: Sequence[Sequence[Any]], cursors: Sequence[tuple[int, int, int]]) -> None:
        """Store a batch of messages as they came, and the channels' cursors (channel, dialogue, last
        id), in one transaction; a message stored before is left alone. Their text is derived later
        (:meth:`underived`, :meth:`store_derived`): a flood is written at the speed it arrives.

        SQLite hands the batch to its ingest process (:class:`~bot.store.base.BatchWriter`);
        PostgreSQL gets one statement, one round trip (the loop that sends it is busy with the flood).
        """
        if isinstance(self.db, BatchWriter):
            await self.db.write_batch([(_INSERT_CONTRIBUTION, rows), (_UPSERT_CURSOR, cursors)])
        else:
            # The rows as one JSON text: json.dumps is C, and the server parses it (asyncpg's array
            # encoding, ~5 µs a row on the loop, would cost the flood a sixth of its speed).
            payload = json.dumps(rows)
            if "\\u0000" in payload:  # PostgreSQL text holds no NUL: a member's stray \x00 becomes U+FFFD
                payload = json.dumps([[_no_nul(v) for v in row] for row in rows])
            await self.db.execute(_PG_BATCH, [payload, *_columns(cursors, 3)])

    async def has_underived(self) -> bool:
        return await self.db.fetchval("SELECT 1 FROM contributions WHERE derived = 0 LIMIT 1") is not None

    async def underived(self, limit: int) -> list[Row]:
        """Up to ``limit`` stored contributions whose text is not derived yet, oldest first (so a link
        is credited to the first member who shared it)."""
        return await self.db.fetchall(
            """SELECT c.id, c.dialogue_id, c.author_id, c.content, c.attachments, c.created_at, d.languages
               FROM contributions c JOIN dialogues d ON d.id = c.dialogue_id
               WHERE c.derived = 0 ORDER BY c.id LIMIT ?""",
            (limit,),
        )

    async def store_derived(self, derivations: Sequence[Derivation], now: str) -> int:
        """Store what contributions' texts imply, in one transaction: their language, links and keyword
        suggestions. A contribution derived meanwhile (an edit does it, or another process) or
        deleted is left alone: the ``UPDATE … RETURNING`` claims each row once (a row lock on
        PostgreSQL). How many were stored."""
        async with self.db.transaction() as tx:
            claimed: set[int] = set()
            for chunk in chunks(derivations):
                found = await tx.fetchall(
                    f"""UPDATE contributions SET derived = 1, language = v.column2
                        FROM (VALUES {_values(len(chunk), "CAST(? AS BIGINT), ?")}) AS v
                        WHERE contributions.id = v.column1 AND contributions.derived = 0
                        RETURNING contributions.id""",  # noqa: S608 (placeholders only)
                    [value for d in chunk for value in (d.contribution_id, d.language)],
                )
                claimed.update(row["id"] for row in found)
            mine = [d for d in derivations if d.contribution_id in claimed]
            # One statement per chunk, not one per row (PostgreSQL: a round trip each).
            links = [(d.dialogue_id, url, d.contribution_id, d.author_id, d.created_at) for d in mine for url in d.urls]
            for chunk in chunks(links, 100):
                await tx.execute(
                    f"""INSERT INTO links (dialogue_id, url, contribution_id, shared_by, shared_at)
                        SELECT v.column1, v.column2, v.column3, v.column4, v.column5
                        FROM (VALUES {_values(len(chunk), "CAST(? AS BIGINT), ?, CAST(? AS BIGINT), CAST(? AS BIGINT), ?")}) AS v
                        WHERE true ON CONFLICT (dialogue_id, url) DO NOTHING""",  # noqa: S608, E501 (placeholders only)
                    [value for link in chunk for value in link],
                )
            suggestions = [(d.contribution_id, d.dialogue_id, key) for d in mine for key in sorted(d.theme_keys)]
            for chunk in chunks(suggestions, 100):
                await tx.execute(
                    f"""INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
                        SELECT v.column1, th.id, 'suggestion', 'suggested', NULL, ?
                        FROM (VALUES {_values(len(chunk), "CAST(? AS BIGINT), CAST(? AS BIGINT), ?")}) AS v, themes th
                        WHERE th.dialogue_id = v.column2 AND th.key = v.column3
                        ON CONFLICT (contribution_id, theme_id) DO NOTHING""",  # noqa: S608 (placeholders only)
                    [now, *(value for suggestion in chunk for value in suggestion)],
                )
        return len(mine)

    # -- edits and deletes ----------------------------------------------------------------------------

    async def edit_context(self, message_id: int) -> Row | None:
        return await self.db.fetchone(
            """SELECT c.id, c.dialogue_id, c.question_id, c.guild_id, c.content, c.attachments, c.author_id,
                      c.created_at, c.edited_at, d.languages
               FROM contributions c JOIN dialogues d ON d.id = c.dialogue_id WHERE c.message_id = ?""",
            (message_id,),
        )

    async def apply_edit(
        self, row: Row, content: str, attachments_json: str, language: str, edited_at: str,
        urls: Sequence[str], theme_keys: Iterable[str], now: str,
    ) -> None:
        """Store an edit: the text, its links (a link no longer shared passes to its next sharer) and
        fresh keyword suggestions in place of the pending ones."""
        cid, dialogue_id = row["id"], row["dialogue_id"]
        async with self.db.transaction() as tx:
            await tx.execute(
                """UPDATE contributions SET content = ?, attachments = ?, language = ?, edited_at = ?, space_count = ?,
                          derived = 1
                   WHERE id = ?""",
                (content, attachments_json, language, edited_at, content.count(" "), cid),
            )
            old = {r["url"] for r in await tx.fetchall("SELECT url FROM links WHERE contribution_id = ?", (cid,))}
            gone = old - set(urls)
            if gone:
                await tx.executemany(
                    "DELETE FROM links WHERE contribution_id = ? AND url = ?", [(cid, u) for u in gone]
                )
            await _insert_links(tx, [(dialogue_id, u, cid, row["author_id"], row["created_at"]) for u in urls])
            await self._recredit(tx, dialogue_id, gone)
            await tx.execute("DELETE FROM contribution_tags WHERE contribution_id = ? AND status = 'suggested'", (cid,))
            keys = sorted(theme_keys)
            if keys:
                await tx.executemany(_INSERT_SUGGESTION, [(cid, now, dialogue_id, key) for key in keys])

    async def delete_where(self, column: str, values: Sequence[int], guild_id: int | None = None) -> int:
        """Delete contributions whose ``column`` is in ``values`` (tags, support, key points cascade;
        their links pass to the next member who shared them). How many were deleted."""
        if column not in ("message_id", "author_id", "id"):
            raise ValueError(column)
        removed = 0
        async with self.db.transaction() as tx:
            for chunk in chunks(list(values)):
                where = f"{column} IN ({marks(len(chunk))})"
                params: tuple[Any, ...] = tuple(chunk)
                if guild_id is not None:
                    where += " AND guild_id = ?"
                    params += (guild_id,)
                sql = f"""SELECT l.dialogue_id, l.url FROM links l JOIN contributions c ON c.id = l.contribution_id
                          WHERE c.{where}"""  # noqa: S608 (constant fragments only)
                lost = [(r["dialogue_id"], r["url"]) for r in await tx.fetchall(sql, params)]
                done = await tx.execute(f"DELETE FROM contributions WHERE {where}", params)  # noqa: S608
                removed += done.rowcount
                for dialogue_id, url in lost:
                    await self._recredit(tx, dialogue_id, {url})
        return removed

    async def _recredit(self, tx: Executor, dialogue_id: int, urls: Iterable[str]) -> None:
        """A link whose first sharer's message is gone is credited to the next one who shared it."""
        find = "strpos" if self.db.dialect == "postgresql" else "instr"
        for url in urls:
            row = await tx.fetchone(
                f"""SELECT id, author_id, created_at FROM contributions
                    WHERE dialogue_id = ? AND ({find}(content, ?) > 0 OR {find}(attachments, ?) > 0)
                    ORDER BY message_id LIMIT 1""",  # noqa: S608 (a function name chosen above)
                (dialogue_id, url, json.dumps(url)),
            )
            if row is not None:
                await _insert_links(tx, [(dialogue_id, url, row["id"], row["author_id"], row["created_at"])])

    # -- backfill --------------------------------------------------------------------------------------

    async def cursor(self, channel_id: int) -> int | None:
        value = await self.db.fetchval(
            "SELECT last_message_id FROM channel_cursors WHERE channel_id = ?", (channel_id,)
        )
        return None if value is None else int(value)

    async def oldest_of_recent(self, channel_id: int, recent: int) -> int | None:
        """The lowest message id among the channel's ``recent`` most recent stored contributions."""
        value = await self.db.fetchval(
            """SELECT min(message_id) FROM (SELECT message_id FROM contributions WHERE channel_id = ?
               ORDER BY message_id DESC LIMIT ?) AS recent""",
            (channel_id, recent),
        )
        return None if value is None else int(value)

    async def dialogue_start(self, dialogue_id: int) -> Row | None:
        return await self.db.fetchone(
            "SELECT opening_message_id, starts_at FROM dialogues WHERE id = ?", (dialogue_id,)
        )

    async def stored_message_ids(self, channel_id: int, after_message_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT message_id FROM contributions WHERE channel_id = ? AND message_id > ?",
            (channel_id, after_message_id),
        )
        return {int(r["message_id"]) for r in rows}

    # -- reading ---------------------------------------------------------------------------------------

    async def by_message(self, message_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM contributions WHERE message_id = ?", (message_id,))

    async def by_id(self, contribution_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM contributions WHERE id = ?", (contribution_id,))

    async def counts(self, dialogue_id: int) -> tuple[dict[int | None, int], dict[int, int], dict[str, int], int]:
        """(contributions per question, confirmed tags per theme, totals row, support reactions), for
        ``/dialogue status``: each figure from an index (contributions_report, the tags' theme index,
        the support rows' dialogue index), no per-row subquery; the five statements at once (the read
        connections, or the server's, run them side by side)."""
        themes = "SELECT th.id FROM themes th WHERE th.dialogue_id = ?"
        by_question, by_theme, people, tagged, support = await asyncio.gather(
            self.db.fetchall(
                "SELECT question_id, count(*) AS n FROM contributions WHERE dialogue_id = ? GROUP BY question_id",
                (dialogue_id,),
            ),
            self.db.fetchall(
                f"""SELECT theme_id, count(*) AS n FROM contribution_tags
                    WHERE theme_id IN ({themes}) AND status = 'confirmed' GROUP BY theme_id""",  # noqa: S608
                (dialogue_id,),
            ),
            self.db.fetchone(
                """SELECT count(*) AS total, count(DISTINCT author_id) AS participants FROM contributions
                   WHERE dialogue_id = ?""",
                (dialogue_id,),
            ),
            self.db.fetchone(
                f"""SELECT count(DISTINCT CASE WHEN status = 'confirmed' THEN contribution_id END) AS confirmed,
                           count(DISTINCT CASE WHEN status = 'suggested' THEN contribution_id END) AS suggested
                    FROM contribution_tags WHERE theme_id IN ({themes})""",  # noqa: S608
                (dialogue_id,),
            ),
            self.db.fetchval("SELECT count(*) FROM contribution_support WHERE dialogue_id = ?", (dialogue_id,)),
        )
        assert people is not None and tagged is not None
        totals = {
            "total": int(people["total"]), "participants": int(people["participants"]),
            "untagged": int(people["total"]) - int(tagged["confirmed"] or 0),
            "suggested": int(tagged["suggested"] or 0),
        }
        per_question = {r["question_id"]: int(r["n"]) for r in by_question}
        per_theme = {r["theme_id"]: int(r["n"]) for r in by_theme}
        return per_question, per_theme, totals, int(support or 0)

    # -- tagging ---------------------------------------------------------------------------------------

    async def themes(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT id, key, name, emoji, position FROM themes WHERE dialogue_id = ? ORDER BY position, id",
            (dialogue_id,),
        )

    async def tags(self, contribution_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT theme_id, source, status, tagged_by FROM contribution_tags WHERE contribution_id = ?",
            (contribution_id,),
        )

    async def support(self, contribution_id: int) -> int:
        value = await self.db.fetchval(
            "SELECT count(DISTINCT user_id) FROM contribution_support WHERE contribution_id = ?", (contribution_id,)
        )
        return int(value or 0)

    async def set_tags(
        self, contribution_id: int, wanted: Iterable[int], others: Sequence[int], moderator_id: int, now: str
    ) -> None:
        """Confirm ``wanted``; remove the other confirmed tags and reject the other suggestions."""
        async with self.db.transaction() as tx:
            for theme_id in wanted:
                await tx.execute(
                    _CONFIRM_TAG.format(extra=", created_at = excluded.created_at"),
                    (contribution_id, theme_id, moderator_id, now),
                )
            if others:
                listed = marks(len(others))
                await tx.execute(
                    f"""DELETE FROM contribution_tags WHERE contribution_id = ? AND status = 'confirmed'
                        AND theme_id IN ({listed})""",  # noqa: S608
                    (contribution_id, *others),
                )
                await tx.execute(
                    f"""UPDATE contribution_tags SET status = 'rejected', tagged_by = ?
                        WHERE contribution_id = ? AND status = 'suggested' AND theme_id IN ({listed})""",  # noqa: S608
                    (moderator_id, contribution_id, *others),
                )

    async def confirm_tag(self, contribution_id: int, theme_id: int, moderator_id: int, now: str) -> None:
        await self.db.execute(_CONFIRM_TAG.format(extra=""), (contribution_id, theme_id, moderator_id, now))

    async def reject_suggestions(self, contribution_id: int, moderator_id: int) -> int:
        done = await self.db.execute(
            """UPDATE contribution_tags SET status = 'rejected', tagged_by = ?
               WHERE contribution_id = ? AND status = 'suggested'""",
            (moderator_id, contribution_id),
        )
        return done.rowcount

    async def untagged_count(self, dialogue_id: int) -> int:
        return int(await self.db.fetchval(f"SELECT count(*) {_UNTAGGED}", (dialogue_id,)) or 0)

    async def next_untagged(self, dialogue_id: int, after_id: int) -> Row | None:
        """The first untagged contribution after ``after_id`` (wrapping round to the first)."""
        row = await self.db.fetchone(
            f"SELECT c.* {_UNTAGGED} AND c.id > ? ORDER BY c.id LIMIT 1", (dialogue_id, after_id)
        )
        if row is None and after_id:
            row = await self.db.fetchone(f"SELECT c.* {_UNTAGGED} ORDER BY c.id LIMIT 1", (dialogue_id,))
        return row

    async def question_position(self, question_id: int) -> int | None:
        value = await self.db.fetchval("SELECT position FROM questions WHERE id = ?", (question_id,))
        return None if value is None else int(value)

    async def suggested_themes(self, contribution_id: int) -> list[int]:
        rows = await self.db.fetchall(
            """SELECT t.theme_id FROM contribution_tags t JOIN themes th ON th.id = t.theme_id
               WHERE t.contribution_id = ? AND t.status = 'suggested' ORDER BY th.position""",
            (contribution_id,),
        )
        return [int(r["theme_id"]) for r in rows]

    # -- key points ------------------------------------------------------------------------------------

    async def mark_key_point(self, row: Any, moderator_id: int, text: str, now: str) -> int:
        """Mark a contribution as a key point (``row``: its id, dialogue and question); the key point's id."""
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE contributions SET is_key_point = 1 WHERE id = ?", (row.id,))
            key_point_id = await tx.fetchval(
                """INSERT INTO key_points (dialogue_id, question_id, text, contribution_id, source, created_by,
                       created_at) VALUES (?, ?, ?, ?, 'marked', ?, ?) RETURNING id""",
                (row.dialogue_id, row.question_id, text, row.id, moderator_id, now),
            )
        return int(key_point_id)

    async def question_id_at(self, dialogue_id: int, position: int) -> int | None:
        value = await self.db.fetchval(
            "SELECT id FROM questions WHERE dialogue_id = ? AND position = ?", (dialogue_id, position)
        )
        return None if value is None else int(value)

    async def add_key_point(self, dialogue_id: int, question_id: int, text: str, moderator_id: int, now: str) -> int:
        value = await self.db.fetchval(
            """INSERT INTO key_points (dialogue_id, question_id, text, contribution_id, source, created_by, created_at)
               VALUES (?, ?, ?, NULL, 'moderator', ?, ?) RETURNING id""",
            (dialogue_id, question_id, text, moderator_id, now),
        )
        return int(value)

    async def key_points(self, *, key_point_id: int | None = None, dialogue_id: int | None = None) -> list[Row]:
        """Key points with their question's position: one by id, or a dialogue's, in question order."""
        where, param = ("k.id = ?", key_point_id) if key_point_id is not None else ("k.dialogue_id = ?", dialogue_id)
        return await self.db.fetchall(
            f"""SELECT k.*, q.position FROM key_points k LEFT JOIN questions q ON q.id = k.question_id
                WHERE {where} ORDER BY q.position IS NULL, q.position, k.id""",  # noqa: S608
            (param,),
        )


async def _insert_links(tx: Executor, links: list[tuple[Any, ...]]) -> None:
    if links:
        await tx.executemany(_INSERT_LINK, links)


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows as ``width`` column lists (PostgreSQL arrays for ``unnest``)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


#: The batch of :meth:`ContributionRepository.store_batch` as one PostgreSQL statement — the columns
#: of ``_INSERT_CONTRIBUTION``, in its order, from a JSON array of rows (keep the two in step; the
#: PostgreSQL run of the suite fails when they drift). ``WITH ORDINALITY`` keeps the arrival order of ids.
_PG_BATCH = """
WITH ins AS (
    INSERT INTO contributions (dialogue_id, question_id, guild_id, channel_id, message_id,
        author_id, author_name, content, attachments, language, created_at, edited_at, space_count, derived)
    SELECT (r->>0)::bigint, (r->>1)::bigint, (r->>2)::bigint, (r->>3)::bigint, (r->>4)::bigint, (r->>5)::bigint,
           r->>6, r->>7, r->>8, r->>9, r->>10, r->>11, (r->>12)::bigint, 0
    FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS b(r, n)
    ORDER BY n
    ON CONFLICT (message_id) DO NOTHING
)
INSERT INTO channel_cursors (channel_id, dialogue_id, last_message_id)
SELECT channel_id, max(dialogue_id), max(last_message_id)
FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS u(channel_id, dialogue_id, last_message_id)
GROUP BY channel_id
ON CONFLICT (channel_id) DO UPDATE
SET last_message_id = GREATEST(channel_cursors.last_message_id, excluded.last_message_id)"""
