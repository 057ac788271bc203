"""The write-behind batch under load: bounded batches, nothing lost when a write fails, the text of what
was stored derived afterwards (off the event loop), once."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import pytest

import bot.contributions.service as contributions_service
from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.service import ContributionService
from bot.store import Database
from bot.store.base import StoreUnavailable
from tests.unit.test_contributions import ALICE, BOB, THREAD_1, THREAD_2, clock, make_dialogue, message

BATCH = 50
#: How a failed write surfaces from either store.
STORE_ERRORS = (sqlite3.Error, asyncpg.PostgresError)


@pytest.fixture
async def service(db: Database) -> ContributionService:
    svc = ContributionService(db, ContributionsConfig(batch_size=BATCH), clock, ProfileService(db, clock))
    await make_dialogue(db)
    await svc.load()
    return svc


def spy_batches(service: ContributionService, fail: Callable[[int], bool] = lambda n: False) -> list[int]:
    """Record the size of every batch the store is asked to write; ``fail(call number)`` makes that
    write fail inside its transaction, after its rows went in (a last row breaks a foreign key, so the
    store really rolls back), and surface as a failure of the store, not of the rows: the server went
    away at that moment."""
    sizes: list[int] = []
    original = service.repo.store_batch
    calls = 0

    async def store_batch(rows: Sequence[Sequence[Any]], cursors: Any) -> None:
        nonlocal calls
        calls += 1
        sizes.append(len(rows))
        if fail(calls) and rows:
            try:
                await original([*rows, poisoned(rows[-1])], cursors)
            except STORE_ERRORS as error:
                raise StoreUnavailable("the server went away") from error
        await original(rows, cursors)

    service.repo.store_batch = store_batch  # type: ignore[method-assign]
    return sizes


def poisoned(row: Sequence[Any]) -> tuple[Any, ...]:
    """A copy of ``row`` that no store takes (its dialogue does not exist)."""
    return (999_999, *row[1:4], 1, *row[5:])


async def test_a_flood_is_written_in_batches_never_larger_than_batch_size(
    db: Database, service: ContributionService
) -> None:
    sizes = spy_batches(service)
    for i in range(BATCH * 7 + 13):
        service.capture(message(THREAD_1 if i % 2 else THREAD_2, ALICE, f"flood {i}"))
    assert await service.flush() == BATCH * 7 + 13
    assert max(sizes) == BATCH and sum(sizes) == BATCH * 7 + 13
    assert await db.fetchval("SELECT count(*) FROM contributions") == BATCH * 7 + 13


async def test_messages_arriving_during_a_flush_wait_for_the_next_batch(
    db: Database, service: ContributionService
) -> None:
    sizes = spy_batches(service)
    for i in range(BATCH * 3):
        service.capture(message(THREAD_1, ALICE, f"first wave {i}"))
    flushing = asyncio.create_task(service.flush_batch())
    await asyncio.sleep(0)  # the batch is taken; more arrive while it is written
    for i in range(BATCH * 3):
        service.capture(message(THREAD_1, BOB, f"second wave {i}"))
    assert await flushing == BATCH
    while service.pending:
        assert await service.flush_batch() <= BATCH
    assert sizes and max(sizes) <= BATCH
    assert await db.fetchval("SELECT count(*) FROM contributions") == BATCH * 6


async def test_nothing_is_lost_when_a_flush_fails_and_the_retry_writes_each_message_once(
    db: Database, service: ContributionService
) -> None:
    spy_batches(service, fail=lambda call: call in (1, 3))
    sent = [message(THREAD_1, ALICE, f"see https://example.org/{i} about recommendations") for i in range(BATCH + 7)]
    for m in sent:
        service.capture(m)
    with pytest.raises(StoreUnavailable):
        await service.flush_batch()
    assert service.pending == BATCH + 7  # the failed batch is back, in front
    assert await db.fetchval("SELECT count(*) FROM contributions") == 0
    assert await service.flush_batch() == BATCH
    with pytest.raises(StoreUnavailable):
        await service.flush_batch()
    late = message(THREAD_1, BOB, "arrived while the store was failing")
    service.capture(late)
    assert await service.flush() == 8
    rows = await db.fetchall("SELECT message_id FROM contributions ORDER BY id")
    assert sorted(r[0] for r in rows) == sorted([m.message_id for m in sent] + [late.message_id])
    assert [r[0] for r in rows][:BATCH] == [m.message_id for m in sent[:BATCH]]  # oldest first
    # Their text was derived afterwards, once each.
    assert await db.fetchval("SELECT count(*) FROM links") == BATCH + 7
    assert await db.fetchval("SELECT max(last_message_id) FROM channel_cursors") == late.message_id


async def test_a_read_waiting_on_a_batch_whose_write_fails_writes_it_itself(
    db: Database, service: ContributionService
) -> None:
    """The timer's write is in flight when a read flushes; it fails: the read must not go on without it."""
    spy_batches(service, fail=lambda call: call == 1)
    sent = [message(THREAD_1, ALICE, f"in flight {i}") for i in range(5)]
    for m in sent:
        service.capture(m)
    timer = asyncio.create_task(service.flush_batch())
    await asyncio.sleep(0)  # the batch is taken and being written
    assert service.pending == 0
    await service.flush()  # a report's read
    assert await db.fetchval("SELECT count(*) FROM contributions") == len(sent)
    with pytest.raises(StoreUnavailable):
        await timer


