"""The SQLite connection: WAL, foreign keys, busy timeout, numbered migrations.

Migrations are ``migrations/NNN_description.sql`` applied in order, all pending ones in one
transaction, the version kept in ``PRAGMA user_version``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


@dataclass(frozen=True)
class Executed:
    rowcount: int
    lastrowid: int | None


class Database:
    """One aiosqlite connection plus the few helpers every repository uses.

    ``transaction()`` serialises writers that need several statements to commit together.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._tx_lock = asyncio.Lock()

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Executed:
        """Run one statement and close its cursor (an open cursor would block the next COMMIT)."""
        async with self.conn.execute(sql, params) as cur:
            return Executed(cur.rowcount, cur.lastrowid)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def commit(self) -> None:
        await self.conn.commit()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error), one at a time on this connection.

        The connection is in autocommit mode: a single statement outside ``transaction()`` commits
        by itself.
        """
        async with self._tx_lock:
            await _run(self.conn, "BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            else:
                await self.conn.commit()

    async def close(self) -> None:
        await self.conn.close()


async def _run(conn: aiosqlite.Connection, sql: str) -> None:
    async with conn.execute(sql):
        pass


async def _migrate(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    pending = [(v, name, sql) for v, name, sql in migrations() if v > current]
    if not pending:
        return current
    await _run(conn, "BEGIN IMMEDIATE")
    try:
        for version, name, sql in pending:
            log.info("applying migration %s", name)
            # executescript would COMMIT first; run statement by statement to stay in one transaction.
            for statement in _split_sql(sql):
                await _run(conn, statement)
            await _run(conn, f"PRAGMA user_version = {int(version)}")
        await conn.commit()
    except BaseException:
        await conn.rollback()
        raise
    return pending[-1][0]


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (our migrations have no triggers or semicolons in strings)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    body = "\n".join(line.split(" --", 1)[0] for line in lines)
    return [s.strip() for s in body.split(";") if s.strip()]


async def open_database(path: str | Path) -> Database:
    """Open (creating if needed) and migrate the database at ``path``."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    try:
        for pragma in ("journal_mode = WAL", "foreign_keys = ON", "busy_timeout = 5000", "synchronous = NORMAL"):
            await _run(conn, f"PRAGMA {pragma}")
        await _migrate(conn)
    except BaseException:
        await conn.close()
        raise
    return Database(conn, path)
