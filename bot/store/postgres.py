"""The server store: PostgreSQL through an asyncpg pool, for several bot processes (shards) at once.

* **Transactions** — ``db.transaction()`` acquires a pooled connection and opens a transaction on it
  (``async with pool.acquire() as con, con.transaction()``); the transaction is bound to that
  connection and owned by the task that opened it. The owner's statements (through ``tx`` or ``db``)
  and nested ``db.transaction()`` blocks join it; any other task gets another pooled connection, and
  the server's MVCC keeps it from ever seeing uncommitted rows (see :mod:`bot.store.base`).
* **SQL** — repositories write ``?`` placeholders; they are rewritten to ``$1, $2…`` here (string
  literals, quoted names and comments are left alone). Rows are asyncpg records: ``row["col"]`` and
  ``row[0]``. ``Executed.rowcount`` comes from the command status (``UPDATE 3``).
* **A server that goes away** — a refused or cut connection, a server shutting down or starting up,
  and a server that stops answering without closing (a frozen host, a network partition: a statement
  gets :data:`COMMAND_TIMEOUT`, a reconnect :data:`RECONNECT_TIMEOUT`, then its connection is cut)
  raises :class:`bot.store.StoreUnavailable` (whatever asyncpg or the OS raised is its cause), so
  callers tell "the database is away for now" from a bug. Nothing is cached per connection: once the
  server is back, the pool's next ``acquire`` connects afresh (a connection the server cut is
  replaced, not reused).
* **Migrations** — the same numbered sequence as SQLite (:mod:`bot.store.schema`), the version in the
  ``schema_migrations`` table, all pending files in one transaction under an advisory lock (two shard
  processes starting together migrate once). A portable file gets 64-bit integer columns here
  (``INTEGER`` → ``BIGINT``, ``id INTEGER PRIMARY KEY`` → an identity column); a file of the same number
  in ``migrations/postgresql/`` replaces it where the SQL really differs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bot.store.base import Executed, Params, Row, StoreUnavailable, TaskOwned
from bot.store.schema import SchemaTooNew, migration_files, split_sql

log = logging.getLogger(__name__)

#: Pooled connections per process: members' commands, the write-behind batch, the schedule, a report.
#: No floor: connections are made when work needs them and kept while in use (asyncpg closes one idle
#: for 5 minutes). With a floor, asyncpg restores it in a background task that, while the server is
#: away, retries on its own timer (1 s, 2 s, 4 s… 60 s) with a traceback each time; without, the work
#: that needs the server fails at once (``StoreUnavailable``) and the first work after it returns
#: reconnects.
POOL_MIN, POOL_MAX = 0, 10
#: Session settings of the bot's connections, unless the URL sets them. The bot's reads are many small
#: or mid-sized ones side by side (a report's two at a time, members' commands): no parallel query
#: workers, whose start costs more than they save (measured at 100,000 contributions: /dialogue
#: status's per-question count 54 ms with two workers, 20 ms without), and no JIT, whose compiling
#: the planner's overestimates trigger (the report's quote ranks: 27 ms of JIT in a 169 ms statement).
SERVER_SETTINGS = {"max_parallel_workers_per_gather": "0", "jit": "off"}
#: Seconds to wait for the server when opening the store or migrating (an unreachable server fails
#: fast, clearly).
CONNECT_TIMEOUT = 10.0
#: Seconds the pool waits for a new connection mid-run (a reconnect). A connection is a few round
#: trips (TCP, TLS, authentication), well under a second to a live server; a frozen one answers none,
#: and the work waiting for it (the write-behind batch holds the contributions' write lock meanwhile)
#: learns it is away this much sooner than at start-up.
RECONNECT_TIMEOUT = 5.0
#: Seconds one statement may take before its server counts as away (``StoreUnavailable``), the
#: connection cut. Without it, a server that stops answering without closing (a frozen host, a network
#: partition) holds a statement forever: the write-behind batch and, behind its lock, every later
#: flush, a deferred command, the scheduler's wake-up. A 100,000-contribution report's longest
#: statement takes 0.09 s (``benchmarks.report`` on PostgreSQL, each statement timed; 0.25 s before the
#: report's SQL was tuned), ``copy-store``'s ``ANALYZE`` of that community 0.95 s: 10 s is ten times
#: the longest, and what a frozen server costs a task per statement at most.
COMMAND_TIMEOUT = 10.0
#: Seconds to give a connection back to the pool (a reset: one round trip). One that cannot be reset
#: in time is cut rather than pooled, and the task goes on.
RELEASE_TIMEOUT = 2.0
#: Seconds a closing store waits for connections still in use (a task stuck in a transaction).
CLOSE_GRACE = 5.0
#: Any constant: the advisory lock under which migrations run, so concurrent starts migrate once.
_MIGRATION_LOCK = 0x636F6C6C6F7175


@functools.lru_cache(maxsize=2048)
def to_dollar(sql: str) -> str:
    """``?`` placeholders → ``$1, $2…``, outside string literals, quoted names and comments."""
    out: list[str] = []
    n = 0
    i = 0
    length = len(sql)
    while i < length:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < length:
                if sql[end] == ch:
                    if end + 1 < length and sql[end + 1] == ch:  # '' or "" inside: an escaped quote
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = length if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            n += 1
            out.append(f"${n}")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _text(value: Any) -> Any:
    # PostgreSQL text cannot hold NUL (SQLite can): a member's stray \x00 becomes U+FFFD rather than
    # failing the whole write batch. Arrays (``unnest`` batches) are cleaned element by element.
    if value.__class__ is str:
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if value.__class__ is list:
        return [_text(v) for v in value] if any(v.__class__ is str and "\x00" in v for v in value) else value
    return value


def args(params: Params) -> tuple[Any, ...]:
    """Statement parameters as asyncpg takes them."""
    return tuple([_text(p) for p in params])


def rowcount(status: str) -> int:
    """The row count in a command status: ``UPDATE 3`` → 3, ``INSERT 0 1`` → 1, ``CREATE TABLE`` → 0."""
    last = status.rsplit(" ", 1)[-1] if status else ""
    return int(last) if last.isdigit() else 0


_PRIMARY = re.compile(r"\b(id\s+)INTEGER\s+PRIMARY\s+KEY\b", re.IGNORECASE)
_INTEGER = re.compile(r"\bINTEGER\b", re.IGNORECASE)


def portable_ddl(sql: str) -> str:
    """A portable migration as PostgreSQL DDL: ids and Discord snowflakes need 64 bits here."""
    sql = _PRIMARY.sub(r"\1BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql)
    return _INTEGER.sub("BIGINT", sql)


def _decode_numeric(text: str) -> int | float:
    # SUM() of integers is NUMERIC on PostgreSQL; the repositories expect Python numbers, as on SQLite.
    return int(text) if text.lstrip("-").isdigit() else float(text)


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "numeric", schema="pg_catalog", encoder=str, decoder=_decode_numeric, format="text"
    )


#: What asyncpg and the OS raise when the server is away: a refused, cut or timed-out connection
#: (class 08, ``OSError``, the connect timeout), a server shutting down, crashed, starting up or full.
_SERVER_AWAY: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


def _is_cut(conn: asyncpg.Connection) -> bool:
    """Whether ``conn`` (a pooled connection) was closed: by the server, or cut here (which hands it
    back to the pool at once, after which asyncpg refuses every call on it)."""
    try:
        return conn.is_closed()
    except asyncpg.InterfaceError:
        return True


def _cut(conn: asyncpg.Connection) -> None:
    """Close ``conn`` without a word to the server (the pool replaces it)."""
    if not _is_cut(conn):
        conn.terminate()


@contextmanager
def _server_calls(conn: asyncpg.Connection | None = None) -> Iterator[None]:
    """Raise :class:`StoreUnavailable` for a server that is away (``conn``: the connection in use,
    whose use after the server cut it raises asyncpg's ``InterfaceError``).

    A statement that timed out (:data:`COMMAND_TIMEOUT`) cuts its connection: asyncpg would otherwise
    send the server a cancel request and keep the connection until it is acknowledged, and a server
    that answers nothing acknowledges nothing (the rollback, the release, would each wait for it)."""
    try:
        yield
    except TimeoutError as exc:
        if conn is not None:
            _cut(conn)
        raise StoreUnavailable(f"the database server did not answer in time: {exc or type(exc).__name__}") from exc
    except _SERVER_AWAY as exc:
        raise StoreUnavailable(f"the database server cannot be reached: {type(exc).__name__}: {exc}") from exc
    except asyncpg.InterfaceError as exc:
        if conn is None or not _is_cut(conn):
            raise
        raise StoreUnavailable(f"the database connection was lost: {exc}") from exc


class _Transaction(TaskOwned):
    """One pooled connection inside a transaction, for the one task that opened it."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        super().__init__()
        self.conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Executed:
        self._check()
        with _server_calls(self.conn):
            return Executed(rowcount(await self.conn.execute(to_dollar(sql), *args(params))))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._check()
        with _server_calls(self.conn):
            await self.conn.executemany(to_dollar(sql), [args(r) for r in rows])

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        self._check()
        with _server_calls(self.conn):
            row: Row | None = await self.conn.fetchrow(to_dollar(sql), *args(params))
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._check()
        with _server_calls(self.conn):
            return list(await self.conn.fetch(to_dollar(sql), *args(params)))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class PostgresDatabase:
    """A PostgreSQL database (or one schema of it): the pool, and the transaction each task holds."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self.url = url
        self._pool = pool
        self._current: ContextVar[_Transaction | None] = ContextVar(f"colloquy-pg-tx-{id(self)}", default=None)

    def _own(self) -> _Transaction | None:
        tx = self._current.get()
        return tx if tx is not None and tx.held_by_caller() else None

    async def execute(self, sql: str, params: Params = ()) -> Executed:
        tx = self._own()
        if tx is not None:
            return await tx.execute(sql, params)
        async with self._connection() as conn:
            with _server_calls(conn):
                return Executed(rowcount(await conn.execute(to_dollar(sql), *args(params))))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        tx = self._own()
        if tx is not None:
            return await tx.fetchall(sql, params)
        async with self._connection() as conn:
            with _server_calls(conn):
                return list(await conn.fetch(to_dollar(sql), *args(params)))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        tx = self._own()
        if tx is not None:
            return await tx.fetchone(sql, params)
        async with self._connection() as conn:
            with _server_calls(conn):
                row: Row | None = await conn.fetchrow(to_dollar(sql), *args(params))
                return row

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Transaction]:
        """A transaction on a pooled connection, owned by the calling task (nested use joins it)."""
        current = self._own()
        if current is not None:
            yield current
            return
        async with self._connection() as conn:
            transaction = conn.transaction()
            with _server_calls(conn):
                await transaction.start()
            tx = _Transaction(conn)
            token = self._current.set(tx)
            try:
                yield tx
            except BaseException:
                tx.open = False
                if not _is_cut(conn):  # a cut connection has nothing left to roll back
                    try:
                        # Bounded: after a cancelled statement asyncpg first waits for the server to
                        # acknowledge the cancel, which a frozen server never does.
                        await asyncio.wait_for(transaction.rollback(), RELEASE_TIMEOUT)
                    except (*_SERVER_AWAY, asyncpg.InterfaceError):
                        _cut(conn)  # the server ends the transaction when the connection goes
                        log.warning("could not roll back: the database server went away", exc_info=True)
                raise
            else:
                tx.open = False
                with _server_calls(conn):
                    await transaction.commit()
            finally:
                tx.open = False
                self._current.reset(token)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection (a fresh one if the server cut the last): :class:`StoreUnavailable`
        while the server cannot be reached."""
        with _server_calls():
            conn = await self._pool.acquire()
        try:
            yield conn
        finally:
            try:
                await self._pool.release(conn, timeout=RELEASE_TIMEOUT)
            except (*_SERVER_AWAY, asyncpg.InterfaceError, asyncpg.PostgresError):
                # asyncpg cut the connection (the next acquire makes a new one); the work itself is done
                # or has its own error to raise.
                log.warning("a database connection could not be reset; it was closed", exc_info=True)

    async def close(self) -> None:
        """Close the pool: connections still in use get :data:`CLOSE_GRACE` seconds, then are cut."""
        try:
            await asyncio.wait_for(self._pool.close(), CLOSE_GRACE)
        except TimeoutError:
            log.warning("database connections still busy after %ss; closing them", CLOSE_GRACE)
            self._pool.terminate()


async def _version(conn: asyncpg.Connection) -> int:
    await conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"""
    )
    return int(await conn.fetchval("SELECT COALESCE(max(version), 0) FROM schema_migrations"))


async def _migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply pending migrations in one transaction; the names of those applied."""
    known = migration_files("postgresql")
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        current = await _version(conn)
        if known and current > known[-1][0]:
            raise SchemaTooNew(current, known[-1][0])
        pending = [(v, name, sql, own) for v, name, sql, own in known if v > current]
        for version, name, sql, own in pending:
            log.info("applying migration %s", name)
            # The whole file in one round trip (the simple query protocol runs several statements).
            await conn.execute(";\n".join(split_sql(sql if own else portable_ddl(sql))))
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                version, name, datetime.now(UTC).isoformat(timespec="seconds"),
            )
    return [name for _, name, _, _ in pending]


async def _connect_pool(url: str, *, min_size: int = POOL_MIN, max_size: int = POOL_MAX) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, timeout=RECONNECT_TIMEOUT, command_timeout=COMMAND_TIMEOUT,
        init=_init_connection, server_settings={k: v for k, v in SERVER_SETTINGS.items() if k not in url},
    )
    assert pool is not None
    return pool


async def open_postgres(url: str, *, min_size: int = POOL_MIN, max_size: int = POOL_MAX) -> PostgresDatabase:
    """Connect to ``url`` (``postgresql://…``), migrate, and return the store.

    Migrations run on a connection of their own, outside the pool: no :data:`COMMAND_TIMEOUT` (a
    migration may rewrite a large table), :data:`CONNECT_TIMEOUT` to reach the server."""
    await migrate_postgres(url)
    pool = await _connect_pool(url, min_size=min_size, max_size=max_size)
    return PostgresDatabase(pool, url)


async def migrate_postgres(url: str) -> list[str]:
    """Apply pending migrations to the database at ``url``; the names of those applied."""
    conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    try:
        return await _migrate(conn)
    finally:
        await conn.close()
