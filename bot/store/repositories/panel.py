"""The panel feature's SQL: panels and panellists, members' questions and votes, review, merge, relay,
answers, and the report's read of a whole panel. Portable SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.store.base import Database, Row

_PANEL = """SELECT p.*, d.guild_id, d.title, d.timezone, d.languages, d.channel_id AS dialogue_channel_id
            FROM panels p JOIN dialogues d ON d.id = p.dialogue_id"""
_QUESTION = """SELECT q.*, (SELECT count(*) FROM panel_votes v WHERE v.question_id = q.id) AS votes
               FROM panel_questions q"""
_ANSWER = """SELECT a.*, p.name AS panellist_name FROM panel_answers a
             JOIN panellists p ON p.id = a.panellist_id"""
_UNANSWERED = """q.panel_id = ? AND q.status IN ('approved', 'relayed')
                 AND NOT EXISTS (SELECT 1 FROM panel_answers a WHERE a.question_id = q.id)"""
_SET_MESSAGE = {
    "review": "UPDATE panel_questions SET review_message_id = ? WHERE id = ?",
    "public": "UPDATE panel_questions SET public_message_id = ? WHERE id = ?",
    "relay": "UPDATE panel_questions SET relay_message_id = ? WHERE id = ?",
}


class PanelRepository:
    """Every statement of :mod:`bot.panel`. State changes are conditional ``UPDATE … WHERE status IN
    (…)`` whose row count tells the service whether this call made the change."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- panels ---------------------------------------------------------------------------------------

    async def live_panel_ids(self) -> list[int]:
        rows = await self.db.fetchall("SELECT id FROM panels WHERE live_question_id IS NOT NULL AND state != 'closed'")
        return [int(r["id"]) for r in rows]

    async def panel_id_of(self, dialogue_id: int) -> int | None:
        value = await self.db.fetchval("SELECT id FROM panels WHERE dialogue_id = ?", (dialogue_id,))
        return None if value is None else int(value)

    async def create_panel(self, dialogue_id: int, channel_id: int, starts_at: str, ends_at: str, now: str) -> int:
        value = await self.db.fetchval(
            """INSERT INTO panels (dialogue_id, channel_id, starts_at, ends_at, created_at)
               VALUES (?, ?, ?, ?, ?) RETURNING id""",
            (dialogue_id, channel_id, starts_at, ends_at, now),
        )
        return int(value)

    async def panel(self, panel_id: int) -> Row | None:
        return await self.db.fetchone(f"{_PANEL} WHERE p.id = ?", (panel_id,))

    async def open_panels(self, guild_id: int) -> list[Row]:
        """The guild's panels not yet closed (id, channel), earliest first."""
        return await self.db.fetchall(
            """SELECT p.id, p.channel_id FROM panels p JOIN dialogues d ON d.id = p.dialogue_id
               WHERE d.guild_id = ? AND p.state != 'closed' ORDER BY p.starts_at""",
            (guild_id,),
        )

    async def set_event(self, panel_id: int, event_id: int | None) -> None:
        await self.db.execute("UPDATE panels SET event_id = ? WHERE id = ?", (event_id, panel_id))

    async def set_announcement(self, panel_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE panels SET announcement_message_id = ? WHERE id = ?", (message_id, panel_id))

    async def close(self, panel_id: int) -> None:
        await self.db.execute(
            "UPDATE panels SET state = 'closed', live_question_id = NULL WHERE id = ? AND state != 'closed'",
            (panel_id,),
        )

    # -- panellists -----------------------------------------------------------------------------------

    async def add_panellist(
        self, panel_id: int, name: str, title: str | None, organisation: str | None, user_id: int | None, position: int
    ) -> int:
        value = await self.db.fetchval(
            """INSERT INTO panellists (panel_id, name, title, organisation, user_id, position)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
            (panel_id, name, title, organisation, user_id, position),
        )
        return int(value)

    async def panellists(self, panel_id: int) -> list[Row]:
        return await self.db.fetchall("SELECT * FROM panellists WHERE panel_id = ? ORDER BY position, id", (panel_id,))

    async def panellist(self, panellist_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM panellists WHERE id = ?", (panellist_id,))

    async def set_presentation(self, panellist_id: int, text: str | None) -> None:
        await self.db.execute("UPDATE panellists SET presentation = ? WHERE id = ?", (text, panellist_id))

    # -- questions and votes --------------------------------------------------------------------------

    async def answer_message_ids(self) -> set[int]:
        rows = await self.db.fetchall("SELECT message_id FROM panel_answers WHERE message_id IS NOT NULL")
        return {int(r["message_id"]) for r in rows}

    async def ask(
        self, panel_id: int, author_id: int, text: str, attribution: str, name: str | None,
        organisation: str | None, now: str, limit: int,
    ) -> int | None:
        """Store a pending question unless the member already has ``limit`` pending ones (then ``None``)."""
        async with self.db.transaction() as tx:
            pending = await tx.fetchval(
                "SELECT count(*) FROM panel_questions WHERE panel_id = ? AND author_id = ? AND status = 'pending'",
                (panel_id, author_id),
            )
            if int(pending) >= limit:
                return None
            value = await tx.fetchval(
                """INSERT INTO panel_questions (panel_id, author_id, text, attribution, asker_name,
                                                asker_organisation, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (panel_id, author_id, text, attribution, name, organisation, now),
            )
        return int(value)

    async def toggle_vote(self, question_id: int, user_id: int, now: str) -> bool:
        """Remove the member's vote, or add it if there was none; whether they now vote for it."""
        removed = await self.db.execute(
            "DELETE FROM panel_votes WHERE question_id = ? AND user_id = ?", (question_id, user_id)
        )
        if removed.rowcount:
            return False
        await self.db.execute(
            "INSERT INTO panel_votes (question_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (question_id, user_id, now),
        )
        return True

    async def question(self, question_id: int) -> Row | None:
        return await self.db.fetchone(f"{_QUESTION} WHERE q.id = ?", (question_id,))

    async def questions(self, panel_id: int, statuses: Sequence[str] | None = None) -> list[Row]:
        """A panel's questions (in ``statuses``), most voted first, then oldest first."""
        where = "q.panel_id = ?"
        params: list[Any] = [panel_id]
        if statuses:
            where += f" AND q.status IN ({', '.join('?' for _ in statuses)})"
            params += list(statuses)
        return await self.db.fetchall(f"{_QUESTION} WHERE {where} ORDER BY votes DESC, q.id", params)

    async def merged_into(self, question_id: int) -> list[Row]:
        return await self.db.fetchall("SELECT * FROM panel_questions WHERE merged_into = ? ORDER BY id", (question_id,))

    async def review(self, question_id: int, status: str, moderator_id: int) -> bool:
        """A pending question approved or rejected; whether this call did it."""
        if status not in ("approved", "rejected"):
            raise ValueError(status)
        done = await self.db.execute(
            "UPDATE panel_questions SET status = ?, reviewed_by = ? WHERE id = ? AND status = 'pending'",
            (status, moderator_id, question_id),
        )
        return bool(done.rowcount)

    async def merge(self, source_id: int, target_id: int, moderator_id: int) -> tuple[bool, bool]:
        """Fold ``source_id`` into ``target_id`` (voters united, earlier merges follow) if both are still
        open: (whether the source moved, whether the target is open). Nothing changes unless both."""
        try:
            async with self.db.transaction() as tx:
                moved = await tx.execute(
                    """UPDATE panel_questions SET status = 'merged', merged_into = ?, reviewed_by = ?
                       WHERE id = ? AND status IN ('pending', 'approved')""",
                    (target_id, moderator_id, source_id),
                )
                still_open = await tx.fetchval(
                    "SELECT count(*) FROM panel_questions WHERE id = ? AND status IN ('pending', 'approved')",
                    (target_id,),
                )
                if not moved.rowcount or not still_open:
                    raise _Undo(bool(moved.rowcount), bool(still_open))
                await tx.execute(
                    "UPDATE panel_questions SET merged_into = ? WHERE merged_into = ?", (target_id, source_id)
                )
                await tx.execute(
                    """INSERT INTO panel_votes (question_id, user_id, created_at)
                       SELECT ?, user_id, created_at FROM panel_votes WHERE question_id = ?
                       ON CONFLICT DO NOTHING""",
                    (target_id, source_id),
                )
        except _Undo as undo:
            return undo.moved, undo.still_open
        return True, True

    async def relay(self, question_id: int, panel_id: int, moderator_id: int, message_id: int | None, now: str) -> bool:
        """Make an open question the panel's live one (its relay post recorded); whether this call did it."""
        async with self.db.transaction() as tx:
            done = await tx.execute(
                """UPDATE panel_questions SET status = 'relayed', relayed_at = ?,
                       reviewed_by = coalesce(reviewed_by, ?), relay_message_id = ?,
                       relay_position = 1 + (SELECT coalesce(max(relay_position), 0) FROM panel_questions
                                             WHERE panel_id = ?)
                   WHERE id = ? AND status IN ('pending', 'approved')""",
                (now, moderator_id, message_id, panel_id, question_id),
            )
            if not done.rowcount:
                return False
            await tx.execute(
                "UPDATE panels SET live_question_id = ?, state = 'live' WHERE id = ? AND state != 'closed'",
                (question_id, panel_id),
            )
        return True

    async def set_message(self, question_id: int, kind: str, message_id: int) -> None:
        await self.db.execute(_SET_MESSAGE[kind], (message_id, question_id))

    # -- answers --------------------------------------------------------------------------------------

    async def answer(self, *, answer_id: int | None = None, message_id: int | None = None) -> Row | None:
        if answer_id is not None:
            return await self.db.fetchone(f"{_ANSWER} WHERE a.id = ?", (answer_id,))
        return await self.db.fetchone(f"{_ANSWER} WHERE a.message_id = ?", (message_id,))

    async def add_answer(
        self, question_id: int, panellist_id: int, text: str, message_id: int | None, now: str
    ) -> int:
        value = await self.db.fetchval(
            """INSERT INTO panel_answers (question_id, panellist_id, text, message_id, created_at)
               VALUES (?, ?, ?, ?, ?) RETURNING id""",
            (question_id, panellist_id, text, message_id, now),
        )
        return int(value)

    async def edit_answer(self, message_id: int, text: str) -> None:
        await self.db.execute("UPDATE panel_answers SET text = ? WHERE message_id = ?", (text, message_id))

    async def delete_answer(self, message_id: int) -> None:
        await self.db.execute("DELETE FROM panel_answers WHERE message_id = ?", (message_id,))

    async def answers(self, question_id: int) -> list[Row]:
        return await self.db.fetchall(f"{_ANSWER} WHERE a.question_id = ? ORDER BY a.id", (question_id,))

    # -- what the report reads ------------------------------------------------------------------------

    async def unanswered(self, panel_id: int) -> list[Row]:
        return await self.db.fetchall(
            f"{_QUESTION} WHERE {_UNANSWERED} ORDER BY votes DESC, q.id", (panel_id,)
        )

    async def relayed(self, panel_id: int) -> list[Row]:
        return await self.db.fetchall(
            f"{_QUESTION} WHERE q.panel_id = ? AND q.status = 'relayed' ORDER BY q.relay_position, q.id",
            (panel_id,),
        )


class _Undo(Exception):
    """Raised inside a transaction to roll it back; carries what the caller needs to explain why."""

    def __init__(self, moved: bool, still_open: bool) -> None:
        super().__init__("rolled back")
        self.moved = moved
        self.still_open = still_open
