"""APScheduler wake-ups for the schedule runner, on the bot's own clock.

APScheduler only *wakes* the runner: one ``DateTrigger`` job per pending row (job id
``schedule-item-<id>``, rebuilt from the rows at start-up and after every change with
``replace_existing=True``). Whatever job fires, :meth:`ScheduleRunner.run_due` then posts *every* due
row, in order, under one lock, so two posts due at the same instant never race and a job firing early
or twice does nothing. The runner decides what is due with the bot's clock.

**Whose "now".** APScheduler 3 reads the time with ``datetime.now`` inside
``apscheduler.schedulers.base`` (to find due jobs and how long to sleep) and has no clock option. The
bot's one notion of now is its ``clock`` (``discord.utils.utcnow``: the wall clock in production,
SimCord's virtual clock in tests and the demo). :class:`ClockScheduler` is an ``AsyncIOScheduler``
whose *own* copies of the scheduler methods that read the time see, under the name ``datetime``, a
``datetime`` whose ``now()`` is this instance's clock. Nothing is patched: APScheduler's modules, other
schedulers and other bots in the same process keep their own time, and nothing outlives the instance.
APScheduler sleeps with ``loop.call_later``, which follows ``time.monotonic`` (SimCord moves it with
its clock), so inside SimCord ``await env.advance_time(...)`` alone runs a dialogue week.

**The database away.** A wake-up that cannot read the rows (a server store restarting:
:class:`bot.store.StoreUnavailable`) arms one retry wake-up, 10 s later, then 30 s, then every
minute until a pass succeeds: a post that fell due meanwhile is made once the server is back, not at
the next item's time (nor skipped as too late by then).

The executor's misfire check (``apscheduler.executors.base``) also reads ``datetime.now``; it runs only
for jobs with a ``misfire_grace_time``, and ours have none (the runner applies the grace period).
``tests/unit/test_schedule_clock.py`` pins both facts against the installed APScheduler.
"""

from __future__ import annotations

import asyncio
import logging
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import apscheduler.schedulers.base as _aps_base
from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from bot.scheduling.runner import ScheduleRunner
from bot.store import StoreUnavailable

log = logging.getLogger(__name__)
#: The job that wakes the runner again after a wake-up found the database away.
RETRY_JOB = "schedule-retry"
#: Delays before that job, by failed wake-up in a row (the last repeats): a wake-up is one query, so
#: a minute at most, and a post that fell due meanwhile is made within a minute of the server's return.
STORE_AWAY_RETRY = (timedelta(seconds=10), timedelta(seconds=30), timedelta(seconds=60))


def _names(code: types.CodeType) -> Iterator[str]:
    """Every global or attribute name ``code`` (and code nested in it) uses."""
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


#: BaseScheduler's methods that read the time (``datetime.now``): each instance gets its own copy.
NOW_READERS: tuple[str, ...] = tuple(
    name
    for name, member in vars(BaseScheduler).items()
    if isinstance(member, types.FunctionType) and "datetime" in set(_names(member.__code__))
)


def clock_datetime(clock: Clock) -> type[datetime]:
    """A ``datetime`` class whose ``now()`` reads ``clock`` (an aware UTC datetime)."""

    class ClockDatetime(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            current = clock()
            if tz is None:
                return current.astimezone().replace(tzinfo=None)
            return current.astimezone(tz)

    return ClockDatetime


class ClockScheduler(AsyncIOScheduler):
    """An ``AsyncIOScheduler`` whose notion of now is ``clock``, for this instance only."""

    def __init__(self, clock: Clock, **options: Any) -> None:
        super().__init__(**options)
        self.clock = clock
        namespace = {**vars(_aps_base), "datetime": clock_datetime(clock)}
        for name in NOW_READERS:
            function = getattr(BaseScheduler, name)
            copy = types.FunctionType(
                function.__code__, namespace, function.__name__, function.__defaults__, function.__closure__
            )
            copy.__kwdefaults__ = function.__kwdefaults__
            setattr(self, name, types.MethodType(copy, self))


class Scheduler:
    """APScheduler wake-ups of :meth:`ScheduleRunner.run_due`, on ``clock``; one per bot."""

    def __init__(self, runner: ScheduleRunner, clock: Clock) -> None:
        self.runner = runner
        self.clock = clock
        self._aps = ClockScheduler(
            clock,
            timezone=UTC,
            # The runner applies the grace period itself; APScheduler must never drop a wake-up. A job
            # re-added (rebuild) while its previous wake-up still waits for the runner's lock gets a
            # second instance, which queues behind it: with one, APScheduler would drop it and log it.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 2},
        )
        self._started = False
        #: Wake-ups in a row that found the database away (each retry waits longer: ``retry_delay``).
        self._failed_wakes = 0
        self._aps_stopped = asyncio.Event()
        self._aps.add_listener(lambda _event: self._aps_stopped.set(), EVENT_SCHEDULER_SHUTDOWN)

    @property
    def running(self) -> bool:
        return self._started

    async def start(self) -> None:
        """Catch up on what was missed, then wake for every pending item."""
        self._aps_stopped.clear()
        self._aps.start()
        self._started = True
        self.runner.on_change = self.rebuild
        self.runner.stopped = False
        await self._wake()

    async def _wake(self) -> None:
        try:
            await self.runner.run_due()
            await self.rebuild()
        except StoreUnavailable as error:
            # The database is away (a server store restarting): the wake-up that failed was this
            # item's only one. Wake again later, until the rows can be read; nothing is lost meanwhile
            # (the rows say what is due, and a row claimed before the cut is reconciled).
            self._retry_wake(error)
        else:
            self._failed_wakes = 0

    def _retry_wake(self, error: BaseException) -> None:
        if not self._started:
            return
        self._failed_wakes += 1
        delay = STORE_AWAY_RETRY[min(self._failed_wakes, len(STORE_AWAY_RETRY)) - 1]
        log.warning("schedule: the database cannot be reached (%s); trying again in %ss", error,
                    int(delay.total_seconds()))
        self._aps.add_job(self._wake, DateTrigger(run_date=self.clock() + delay), id=RETRY_JOB,
                          replace_existing=True)

    async def rebuild(self) -> None:
        """Make the jobs match the rows (idempotent)."""
        if not self._started:
            return
        wanted = await self.runner.wake_times()
        now = self.clock()
        for job in self._aps.get_jobs():
            if job.id == RETRY_JOB:
                continue
            item_id = int(job.id.rsplit("-", 1)[1])
            if item_id not in wanted:
                job.remove()
        for item_id, at in wanted.items():
            self._aps.add_job(
                self._wake,
                DateTrigger(run_date=max(at, now)),
                id=f"schedule-item-{item_id}",
                replace_existing=True,
            )

    def jobs(self) -> list[Any]:
        return list(self._aps.get_jobs())

    async def stop(self) -> None:
        """Stop, and return once APScheduler has stopped (it stops through ``call_soon``) and no post
        is in progress: nothing of this scheduler is left in the loop."""
        self.shutdown()
        await self.runner.idle()
        if self._aps.running:
            await self._aps_stopped.wait()

    def shutdown(self) -> None:
        """Stop: no job starts after this returns (APScheduler itself stops at the loop's next turn;
        :meth:`stop` waits for that)."""
        self.runner.stopped = True
        if self.runner.on_change == self.rebuild:
            self.runner.on_change = None
        if self._started:
            self._started = False
            self._aps.remove_all_jobs()
            self._aps.shutdown(wait=False)