async def test_the_text_work_of_a_batch_runs_off_the_event_loop(
    service: ContributionService, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[int] = set()
    original = contributions_service._derive_rows

    def watched(*args: Any) -> Any:
        threads.add(threading.get_ident())
        return original(*args)

    monkeypatch.setattr(contributions_service, "_derive_rows", watched)
    service.capture(message(THREAD_1, ALICE, "a recommendation with https://example.org/x"))
    await service.flush()
    assert threads and threading.get_ident() not in threads


async def test_moderators_asking_for_figures_at_once_share_one_computation(
    db: Database, service: ContributionService
) -> None:
    service.capture(message(THREAD_1, ALICE, "counted"))
    computed: list[int] = []
    original = service.repo.counts

    async def counting(dialogue_id: int) -> Any:
        computed.append(dialogue_id)
        return await original(dialogue_id)

    service.repo.counts = counting  # type: ignore[method-assign]
    dialogue_id = await db.fetchval("SELECT id FROM dialogues")
    figures = await asyncio.gather(*(service.counts(dialogue_id) for _ in range(10)))
    assert len(computed) == 1 and {f.total for f in figures} == {1}
    service.capture(message(THREAD_1, BOB, "arrived after"))  # a later call sees it: a new computation
    assert (await service.counts(dialogue_id)).total == 2 and len(computed) == 2


async def test_a_stray_nul_in_a_message_does_not_fail_its_batch(db: Database, service: ContributionService) -> None:
    """PostgreSQL text cannot hold NUL: there it becomes U+FFFD; the batch and its neighbours are written."""
    service.capture(message(THREAD_1, ALICE, "before\x00after"))
    service.capture(message(THREAD_1, BOB, "a neighbour"))
    assert await service.flush() == 2
    content = await db.fetchval("SELECT content FROM contributions WHERE author_id = ?", (ALICE,))
    assert content in ("before\x00after", "before\ufffdafter")
    assert (db.dialect == "postgresql") == (content == "before\ufffdafter")


async def test_a_lone_surrogate_in_a_message_or_an_edit_does_not_fail_its_batch(
    db: Database, service: ContributionService
) -> None:
    """JSON may carry ``\\ud800``; UTF-8 cannot: it becomes U+FFFD, the rest is written."""
    broken = message(THREAD_1, ALICE, "lone \ud800 surrogate", author_name="Ana \udfff")
    service.capture(broken)
    service.capture(message(THREAD_1, BOB, "a neighbour"))
    assert await service.flush() == 2
    row = await db.fetchone("SELECT content, author_name FROM contributions WHERE author_id = ?", (ALICE,))
    assert row is not None and (row["content"], row["author_name"]) == ("lone \ufffd surrogate", "Ana \ufffd")
    assert await service.edit(broken.message_id, "edited \udc00", (), None)
    assert await db.fetchval("SELECT content FROM contributions WHERE author_id = ?", (ALICE,)) == "edited \ufffd"


async def test_a_message_the_store_refuses_keeps_no_other_message_out(
    db: Database, service: ContributionService, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever makes one row unstorable, the others of its batch are written at once (the batch is
    bisected down to that message, which is logged and dropped), and the channel's cursor still moves."""
    original = service.repo.store_batch
    bad = message(THREAD_1, BOB, "refused")

    async def store_batch(rows: Sequence[Sequence[Any]], cursors: Any) -> None:
        await original([poisoned(r) if r[4] == bad.message_id else r for r in rows], cursors)

    service.repo.store_batch = store_batch  # type: ignore[method-assign]
    sent = [message(THREAD_1, ALICE, f"fine {i}") for i in range(BATCH * 2)]
    for m in sent[:BATCH // 2 + 3]:
        service.capture(m)
    service.capture(bad)
    for m in sent[BATCH // 2 + 3:]:
        service.capture(m)
    with caplog.at_level("ERROR"):
        assert await service.flush() == len(sent)
    assert service.pending == 0
    stored = {r[0] for r in await db.fetchall("SELECT message_id FROM contributions")}
    assert stored == {m.message_id for m in sent}
    assert f"message {bad.message_id}" in caplog.text
    assert await db.fetchval("SELECT last_message_id FROM channel_cursors WHERE channel_id = ?",
                             (THREAD_1,)) == sent[-1].message_id
