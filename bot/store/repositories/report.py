"""The report feature's SQL: what a report reads across features, the week summary's figures, and
what was published. Portable SQL."""

from __future__ import annotations

from typing import Any

from bot.store.base import Database, Row

# Every contribution a week summary may show, with what its author chose for attribution and its
# support (distinct members other than the author who reacted). Opted-out authors are filtered in SQL.
_CONTRIBUTIONS = """
SELECT c.id, c.question_id, c.guild_id, c.channel_id, c.message_id, c.author_id, c.author_name, c.content,
       c.created_at, c.is_key_point, m.display_name, m.organisation, m.attribution,
       (SELECT count(DISTINCT s.user_id) FROM contribution_support s
         WHERE s.contribution_id = c.id AND s.user_id != c.author_id) AS support
FROM contributions c
LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
WHERE c.dialogue_id = ? AND coalesce(m.opted_out, 0) = 0"""

# Constant fragments only (no user input is ever formatted into SQL).
_IN_WEEK = _CONTRIBUTIONS + " AND c.created_at >= ? AND c.created_at < ?"

# The report's rows: lean (only what is shown), by column index in the compile.
_REPORT_ROWS = """
SELECT id, question_id, channel_id, message_id, author_id, author_name, content, created_at, is_key_point
FROM contributions WHERE dialogue_id = ? ORDER BY id"""

_SUPPORT = """
SELECT s.contribution_id, count(DISTINCT s.user_id) FROM contribution_support s
JOIN contributions c ON c.id = s.contribution_id
WHERE c.dialogue_id = ? AND s.user_id != c.author_id
GROUP BY s.contribution_id"""

_TAGS = """
SELECT t.contribution_id, t.theme_id FROM contribution_tags t
JOIN contributions c ON c.id = t.contribution_id
WHERE c.dialogue_id = ? AND t.status = 'confirmed'"""


