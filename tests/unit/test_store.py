"""The store: migrations, pragmas, transactions on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store import open_database
from bot.store.connection import migrations


async def test_migrations_apply_once_and_set_user_version(db_path: Path) -> None:
    latest = migrations()[-1][0]
    db = await open_database(db_path)
    try:
        assert await db.fetchval("PRAGMA user_version") == latest
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert str(await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    finally:
        await db.close()
    db = await open_database(db_path)  # reopening applies nothing twice
    try:
        assert await db.fetchval("PRAGMA user_version") == latest
    finally:
        await db.close()


async def test_a_failed_transaction_leaves_nothing(db_path: Path) -> None:
    db = await open_database(db_path)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?)", (1, "2026-01-01")
                )
                raise RuntimeError("boom")
        assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0
    finally:
        await db.close()
