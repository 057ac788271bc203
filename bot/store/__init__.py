"""The embedded store: aiosqlite over one SQLite file. Repositories take a connection, return dataclasses."""

from bot.store.connection import Database, open_database

__all__ = ["Database", "open_database"]
