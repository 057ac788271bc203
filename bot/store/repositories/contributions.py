"""The contributions feature's SQL: the write path, edits and deletes, backfill, reads and counts,
tagging, support and key points.

Portable SQL (SQLite and PostgreSQL); where the dialects differ (a substring search) the repository
branches on ``db.dialect``.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.store.base import Database, Executor, Row

_SQL_CHUNK = 500


def chunks(values: Sequence[Any], size: int = _SQL_CHUNK) -> Iterable[Sequence[Any]]:
    """``values`` in slices small enough for one ``IN (...)`` list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def marks(n: int) -> str:
    return ",".join("?" * n)


@dataclass(frozen=True, slots=True)
class DerivedRow:
    """What one stored message implies beside its row: links shared and themes suggested."""

    message_id: int
    dialogue_id: int
    author_id: int
    created_at: str
    urls: Sequence[str]
    theme_keys: Iterable[str]


_INSERT_CONTRIBUTION = """
INSERT INTO contributions (dialogue_id, question_id, guild_id, channel_id, message_id,
    author_id, author_name, content, attachments, language, created_at, edited_at, space_count)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (message_id) DO NOTHING"""

# Links and suggestions find their contribution (and theme) by key in SQL: no id round trip.
_INSERT_LINK_OF_MESSAGE = """
INSERT INTO links (dialogue_id, url, contribution_id, shared_by, shared_at)
SELECT ?, ?, c.id, ?, ? FROM contributions c WHERE c.message_id = ?
ON CONFLICT (dialogue_id, url) DO NOTHING"""

_INSERT_SUGGESTION_OF_MESSAGE = """
INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
SELECT c.id, th.id, 'suggestion', 'suggested', NULL, ?
FROM contributions c, themes th WHERE c.message_id = ? AND th.dialogue_id = ? AND th.key = ?
ON CONFLICT (contribution_id, theme_id) DO NOTHING"""

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

    async def store_batch(
        self,
        prepare: Callable[[], tuple[list[tuple[Any, ...]], list[DerivedRow]]],
        cursors: Sequence[tuple[int, int, int]],
        now: str,
    ) -> None:
        """Store a batch: ``prepare()`` builds its rows and derived values off the event loop, then
        :meth:`write_batch`'s statements run in one transaction.

        On SQLite the whole of it (``prepare`` included) is one call to the writer's thread
        (:meth:`bot.store.sqlite.SqliteDatabase.run_sync`); on other stores ``prepare`` runs in a
        worker thread and the statements through the ``Database`` protocol.
        """
        run_sync = getattr(self.db, "run_sync", None)
        if run_sync is None:
            rows, derived = await asyncio.to_thread(prepare)
            await self.write_batch(rows, derived, cursors, now)
            return

        def work(conn: sqlite3.Connection) -> None:
            rows, derived = prepare()
            links, suggestions = _derived_params(derived, now)
            for sql, params in (
                (_INSERT_CONTRIBUTION, rows), (_INSERT_LINK_OF_MESSAGE, links),
                (_INSERT_SUGGESTION_OF_MESSAGE, suggestions), (_UPSERT_CURSOR, cursors),
            ):
                if params:
                    conn.executemany(sql, params)

        await run_sync(work)

    async def write_batch(
        self,
        rows: Sequence[Sequence[Any]],
        derived: Sequence[DerivedRow],
        cursors: Sequence[tuple[int, int, int]],
        now: str,
    ) -> None:
        """One batch in one transaction: the contributions (a message stored before is left alone), the
        links and keyword suggestions they imply, and the channels' cursors (channel, dialogue, last id)."""
        links, suggestions = _derived_params(derived, now)
        if self.db.dialect == "postgresql":
            # One statement, one round trip: per-statement round trips would each wait for an event
            # loop busy with the flood (PostgreSQL has no database thread to hand the batch to).
            await self.db.execute(_PG_BATCH, _pg_batch_params(rows, links, suggestions, cursors))
            return
        async with self.db.transaction() as tx:
            if rows:
                await tx.executemany(_INSERT_CONTRIBUTION, rows)
            if links:
                await tx.executemany(_INSERT_LINK_OF_MESSAGE, links)
            if suggestions:
                await tx.executemany(_INSERT_SUGGESTION_OF_MESSAGE, suggestions)
            if cursors:
                await tx.executemany(_UPSERT_CURSOR, cursors)

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
                """UPDATE contributions SET content = ?, attachments = ?, language = ?, edited_at = ?, space_count = ?
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
        ``/dialogue status``: each figure from an index (contributions_report, the tags' theme index),
        no per-row subquery."""
        per_question = {
            r["question_id"]: int(r["n"])
            for r in await self.db.fetchall(
                "SELECT question_id, count(*) AS n FROM contributions WHERE dialogue_id = ? GROUP BY question_id",
                (dialogue_id,),
            )
        }
        themes = "SELECT th.id FROM themes th WHERE th.dialogue_id = ?"
        per_theme = {
            r["theme_id"]: int(r["n"])
            for r in await self.db.fetchall(
                f"""SELECT theme_id, count(*) AS n FROM contribution_tags
                    WHERE theme_id IN ({themes}) AND status = 'confirmed' GROUP BY theme_id""",  # noqa: S608
                (dialogue_id,),
            )
        }
        people = await self.db.fetchone(
            """SELECT count(*) AS total, count(DISTINCT author_id) AS participants FROM contributions
               WHERE dialogue_id = ?""",
            (dialogue_id,),
        )
        tagged = await self.db.fetchone(
            f"""SELECT count(DISTINCT CASE WHEN status = 'confirmed' THEN contribution_id END) AS confirmed,
                       count(DISTINCT CASE WHEN status = 'suggested' THEN contribution_id END) AS suggested
                FROM contribution_tags WHERE theme_id IN ({themes})""",  # noqa: S608
            (dialogue_id,),
        )
        support = await self.db.fetchval(
            """SELECT count(*) FROM contribution_support s
               WHERE s.contribution_id IN (SELECT c.id FROM contributions c WHERE c.dialogue_id = ?)""",
            (dialogue_id,),
        )
        assert people is not None and tagged is not None
        totals = {
            "total": int(people["total"]), "participants": int(people["participants"]),
            "untagged": int(people["total"]) - int(tagged["confirmed"] or 0),
            "suggested": int(tagged["suggested"] or 0),
        }
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


