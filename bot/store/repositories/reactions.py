"""The contributions feature's reactions, written in batches: theme tags, support and disagreement.

Reactions arrive in bursts (a live panel's upvotes, a week's tags). A batch resolves every message it
names to its contribution and every emoji to its theme in two queries, then applies each reaction's
change in arrival order, all in one transaction: on SQLite in one call to the writer's thread
(``run_sync``). What a reaction means (a tag, a self-tag, support, disagreement, nothing) is the
service's rule, passed in as ``decide``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.store.base import Database

_CHUNK = 500

#: A change to make: ("tag", (contribution, theme, source, user, now)), ("support" | "disagree",
#: (contribution, user, emoji)) or ("remove", (contribution, theme or None, user, emoji)).
Change = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    message_id: int
    emoji: str
    user_id: int
    moderator: bool
    added: bool


@dataclass(frozen=True, slots=True)
class ReactionTarget:
    """The contribution a reaction is on."""

    contribution_id: int
    dialogue_id: int
    guild_id: int
    author_id: int
    #: The dialogue's own disagreement emoji (``/report reactions``), if it set one.
    disagree: str | None = None


Decide = Callable[[ReactionEvent, ReactionTarget, int | None], Change | None]

_STATEMENTS: dict[str, tuple[str, ...]] = {
    "tag": ("""INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
               VALUES (?, ?, ?, 'confirmed', ?, ?)
               ON CONFLICT (contribution_id, theme_id) DO UPDATE
               SET source = excluded.source, status = 'confirmed', tagged_by = excluded.tagged_by
               WHERE contribution_tags.status = 'suggested'
                  OR (contribution_tags.status = 'rejected' AND excluded.source = 'reaction')""",),
    # With the contribution's dialogue and author (migration 012: support counted from its own index).
    "support": ("""INSERT INTO contribution_support (contribution_id, user_id, emoji, dialogue_id, author_id)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",),
    "disagree": ("""INSERT INTO contribution_disagreement (contribution_id, user_id, emoji) VALUES (?, ?, ?)
                    ON CONFLICT (contribution_id, user_id, emoji) DO NOTHING""",),
}
_REMOVE_TAG = """DELETE FROM contribution_tags WHERE contribution_id = ? AND theme_id = ? AND tagged_by = ?
                 AND source IN ('reaction', 'self')"""
_REMOVE_MARKS = (
    "DELETE FROM contribution_support WHERE contribution_id = ? AND user_id = ? AND emoji = ?",
    "DELETE FROM contribution_disagreement WHERE contribution_id = ? AND user_id = ? AND emoji = ?",
)


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _targets_sql(n: int) -> str:
    return (
        "SELECT c.message_id, c.id, c.dialogue_id, c.guild_id, c.author_id, rr.disagree FROM contributions c "  # noqa: S608
        f"LEFT JOIN report_reactions rr ON rr.dialogue_id = c.dialogue_id WHERE c.message_id IN ({_marks(n)})"
    )


def _themes_sql(n: int) -> str:
    return f"SELECT dialogue_id, emoji, id FROM themes WHERE dialogue_id IN ({_marks(n)}) ORDER BY position DESC"  # noqa: S608


class ReactionRepository:
    """Applies a batch of reactions (see the module's docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def apply(self, events: Sequence[ReactionEvent], decide: Decide) -> list[tuple[str | None, bool]]:
        """For each event in order: (the kind of change it made or ``None``, whether a row changed)."""
        run_sync = getattr(self.db, "run_sync", None)
        if run_sync is not None:
            result: list[tuple[str | None, bool]] = await run_sync(lambda conn: _apply_sqlite(conn, events, decide))
            return result
        message_ids = sorted({e.message_id for e in events})
        targets: dict[int, ReactionTarget] = {}
        for start in range(0, len(message_ids), _CHUNK):
            chunk = message_ids[start : start + _CHUNK]
            for r in await self.db.fetchall(_targets_sql(len(chunk)), chunk):
                targets[r[0]] = ReactionTarget(r[1], r[2], r[3], r[4], r[5])
        dialogues = sorted({t.dialogue_id for t in targets.values()})
        themes = _theme_map(await self.db.fetchall(_themes_sql(len(dialogues)), dialogues)) if dialogues else {}
        results: list[tuple[str | None, bool]] = []
        async with self.db.transaction() as tx:
            for event in events:
                found = _change(event, targets, themes, decide)
                if found is None:
                    results.append((None, False))
                    continue
                changed = 0
                for sql, params in _statements(*found):
                    changed += (await tx.execute(sql, params)).rowcount
                results.append((found[0][0], changed > 0))
        return results


def _theme_map(rows: Sequence[Any]) -> dict[tuple[int, str], int]:
    """(dialogue, emoji) → theme id; the first theme by position wins (rows come last position first)."""
    return {(r[0], r[1]): r[2] for r in rows if r[1] is not None}


def _change(
    event: ReactionEvent, targets: dict[int, ReactionTarget], themes: dict[tuple[int, str], int], decide: Decide
) -> tuple[Change, ReactionTarget] | None:
    target = targets.get(event.message_id)
    if target is None:
        return None
    change = decide(event, target, themes.get((target.dialogue_id, event.emoji)))
    return None if change is None else (change, target)


def _statements(change: Change, target: ReactionTarget) -> list[tuple[str, tuple[Any, ...]]]:
    kind, params = change
    if kind == "support":
        params = (*params, target.dialogue_id, target.author_id)
    if kind != "remove":
        return [(sql, params) for sql in _STATEMENTS[kind]]
    contribution_id, theme_id, user_id, emoji = params
    found = [(_REMOVE_TAG, (contribution_id, theme_id, user_id))] if theme_id is not None else []
    return found + [(sql, (contribution_id, user_id, emoji)) for sql in _REMOVE_MARKS]


def _apply_sqlite(
    conn: sqlite3.Connection, events: Sequence[ReactionEvent], decide: Decide
) -> list[tuple[str | None, bool]]:
    """The whole batch in the writer's thread, inside ``run_sync``'s transaction."""
    message_ids = sorted({e.message_id for e in events})
    targets: dict[int, ReactionTarget] = {}
    for start in range(0, len(message_ids), _CHUNK):
        chunk = message_ids[start : start + _CHUNK]
        for r in conn.execute(_targets_sql(len(chunk)), chunk):
            targets[r[0]] = ReactionTarget(r[1], r[2], r[3], r[4], r[5])
    dialogues = sorted({t.dialogue_id for t in targets.values()})
    themes = _theme_map(conn.execute(_themes_sql(len(dialogues)), dialogues).fetchall()) if dialogues else {}
    results: list[tuple[str | None, bool]] = []
    for event in events:
        found = _change(event, targets, themes, decide)
        if found is None:
            results.append((None, False))
            continue
        changed = sum(conn.execute(sql, params).rowcount for sql, params in _statements(*found))
        results.append((found[0][0], changed > 0))
    return results
