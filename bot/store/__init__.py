"""The store: connections, migrations and the repositories, the only place with SQL.

``open_database(target)`` opens the store a config names: a path or ``sqlite:///PATH`` (the embedded
default), or ``postgresql://USER@HOST:PORT/DATABASE`` (the server store, for several shard processes).
A target that cannot be opened raises :class:`StoreError`, one line meant for a person.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

from bot.store.base import Database, Executed, Executor, Row, StoreError, StoreUnavailable
from bot.store.schema import SchemaTooNew
from bot.store.sqlite import SqliteDatabase, migrate_sqlite, open_sqlite

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
T = TypeVar("T")


def is_postgres(target: str | Path) -> bool:
    return str(target).startswith(POSTGRES_PREFIXES)


def is_url(target: str | Path) -> bool:
    """Whether ``target`` is a URL (``scheme://…``) rather than a plain file path."""
    return "://" in str(target)


def sqlite_path(target: str | Path) -> Path:
    """The file a SQLite target names (a path or a ``sqlite:///`` URL)."""
    text = str(target)
    if text.startswith(SQLITE_PREFIX):
        return Path(text[len(SQLITE_PREFIX) :])
    if is_url(text):
        raise StoreError(f"unsupported database URL {redact(text)!r}: use sqlite:///PATH or postgresql://…")
    return Path(text)


def redact(target: str | Path) -> str:
    """``target`` fit to print: a password in a URL is replaced by ``***``."""
    text = str(target)
    if not is_url(text):
        return text
    scheme, rest = text.split("://", 1)
    netloc, sep, tail = rest.partition("/")
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    return f"{scheme}://{netloc}{sep}{tail}"


async def open_database(target: str | Path) -> Database:
    """Open and migrate the store at ``target``: a file path, ``sqlite:///PATH`` or ``postgresql://…``."""
    if is_postgres(target):
        from bot.store.postgres import open_postgres

        return await _reaching(target, open_postgres(str(target)))
    return await open_sqlite(sqlite_path(target))


async def migrate(target: str | Path) -> list[str]:
    """Apply pending migrations to the store at ``target``; the names of those applied, in order."""
    if is_postgres(target):
        from bot.store.postgres import migrate_postgres

        return await _reaching(target, migrate_postgres(str(target)))
    return await migrate_sqlite(sqlite_path(target))


async def _reaching(target: str | Path, opening: Awaitable[T]) -> T:
    """Await ``opening`` (a connection to ``target``), turning connection failures into StoreError."""
    import asyncpg

    try:
        return await opening
    except SchemaTooNew:
        raise
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StoreError(f"cannot open {redact(target)}: {reason}") from exc


__all__ = [
    "Database",
    "Executed",
    "Executor",
    "Row",
    "SchemaTooNew",
    "SqliteDatabase",
    "StoreError",
    "StoreUnavailable",
    "is_postgres",
    "migrate",
    "open_database",
    "redact",
    "sqlite_path",
]
