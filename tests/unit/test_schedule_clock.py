"""The scheduler's clock belongs to its bot: APScheduler wakes each runner on that bot's clock only.

No process-wide state: two schedulers with different clocks in one process keep their own time,
APScheduler's modules are never patched, and nothing of a scheduler remains once it is shut down.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apscheduler.executors.base
import apscheduler.schedulers.base

from bot.config import Config
from bot.scheduling.wakeups import NOW_READERS, ClockScheduler, Scheduler
from bot.store import open_database
from tests.unit.test_schedule_runner import START, build_world


def _untouched() -> bool:
    """APScheduler's modules read the real ``datetime``, as installed."""
    return apscheduler.schedulers.base.datetime is datetime and apscheduler.executors.base.datetime is datetime


async def _until(condition: Callable[[], bool]) -> None:
    """Let the loop run (APScheduler hands jobs over through ``call_soon``; posts wait for the database
    thread) until ``condition`` holds. The bound is generous: it only stops a broken test."""
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


def test_apscheduler_reads_the_time_only_where_a_clock_scheduler_gives_it_its_own() -> None:
    uses = set(re.findall(r"\bdatetime\.(\w+)", inspect.getsource(apscheduler.schedulers.base)))
    assert uses <= {"now", "datetime", "tzinfo"}, uses  # tzinfo: in a docstring
    assert {"_process_jobs", "_real_add_job"} <= set(NOW_READERS)
    # The executor reads the wall clock only for a misfire grace time, which our jobs never have.
    source = inspect.getsource(apscheduler.executors.base).splitlines()
    reads = [i for i, line in enumerate(source) if "datetime.now" in line]
    assert reads and all("misfire_grace_time is not None" in source[i - 1] for i in reads)

    virtual = datetime(2030, 6, 1, 12, tzinfo=UTC)
    scheduler = ClockScheduler(lambda: virtual, timezone=UTC)
    assert scheduler._process_jobs.__globals__["datetime"].now(UTC) == virtual
    assert scheduler._real_add_job.__globals__["datetime"].now(UTC) == virtual
    assert _untouched()
    assert abs(apscheduler.schedulers.base.datetime.now(UTC) - datetime.now(UTC)) < timedelta(minutes=1)


async def test_two_bots_with_different_clocks_in_one_process_do_not_interfere(
    tmp_path: Path, config: Config
) -> None:
    worlds, schedulers, clocks = [], [], []
    for name in ("a", "b"):
        db = await open_database(tmp_path / f"{name}.db")
        clock = [datetime(2026, 1, 1, tzinfo=UTC)]
        world = await build_world(db, config, clock)
        clock[0] = START - timedelta(hours=1)
        scheduler = Scheduler(world[0], lambda clock=clock: clock[0])
        await scheduler.start()
        await _until(lambda scheduler=scheduler: scheduler._aps._timeout is not None)
        worlds.append(world)
        schedulers.append(scheduler)
        clocks.append(clock)
    (_, posted_a, *_), (_, posted_b, *_) = worlds
    try:
        job = next(j for j in schedulers[0].jobs() if j.next_run_time == START)
        assert job.misfire_grace_time is None
        assert not posted_a.channel and not posted_b.channel

        # Bot A's clock reaches the opening; B's stays an hour before. Both schedulers wake (as their
        # loop timers would): A posts the opening and question 1, B, on its own clock, nothing.
        clocks[0][0] = START + timedelta(minutes=1)
        schedulers[0]._aps.wakeup()
        schedulers[1]._aps.wakeup()
        await _until(lambda: len(posted_a.channel) == 2)
        await _until(lambda: not schedulers[1]._aps._executors["default"]._pending_futures)
        assert posted_b.channel == []
        assert {j.next_run_time for j in schedulers[1].jobs()} >= {START}
        assert _untouched()

        clocks[1][0] = START + timedelta(minutes=1)
        schedulers[1]._aps.wakeup()
        await _until(lambda: len(posted_b.channel) == 2)
        assert len(posted_a.channel) == 2
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
        for runner, *_ in worlds:
            await runner.db.close()


async def test_nothing_of_a_scheduler_remains_once_it_is_shut_down(db, config) -> None:  # type: ignore[no-untyped-def]
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    runner, posted, *_ = await build_world(db, config, clock)
    scheduler = Scheduler(runner, lambda: clock[0])
    await scheduler.start()
    await _until(lambda: scheduler._aps._timeout is not None)
    assert scheduler.jobs()
    await scheduler.stop()
    assert not scheduler._aps.running and scheduler.jobs() == [] and getattr(scheduler._aps, "_timeout", None) is None
    assert runner.on_change is None and runner.stopped
    assert _untouched()
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
    clock[0] = START
    await runner.run_due()  # a stopped runner posts nothing, even when asked
    assert posted.channel == []


async def test_a_wake_up_that_finds_the_database_away_is_retried_until_it_is_back(  # type: ignore[no-untyped-def]
    db, config
) -> None:
    """The wake-up of a due item was its only one: if the store is away then, the scheduler wakes
    again 10 s later, then 30 s… and posts once the store answers (not at the next item's time)."""
    from bot.scheduling.wakeups import RETRY_JOB
    from bot.store import StoreUnavailable

    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    runner, posted, *_ = await build_world(db, config, clock)
    real_due = runner.repo.due
    away = [True]

    async def due(*args, **kwargs):  # type: ignore[no-untyped-def]
        if away[0]:
            raise StoreUnavailable("the database server cannot be reached")
        return await real_due(*args, **kwargs)

    runner.repo.due = due  # type: ignore[method-assign]
    clock[0] = START + timedelta(minutes=1)
    scheduler = Scheduler(runner, lambda: clock[0])
    try:
        await scheduler.start()  # the catch-up pass finds the store away
        retry = scheduler._aps.get_job(RETRY_JOB)
        assert retry is not None and retry.next_run_time == clock[0] + timedelta(seconds=10)
        clock[0] += timedelta(seconds=10)
        scheduler._aps.wakeup()
        await _until(lambda: scheduler._aps.get_job(RETRY_JOB) is not None
                     and scheduler._aps.get_job(RETRY_JOB).next_run_time == clock[0] + timedelta(seconds=30))
        assert posted.channel == []
        away[0] = False
        clock[0] += timedelta(seconds=30)
        scheduler._aps.wakeup()
        await _until(lambda: len(posted.channel) == 2)  # the opening and question 1, once
        await _until(lambda: scheduler._failed_wakes == 0)  # the pass is over: no retry any more
        assert scheduler._aps.get_job(RETRY_JOB) is None and len(posted.channel) == 2
    finally:
        await scheduler.stop()
