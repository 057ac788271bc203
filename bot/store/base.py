"""What every store offers its repositories, whichever database is behind it.

A **store** (:class:`Database`) runs SQL for the repositories in :mod:`bot.store`, the only modules
that hold SQL. SQL is written once, in the portable subset SQLite and PostgreSQL share: ``?``
placeholders (a PostgreSQL store rewrites them to ``$n``), ``INSERT … RETURNING id`` for new ids,
``ON CONFLICT … DO NOTHING / DO UPDATE`` for upserts. Where the dialects really differ a repository
asks :attr:`Database.dialect`.

**One writer, concurrent readers.** A transaction is a unit of work owned by the task that opened it:

* inside ``async with db.transaction() as tx``, the owning task's statements (through ``tx`` *or*
  through ``db``, and nested ``db.transaction()`` blocks) run in that transaction;
* a statement or transaction from any other task waits until it ends — it never joins it, so it is
  never rolled back with it;
* reads (``fetch*`` of a ``SELECT``) outside the owner's transaction go to read connections and see
  committed data only, so a member's command never waits behind a report compile or a write batch.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

#: Parameters of one statement: positional for ``?`` placeholders.
Params = Sequence[Any]


class Row(Protocol):
    """A result row: by column name (``row["id"]``) or position (``row[0]``)."""

    def __getitem__(self, key: str | int, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...


@dataclass(frozen=True)
class Executed:
    """What a write statement did. New ids come from ``INSERT … RETURNING id`` (portable), not here."""

    rowcount: int


class Executor(Protocol):
    """Run SQL: the store itself, or the transaction a task holds."""

    async def execute(self, sql: str, params: Params = ()) -> Executed: ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any: ...


class Database(Executor, Protocol):
    """A store: SQLite (:mod:`bot.store.sqlite`) or PostgreSQL."""

    #: ``"sqlite"`` or ``"postgresql"``.
    dialect: str

    def transaction(self) -> AbstractAsyncContextManager[Executor]: ...

    async def close(self) -> None: ...


@runtime_checkable
class BatchWriter(Protocol):
    """A store with a faster road for a write-behind batch than the ``Database`` protocol's: SQLite's
    ingest process (:meth:`bot.store.sqlite.SqliteDatabase.write_batch`). Each statement runs with
    ``executemany`` over its rows, all in one transaction."""

    async def write_batch(self, statements: Sequence[tuple[str, Sequence[Params]]]) -> None: ...


class StoreError(RuntimeError):
    """A store that cannot be opened: a bad URL, an unreachable server, refused credentials."""


class StoreUnavailable(StoreError):
    """The database server cannot be reached mid-run (it went away, or refuses connections for now)."""


def rejects_data(error: BaseException) -> bool:
    """Whether ``error`` says the rows themselves were refused (a constraint, a value the store cannot
    hold) rather than that the store failed: the same rows would fail the same way again."""
    if isinstance(error, (sqlite3.IntegrityError, sqlite3.DataError, UnicodeError, OverflowError)):
        return True
    if getattr(error, "rejected", False):  # SQLite's ingest process (bot.store.sqlite_ingest.IngestError)
        return True
    sqlstate = getattr(error, "sqlstate", None)  # asyncpg: class 22 data exception, 23 constraint violation
    return isinstance(sqlstate, str) and sqlstate[:2] in ("22", "23")


class TaskOwned:
    """A transaction's ownership, the same for every store: the task that opened it, while it is open."""

    def __init__(self) -> None:
        self.owner = asyncio.current_task()
        self.open = True

    def held_by_caller(self) -> bool:
        """Whether the calling task opened this transaction and it is still open."""
        return self.open and asyncio.current_task() is self.owner

    def _check(self) -> None:
        if not self.held_by_caller():
            raise RuntimeError("a transaction is used only by the task that opened it, while it is open")


def row_dict(row: Row) -> dict[str, Any]:
    """A row as a plain dict (column name → value)."""
    return {key: row[key] for key in row.keys()}  # noqa: SIM118 (a Row is no dict)


def is_read(sql: str) -> bool:
    """Whether a statement only reads (may run on a read connection)."""
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if head in {"SELECT", "VALUES", "EXPLAIN"}:
        return True
    if head == "WITH":
        upper = sql.upper()
        return not any(word in upper for word in ("INSERT ", "UPDATE ", "DELETE ", "RETURNING"))
    return head == "PRAGMA" and "=" not in sql


__all__ = [
    "Database", "Executed", "Executor", "Params", "Row", "StoreError", "StoreUnavailable", "TaskOwned", "is_read",
    "row_dict",
]
