"""The PostgreSQL server goes away mid-run and comes back: nothing a member posted is lost.

The store talks to the server through a TCP relay (``tests/relay.py``) this test controls: "down"
closes every connection and refuses new ones, as a restarted or unreachable server does; "freeze"
stops forwarding and closes nothing, as a frozen host or a network partition does. Needs the test
server (``COLLOQUY_TEST_POSTGRES_URL``, which ``.ci/run`` sets and checks): this is PostgreSQL's case,
SQLite has no server to lose.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.service import ContributionService
from bot.store import Database, StoreUnavailable, open_database, postgres
from tests.conftest import POSTGRES_URL, create_schema, drop_schema, schema_url
from tests.relay import ThreadedRelay
from tests.unit.test_contributions import ALICE, BOB, THREAD_1, clock, make_dialogue, message

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL's case: set COLLOQUY_TEST_POSTGRES_URL")


@pytest.fixture
async def relayed() -> AsyncIterator[tuple[ThreadedRelay, str, str]]:
    """(the relay, the store URL through it, the direct URL) on a fresh schema."""
    schema = await create_schema()
    relay = ThreadedRelay(POSTGRES_URL)
    relay.up()
    try:
        yield relay, schema_url(relay.url, schema), schema_url(POSTGRES_URL, schema)
    finally:
        relay.close()
        await drop_schema(schema)


@asynccontextmanager
async def writing(url: str) -> AsyncIterator[ContributionService]:
    """A contribution service on the store at ``url`` (through the relay), its dialogue made; the store
    closed afterwards."""
    db: Database = await open_database(url)
    service = ContributionService(db, ContributionsConfig(batch_size=50), clock, ProfileService(db, clock))
    try:
        await make_dialogue(db)
        await service.load()
        yield service
    finally:
        await db.close()


async def stored_ids(direct: str) -> list[int]:
    """The message ids stored, in order, read straight from the server (not through the relay)."""
    check = await open_database(direct)
    try:
        return [r[0] for r in await check.fetchall("SELECT message_id FROM contributions ORDER BY message_id")]
    finally:
        await check.close()


async def test_the_write_behind_batch_survives_the_server_going_away_and_is_written_when_it_returns(
    relayed: tuple[ThreadedRelay, str, str],
) -> None:
    relay, url, direct = relayed
    async with writing(url) as service:
        before = message(THREAD_1, ALICE, "before the outage")
        service.capture(before)
        assert await service.flush() == 1

        relay.down()  # the server goes away: open connections cut, new ones refused
        during = [message(THREAD_1, BOB, f"during the outage {i}") for i in range(3)]
        for m in during:
            service.capture(m)
        with pytest.raises(Exception) as failed:  # whatever the driver raises for a lost server
            await service.flush()
        assert not isinstance(failed.value, AssertionError)
        assert service.pending == 3  # kept, in memory, to be retried

        relay.up()  # back, on the same address: the pool reconnects
        late = message(THREAD_1, ALICE, "after the outage")
        service.capture(late)
        assert await service.flush() == 4
    assert await stored_ids(direct) == sorted(m.message_id for m in [before, *during, late])


#: Test-sized timeouts (the store's are seconds): long enough for any statement of a live server under
#: a loaded test run, short enough that a freeze costs the test about a second each.
SHORT = 1.0
#: Only so a regression fails the test rather than hanging it: a flush during a freeze fails within
#: about two ``SHORT`` (the statement, then nothing else waits on the server).
HANG_GUARD = 30.0


async def others_settle() -> list[asyncio.Task[object]]:
    """The tasks other than this one still running once the loop had a few turns to finish what was
    cancelled (asyncpg's cancel request to a connection it cut)."""
    current = asyncio.current_task()
    for _ in range(20):
        left = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if not left:
            break
        await asyncio.sleep(0)
    return left


async def test_a_server_that_stops_answering_fails_the_batch_write_in_time_and_it_is_written_once_after(
    relayed: tuple[ThreadedRelay, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("COMMAND_TIMEOUT", "RECONNECT_TIMEOUT", "RELEASE_TIMEOUT", "CLOSE_GRACE"):
        monkeypatch.setattr(postgres, name, SHORT)
    relay, url, direct = relayed
    async with writing(url) as service:
        before = message(THREAD_1, ALICE, "before the freeze")
        service.capture(before)
        assert await service.flush() == 1  # a pooled connection is left open, idle

        relay.freeze()  # the server stops answering; every socket stays open
        during = [message(THREAD_1, BOB, f"during the freeze {i}") for i in range(3)]
        for m in during:
            service.capture(m)
        # On the pooled connection: the statement times out, the connection is cut.
        with pytest.raises(StoreUnavailable):
            await asyncio.wait_for(service.flush(), HANG_GUARD)
        assert service.pending == 3  # the batch is kept, to be retried
        assert await others_settle() == []  # nothing left waiting on the server (a cancel request)
        # Again, on whichever connection the pool gives next (a new one: its connect times out).
        with pytest.raises(StoreUnavailable):
            await asyncio.wait_for(service.flush(), HANG_GUARD)
        assert service.pending == 3
        assert await others_settle() == []

        relay.thaw()  # what waited is delivered, the cut connections' close with it
        late = message(THREAD_1, ALICE, "after the thaw")
        service.capture(late)
        assert await asyncio.wait_for(service.flush(), HANG_GUARD) == 4
    assert await stored_ids(direct) == sorted(m.message_id for m in [before, *during, late])  # each once


async def test_a_transaction_whose_server_stops_answering_mid_way_fails_in_time_and_commits_nothing(
    relayed: tuple[ThreadedRelay, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("COMMAND_TIMEOUT", "RECONNECT_TIMEOUT", "RELEASE_TIMEOUT", "CLOSE_GRACE"):
        monkeypatch.setattr(postgres, name, SHORT)
    relay, url, _ = relayed
    db: Database = await open_database(url)
    try:
        await db.execute("CREATE TABLE probe (n INTEGER)")

        async def half_written() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO probe (n) VALUES (?)", (1,))
                relay.freeze()  # mid-transaction: the next statement gets no answer, nor would a rollback
                await tx.execute("INSERT INTO probe (n) VALUES (?)", (2,))

        with pytest.raises(StoreUnavailable):
            await asyncio.wait_for(half_written(), HANG_GUARD)
        assert await others_settle() == []

        relay.thaw()
        assert await asyncio.wait_for(db.fetchval("SELECT count(*) FROM probe"), HANG_GUARD) == 0
    finally:
        await db.close()
