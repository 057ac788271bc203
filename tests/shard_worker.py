"""A shard process for ``tests/unit/test_shard_processes.py``: the real :class:`ScheduleRunner` on one
store, for the shards given, posting into a shared "Discord" (the ``fake_discord`` table, which every
process sees, as every bot sees the same Discord). Runs until none of its rows is pending or claimed.

    python -m tests.shard_worker TARGET SHARD_COUNT SHARD_IDS LEASE_SECONDS
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.config import BotConfig, ScheduleConfig, for_database
from bot.dialogues.lifecycle import DialogueScheduleService
from bot.dialogues.model import ScheduleItem
from bot.dialogues.service import DialogueService
from bot.scheduling import runner as runner_module
from bot.scheduling.runner import Posted, ScheduleRunner
from bot.store import open_database
from bot.store.base import Database


def clock() -> datetime:
    return datetime.now(UTC)


class FakeDiscordPoster:
    """Posting takes a moment (so a kill can land mid-post); the post is visible to every process."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def post(self, item: ScheduleItem) -> Posted:
        await asyncio.sleep(0.01)
        message_id = await self.db.fetchval(
            "INSERT INTO fake_discord (item_id, pid) VALUES (?, ?) RETURNING id", (item.id, os.getpid())
        )
        return Posted(int(message_id))

    async def find_posted(self, item: ScheduleItem) -> Posted | None:
        found = await self.db.fetchval("SELECT min(id) FROM fake_discord WHERE item_id = ?", (item.id,))
        return None if found is None else Posted(int(found))

    async def after_record(self, item: ScheduleItem, posted: Posted) -> None:
        return None


async def main(target: str, count: int, ids: tuple[int, ...], lease: float) -> None:
    runner_module.LEASE = timedelta(seconds=lease)
    config = for_database(target)
    config = replace(
        config,
        bot=BotConfig(shard_count=count, shard_ids=ids),
        schedule=ScheduleConfig(grace_period_hours=24.0),
    )
    db = await open_database(target)
    try:
        dialogues = DialogueService(db, config, clock)
        runner = ScheduleRunner(db, DialogueScheduleService(db, dialogues, config, clock), config, clock)
        runner.register("reminder", FakeDiscordPoster(db))
        print("ready", flush=True)
        while await runner.wake_times():
            await runner.run_due()
            await asyncio.sleep(0.05)
    finally:
        await db.close()


if __name__ == "__main__":
    target_arg, count_arg, ids_arg, lease_arg = sys.argv[1:5]
    asyncio.run(main(target_arg, int(count_arg), tuple(int(i) for i in ids_arg.split(",")), float(lease_arg)))
