"""SQLite's ingest process: a batch in one transaction in a child process, rolled back whole on error,
the child replaced when it dies or a request is abandoned, reaped at close, gone when the bot dies."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.store import ingest_child
from bot.store.sqlite import SqliteDatabase, open_sqlite
from bot.store.sqlite_ingest import IngestError, IngestProcess

INSERT = "INSERT INTO t (id, v) VALUES (?, ?)"


@pytest.fixture
async def db(tmp_path: Path) -> SqliteDatabase:
    database = await open_sqlite(tmp_path / "ingest.sqlite3")
    await database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    yield database  # type: ignore[misc]
    await database.close()


async def values(db: SqliteDatabase) -> list[tuple[int, str]]:
    return [(r[0], r[1]) for r in await db.fetchall("SELECT id, v FROM t ORDER BY id")]


def child_of(db: SqliteDatabase) -> asyncio.subprocess.Process:
    proc = db._ingest._proc
    assert proc is not None
    return proc


async def test_a_batch_is_written_by_another_process_in_one_transaction(db: SqliteDatabase) -> None:
    await db.write_batch([(INSERT, [(1, "a"), (2, "b")]), (INSERT, [(3, "c")])])
    assert await values(db) == [(1, "a"), (2, "b"), (3, "c")]
    assert child_of(db).pid != os.getpid()


async def test_a_failing_statement_rolls_the_whole_batch_back_and_the_child_goes_on(db: SqliteDatabase) -> None:
    with pytest.raises(IngestError, match="NOT NULL"):
        await db.write_batch([(INSERT, [(1, "a")]), (INSERT, [(2, None)])])
    assert await values(db) == []
    await db.write_batch([(INSERT, [(1, "a")])])
    assert await values(db) == [(1, "a")] and db._ingest.started == 1


async def test_a_killed_child_is_replaced_and_the_batch_written(db: SqliteDatabase) -> None:
    await db.write_batch([(INSERT, [(1, "a")])])
    child = child_of(db)
    child.kill()
    await child.wait()
    await db.write_batch([(INSERT, [(2, "b")])])
    assert await values(db) == [(1, "a"), (2, "b")] and db._ingest.started == 2


async def test_a_child_dying_mid_request_is_an_error_and_the_next_one_works(tmp_path: Path) -> None:
    broken = IngestProcess(tmp_path / "no such folder" / "x.sqlite3")  # the child cannot open it and dies
    with pytest.raises(IngestError, match="stopped"):
        await broken.run([(INSERT, [(1, "a")])])
    assert broken._proc is None
    await broken.close()


async def test_an_abandoned_request_discards_the_child(db: SqliteDatabase) -> None:
    await db.write_batch([(INSERT, [(1, "a")])])
    first = child_of(db)
    task = asyncio.create_task(db.write_batch([(INSERT, [(i, "x") for i in range(2, 20_000)])]))
    await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert first.returncode is not None  # killed: its answer would have been read by the next request
    await db.write_batch([(INSERT, [(20_001, "after")])])
    assert (20_001, "after") in await values(db)


async def test_close_lets_the_child_finish_and_reaps_it(tmp_path: Path) -> None:
    database = await open_sqlite(tmp_path / "close.sqlite3")
    await database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    await database.write_batch([(INSERT, [(1, "a")])])
    child = child_of(database)
    await database.close()
    assert child.returncode == 0


def test_the_child_exits_when_the_bot_dies(tmp_path: Path) -> None:
    """A bot killed outright leaves no writer behind: the child sees the end of its input and exits."""
    script = textwrap.dedent(f"""
        import asyncio, os, signal, sys
        from bot.store.sqlite import open_sqlite

        async def main():
            db = await open_sqlite({str(tmp_path / "dies.sqlite3")!r})
            await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            await db.write_batch([("INSERT INTO t VALUES (?, ?)", [(1, "a")])])
            print(db._ingest._proc.pid, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(main())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parents[2], check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.02)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, reaped by init only, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


async def test_without_an_ingest_process_batches_are_written_in_the_writers_thread(
    db: SqliteDatabase, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    with caplog.at_level("WARNING"):
        await db.write_batch([(INSERT, [(1, "a"), (2, "b")])])
        await db.write_batch([(INSERT, [(3, "c")])])
    assert await values(db) == [(1, "a"), (2, "b"), (3, "c")]
    assert db._ingest.unavailable and db._ingest._proc is None
    assert caplog.text.count("no ingest process") == 1
    with pytest.raises(sqlite3.IntegrityError):  # a refused batch still fails whole
        await db.write_batch([(INSERT, [(4, "d"), (5, None)])])
    assert await values(db) == [(1, "a"), (2, "b"), (3, "c")]


def test_ctrl_c_in_the_terminal_does_not_stop_the_child(tmp_path: Path) -> None:
    """SIGINT reaches the whole process group: the child leaves stopping to the bot."""
    with subprocess.Popen([sys.executable, "-I", "-S", ingest_child.__file__, str(tmp_path / "x.sqlite3")],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
        assert child.stdin is not None and child.stdout is not None
        request = pickle.dumps([])

        def round_trip() -> object:
            child.stdin.write(ingest_child.HEADER.pack(len(request)) + request)  # type: ignore[union-attr]
            child.stdin.flush()  # type: ignore[union-attr]
            (size,) = ingest_child.HEADER.unpack(child.stdout.read(ingest_child.HEADER.size))  # type: ignore[union-attr]
            return pickle.loads(child.stdout.read(size))  # type: ignore[union-attr]

        assert round_trip() is None  # serving: its handler is in place
        child.send_signal(signal.SIGINT)
        assert round_trip() is None  # still serving
        child.stdin.close()  # end of input: it exits by itself
        assert child.wait(timeout=10) == 0
