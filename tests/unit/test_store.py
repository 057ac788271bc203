"""The store: migrations, pragmas, transactions, on each store (SQLite file, PostgreSQL schema)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.store import SchemaTooNew, migrate, open_database
from bot.store.schema import migrations, split_sql
from tests.conftest import POSTGRES_URL, create_schema, drop_schema, schema_url

VERSION = {"sqlite": "PRAGMA user_version", "postgresql": "SELECT max(version) FROM schema_migrations"}


async def test_migrations_apply_once_and_set_user_version(db_path: Path | str) -> None:
    latest = migrations()[-1][0]
    db = await open_database(db_path)
    try:
        assert await db.fetchval(VERSION[db.dialect]) == latest
        if db.dialect == "sqlite":
            assert await db.fetchval("PRAGMA foreign_keys") == 1
            assert str(await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
        else:
            assert await db.fetchval("SELECT count(*) FROM schema_migrations") == latest
    finally:
        await db.close()
    db = await open_database(db_path)  # reopening applies nothing twice
    try:
        assert await db.fetchval(VERSION[db.dialect]) == latest
        assert await migrate(db_path) == []
    finally:
        await db.close()


async def test_a_database_newer_than_the_code_is_refused_clearly(db_path: Path | str) -> None:
    db = await open_database(db_path)
    try:
        latest = migrations()[-1][0]
        if db.dialect == "sqlite":
            await db.execute(f"PRAGMA user_version = {latest + 1}")
        else:
            await db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, '999_future.sql', 'x')",
                (latest + 1,),
            )
    finally:
        await db.close()
    with pytest.raises(SchemaTooNew, match=f"version {latest + 1}, newer than this Colloquy knows"):
        await open_database(db_path)
    with pytest.raises(SchemaTooNew):
        await migrate(db_path)


async def test_a_failed_transaction_leaves_nothing(db_path: Path | str) -> None:
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


async def test_a_write_from_another_task_is_not_rolled_back_with_a_failed_transaction(db_path: Path | str) -> None:
    """The lost vote: a member's single statement, made while another task's transaction is open and
    later fails, waits for that transaction instead of joining it, so it is kept."""
    db = await open_database(db_path)
    try:
        opened = asyncio.Event()
        release = asyncio.Event()

        async def failing_approval() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO guild_settings (guild_id, updated_at) VALUES (1, 'x')")
                opened.set()
                await release.wait()
                raise RuntimeError("double-pressed approval")

        async def vote() -> None:
            await opened.wait()
            await db.execute("INSERT INTO guild_settings (guild_id, updated_at) VALUES (2, 'vote')")

        approval = asyncio.create_task(failing_approval())
        voter = asyncio.create_task(vote())
        await opened.wait()
        await asyncio.sleep(0.05)
        try:
            if db.dialect == "sqlite":  # one writer: the vote waits; PostgreSQL runs it on its own connection
                assert not voter.done(), "the vote waits for the open transaction instead of joining it"
        finally:
            release.set()
        with pytest.raises(RuntimeError):
            await approval
        await voter
        rows = await db.fetchall("SELECT guild_id FROM guild_settings ORDER BY guild_id")
        assert [r["guild_id"] for r in rows] == [2]
    finally:
        await db.close()


async def test_a_read_from_another_task_does_not_see_uncommitted_rows(db_path: Path | str) -> None:
    db = await open_database(db_path)
    try:
        written = asyncio.Event()
        release = asyncio.Event()

        async def writer() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO guild_settings (guild_id, updated_at) VALUES (7, 'x')")
                assert await db.fetchval("SELECT count(*) FROM guild_settings") == 1  # the owner sees its own
                written.set()
                await release.wait()

        task = asyncio.create_task(writer())
        await written.wait()
        # Another task reads at once (no waiting on the writer) and sees only committed data.
        assert await asyncio.wait_for(db.fetchval("SELECT count(*) FROM guild_settings"), 1) == 0
        release.set()
        await task
        assert await db.fetchval("SELECT count(*) FROM guild_settings") == 1
    finally:
        await db.close()


async def test_nested_transactions_in_one_task_join_and_child_tasks_do_not(db_path: Path | str) -> None:
    db = await open_database(db_path)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await db.execute("INSERT INTO guild_settings (guild_id, updated_at) VALUES (1, 'outer')")
                async with db.transaction() as inner:
                    await inner.execute("INSERT INTO guild_settings (guild_id, updated_at) VALUES (2, 'inner')")
                raise RuntimeError("the whole unit of work is undone")
        assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0

        async with db.transaction() as tx:
            child = asyncio.create_task(db.fetchval("SELECT count(*) FROM guild_settings"))
            await tx.execute("INSERT INTO guild_settings (guild_id, updated_at) VALUES (3, 'x')")
            assert await child == 0  # a child task reads committed data, it does not join
            with pytest.raises(RuntimeError, match="only by the task"):
                await asyncio.create_task(tx.execute("DELETE FROM guild_settings"))
    finally:
        await db.close()


async def test_insert_returning_gives_the_new_id_outside_a_transaction(db_path: Path | str) -> None:
    db = await open_database(db_path)
    try:
        first = await db.fetchval(
            "INSERT INTO guild_settings (guild_id, updated_at) VALUES (5, 'x') RETURNING guild_id"
        )
        assert first == 5
    finally:
        await db.close()


def test_a_triggers_body_and_a_functions_body_are_each_one_statement() -> None:
    script = """-- a comment; with a semicolon
CREATE TABLE t (a INTEGER, b INTEGER);
CREATE TRIGGER t_fill AFTER INSERT ON t WHEN NEW.b IS NULL
BEGIN
    UPDATE t SET b = NEW.a WHERE rowid = NEW.rowid;
    UPDATE t SET a = a WHERE rowid = NEW.rowid;
END;
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.b := NEW.a; RETURN NEW;
END $$;
CREATE TRIGGER t_f BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
CREATE INDEX t_a ON t (a);"""
    statements = split_sql(script)
    assert [s.split()[1] for s in statements] == ["TABLE", "TRIGGER", "FUNCTION", "TRIGGER", "INDEX"]
    assert statements[1].endswith("END") and statements[1].count("UPDATE") == 2
    assert statements[3].endswith("EXECUTE FUNCTION f()")


@pytest.mark.skipif(not POSTGRES_URL, reason="needs COLLOQUY_TEST_POSTGRES_URL (CI sets it)")
async def test_postgres_connections_run_no_parallel_workers_nor_jit_unless_the_url_says_so() -> None:
    schema = await create_schema()
    try:
        url = schema_url(POSTGRES_URL, schema)
        for target, workers, jit in ((url, "0", "off"), (f"{url}&max_parallel_workers_per_gather=1&jit=on", "1", "on")):
            db = await open_database(target)
            try:
                for _ in range(3):  # on every connection, after the pool reset it too
                    assert await db.fetchval("SHOW max_parallel_workers_per_gather") == workers
                    assert await db.fetchval("SHOW jit") == jit
            finally:
                await db.close()
    finally:
        await drop_schema(schema)
