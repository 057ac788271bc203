"""The store: connections, migrations and the repositories, the only place with SQL.

``open_database(target)`` opens the store a config names: a path or ``sqlite:///PATH`` (the embedded
default).
"""

from __future__ import annotations

from pathlib import Path

from bot.store.base import Database, Executed, Executor, Row
from bot.store.schema import SchemaTooNew
from bot.store.sqlite import SqliteDatabase, open_sqlite

SQLITE_PREFIX = "sqlite:///"


async def open_database(target: str | Path) -> Database:
    """Open and migrate the store at ``target`` (a file path or a ``sqlite:///`` URL)."""
    text = str(target)
    if text.startswith(SQLITE_PREFIX):
        text = text[len(SQLITE_PREFIX) :]
    return await open_sqlite(text)


__all__ = ["Database", "Executed", "Executor", "Row", "SchemaTooNew", "SqliteDatabase", "open_database"]