class ReportRepository:
    """Every statement of :mod:`bot.report`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- dialogues --------------------------------------------------------------------------------------

    async def dialogue(self, dialogue_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM dialogues WHERE id = ?", (dialogue_id,))

    async def dialogues_titled(self, title: str) -> list[Row]:
        """Dialogues called ``title`` (case-insensitive), oldest first."""
        return await self.db.fetchall("SELECT * FROM dialogues WHERE lower(title) = lower(?) ORDER BY id", (title,))

    # -- what a report reads ---------------------------------------------------------------------------

    async def questions(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT id, position, text FROM questions WHERE dialogue_id = ? ORDER BY position", (dialogue_id,)
        )

    async def themes(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT id, key, name, emoji FROM themes WHERE dialogue_id = ? ORDER BY position, id", (dialogue_id,)
        )

    async def contributions(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(_REPORT_ROWS, (dialogue_id,))

    async def confirmed_tags(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(_TAGS, (dialogue_id,))

    async def key_points(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT * FROM key_points WHERE dialogue_id = ? ORDER BY created_at, id", (dialogue_id,)
        )

    async def links(self, dialogue_id: int, guild_id: int) -> list[Row]:
        """The dialogue's links with their sharer's profile, in the order they were shared (opted-out
        sharers left out)."""
        return await self.db.fetchall(
            """SELECT l.id, l.url, l.contribution_id, l.shared_by, m.display_name, m.organisation, m.attribution,
                      c.author_name
               FROM links l
               LEFT JOIN members m ON m.guild_id = ? AND m.user_id = l.shared_by
               LEFT JOIN contributions c ON c.id = l.contribution_id
               WHERE l.dialogue_id = ? AND coalesce(m.opted_out, 0) = 0
               ORDER BY l.shared_at, l.id""",
            (guild_id, dialogue_id),
        )

    async def further_questions(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT id, text FROM further_questions WHERE dialogue_id = ? ORDER BY created_at, id", (dialogue_id,)
        )

    async def opted_out(self, guild_id: int) -> frozenset[int]:
        rows = await self.db.fetchall("SELECT user_id FROM members WHERE guild_id = ? AND opted_out = 1", (guild_id,))
        return frozenset(int(r[0]) for r in rows)

    async def support(self, dialogue_id: int) -> dict[int, int]:
        """contribution id → distinct members other than its author who support it."""
        return {int(r[0]): int(r[1]) for r in await self.db.fetchall(_SUPPORT, (dialogue_id,))}

    async def members(self, guild_id: int) -> dict[int, Row]:
        rows = await self.db.fetchall(
            "SELECT user_id, display_name, organisation, attribution FROM members WHERE guild_id = ?", (guild_id,)
        )
        return {int(r["user_id"]): r for r in rows}

    # -- the week summary ------------------------------------------------------------------------------

    async def week_totals(self, dialogue_id: int, begin: str, end: str) -> tuple[int, int]:
        """(contributions, participants) of the week."""
        row = await self.db.fetchone(
            f"SELECT count(*), count(DISTINCT author_id) FROM ({_IN_WEEK}) AS week",  # noqa: S608
            (dialogue_id, begin, end),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def week_top(self, dialogue_id: int, begin: str, end: str, limit: int) -> list[Row]:
        """The week's most supported contributions (with their author's profile and ``support``)."""
        return await self.db.fetchall(
            f"""SELECT * FROM ({_IN_WEEK}) AS week WHERE support > 0
                ORDER BY support DESC, created_at, id LIMIT ?""",  # noqa: S608
            (dialogue_id, begin, end, limit),
        )

    async def week_per_theme(self, dialogue_id: int, begin: str, end: str) -> list[tuple[str, int]]:
        rows = await self.db.fetchall(
            """SELECT th.key, count(DISTINCT t.contribution_id) FROM contribution_tags t
               JOIN themes th ON th.id = t.theme_id
               JOIN contributions c ON c.id = t.contribution_id
               LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
               WHERE c.dialogue_id = ? AND t.status = 'confirmed' AND coalesce(m.opted_out, 0) = 0
                 AND c.created_at >= ? AND c.created_at < ?
               GROUP BY th.key, th.position ORDER BY th.position""",
            (dialogue_id, begin, end),
        )
        return [(r[0], int(r[1])) for r in rows]

    async def week_key_points(self, dialogue_id: int, begin: str, end: str) -> list[Row]:
        return await self.db.fetchall(
            """SELECT k.text, k.source, k.contribution_id FROM key_points k
               LEFT JOIN contributions c ON c.id = k.contribution_id
               LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
               WHERE k.dialogue_id = ? AND k.created_at >= ? AND k.created_at < ? AND coalesce(m.opted_out, 0) = 0
               ORDER BY k.created_at, k.id""",
            (dialogue_id, begin, end),
        )

    # -- publishing --------------------------------------------------------------------------------------

    async def set_publish_mode(self, dialogue_id: int, mode: str) -> None:
        await self.db.execute("UPDATE dialogues SET publish_mode = ? WHERE id = ?", (mode, dialogue_id))

    async def published(self, dialogue_id: int, kind: str, language: str, week: int | None) -> bool:
        found = await self.db.fetchval(
            """SELECT 1 FROM reports WHERE dialogue_id = ? AND kind = ? AND language = ?
               AND coalesce(week, 0) = ? LIMIT 1""",
            (dialogue_id, kind, language, week or 0),
        )
        return found is not None

    async def week_message_ids(self, dialogue_id: int, week: int) -> str | None:
        """The message ids (JSON) of week ``week``'s summary as first recorded."""
        row = await self.db.fetchone(
            "SELECT message_ids FROM reports WHERE dialogue_id = ? AND kind = 'week' AND week = ? ORDER BY id",
            (dialogue_id, week),
        )
        return None if row is None else str(row["message_ids"])

    async def record(
        self, dialogue_id: int, kind: str, week: int | None, language: str, channel_id: int, message_ids: str,
        now: str,
    ) -> None:
        """Remember a posted report; a final report also marks the dialogue ``published``."""
        async with self.db.transaction() as tx:
            await tx.execute(
                """INSERT INTO reports (dialogue_id, kind, week, language, channel_id, message_ids, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (dialogue_id, kind, week, language, channel_id, message_ids, now),
            )
            if kind == "final":
                await tx.execute(
                    "UPDATE dialogues SET state = 'published' WHERE id = ? AND state IN ('closed', 'published')",
                    (dialogue_id,),
                )

    async def add_further_question(self, dialogue_id: int, text: str, user_id: int, now: str) -> int:
        """Store a question for further discussion; how many the dialogue now has."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO further_questions (dialogue_id, text, created_by, created_at) VALUES (?, ?, ?, ?)",
                (dialogue_id, text, user_id, now),
            )
            count: Any = await tx.fetchval(
                "SELECT count(*) FROM further_questions WHERE dialogue_id = ?", (dialogue_id,)
            )
        return int(count)

    async def delete_further_question(self, question_id: int) -> None:
        await self.db.execute("DELETE FROM further_questions WHERE id = ?", (question_id,))
