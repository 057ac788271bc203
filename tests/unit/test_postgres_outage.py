"""The PostgreSQL server goes away mid-run and comes back: nothing a member posted is lost.

The store talks to the server through a TCP relay this test controls; "the server goes away" closes
every connection and refuses new ones, as a restarted or unreachable server does. Needs the test
server (``COLLOQUY_TEST_POSTGRES_URL``, which ``.ci/run`` sets and checks): this is PostgreSQL's case,
SQLite has no server to lose.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.service import ContributionService
from bot.store import Database, open_database
from tests.conftest import POSTGRES_URL, create_schema, drop_schema, schema_url
from tests.unit.test_contributions import ALICE, BOB, THREAD_1, clock, make_dialogue, message

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL's case: set COLLOQUY_TEST_POSTGRES_URL")


class Relay:
    """A TCP relay to the PostgreSQL server that can go down (cutting every connection) and come back."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.server: asyncio.Server | None = None
        self.listen_port = 0
        self.writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.listen_port)
        self.listen_port = self.server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()
        self.server = None

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(self.host, self.port)
        self.writers |= {client_w, server_w}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))
        self.writers -= {client_w, server_w}


@pytest.fixture
async def relayed() -> AsyncIterator[tuple[Relay, str, str]]:
    """(the relay, the store URL through it, the direct URL) on a fresh schema."""
    schema = await create_schema()
    parts = urlsplit(POSTGRES_URL)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    await relay.up()
    netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname),
                                  f"127.0.0.1:{relay.listen_port}")
    through = urlunsplit(parts._replace(netloc=netloc))
    try:
        yield relay, schema_url(through, schema), schema_url(POSTGRES_URL, schema)
    finally:
        if relay.server is not None:
            await relay.down()
        await drop_schema(schema)


async def test_the_write_behind_batch_survives_the_server_going_away_and_is_written_when_it_returns(
    relayed: tuple[Relay, str, str],
) -> None:
    relay, url, direct = relayed
    db: Database = await open_database(url)
    service = ContributionService(db, ContributionsConfig(batch_size=50), clock, ProfileService(db, clock))
    try:
        await make_dialogue(db)
        await service.load()
        before = message(THREAD_1, ALICE, "before the outage")
        service.capture(before)
        assert await service.flush() == 1

        await relay.down()  # the server goes away: open connections cut, new ones refused
        during = [message(THREAD_1, BOB, f"during the outage {i}") for i in range(3)]
        for m in during:
            service.capture(m)
        with pytest.raises(Exception) as failed:  # whatever the driver raises for a lost server
            await service.flush()
        assert not isinstance(failed.value, AssertionError)
        assert service.pending == 3  # kept, in memory, to be retried

        await relay.up()  # back, on the same address: the pool reconnects
        late = message(THREAD_1, ALICE, "after the outage")
        service.capture(late)
        assert await service.flush() == 4
    finally:
        await db.close()

    check = await open_database(direct)
    try:
        rows = await check.fetchall("SELECT message_id FROM contributions")
        assert sorted(r[0] for r in rows) == sorted(m.message_id for m in [before, *during, late])
    finally:
        await check.close()
