"""SQL of a dialogue's translations (``translations``) and of the translatable items other features own.

A translation is stored with the original text it translates (``source``): the services treat a
translation whose source no longer matches the item's text as missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.base import Database


@dataclass(frozen=True)
class TranslationRow:
    """One item's text in one language, and the original it was made from."""

    kind: str
    item_id: int
    language: str
    text: str
    source: str


@dataclass(frozen=True)
class ItemRow:
    """A translatable item kept by another feature: its id, its original text, and a number to show."""

    item_id: int
    text: str
    number: int


class TranslationRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self, dialogue_id: int) -> list[TranslationRow]:
        rows = await self.db.fetchall(
            """SELECT kind, item_id, language, text, source FROM translations WHERE dialogue_id = ?
               ORDER BY kind, item_id, language""",
            (dialogue_id,),
        )
        return [TranslationRow(r["kind"], r["item_id"], r["language"], r["text"], r["source"]) for r in rows]

    async def put(
        self, dialogue_id: int, kind: str, item_id: int, language: str, text: str, source: str, now: str
    ) -> None:
        await self.db.execute(
            """INSERT INTO translations (dialogue_id, kind, item_id, language, text, source, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (dialogue_id, kind, item_id, language) DO UPDATE
               SET text = excluded.text, source = excluded.source, updated_at = excluded.updated_at""",
            (dialogue_id, kind, item_id, language, text, source, now),
        )

    async def delete(self, dialogue_id: int, kind: str, item_id: int, language: str) -> bool:
        done = await self.db.execute(
            "DELETE FROM translations WHERE dialogue_id = ? AND kind = ? AND item_id = ? AND language = ?",
            (dialogue_id, kind, item_id, language),
        )
        return done.rowcount > 0

    # -- items kept by other features --------------------------------------------------------------

    async def key_points(self, dialogue_id: int) -> list[ItemRow]:
        """Key points the moderators wrote (a key point marked from a contribution is a member's words)."""
        rows = await self.db.fetchall(
            """SELECT id, text FROM key_points WHERE dialogue_id = ? AND contribution_id IS NULL
               ORDER BY created_at, id""",
            (dialogue_id,),
        )
        return [ItemRow(r["id"], r["text"], n) for n, r in enumerate(rows, 1)]

    async def further_questions(self, dialogue_id: int) -> list[ItemRow]:
        rows = await self.db.fetchall(
            "SELECT id, text FROM further_questions WHERE dialogue_id = ? ORDER BY created_at, id", (dialogue_id,)
        )
        return [ItemRow(r["id"], r["text"], n) for n, r in enumerate(rows, 1)]

    async def presentations(self, dialogue_id: int) -> list[tuple[ItemRow, str]]:
        """Each panellist's presentation (key points, one per line), with the panellist's name."""
        rows = await self.db.fetchall(
            """SELECT p.id, p.name, p.presentation FROM panellists p JOIN panels pa ON pa.id = p.panel_id
               WHERE pa.dialogue_id = ? AND p.presentation IS NOT NULL AND p.presentation != ''
               ORDER BY p.position, p.id""",
            (dialogue_id,),
        )
        return [(ItemRow(r["id"], r["presentation"], n), r["name"]) for n, r in enumerate(rows, 1)]