def _pg_batch_params(
    rows: Sequence[Sequence[Any]], links: Sequence[Sequence[Any]], suggestions: Sequence[Sequence[Any]],
    cursors: Sequence[Sequence[Any]],
) -> list[Any]:
    return [*_columns(rows, 13), *_columns(links, 5), *_columns(suggestions, 4), *_columns(cursors, 3)]


#: The batch of :meth:`ContributionRepository.write_batch` as one PostgreSQL statement — the columns
#: of ``_INSERT_CONTRIBUTION``, in its order (keep the two in step; the PostgreSQL run of the suite
#: fails when they drift). Its CTEs run
#: on one snapshot, so links and suggestions find this batch's contributions through ``ins``'s
#: RETURNING and earlier ones in the table; ``WITH ORDINALITY`` keeps the arrival order of ids).
_PG_BATCH = """
WITH new AS (
    SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
                         ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
        WITH ORDINALITY AS r(dialogue_id, question_id, guild_id, channel_id, message_id, author_id, author_name,
                             content, attachments, language, created_at, edited_at, space_count, n)
), ins AS (
    INSERT INTO contributions (dialogue_id, question_id, guild_id, channel_id, message_id,
        author_id, author_name, content, attachments, language, created_at, edited_at, space_count)
    SELECT dialogue_id, question_id, guild_id, channel_id, message_id, author_id, author_name, content,
           attachments, language, created_at, edited_at, space_count FROM new ORDER BY n
    ON CONFLICT (message_id) DO NOTHING
    RETURNING id, message_id
), lnk AS (
    SELECT * FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::bigint[])
        WITH ORDINALITY AS l(dialogue_id, url, shared_by, shared_at, message_id, n)
), sug AS (
    SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[])
        WITH ORDINALITY AS s(created_at, message_id, dialogue_id, key, n)
), known AS (
    SELECT id, message_id FROM ins
    UNION ALL
    SELECT c.id, c.message_id FROM contributions c
    WHERE c.message_id IN (SELECT message_id FROM lnk UNION SELECT message_id FROM sug)
), links_in AS (
    INSERT INTO links (dialogue_id, url, contribution_id, shared_by, shared_at)
    SELECT l.dialogue_id, l.url, k.id, l.shared_by, l.shared_at FROM lnk l JOIN known k USING (message_id)
    ORDER BY l.n
    ON CONFLICT (dialogue_id, url) DO NOTHING
), tags_in AS (
    INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
    SELECT k.id, th.id, 'suggestion', 'suggested', NULL, s.created_at
    FROM sug s JOIN known k USING (message_id) JOIN themes th ON th.dialogue_id = s.dialogue_id AND th.key = s.key
    ORDER BY s.n
    ON CONFLICT (contribution_id, theme_id) DO NOTHING
), cursors_in AS (
    INSERT INTO channel_cursors (channel_id, dialogue_id, last_message_id)
    SELECT channel_id, max(dialogue_id), max(last_message_id)
    FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS u(channel_id, dialogue_id, last_message_id)
    GROUP BY channel_id
    ON CONFLICT (channel_id) DO UPDATE
    SET last_message_id = GREATEST(channel_cursors.last_message_id, excluded.last_message_id)
)
SELECT count(*) FROM ins"""


def _derived_params(derived: Sequence[DerivedRow], now: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Parameters of the links and suggestions statements for a batch's derived values."""
    links = [(d.dialogue_id, url, d.author_id, d.created_at, d.message_id) for d in derived for url in d.urls]
    suggestions = [(now, d.message_id, d.dialogue_id, key) for d in derived for key in sorted(d.theme_keys)]
    return links, suggestions
