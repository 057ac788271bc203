"""The embedded store: one SQLite file through aiosqlite, one writer and a few readers (WAL).

* **Writer** — one connection in autocommit mode. Writes are serialized by an :class:`asyncio.Lock`
  owned, for a transaction, by the task that opened it (``BEGIN IMMEDIATE`` … ``COMMIT``); the
  owner's statements join it, anyone else's wait (see :mod:`bot.store.base`).
* **Readers** — ``read_connections`` connections with ``PRAGMA query_only``; a ``SELECT`` outside the
  calling task's own transaction takes the next free one and sees committed data only.

Migrations are ``migrations/NNN_description.sql`` applied in order, all pending ones in one
transaction, the version kept in ``PRAGMA user_version``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.store.base import Executed, Params, Row, TaskOwned, is_read
from bot.store.ingest_child import PRAGMAS
from bot.store.schema import SchemaTooNew, migrations, split_sql
from bot.store.sqlite_ingest import IngestError, IngestProcess, Statements

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Read connections per store: a report compile and members' commands read side by side.
READ_CONNECTIONS = 3


class _Transaction(TaskOwned):
    """The writer connection, for the one task that holds the write lock."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__()
        self.conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Executed:
        self._check()
        async with self.conn.execute(sql, params) as cur:
            return Executed(cur.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._check()
        await self.conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        self._check()
        async with self.conn.execute(sql, params) as cur:
            row: Row | None = await cur.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._check()
        async with self.conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class SqliteDatabase:
    """One SQLite file: the writer, the readers, and the transaction each task holds."""

    dialect = "sqlite"

    def __init__(self, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection], path: Path) -> None:
        self.path = path
        self._writer = writer
        self._readers = readers
        self._free: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in readers:
            self._free.put_nowait(reader)
        self._write_lock = asyncio.Lock()
        self._ingest = IngestProcess(path)
        self._current: ContextVar[_Transaction | None] = ContextVar(f"colloquy-tx-{id(self)}", default=None)

    # -- routing ----------------------------------------------------------------------------------------

    def _own(self) -> _Transaction | None:
        """The transaction the calling task holds open, if any (a child task inherits none)."""
        tx = self._current.get()
        return tx if tx is not None and tx.held_by_caller() else None

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        conn = await self._free.get()
        try:
            yield conn
        finally:
            self._free.put_nowait(conn)

    # -- the Executor interface ---------------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> Executed:
        tx = self._own()
        if tx is not None:
            return await tx.execute(sql, params)
        async with self._write_lock, self._writer.execute(sql, params) as cur:
            return Executed(cur.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        tx = self._own()
        if tx is not None:
            return await tx.fetchall(sql, params)
        if not is_read(sql):  # INSERT … RETURNING and the like
            async with self.transaction() as own:
                return await own.fetchall(sql, params)
        async with self._reader() as conn, conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        tx = self._own()
        if tx is not None:
            return await tx.fetchone(sql, params)
        if not is_read(sql):
            async with self.transaction() as own:
                return await own.fetchone(sql, params)
        async with self._reader() as conn, conn.execute(sql, params) as cur:
            row: Row | None = await cur.fetchone()
            return row

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Transaction]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error), owned by the calling task.

        Nested use in the same task joins the open transaction; another task waits for it to end.
        """
        current = self._own()
        if current is not None:
            yield current
            return
        async with self._write_lock:
            tx = _Transaction(self._writer)
            token = self._current.set(tx)
            try:
                async with self._writer.execute("BEGIN IMMEDIATE"):
                    pass
                try:
                    yield tx
                except BaseException:
                    await self._writer.rollback()
                    raise
                else:
                    await self._writer.commit()
            finally:
                tx.open = False
                self._current.reset(token)

    async def run_sync(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` on the writer connection, in the writer's thread, as one transaction
        (``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` if it raises): a whole write batch, and any
        computation it needs, in one call to the database thread. Waits for other tasks'
        transactions like any write; not for use inside the calling task's own transaction.

        SQLite only (other stores have no such thread): callers fall back to the ``Database``
        protocol when a store lacks it.
        """
        if self._own() is not None:
            raise RuntimeError("run_sync does not join the calling task's open transaction")

        def run(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            return result

        async with self._write_lock:
            # aiosqlite runs every call of a connection in that connection's thread through
            # ``_execute``; ``_conn`` is the sqlite3 connection it owns there.
            result: T = await self._writer._execute(run, self._writer._conn)
            return result

    async def write_batch(self, statements: Statements) -> None:
        """A write-behind batch (``executemany`` per statement, in one transaction) run by the ingest
        process (:mod:`bot.store.sqlite_ingest`): no GIL shared with the event loop during a flood.
        Holds the write lock like any write, so it never waits on SQLite's own lock for this
        process's transactions. Where no process can be started, the writer's thread runs it
        (:meth:`run_sync`): slower under a flood, as safe."""
        if self._own() is not None:
            raise RuntimeError("write_batch does not join the calling task's open transaction")
        if not self._ingest.unavailable:
            async with self._write_lock:
                try:
                    await self._ingest.run(statements)
                    return
                except IngestError:
                    if not self._ingest.unavailable:
                        raise
                    log.warning("no ingest process could be started; batches are written in the writer's thread")
        await self.run_sync(lambda conn: [conn.executemany(sql, rows) for sql, rows in statements if rows])

    async def close(self) -> None:
        await self._ingest.close()
        for conn in (*self._readers, self._writer):
            await conn.close()


async def _connect(path: Path, *, read_only: bool) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    for pragma in (*PRAGMAS, *(["query_only = ON"] if read_only else [])):
        async with conn.execute(f"PRAGMA {pragma}"):
            pass
    return conn


async def _migrate(conn: aiosqlite.Connection) -> list[str]:
    """Apply pending migrations in one transaction; the names of those applied."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    known = migrations("sqlite")
    if known and current > known[-1][0]:
        raise SchemaTooNew(current, known[-1][0])
    pending = [(v, name, sql) for v, name, sql in known if v > current]
    if not pending:
        return []
    async with conn.execute("BEGIN IMMEDIATE"):
        pass
    try:
        for version, name, sql in pending:
            log.info("applying migration %s", name)
            # executescript would COMMIT first; run statement by statement to stay in one transaction.
            for statement in split_sql(sql):
                async with conn.execute(statement):
                    pass
            async with conn.execute(f"PRAGMA user_version = {int(version)}"):
                pass
        await conn.commit()
    except BaseException:
        await conn.rollback()
        raise
    return [name for _, name, _ in pending]


async def open_sqlite(path: str | Path, *, readers: int = READ_CONNECTIONS) -> SqliteDatabase:
    """Open (creating if needed) and migrate the SQLite file at ``path``."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    writer = await _connect(path, read_only=False)
    opened = [writer]
    try:
        async with writer.execute("PRAGMA journal_mode = WAL"):
            pass
        await _migrate(writer)
        for _ in range(readers):
            opened.append(await _connect(path, read_only=True))
    except BaseException:
        for conn in opened:
            await conn.close()
        raise
    return SqliteDatabase(writer, opened[1:], path)


async def migrate_sqlite(path: str | Path) -> list[str]:
    """Apply pending migrations to the file at ``path``; the names of those applied."""
    conn = await _connect(Path(path), read_only=False)
    try:
        async with conn.execute("PRAGMA journal_mode = WAL"):
            pass
        return await _migrate(conn)
    finally:
        await conn.close()
