"""The SQL of dialogues: the ``dialogues``, ``questions`` and ``themes`` tables.

Titles match case-insensitively through ``lower(title) = lower(?)`` (portable; on SQLite, ``lower`` folds
ASCII exactly as the ``NOCASE`` unique index on ``(guild_id, title)`` does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.dialogues.model import (
    Dialogue,
    Question,
    Theme,
    dialogue_from_row,
    question_from_row,
    theme_from_row,
)
from bot.store.base import Database


def like_pattern(text: str) -> str:
    """``text`` as a ``LIKE … ESCAPE '\\'`` pattern matching it anywhere."""
    return "%" + re.sub(r"([%_\\])", r"\\\1", text.strip()) + "%"


class DialogueRepository:
    """Reads and writes dialogues, their guiding questions and themes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- dialogues ---------------------------------------------------------------------------------

    async def get(self, dialogue_id: int) -> Dialogue | None:
        row = await self.db.fetchone("SELECT * FROM dialogues WHERE id = ?", (dialogue_id,))
        return dialogue_from_row(row) if row else None

    async def in_guild(self, guild_id: int, dialogue_id: int) -> Dialogue | None:
        """The dialogue with this id if it belongs to ``guild_id``."""
        row = await self.db.fetchone(
            "SELECT * FROM dialogues WHERE id = ? AND guild_id = ?", (dialogue_id, guild_id)
        )
        return dialogue_from_row(row) if row else None

    async def with_title(self, guild_id: int | None, title: str) -> list[Dialogue]:
        """Dialogues titled ``title`` (case-insensitive) in ``guild_id`` (``None``: every guild), oldest first."""
        if guild_id is None:
            rows = await self.db.fetchall("SELECT * FROM dialogues WHERE lower(title) = lower(?) ORDER BY id", (title,))
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM dialogues WHERE guild_id = ? AND lower(title) = lower(?) ORDER BY id", (guild_id, title)
            )
        return [dialogue_from_row(r) for r in rows]

    async def title_taken(self, guild_id: int, title: str) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM dialogues WHERE guild_id = ? AND lower(title) = lower(?)", (guild_id, title)
            )
        )

    async def list_for_guild(self, guild_id: int) -> list[Dialogue]:
        """The guild's dialogues, the most recent start first."""
        rows = await self.db.fetchall(
            "SELECT * FROM dialogues WHERE guild_id = ? ORDER BY starts_at DESC, id DESC", (guild_id,)
        )
        return [dialogue_from_row(r) for r in rows]

    async def search(self, guild_id: int, text: str, limit: int) -> list[Dialogue]:
        """Dialogues whose title contains ``text`` (case-insensitive), open ones first."""
        rows = await self.db.fetchall(
            """SELECT * FROM dialogues WHERE guild_id = ? AND lower(title) LIKE lower(?) ESCAPE '\\'
               ORDER BY CASE WHEN state IN ('closed', 'published') THEN 1 ELSE 0 END, starts_at DESC LIMIT ?""",
            (guild_id, like_pattern(text), limit),
        )
        return [dialogue_from_row(r) for r in rows]

    async def for_channel(self, channel_id: int) -> list[Dialogue]:
        rows = await self.db.fetchall("SELECT * FROM dialogues WHERE channel_id = ?", (channel_id,))
        return [dialogue_from_row(r) for r in rows]

    async def insert(
        self,
        guild_id: int,
        *,
        title: str,
        description: str,
        concept_note: str | None,
        languages: str,
        timezone: str,
        starts_at: str,
        ends_at: str,
        channel_id: int,
        channel_kind: str,
        created_by: int | None,
        created_at: str,
    ) -> int:
        """A new draft dialogue; returns its id."""
        return int(
            await self.db.fetchval(
                """INSERT INTO dialogues (guild_id, title, description, concept_note, languages, timezone,
                                          starts_at, ends_at, channel_id, channel_kind, created_by, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (guild_id, title, description, concept_note, languages, timezone, starts_at, ends_at,
                 channel_id, channel_kind, created_by, created_at),
            )
        )

    async def set_state(self, dialogue_id: int, state: str) -> None:
        await self.db.execute("UPDATE dialogues SET state = ? WHERE id = ?", (state, dialogue_id))

    async def close(self, dialogue_id: int, now: str) -> None:
        """Mark closed at ``now`` (a dialogue that never opened)."""
        await self.db.execute("UPDATE dialogues SET state = 'closed', closed_at = ? WHERE id = ?", (now, dialogue_id))

    async def mark_opened(self, dialogue_id: int, message_id: int | None) -> None:
        """The opening post was made (or skipped): a draft or scheduled dialogue is now open."""
        await self.db.execute(
            """UPDATE dialogues SET opening_message_id = coalesce(?, opening_message_id),
                      state = CASE WHEN state IN ('draft', 'scheduled') THEN 'open' ELSE state END
               WHERE id = ?""",
            (message_id, dialogue_id),
        )

    async def mark_closed(self, dialogue_id: int, now: str) -> None:
        """The closing post was made (or skipped): close unless already closed or published."""
        await self.db.execute(
            """UPDATE dialogues SET state = 'closed', closed_at = ?
               WHERE id = ? AND state NOT IN ('closed', 'published')""",
            (now, dialogue_id),
        )

    async def open_panel_questions(self, dialogue_id: int) -> int:
        """Panel questions still waiting (pending or approved), for the status."""
        value = await self.db.fetchval(
            """SELECT count(*) FROM panel_questions pq JOIN panels p ON p.id = pq.panel_id
               WHERE p.dialogue_id = ? AND pq.status IN ('pending', 'approved')""",
            (dialogue_id,),
        )
        return int(value or 0)

    # -- guiding questions -------------------------------------------------------------------------

    async def questions(self, dialogue_id: int) -> list[Question]:
        """The guiding questions in order."""
        rows = await self.db.fetchall(
            "SELECT * FROM questions WHERE dialogue_id = ? ORDER BY position", (dialogue_id,)
        )
        return [question_from_row(r) for r in rows]

    async def question_at(self, dialogue_id: int, position: int) -> Question | None:
        row = await self.db.fetchone(
            "SELECT * FROM questions WHERE dialogue_id = ? AND position = ?", (dialogue_id, position)
        )
        return question_from_row(row) if row else None

    async def question(self, question_id: int) -> Question | None:
        row = await self.db.fetchone("SELECT * FROM questions WHERE id = ?", (question_id,))
        return question_from_row(row) if row else None

    async def question_count(self, dialogue_id: int) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM questions WHERE dialogue_id = ?", (dialogue_id,)) or 0)

    async def append_question(self, dialogue_id: int, text: str, post_at: str | None) -> int:
        """A new last question; returns its id."""
        return int(
            await self.db.fetchval(
                """INSERT INTO questions (dialogue_id, position, text, post_at)
                   VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM questions WHERE dialogue_id = ?), ?, ?)
                   RETURNING id""",
                (dialogue_id, dialogue_id, text, post_at),
            )
        )

    async def delete_question(self, dialogue_id: int, question_id: int, position: int) -> None:
        """Delete a question; the later ones move up (call inside a transaction)."""
        await self.db.execute("DELETE FROM questions WHERE id = ?", (question_id,))
        # Two steps keep UNIQUE (dialogue_id, position) true after every statement.
        await self.db.execute(
            "UPDATE questions SET position = -position WHERE dialogue_id = ? AND position > ?",
            (dialogue_id, position),
        )
        await self.db.execute(
            "UPDATE questions SET position = -position - 1 WHERE dialogue_id = ? AND position < 0",
            (dialogue_id,),
        )

    async def set_question_post(self, question_id: int, message_id: int, thread_id: int | None) -> None:
        await self.db.execute(
            "UPDATE questions SET message_id = ?, thread_id = ? WHERE id = ?", (message_id, thread_id, question_id)
        )

    # -- themes ------------------------------------------------------------------------------------

    async def themes(self, dialogue_id: int) -> list[Theme]:
        """The dialogue's themes in order."""
        rows = await self.db.fetchall(
            "SELECT * FROM themes WHERE dialogue_id = ? ORDER BY position", (dialogue_id,)
        )
        return [theme_from_row(r) for r in rows]

    async def insert_theme(self, dialogue_id: int, key: str, name: str, emoji: str | None, position: int) -> int:
        return int(
            await self.db.fetchval(
                "INSERT INTO themes (dialogue_id, key, name, emoji, position) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (dialogue_id, key, name, emoji, position),
            )
        )

    async def insert_themes(self, dialogue_id: int, themes: Iterable[tuple[str, str, str | None]]) -> None:
        """Themes ``(key, name, emoji)`` in order, numbered from 1."""
        await self.db.executemany(
            "INSERT INTO themes (dialogue_id, key, name, emoji, position) VALUES (?, ?, ?, ?, ?)",
            [(dialogue_id, key, name, emoji, i) for i, (key, name, emoji) in enumerate(themes, 1)],
        )

    async def delete_theme(self, theme_id: int) -> None:
        await self.db.execute("DELETE FROM themes WHERE id = ?", (theme_id,))
