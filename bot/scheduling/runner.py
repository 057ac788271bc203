"""Scheduled posts: schedule-item rows, a runner that posts them exactly once, APScheduler wake-ups.

The database is the source of truth. Each ``schedule_items`` row goes ``pending → claimed → done``
(or ``skipped`` / ``failed``):

* **claim** — ``UPDATE … SET status='claimed' WHERE id=? AND status='pending'``; only the caller that
  changed one row posts.
* **post** — the handler registered for the row's ``kind`` does the Discord work.
* **record** — the message / thread id and the dialogue's change (opened, question thread, closed) are
  written in one transaction.

A row left ``claimed`` (a crash, or a post that failed, between claim and record) is *in doubt*: the
next pass first asks its handler to find the post among the channel's recent messages and records
that one; only if none is found is it posted again (at most :data:`MAX_ATTEMPTS` times).

**Several shard processes** (``colloquy run --shard-ids``, on one PostgreSQL): each runs the rows of
its own guilds only (:class:`bot.sharding.ShardScope`). A claim holds a lease (:data:`LEASE`) and
names its process; while shards move between processes, a row claimed by a live process is left to
it, and a row whose lease expired is reconciled like a crash's. On PostgreSQL the claim locks the
row ``FOR UPDATE SKIP LOCKED``.

Items missed while the bot was down run late if no more than ``[schedule] grace_period_hours`` late,
otherwise they are marked skipped and the moderators are told (the notifier).

Handlers are registered by kind (``opening``, ``question``, ``reminder``, ``closing`` by the dialogue
poster; ``week_summary`` by the report feature), so this module never imports discord.

**Time.** The runner decides what is due with the injected clock (``bot.clock``); APScheduler only wakes
it (:mod:`bot.scheduling.wakeups`, on the same clock).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock, iso
from bot.config import Config
from bot.dialogues.lifecycle import DialogueScheduleService
from bot.dialogues.model import ScheduleItem
from bot.dialogues.timeline import KIND_ORDER
from bot.sharding import ShardScope
from bot.store import Database
from bot.store.repositories.scheduling import ScheduleRepository

log = logging.getLogger(__name__)

#: Delays before retrying an item whose post failed, by attempt (the last one repeats): a 503 that
#: discord.py does not retry itself costs seconds, not minutes.
BACKOFF = (timedelta(seconds=10), timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=5),
           timedelta(minutes=10))
#: A post is tried at most this many times (a failed try leaves the row in doubt, retried later):
#: with :data:`BACKOFF`, about an hour of retries before the moderators hear it failed for good.
MAX_ATTEMPTS = 9
#: The moderators hear once that a post is late when this many attempts have failed.
LATE_AFTER_ATTEMPTS = 2
#: Kinds that are never skipped for lateness: the final report is posted however late the bot comes back.
NEVER_TOO_LATE = frozenset({"report"})


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try (1-based): 10 s, 30 s, 2 min, 5 min, 10 min…"""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def nonce(item_id: int, part: int | str = 0) -> str:
    """The ``nonce`` of message ``part`` of schedule item ``item_id`` (discord.py sends it with
    ``enforce_nonce``): a POST that discord.py retries after a 5xx is then one message, not two.
    Discord takes at most 25 characters."""
    value = f"s{item_id}.{part}"
    if len(value) > 25:
        raise ValueError(f"nonce too long: {value!r}")
    return value
#: How long a claim holds against other shard processes (see ``bot.sharding``): longer than any post
#: takes, so a live process is never overtaken; after it, the row is reconciled like a crash's.
LEASE = timedelta(minutes=5)


# -- handlers ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Posted:
    """What a handler posted: the message, and the thread it opened if any."""

    message_id: int | None
    thread_id: int | None = None


class ItemHandler(Protocol):
    """Posts one kind of schedule item. Registered with :meth:`ScheduleRunner.register`."""

    async def post(self, item: ScheduleItem) -> Posted:
        """Do the Discord work; raise on failure (the item stays in doubt and is retried)."""

    async def find_posted(self, item: ScheduleItem) -> Posted | None:
        """After a crash: the post this item already made (e.g. among the channel's recent
        messages since ``item.claimed_at``), or ``None`` if it was never made."""

    async def after_record(self, item: ScheduleItem, posted: Posted) -> None:
        """Follow-ups once recorded (idempotent): edit other posts, dispatch events."""


class ScheduleNotifier(Protocol):
    async def skipped(self, dialogue_id: int, items: list[ScheduleItem]) -> None:
        """Tell the moderators which posts were skipped (missed beyond the grace period)."""

    async def failed(self, item: ScheduleItem, error: str) -> None:
        """Tell the moderators a post could not be made after every attempt."""

    async def late(self, item: ScheduleItem, error: str) -> None:
        """Tell the moderators, once, that a post is late (its first tries failed; retrying)."""


