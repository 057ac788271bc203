"""Several shard processes on one store, for real: separate OS processes (``tests/shard_worker.py``),
each the real ScheduleRunner for its shards, posting into one shared "Discord" (a table every process
sees). One process is killed with SIGKILL mid-run and a successor started: every scheduled post is
made exactly once, and a process never posts for a guild outside its shards.

SimCord cannot span processes, so the Discord side here is a table; the bot's own shard filtering in
SimCord is covered by ``tests/e2e/test_sharding.py``.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import iso
from bot.sharding import shard_of
from bot.store import Database, open_database

ROOT = Path(__file__).resolve().parents[2]
ITEMS_PER_DIALOGUE = 30
#: Guilds on shard 0 and on shard 1 of 2 (a guild's shard is ``(id >> 22) % 2``).
GUILDS = [(2 << 22) | 5, (3 << 22) | 7, (4 << 22) | 9, (5 << 22) | 11]


def worker(target: Path | str, shards: str, log: Path, lease: float = 1.0) -> subprocess.Popen[bytes]:
    """Start a shard process; its output goes to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.shard_worker", str(target), "2", shards, str(lease)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )


async def seed(db: Database) -> None:
    key = "BIGSERIAL PRIMARY KEY" if db.dialect == "postgresql" else "INTEGER PRIMARY KEY"
    await db.execute(f"CREATE TABLE fake_discord (id {key}, item_id INTEGER NOT NULL, pid INTEGER NOT NULL)")
    now = iso(datetime.now(UTC))
    for guild in GUILDS:
        dialogue = await db.fetchval(
            """INSERT INTO dialogues (guild_id, title, starts_at, ends_at, channel_id, state, created_at)
               VALUES (?, ?, ?, ?, ?, 'open', ?) RETURNING id""",
            (guild, f"Dialogue of {guild}", now, now, guild + 1, now),
        )
        await db.executemany(
            "INSERT INTO schedule_items (dialogue_id, kind, run_at) VALUES (?, 'reminder', ?)",
            [(dialogue, now)] * ITEMS_PER_DIALOGUE,
        )


async def wait_for_posts(db: Database, at_least: int) -> None:
    for _ in range(600):
        if await db.fetchval("SELECT count(*) FROM fake_discord") >= at_least:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"fewer than {at_least} posts after 12 s")


async def finish(process: subprocess.Popen[bytes], log: Path) -> None:
    code = await asyncio.to_thread(process.wait, 120)
    assert code == 0, await asyncio.to_thread(log.read_text, encoding="utf-8", errors="replace")


async def test_two_shard_processes_post_every_item_once_across_a_kill(
    db: Database, db_path: Path | str, tmp_path: Path
) -> None:
    await seed(db)
    total = len(GUILDS) * ITEMS_PER_DIALOGUE
    # "old" runs shards 0 and 1; "new" takes shard 1 over: both run shard 1 for a while (the overlap).
    old, new = worker(db_path, "0,1", tmp_path / "old.log"), worker(db_path, "1", tmp_path / "new.log")
    successor = None
    try:
        await wait_for_posts(db, total // 4)
        old.send_signal(signal.SIGKILL)  # mid-run: some rows claimed, some posted but not recorded
        old.wait()
        left = await db.fetchval(
            """SELECT count(*) FROM schedule_items s JOIN dialogues d ON d.id = s.dialogue_id
               WHERE s.status <> 'done' AND d.guild_id IN (?, ?)""",
            (GUILDS[0], GUILDS[2]),
        )
        assert left > 0  # shard 0's work was cut short: the successor has to finish it
        successor = worker(db_path, "0", tmp_path / "successor.log")  # shard 0's next process
        await finish(new, tmp_path / "new.log")
        await finish(successor, tmp_path / "successor.log")
    finally:
        for process in (old, new, successor):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    posts = await db.fetchall("SELECT item_id, count(*) AS n FROM fake_discord GROUP BY item_id")
    assert len(posts) == total and all(r["n"] == 1 for r in posts)  # every item posted, none twice
    statuses = await db.fetchall("SELECT status, count(*) AS n FROM schedule_items GROUP BY status")
    assert {r["status"]: r["n"] for r in statuses} == {"done": total}
    # The shard-1 process never posted for a guild on shard 0.
    by_new = await db.fetchall(
        """SELECT DISTINCT d.guild_id FROM fake_discord f JOIN schedule_items s ON s.id = f.item_id
           JOIN dialogues d ON d.id = s.dialogue_id WHERE f.pid = ?""",
        (new.pid,),
    )
    assert {shard_of(r["guild_id"], 2) for r in by_new} <= {1}
    # Each recorded message is the one post made for its item.
    mismatched = await db.fetchval(
        """SELECT count(*) FROM schedule_items s JOIN fake_discord f ON f.item_id = s.id
           WHERE s.message_id <> f.id"""
    )
    assert mismatched == 0


async def test_a_live_claim_is_left_to_its_process_and_an_expired_one_is_reconciled(db_path: Path | str) -> None:
    """In one process, two runners standing for two shard processes: a row another live process
    claimed is not touched while its lease holds; once it expires, the row is reconciled."""
    from bot.config import BotConfig, ScheduleConfig, for_database
    from bot.dialogues.lifecycle import DialogueScheduleService
    from bot.dialogues.service import DialogueService
    from bot.scheduling.runner import LEASE, ScheduleRunner
    from tests.shard_worker import FakeDiscordPoster

    now = [datetime(2026, 1, 5, 9, tzinfo=UTC)]
    db = await open_database(db_path)
    try:
        await seed(db)
        config = replace(for_database(db_path), bot=BotConfig(shard_count=2, shard_ids=(0, 1)),
                         schedule=ScheduleConfig(grace_period_hours=24.0))
        await db.execute("UPDATE schedule_items SET run_at = ?", (iso(now[0]),))
        runners = []
        for _ in range(2):
            dialogues = DialogueService(db, config, lambda: now[0])
            runner = ScheduleRunner(db, DialogueScheduleService(db, dialogues, config, lambda: now[0]), config,
                                    lambda: now[0])
            runner.register("reminder", FakeDiscordPoster(db))
            runners.append(runner)
        first, second = runners
        item = (await first.repo.due(iso(now[0]), first.scope, first.owner))[0]
        assert await first._claim(item)  # the first process claimed it and is posting (or died)
        due_for_second = await second.repo.due(iso(now[0]), second.scope, second.owner)
        assert item.id not in {i.id for i in due_for_second}  # a live lease: left alone
        assert (await second.wake_times())[item.id] >= now[0] + LEASE  # woken when it expires
        now[0] += LEASE + timedelta(seconds=1)
        await second.run_due()
        assert await db.fetchval("SELECT count(*) FROM fake_discord WHERE item_id = ?", (item.id,)) == 1
        assert await db.fetchval("SELECT status FROM schedule_items WHERE id = ?", (item.id,)) == "done"
        assert await db.fetchval("SELECT count(*) FROM schedule_items WHERE status <> 'done'") == 0
    finally:
        await db.close()
