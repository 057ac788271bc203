"""The report's editorial draft and synthesis reads: front matter, hidden items, reviewed suggestions,
agreement reactions, the bounded sample the synthesis groups, the CSV rows.

Portable SQL only (window functions exist in SQLite ≥ 3.25 and PostgreSQL). The synthesis never
reads every text of a large dialogue: :meth:`ReportDraftRepository.sample` picks, in SQL, the
``limit`` most supported (then most recent) contributions of each guiding question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bot.store.base import Database, Row

# Support: distinct members other than the author who reacted (as in the report's compile). Agreement
# and disagreement are counted in Python from :meth:`ReportDraftRepository.reactions_of` (the emoji
# that count are set per dialogue, skin tones fold to their base emoji).
_FIGURES = """
  (SELECT count(DISTINCT s.user_id) FROM contribution_support s
    WHERE s.contribution_id = c.id AND s.user_id != c.author_id) AS support"""

_VISIBLE = """
FROM contributions c
LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
WHERE c.dialogue_id = ? AND coalesce(m.opted_out, 0) = 0"""

_COLUMNS = """c.id, c.question_id, c.guild_id, c.channel_id, c.message_id, c.author_id, c.author_name, c.content,
  c.language, c.created_at, c.edited_at, m.display_name, m.organisation, m.attribution"""


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ReportDraftRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- front matter ------------------------------------------------------------------------------

    async def parts(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT * FROM report_parts WHERE dialogue_id = ? ORDER BY language, part, position", (dialogue_id,)
        )

    async def part(self, dialogue_id: int, part: str, language: str, position: int = 0) -> Row | None:
        return await self.db.fetchone(
            "SELECT * FROM report_parts WHERE dialogue_id = ? AND part = ? AND language = ? AND position = ?",
            (dialogue_id, part, language, position),
        )

    async def section_by_title(self, dialogue_id: int, language: str, title: str) -> Row | None:
        return await self.db.fetchone(
            """SELECT * FROM report_parts WHERE dialogue_id = ? AND part = 'section' AND language = ?
               AND lower(title) = lower(?) ORDER BY position LIMIT 1""",
            (dialogue_id, language, title),
        )

    async def next_section(self, dialogue_id: int, language: str) -> int:
        found = await self.db.fetchval(
            "SELECT max(position) FROM report_parts WHERE dialogue_id = ? AND part = 'section' AND language = ?",
            (dialogue_id, language),
        )
        return int(found or 0) + 1

    async def save_part(
        self, dialogue_id: int, part: str, language: str, position: int, *, title: str, body: str,
        link: str | None, moderator: str | None, user_id: int, now: str,
    ) -> None:
        await self.db.execute(
            """INSERT INTO report_parts (dialogue_id, part, language, position, title, body, link, moderator,
                                         updated_by, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (dialogue_id, part, language, position) DO UPDATE SET
                 title = excluded.title, body = excluded.body, link = excluded.link,
                 moderator = excluded.moderator, updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
            (dialogue_id, part, language, position, title, body, link, moderator, user_id, now),
        )

    async def delete_part(self, dialogue_id: int, part: str, language: str, position: int) -> int:
        done = await self.db.execute(
            "DELETE FROM report_parts WHERE dialogue_id = ? AND part = ? AND language = ? AND position = ?",
            (dialogue_id, part, language, position),
        )
        return done.rowcount

    # -- hidden items ------------------------------------------------------------------------------

    async def hidden(self, dialogue_id: int) -> dict[int, str]:
        rows = await self.db.fetchall(
            "SELECT contribution_id, reason FROM report_hidden WHERE dialogue_id = ?", (dialogue_id,)
        )
        return {r[0]: r[1] for r in rows}

    async def hide(self, dialogue_id: int, contribution_ids: Iterable[int], reason: str, user_id: int | None,
                   now: str) -> None:
        await self.db.executemany(
            """INSERT INTO report_hidden (dialogue_id, contribution_id, reason, hidden_by, hidden_at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (dialogue_id, contribution_id) DO NOTHING""",
            [(dialogue_id, cid, reason, user_id, now) for cid in contribution_ids],
        )

    async def restore(self, dialogue_id: int, contribution_id: int) -> int:
        done = await self.db.execute(
            "DELETE FROM report_hidden WHERE dialogue_id = ? AND contribution_id = ?", (dialogue_id, contribution_id)
        )
        return done.rowcount

    # -- suggestions -------------------------------------------------------------------------------

    async def decisions(self, dialogue_id: int) -> dict[int, str]:
        rows = await self.db.fetchall(
            "SELECT contribution_id, status FROM report_suggestions WHERE dialogue_id = ?", (dialogue_id,)
        )
        return {r[0]: r[1] for r in rows}

    async def decide(
        self, dialogue_id: int, contribution_id: int, status: str, *, question_id: int | None, text: str | None,
        user_id: int, now: str,
    ) -> bool:
        """Record a decision once (the first press wins); an acceptance adds its key point in the same
        transaction. False when the suggestion was already decided."""
        async with self.db.transaction() as tx:
            done = await tx.execute(
                """INSERT INTO report_suggestions (dialogue_id, contribution_id, status, decided_by, decided_at)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT (dialogue_id, contribution_id) DO NOTHING""",
                (dialogue_id, contribution_id, status, user_id, now),
            )
            if done.rowcount == 0:
                return False
            if status == "accepted":
                key_point = await tx.fetchval(
                    """INSERT INTO key_points (dialogue_id, question_id, text, contribution_id, source, created_by,
                                               created_at)
                       VALUES (?, ?, ?, ?, 'marked', ?, ?) RETURNING id""",
                    (dialogue_id, question_id, text, contribution_id, user_id, now),
                )
                await tx.execute(
                    "UPDATE report_suggestions SET key_point_id = ? WHERE dialogue_id = ? AND contribution_id = ?",
                    (key_point, dialogue_id, contribution_id),
                )
        return True

    # -- reactions ---------------------------------------------------------------------------------

    async def reactions(self, dialogue_id: int) -> tuple[str, str] | None:
        row = await self.db.fetchone(
            "SELECT agree, disagree FROM report_reactions WHERE dialogue_id = ?", (dialogue_id,)
        )
        return None if row is None else (row[0], row[1])

    async def set_reactions(
        self, dialogue_id: int, agree: str, disagree: str, now: str, disagrees: Callable[[str], bool]
    ) -> None:
        """Set the dialogue's emoji and, in the same transaction, file the reactions already given on its
        contributions again by ``disagrees(emoji)``: support that is now disagreement moves to the
        disagreement table, and back."""
        async with self.db.transaction() as tx:
            await tx.execute(
                """INSERT INTO report_reactions (dialogue_id, agree, disagree, updated_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (dialogue_id) DO UPDATE SET agree = excluded.agree, disagree = excluded.disagree,
                     updated_at = excluded.updated_at""",
                (dialogue_id, agree, disagree, now),
            )
            for table, other, moves in (("contribution_support", "contribution_disagreement", True),
                                        ("contribution_disagreement", "contribution_support", False)):
                rows = await tx.fetchall(
                    f"""SELECT r.contribution_id, r.user_id, r.emoji FROM {table} r
                        JOIN contributions c ON c.id = r.contribution_id WHERE c.dialogue_id = ?""",  # noqa: S608
                    (dialogue_id,),
                )
                moved = [(r[0], r[1], r[2]) for r in rows if disagrees(r[2]) is moves]
                if moved:
                    await tx.executemany(
                        f"""INSERT INTO {other} (contribution_id, user_id, emoji) VALUES (?, ?, ?)
                            ON CONFLICT DO NOTHING""",  # noqa: S608 (table names chosen above)
                        moved,
                    )
                    await tx.executemany(
                        f"DELETE FROM {table} WHERE contribution_id = ? AND user_id = ? AND emoji = ?",  # noqa: S608
                        moved,
                    )

    # -- contributions -----------------------------------------------------------------------------

    async def contribution(self, dialogue_id: int, contribution_id: int) -> Row | None:
        return await self.db.fetchone(
            f"SELECT {_COLUMNS} {_VISIBLE} AND c.id = ?",
            (dialogue_id, contribution_id),
        )

    # -- hidden panel questions (a question and its answers) -------------------------------------------

    async def panel_question(self, dialogue_id: int, question_id: int) -> Row | None:
        """A question of this dialogue's panel that the report can show (approved or relayed)."""
        return await self.db.fetchone(
            """SELECT q.id, q.text, q.asker_name FROM panel_questions q JOIN panels p ON p.id = q.panel_id
               WHERE p.dialogue_id = ? AND q.id = ? AND q.status IN ('approved', 'relayed')""",
            (dialogue_id, question_id),
        )

    async def hidden_questions(self, dialogue_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT question_id FROM report_hidden_questions WHERE dialogue_id = ?", (dialogue_id,)
        )
        return {r[0] for r in rows}

    async def hide_question(self, dialogue_id: int, question_id: int, user_id: int | None, now: str) -> int:
        done = await self.db.execute(
            """INSERT INTO report_hidden_questions (dialogue_id, question_id, hidden_by, hidden_at)
               VALUES (?, ?, ?, ?) ON CONFLICT (dialogue_id, question_id) DO NOTHING""",
            (dialogue_id, question_id, user_id, now),
        )
        return done.rowcount

    async def restore_question(self, dialogue_id: int, question_id: int) -> int:
        done = await self.db.execute(
            "DELETE FROM report_hidden_questions WHERE dialogue_id = ? AND question_id = ?", (dialogue_id, question_id)
        )
        return done.rowcount

    async def search_questions(self, dialogue_id: int, text: str, *, hidden: bool, limit: int = 25) -> list[Row]:
        """Panel questions for an autocomplete: those hidden (``hidden=True``) or shown, matching ``text``."""
        test = "EXISTS" if hidden else "NOT EXISTS"
        return await self.db.fetchall(
            f"""SELECT q.id, q.text, q.asker_name FROM panel_questions q JOIN panels p ON p.id = q.panel_id
                WHERE p.dialogue_id = ? AND q.status IN ('approved', 'relayed')
                AND {test} (SELECT 1 FROM report_hidden_questions h WHERE h.dialogue_id = p.dialogue_id
                            AND h.question_id = q.id)
                AND lower(q.text) LIKE lower(?) ESCAPE '\\'
                ORDER BY q.id DESC LIMIT ?""",  # noqa: S608 (constant fragments)
            (dialogue_id, _like(text), limit),
        )

    async def search(self, dialogue_id: int, text: str, *, hidden: bool, limit: int = 25) -> list[Row]:
        """Contributions for an autocomplete: those hidden (``hidden=True``) or shown, matching ``text``."""
        test = "EXISTS" if hidden else "NOT EXISTS"
        return await self.db.fetchall(
            f"""SELECT c.id, c.content, c.author_name {_VISIBLE}
                AND {test} (SELECT 1 FROM report_hidden h WHERE h.dialogue_id = c.dialogue_id
                            AND h.contribution_id = c.id)
                AND lower(c.content) LIKE lower(?) ESCAPE '\\'
                ORDER BY c.id DESC LIMIT ?""",  # noqa: S608 (constant fragments)
            (dialogue_id, _like(text), limit),
        )

    async def sample(self, dialogue_id: int, limit: int) -> list[Row]:
        """The synthesis sample: per guiding question (and the dialogue channel), up to ``limit`` visible
        contributions, the most supported first, then the most recent. Bounded whatever the size of the
        dialogue: support is aggregated once and ranked by a window over the supported rows only; the
        most recent come from one indexed ``LIMIT`` query per question; only chosen rows' texts are read."""
        supported = await self.db.fetchall(
            f"""WITH support AS (
                  SELECT s.contribution_id AS cid, count(DISTINCT s.user_id) AS n FROM contribution_support s
                  WHERE s.dialogue_id = ? AND s.user_id != s.author_id GROUP BY s.contribution_id
                ), ranked AS (
                  SELECT support.cid, support.n, row_number() OVER (
                    PARTITION BY c.question_id ORDER BY support.n DESC, c.created_at DESC, c.id
                  ) AS rank_in_question
                  FROM support JOIN contributions c ON c.id = support.cid
                  LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
                  WHERE coalesce(m.opted_out, 0) = 0
                )
                SELECT {_COLUMNS}, ranked.n AS support
                FROM ranked JOIN contributions c ON c.id = ranked.cid
                LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
                WHERE ranked.rank_in_question <= ?
                ORDER BY c.question_id, ranked.rank_in_question""",  # noqa: S608 (constant fragments)
            (dialogue_id, limit),
        )
        chosen: dict[int | None, list[Row]] = {}
        for row in supported:
            chosen.setdefault(row["question_id"], []).append(row)
        questions = [r[0] for r in await self.db.fetchall(
            "SELECT id FROM questions WHERE dialogue_id = ? ORDER BY position", (dialogue_id,)
        )]
        for question_id in (*questions, None):
            rows = chosen.setdefault(question_id, [])
            if len(rows) >= limit:
                continue
            where = "c.question_id = ?" if question_id is not None else "c.question_id IS NULL"
            params = (dialogue_id, question_id) if question_id is not None else (dialogue_id,)
            recent = await self.db.fetchall(
                f"""SELECT {_COLUMNS}, {_FIGURES} {_VISIBLE} AND {where}
                    ORDER BY c.created_at DESC, c.id DESC LIMIT ?""",
                (*params, limit),
            )
            seen = {r["id"] for r in rows}
            rows += [r for r in recent if r["id"] not in seen][: limit - len(rows)]
        return [row for rows in chosen.values() for row in rows]

    async def reactions_of(self, contribution_ids: Iterable[int]) -> list[Row]:
        """(contribution, user, emoji, disagreement) of every reaction kept on these contributions (support
        and disagreement), the authors' own excluded."""
        ids = sorted(set(contribution_ids))
        rows: list[Row] = []
        for start in range(0, len(ids), 400):
            chunk = ids[start:start + 400]
            marks = ", ".join("?" for _ in chunk)
            rows += await self.db.fetchall(
                f"""SELECT s.contribution_id, s.user_id, s.emoji, 0 FROM contribution_support s
                    JOIN contributions c ON c.id = s.contribution_id
                    WHERE s.contribution_id IN ({marks}) AND s.user_id != c.author_id
                    UNION ALL
                    SELECT d.contribution_id, d.user_id, d.emoji, 1 FROM contribution_disagreement d
                    JOIN contributions c ON c.id = d.contribution_id
                    WHERE d.contribution_id IN ({marks}) AND d.user_id != c.author_id""",  # noqa: S608
                [*chunk, *chunk],
            )
        return rows

    async def dialogue_reactions(self, dialogue_id: int) -> list[Row]:
        """The same for every contribution of a dialogue (the CSV export)."""
        return await self.db.fetchall(
            """SELECT s.contribution_id, s.user_id, s.emoji, 0 FROM contribution_support s
               WHERE s.dialogue_id = ? AND s.user_id != s.author_id
               UNION ALL
               SELECT d.contribution_id, d.user_id, d.emoji, 1 FROM contribution_disagreement d
               JOIN contributions c ON c.id = d.contribution_id
               WHERE c.dialogue_id = ? AND d.user_id != c.author_id""",
            (dialogue_id, dialogue_id),
        )

    async def untagged_supported(self, dialogue_id: int, minimum: int, limit: int) -> list[Row]:
        """Well-supported contributions no theme was confirmed for, most supported first (from the support
        aggregate: only supported rows are looked at)."""
        return await self.db.fetchall(
            f"""WITH support AS (
                  SELECT s.contribution_id AS cid, count(DISTINCT s.user_id) AS n FROM contribution_support s
                  WHERE s.dialogue_id = ? AND s.user_id != s.author_id GROUP BY s.contribution_id
                )
                SELECT {_COLUMNS}, support.n AS support
                FROM support JOIN contributions c ON c.id = support.cid
                LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
                WHERE support.n >= ? AND coalesce(m.opted_out, 0) = 0
                  AND NOT EXISTS (SELECT 1 FROM contribution_tags t
                                  WHERE t.contribution_id = c.id AND t.status = 'confirmed')
                ORDER BY support.n DESC, c.created_at, c.id LIMIT ?""",  # noqa: S608 (constant fragments)
            (dialogue_id, minimum, limit),
        )

    async def all_rows(self, dialogue_id: int) -> list[Row]:
        """Every visible contribution with its figures (the CSV export: one row each)."""
        return await self.db.fetchall(
            f"SELECT {_COLUMNS}, {_FIGURES} {_VISIBLE} ORDER BY c.created_at, c.id",
            (dialogue_id,),
        )

    async def theme_tags(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            """SELECT t.contribution_id, th.key, th.name FROM contribution_tags t
               JOIN themes th ON th.id = t.theme_id JOIN contributions c ON c.id = t.contribution_id
               WHERE c.dialogue_id = ? AND t.status = 'confirmed' ORDER BY th.position, th.id""",
            (dialogue_id,),
        )

    async def question_positions(self, dialogue_id: int) -> dict[int, tuple[int, str]]:
        rows = await self.db.fetchall(
            "SELECT id, position, text FROM questions WHERE dialogue_id = ?", (dialogue_id,)
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    async def opted_out(self, guild_id: int, user_ids: Iterable[int]) -> set[int]:
        ids = sorted(set(user_ids))
        if not ids:
            return set()
        marks = ", ".join("?" for _ in ids)
        rows = await self.db.fetchall(
            f"SELECT user_id FROM members WHERE guild_id = ? AND opted_out = 1 AND user_id IN ({marks})",  # noqa: S608
            (guild_id, *ids),
        )
        return {r[0] for r in rows}

    async def authors(self, contribution_ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
        """contribution id → (author, channel, message) of those still stored."""
        ids = sorted(set(contribution_ids))
        found: dict[int, tuple[int, int, int]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = await self.db.fetchall(
                f"SELECT id, author_id, channel_id, message_id FROM contributions WHERE id IN ({marks})",  # noqa: S608
                chunk,
            )
            found.update({r[0]: (r[1], r[2], r[3]) for r in rows})
        return found

    # -- the series --------------------------------------------------------------------------------

    async def earlier_dialogues(self, guild_id: int, dialogue_id: int, starts_at: str) -> list[Row]:
        """The guild's dialogues that began before this one (not drafts), latest first, with the first
        message of their final report when one was posted."""
        return await self.db.fetchall(
            """SELECT d.id, d.title, d.starts_at,
                      (SELECT r.channel_id FROM reports r WHERE r.dialogue_id = d.id AND r.kind = 'final'
                        ORDER BY r.id LIMIT 1) AS report_channel,
                      (SELECT r.message_ids FROM reports r WHERE r.dialogue_id = d.id AND r.kind = 'final'
                        ORDER BY r.id LIMIT 1) AS report_messages
               FROM dialogues d
               WHERE d.guild_id = ? AND d.id != ? AND d.starts_at < ? AND d.state != 'draft'
               ORDER BY d.starts_at DESC, d.id DESC""",
            (guild_id, dialogue_id, starts_at),
        )


def as_dict(row: Row) -> dict[str, Any]:
    return {key: row[key] for key in row.keys()}  # noqa: SIM118
