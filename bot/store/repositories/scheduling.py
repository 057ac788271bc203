"""The SQL of scheduled posts: the ``schedule_items`` table.

A row goes ``pending → claimed → done`` (or ``skipped`` / ``failed``); :meth:`ScheduleRepository.claim`
is the compare-and-set that lets exactly one caller post a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.dialogues.model import ScheduleItem, schedule_item
from bot.sharding import ShardScope
from bot.store.base import Database

#: A row to insert: (dialogue_id, kind, question_id, week, run_at ISO).
NewItem = tuple[int, str, int | None, int | None, str]


_CLAIM = """UPDATE schedule_items SET status = 'claimed', claimed_at = coalesce(claimed_at, ?),
                   attempts = attempts + 1, lease_until = ?, claimed_by = ?
            WHERE id = ? AND status = ? AND attempts = ?"""
_CLAIM_LOCKED = """UPDATE schedule_items SET status = 'claimed', claimed_at = coalesce(claimed_at, ?),
                          attempts = attempts + 1, lease_until = ?, claimed_by = ?
                   WHERE id = (SELECT id FROM schedule_items WHERE id = ? AND status = ? AND attempts = ?
                               FOR UPDATE SKIP LOCKED)"""


def _shard_filter(shards: int) -> str:
    """The guild (``d``) is on one of ``shards`` shard ids: ``(guild_id >> 22) % count IN (…)``."""
    return f"((d.guild_id >> 22) % ?) IN ({', '.join('?' for _ in range(shards))})"


class ScheduleRepository:
    """Reads and writes schedule items."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading -----------------------------------------------------------------------------------

    async def for_dialogue(self, dialogue_id: int) -> list[ScheduleItem]:
        """All rows of a dialogue, unordered (callers sort by :attr:`ScheduleItem.sort_key`)."""
        rows = await self.db.fetchall("SELECT * FROM schedule_items WHERE dialogue_id = ?", (dialogue_id,))
        return [schedule_item(r) for r in rows]

    async def get(self, item_id: int) -> ScheduleItem | None:
        row = await self.db.fetchone("SELECT * FROM schedule_items WHERE id = ?", (item_id,))
        return schedule_item(row) if row else None

    async def opening_thread_id(self, dialogue_id: int) -> int | None:
        value = await self.db.fetchval(
            "SELECT thread_id FROM schedule_items WHERE dialogue_id = ? AND kind = 'opening' AND thread_id IS NOT NULL",
            (dialogue_id,),
        )
        return int(value) if value is not None else None

    async def next_for_dialogue(self, dialogue_id: int) -> ScheduleItem | None:
        """The next pending or in-doubt row of a dialogue."""
        row = await self.db.fetchone(
            """SELECT * FROM schedule_items WHERE dialogue_id = ? AND status IN ('pending', 'claimed')
               ORDER BY run_at, id LIMIT 1""",
            (dialogue_id,),
        )
        return schedule_item(row) if row else None

    async def scheduled_question_ids(self, dialogue_id: int) -> set[int]:
        """Questions that have a row (in any state)."""
        rows = await self.db.fetchall(
            "SELECT question_id FROM schedule_items WHERE dialogue_id = ? AND kind = 'question'", (dialogue_id,)
        )
        return {r[0] for r in rows}

    async def question_started(self, question_id: int) -> bool:
        """Whether the question's post was claimed or made."""
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM schedule_items WHERE question_id = ? AND status IN ('claimed', 'done')", (question_id,)
            )
        )

    async def wake_times(self, scope: ShardScope | None = None) -> dict[int, datetime]:
        """item id → run_at of every pending or in-doubt row (of ``scope``'s guilds; a row another
        process holds under a lease: when the lease expires)."""
        if scope is None or not scope.sharded:
            rows = await self.db.fetchall(
                "SELECT id, run_at FROM schedule_items WHERE status IN ('pending', 'claimed')"
            )
            return {r["id"]: datetime.fromisoformat(r["run_at"]) for r in rows}
        rows = await self.db.fetchall(
            f"""SELECT s.id, s.run_at, s.status, s.lease_until FROM schedule_items s
                JOIN dialogues d ON d.id = s.dialogue_id
                WHERE s.status IN ('pending', 'claimed') AND {_shard_filter(len(scope.shard_ids))}""",  # noqa: S608
            (scope.count, *scope.shard_ids),
        )
        return {
            r["id"]: datetime.fromisoformat(max(r["run_at"], r["lease_until"] or "") if r["status"] == "claimed"
                                            else r["run_at"])
            for r in rows
        }

    async def due(self, now: str, scope: ShardScope | None = None, owner: str = "") -> list[ScheduleItem]:
        """Pending or in-doubt rows due at ``now`` (unordered). With a sharded ``scope``: of its guilds
        only, leaving out rows another process (not ``owner``) holds under an unexpired lease."""
        if scope is None or not scope.sharded:
            rows = await self.db.fetchall(
                "SELECT * FROM schedule_items WHERE status IN ('pending', 'claimed') AND run_at <= ?", (now,)
            )
            return [schedule_item(r) for r in rows]
        rows = await self.db.fetchall(
            f"""SELECT s.* FROM schedule_items s JOIN dialogues d ON d.id = s.dialogue_id
                WHERE s.status IN ('pending', 'claimed') AND s.run_at <= ?
                  AND {_shard_filter(len(scope.shard_ids))}
                  AND NOT (s.status = 'claimed' AND COALESCE(s.claimed_by, '') <> ?
                           AND COALESCE(s.lease_until, '') > ?)""",  # noqa: S608
            (now, scope.count, *scope.shard_ids, owner, now),
        )
        return [schedule_item(r) for r in rows]

    # -- writing -----------------------------------------------------------------------------------

    async def insert_many(self, rows: Iterable[NewItem]) -> None:
        await self.db.executemany(
            "INSERT INTO schedule_items (dialogue_id, kind, question_id, week, run_at) VALUES (?, ?, ?, ?, ?)",
            list(rows),
        )

    async def delete_pending(self, dialogue_id: int, kind: str | None = None) -> None:
        """Delete the dialogue's pending rows (of one ``kind`` if given)."""
        if kind is None:
            await self.db.execute(
                "DELETE FROM schedule_items WHERE dialogue_id = ? AND status = 'pending'", (dialogue_id,)
            )
        else:
            await self.db.execute(
                "DELETE FROM schedule_items WHERE dialogue_id = ? AND kind = ? AND status = 'pending'",
                (dialogue_id, kind),
            )

    async def cancel_pending(self, dialogue_id: int, *, keep_closing: bool) -> int:
        """Skip the dialogue's pending rows (but its closing one if ``keep_closing``); how many."""
        result = await self.db.execute(
            """UPDATE schedule_items SET status = 'skipped', last_error = 'cancelled: closed early'
               WHERE dialogue_id = ? AND status = 'pending' AND (kind != 'closing' OR ? = 0)""",
            (dialogue_id, int(keep_closing)),
        )
        return result.rowcount

    async def move_closing(self, dialogue_id: int, run_at: str) -> bool:
        """Re-time the pending closing row; ``False`` if there is none."""
        result = await self.db.execute(
            "UPDATE schedule_items SET run_at = ? WHERE dialogue_id = ? AND kind = 'closing' AND status = 'pending'",
            (run_at, dialogue_id),
        )
        return result.rowcount > 0

    async def has_report(self, dialogue_id: int) -> bool:
        """Whether the dialogue already has a final-report item (in any state)."""
        return await self.db.fetchval(
            "SELECT 1 FROM schedule_items WHERE dialogue_id = ? AND kind = 'report'", (dialogue_id,)
        ) is not None

    async def report_in_flight(self, dialogue_id: int) -> bool:
        """Whether the final report is due or being posted (pending, or claimed and in doubt)."""
        return await self.db.fetchval(
            """SELECT 1 FROM schedule_items WHERE dialogue_id = ? AND kind = 'report'
               AND status IN ('pending', 'claimed')""",
            (dialogue_id,),
        ) is not None

    async def add_closing(self, dialogue_id: int, run_at: str) -> None:
        await self.db.execute(
            "INSERT INTO schedule_items (dialogue_id, kind, run_at) VALUES (?, 'closing', ?)", (dialogue_id, run_at)
        )

    async def claim(self, item: ScheduleItem, now: str, *, lease_until: str | None = None, owner: str = "") -> bool:
        """Take the row if it is still as ``item`` saw it; ``False`` if someone else did.

        The claim records who holds it (``owner``) and until when (``lease_until``). On PostgreSQL the
        row is locked ``FOR UPDATE SKIP LOCKED``: a shard process claiming the same row at the same
        moment skips it instead of waiting (SQLite has one writer, so the compare-and-set suffices).
        """
        result = await self.db.execute(
            _CLAIM_LOCKED if self.db.dialect == "postgresql" else _CLAIM,
            (now, lease_until, owner or None, item.id, item.status, item.attempts),
        )
        return result.rowcount == 1

    async def mark_done(self, item_id: int, now: str, message_id: int | None, thread_id: int | None) -> None:
        await self.db.execute(
            """UPDATE schedule_items SET status = 'done', done_at = ?, message_id = ?, thread_id = ?,
                      last_error = NULL WHERE id = ?""",
            (now, message_id, thread_id, item_id),
        )

    async def mark_skipped(self, item_id: int, now: str, reason: str) -> None:
        await self.db.execute(
            "UPDATE schedule_items SET status = 'skipped', done_at = ?, last_error = ? WHERE id = ?",
            (now, reason, item_id),
        )

    async def mark_failed(self, item_id: int) -> None:
        await self.db.execute("UPDATE schedule_items SET status = 'failed' WHERE id = ?", (item_id,))

    async def retry_later(self, item_id: int, error: str, run_at: str) -> None:
        """Leave the row in doubt with its error, due again at ``run_at``."""
        await self.db.execute(
            "UPDATE schedule_items SET last_error = ?, run_at = ? WHERE id = ?", (error, run_at, item_id)
        )