class ScheduleRunner:
    """Runs due schedule items exactly once each. Plain async code over the store; no discord."""

    def __init__(self, db: Database, dialogue_schedule: DialogueScheduleService, config: Config, clock: Clock) -> None:
        self.db = db
        self.repo = ScheduleRepository(db)
        self.dialogue_schedule = dialogue_schedule
        self.config = config
        self.clock = clock
        self._handlers: dict[str, ItemHandler] = {}
        self.notifier: ScheduleNotifier | None = None
        #: Called after the rows change (the :class:`Scheduler` rebuilds its jobs).
        self.on_change: Callable[[], Awaitable[None]] | None = None
        self._lock = asyncio.Lock()
        self.stopped = False
        #: The guilds this process schedules for (all, unless it is one of several shard processes),
        #: and who it is when it claims a row (leases: DESIGN.md "Scale path").
        self.scope = ShardScope.of(config)
        self.owner = uuid.uuid4().hex

    def register(self, kind: str, handler: ItemHandler) -> None:
        """Let ``handler`` post items of ``kind`` (one handler per kind; the last one wins)."""
        if kind not in KIND_ORDER:
            raise ValueError(f"unknown schedule item kind {kind!r}")
        self._handlers[kind] = handler

    def handler(self, kind: str) -> ItemHandler | None:
        return self._handlers.get(kind)

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.config.schedule.grace_period_hours)

    async def changed(self) -> None:
        """Rows were added, re-timed or cancelled: rebuild the wake-ups."""
        if self.on_change is not None:
            await self.on_change()

    async def wake_times(self) -> dict[int, datetime]:
        """item id → when to wake for it: pending rows at their time, in-doubt rows at their retry."""
        return await self.repo.wake_times(self.scope)

    async def idle(self) -> None:
        """Return once no :meth:`run_due` is in progress."""
        async with self._lock:
            return

    async def run_due(self) -> None:
        """Post every due item, in order (time, then opening → questions → reminder → closing)."""
        async with self._lock:
            if self.stopped:
                return
            now = self.clock()
            due = await self.repo.due(iso(now), self.scope, self.owner)
            skipped: dict[int, list[ScheduleItem]] = {}
            for item in sorted(due, key=lambda i: i.sort_key):
                if self.stopped:
                    return
                if item.status == "pending" and item.kind not in NEVER_TOO_LATE and now - item.run_at > self.grace:
                    await self.dialogue_schedule.skip_item(item, "missed: beyond the grace period")
                    skipped.setdefault(item.dialogue_id, []).append(item)
                    continue
                if not await self._run(item, now):
                    skipped.setdefault(item.dialogue_id, []).append(item)
            for dialogue_id, items in skipped.items():
                await self._notify_skipped(dialogue_id, items)

    async def _run(self, item: ScheduleItem, now: datetime) -> bool:
        """Post (or reconcile) one item; ``False`` if it was skipped as too late."""
        handler = self._handlers.get(item.kind)
        if handler is None:
            log.info("no handler for %s items; skipping item %s", item.kind, item.id)
            await self.dialogue_schedule.skip_item(item, "no handler registered")
            return True
        if item.status == "claimed":
            try:
                found = await handler.find_posted(item)
            except Exception as exc:
                log.warning("could not check whether item %s was posted; not reposting yet", item.id, exc_info=True)
                await self._retry_later(item, exc, tried=False)
                return True
            if found is not None:
                log.info("schedule item %s was posted before a restart; recording it", item.id)
                await self._record(handler, item, found)
                return True
            if item.kind not in NEVER_TOO_LATE and now - (item.claimed_at or item.run_at) > self.grace:
                await self.dialogue_schedule.skip_item(item, "missed: beyond the grace period")
                return False
            if item.attempts >= MAX_ATTEMPTS:
                await self.repo.mark_failed(item.id)
                if self.notifier is not None:
                    await self.notifier.failed(item, item.last_error or "")
                return True
        if not await self._claim(item):
            return True
        claimed = await self.dialogue_schedule.item(item.id)
        assert claimed is not None
        try:
            posted = await handler.post(claimed)
        except Exception as exc:
            log.warning("posting schedule item %s (%s) failed", item.id, item.kind, exc_info=True)
            await self._retry_later(item, exc)
            return True
        await self._record(handler, claimed, posted)
        return True

    async def _retry_later(self, item: ScheduleItem, exc: BaseException, *, tried: bool = True) -> None:
        """Leave the row in doubt, to be checked and retried after the next :data:`BACKOFF` delay; the
        moderators hear once that the post is late (when :data:`LATE_AFTER_ATTEMPTS` tries failed)."""
        current = await self.dialogue_schedule.item(item.id)
        attempts = current.attempts if current is not None else item.attempts
        error = f"{type(exc).__name__}: {exc}"[:500]
        await self.repo.retry_later(item.id, error, iso(self.clock() + retry_delay(attempts)))
        if tried and attempts == LATE_AFTER_ATTEMPTS and self.notifier is not None:
            late = getattr(self.notifier, "late", None)
            if late is not None:
                try:
                    await late(current or item, error)
                except Exception:
                    log.exception("could not tell the moderators that item %s is late", item.id)

    async def _claim(self, item: ScheduleItem) -> bool:
        """Take the row; ``False`` if someone else did (or it is no longer runnable)."""
        now = self.clock()
        return await self.repo.claim(item, iso(now), lease_until=iso(now + LEASE), owner=self.owner)

    async def _record(self, handler: ItemHandler, item: ScheduleItem, posted: Posted) -> None:
        await self.dialogue_schedule.complete_item(item, posted.message_id, posted.thread_id)
        if item.kind == "closing":
            await self.changed()  # the closing made the final report due: wake up for it
        try:
            await handler.after_record(item, posted)
        except Exception:
            log.exception("follow-up of schedule item %s failed", item.id)

    async def _notify_skipped(self, dialogue_id: int, items: list[ScheduleItem]) -> None:
        if self.notifier is None:
            return
        try:
            await self.notifier.skipped(dialogue_id, items)
        except Exception:
            log.exception("could not tell the moderators of dialogue %s about skipped posts", dialogue_id)
