"""The schedule runner on a real SQLite file: claim once, reconcile after a crash, grace period, clock."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config, ScheduleConfig
from bot.dialogues.content import DialogueContentService
from bot.dialogues.lifecycle import DialogueScheduleService
from bot.dialogues.model import ScheduleItem
from bot.dialogues.service import DialogueService
from bot.scheduling.runner import Posted, ScheduleRunner
from bot.store import Database

START = datetime(2026, 1, 5, 9, tzinfo=UTC)


class FakeHandler:
    """Posts into a list, like a channel; ``find_posted`` looks there."""

    def __init__(self) -> None:
        self.channel: list[int] = []
        self.fail_next = False

    async def post(self, item: ScheduleItem) -> Posted:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("503")
        await asyncio.sleep(0)
        self.channel.append(item.id)
        return Posted(1000 + item.id)

    async def find_posted(self, item: ScheduleItem) -> Posted | None:
        return Posted(1000 + item.id) if item.id in self.channel else None

    async def after_record(self, item: ScheduleItem, posted: Posted) -> None:
        pass


class Notifier:
    def __init__(self) -> None:
        self.reports: list[list[str]] = []

    async def skipped(self, dialogue_id: int, items: list[ScheduleItem]) -> None:
        self.reports.append([i.kind for i in items])

    async def failed(self, item: ScheduleItem, error: str) -> None:
        pass


@pytest.fixture
def clock() -> list[datetime]:
    return [datetime(2026, 1, 1, tzinfo=UTC)]


@pytest.fixture
async def world(db: Database, config: Config, clock: list[datetime]):  # type: ignore[no-untyped-def]
    return await build_world(db, config, clock)


async def build_world(db: Database, config: Config, clock: list[datetime]):  # type: ignore[no-untyped-def]
    """A dialogue (5–12 Jan 2026, two questions) scheduled; a runner posting into a :class:`FakeHandler`."""
    config = replace(config, schedule=ScheduleConfig(grace_period_hours=6, reminder_hours_before_close=24))
    dialogues = DialogueService(db, config, lambda: clock[0])
    d = await dialogues.create(1, title="T", starts="2026-01-05 09:00", ends="2026-01-12 09:00", timezone="UTC",
                               channel_id=5, channel_kind="text")
    dialogue_schedule = DialogueScheduleService(db, dialogues, config, lambda: clock[0])
    content = DialogueContentService(db, lambda: clock[0], dialogues, dialogue_schedule)
    await content.add_question(d.id, "Q1")
    await content.add_question(d.id, "Q2")
    await dialogue_schedule.schedule(d.id)
    runner = ScheduleRunner(db, dialogue_schedule, config, lambda: clock[0])
    handler, notifier = FakeHandler(), Notifier()
    for kind in ("opening", "question", "reminder", "closing"):
        runner.register(kind, handler)
    runner.notifier = notifier
    return runner, handler, notifier, d.id


async def statuses(runner: ScheduleRunner, dialogue_id: int) -> list[tuple[str, str]]:
    return [(i.kind, i.status) for i in await runner.dialogue_schedule.items(dialogue_id)]


async def test_due_items_are_posted_once_even_by_concurrent_wakeups(world, clock) -> None:  # type: ignore[no-untyped-def]
    runner, handler, _, dialogue_id = world
    clock[0] = START
    await asyncio.gather(runner.run_due(), runner.run_due(), runner.run_due())
    assert len(handler.channel) == 2  # the opening and question 1, each once
    assert (await statuses(runner, dialogue_id))[:3] == [("opening", "done"), ("question", "done"),
                                                         ("question", "pending")]


async def test_an_item_claimed_but_not_recorded_is_reconciled_not_reposted(world, clock) -> None:  # type: ignore[no-untyped-def]
    runner, handler, _, dialogue_id = world
    clock[0] = START
    opening = (await runner.dialogue_schedule.items(dialogue_id))[0]
    # A previous process claimed and posted it, then died before recording.
    await runner.db.execute("UPDATE schedule_items SET status = 'claimed', claimed_at = ?, attempts = 1 "
                            "WHERE id = ?", (START.isoformat(), opening.id))
    handler.channel.append(opening.id)
    await runner.run_due()
    assert handler.channel.count(opening.id) == 1
    assert (await runner.dialogue_schedule.item(opening.id)).message_id == 1000 + opening.id  # type: ignore[union-attr]


async def test_a_failed_post_is_retried_later_then_recorded(world, clock) -> None:  # type: ignore[no-untyped-def]
    runner, handler, _, dialogue_id = world
    clock[0] = START
    handler.fail_next = True
    await runner.run_due()
    opening = (await runner.dialogue_schedule.items(dialogue_id))
    assert [(i.kind, i.status) for i in opening if i.kind == "opening"] == [("opening", "claimed")]
    clock[0] = START + timedelta(minutes=5)
    await runner.run_due()
    assert ("opening", "done") in await statuses(runner, dialogue_id)
    assert sorted(handler.channel) == [1, 2]  # the opening once (after its retry) and question 1 once


async def test_late_items_run_within_the_grace_period_and_are_skipped_beyond(world, clock) -> None:  # type: ignore[no-untyped-def]
    runner, handler, notifier, dialogue_id = world
    clock[0] = START + timedelta(hours=5)  # 5 hours late: still posted
    await runner.run_due()
    assert len(handler.channel) == 2 and notifier.reports == []
    clock[0] = datetime(2026, 1, 12, 9, tzinfo=UTC)  # question 2 (8 Jan 21:00) and the reminder are too late
    await runner.run_due()
    assert notifier.reports == [["question", "reminder"]]
    # The closing is done and, in the same transaction, made the final report due (issue 13).
    assert (await statuses(runner, dialogue_id))[-2:] == [("closing", "done"), ("report", "pending")]
    assert (await runner.dialogue_schedule.dialogues.require(dialogue_id)).state == "closed"


async def test_unknown_kinds_cannot_be_registered(world) -> None:  # type: ignore[no-untyped-def]
    runner, handler, *_ = world
    with pytest.raises(ValueError):
        runner.register("party", handler)
