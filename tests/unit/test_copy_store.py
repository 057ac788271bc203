"""Moving a community between stores: ``colloquy copy-store`` and ``colloquy migrate``, on each store.

The target (``db_path``) is this run's store: a SQLite file, or a PostgreSQL schema when the suite
runs on PostgreSQL — so the demo's database goes SQLite → PostgreSQL → SQLite there.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.demo.runner import DemoRun
from bot.demo.scenario import load_scenario
from bot.store import open_database
from bot.store.schema import migrations


def every_row(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of a SQLite file, each as its sorted rows."""
    with sqlite3.connect(path) as conn:
        listing = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        names = [r[0] for r in listing]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def query(target: Path | str, sql: str) -> Any:
    """One value from the store at ``target`` (the CLI runs its own event loop, so the tests are sync)."""

    async def run() -> Any:
        db = await open_database(target)
        try:
            return await db.fetchval(sql)
        finally:
            await db.close()

    return asyncio.run(run())


@pytest.fixture
async def demo_db(tmp_path: Path) -> Path:
    result = await DemoRun(load_scenario(None), tmp_path / "demo", None, lambda _line: None).run()
    return Path(result.database)


def test_the_demo_database_goes_there_and_back_with_every_row(
    demo_db: Path, db_path: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = every_row(demo_db)
    assert len(original["contributions"]) > 5 and original["panel_questions"]  # a real week, not an empty file

    assert main(["copy-store", "--from", str(demo_db), "--to", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "  contributions: " + str(len(original["contributions"])) + " rows" in out
    back = tmp_path / "back.sqlite3"
    assert main(["copy-store", "--from", str(db_path), "--to", f"sqlite:///{back}"]) == 0

    assert every_row(back) == original
    # New rows in the copy get new ids (PostgreSQL's sequences moved past the copied ones).
    new = query(
        db_path,
        """INSERT INTO dialogues (guild_id, title, starts_at, ends_at, channel_id, created_at)
           VALUES (1, 'Next', 'a', 'b', 2, 'c') RETURNING id""",
    )
    assert new > max(r[0] for r in original["dialogues"])


def test_a_target_with_rows_is_refused_unless_forced(
    demo_db: Path, db_path: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["copy-store", "--from", str(demo_db), "--to", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["copy-store", "--from", str(demo_db), "--to", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err and "--force" in err and "Traceback" not in err

    assert main(["copy-store", "--from", str(demo_db), "--to", str(db_path), "--force"]) == 0
    assert query(db_path, "SELECT count(*) FROM contributions") == len(every_row(demo_db)["contributions"])


@pytest.mark.parametrize(
    ("source", "target", "says"),
    [
        ("mysql://root@localhost/colloquy", "{tmp}/t.sqlite3", "unsupported database URL"),
        ("{tmp}/missing.sqlite3", "{tmp}/t.sqlite3", "no database file"),
        ("{tmp}/s.sqlite3", "postgresql://colloquy:secret@127.0.0.1:1/colloquy", "cannot open postgresql://colloquy:***@"),
    ],
)
def test_a_bad_url_or_an_unreachable_server_is_one_line_and_exit_2(
    source: str, target: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite3.connect(tmp_path / "s.sqlite3").close()
    code = main(["copy-store", "--from", source.format(tmp=tmp_path), "--to", target.format(tmp=tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and says in err and "Traceback" not in err and "secret" not in err


def test_migrate_says_which_migrations_ran_and_refuses_a_newer_schema(
    db_path: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    key = "url" if "://" in str(db_path) else "path"
    config.write_text(f'[storage]\n{key} = "{db_path}"\n', encoding="utf-8")
    assert main(["migrate", "--config", str(config)]) == 0
    names = [name for _, name, _ in migrations()]
    assert f"applied {len(names)} migration(s): {', '.join(names)}" in capsys.readouterr().out
    assert main(["migrate", "--config", str(config)]) == 0
    assert "up to date" in capsys.readouterr().out

    newer = len(names) + 1
    if "://" in str(db_path):
        query(db_path, f"INSERT INTO schema_migrations VALUES ({newer}, '999_future.sql', 'x') RETURNING version")
    else:
        query(db_path, f"PRAGMA user_version = {newer}")
    assert main(["migrate", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"version {newer}, newer than this Colloquy knows" in err
