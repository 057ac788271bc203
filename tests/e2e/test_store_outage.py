"""The PostgreSQL server goes away while the whole bot runs a dialogue, and comes back.

The real bot in SimCord, its store on PostgreSQL through a TCP relay the test cuts and restores
(``tests/relay.py``). Members post before, during and after the outage; during it a moderator's
``/dialogue status`` gets a clear answer in their language (not a crash, not an interaction left
"thinking"), and a guiding question falls due. Once the server is back: the question is posted,
once; every contribution is stored, once; the rest of the week runs as planned.

PostgreSQL's case only (SQLite has no server to lose): needs ``COLLOQUY_TEST_POSTGRES_URL``, which
``.ci/run`` sets and checks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest

from bot.clock import iso
from bot.dialogues.model import ScheduleItem
from bot.scheduling.runner import ItemHandler, Posted
from bot.store import StoreUnavailable, open_database
from tests.conftest import POSTGRES_URL, Community, create_schema, drop_schema, schema_url, set_locale
from tests.e2e.test_contributions import FLUSH, open_dialogue, status
from tests.e2e.test_dialogues_week import CLOSING, QUESTION_TIMES, QUESTIONS, advance_to, bot_posts
from tests.relay import ThreadedRelay

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL's case: set COLLOQUY_TEST_POSTGRES_URL")


@pytest.fixture
def relay() -> Iterator[ThreadedRelay]:
    relay = ThreadedRelay(POSTGRES_URL)
    relay.up()
    try:
        yield relay
    finally:
        relay.close()


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    name = await create_schema()
    try:
        yield name
    finally:
        await drop_schema(name)


@pytest.fixture
def db_path(relay: ThreadedRelay, schema: str) -> str:
    """The bot's store (overrides conftest's): a fresh schema, reached through the relay."""
    return schema_url(relay.url, schema)


class CutAfterPosting:
    """A schedule handler whose post reaches Discord, and then the database server goes away."""

    def __init__(self, handler: ItemHandler, relay: ThreadedRelay) -> None:
        self.handler, self.relay = handler, relay

    async def post(self, item: ScheduleItem) -> Posted:
        posted = await self.handler.post(item)
        if self.relay.is_up:
            self.relay.down()
        return posted

    async def find_posted(self, item: ScheduleItem) -> Posted | None:
        return await self.handler.find_posted(item)

    async def after_record(self, item: ScheduleItem, posted: Posted) -> None:
        await self.handler.after_record(item, posted)


def posts_of(community: Community, text: str) -> int:
    return sum(text in m.content for m in bot_posts(community.dialogue, community.bot.user.id))


async def test_the_bot_rides_out_a_database_outage_and_loses_nothing(
    community: Community, relay: ThreadedRelay, schema: str
) -> None:
    await community.moderator.slash(community.general, "setup", mod_channel=community.mods,
                                    summary_channel=community.summary)
    q1, q2 = await open_dialogue(community)  # 6 Jan 09:00: two question threads are out
    sent = [await community.alice.send(q1, "Before the outage: resistance shows up as silence.")]
    await community.env.advance_time(FLUSH)
    question_3 = QUESTIONS[2][:60]
    assert posts_of(community, question_3) == 0

    # 8 Jan 08:50: the server goes away ten minutes before question 3 is due.
    await advance_to(community, QUESTION_TIMES[2] - timedelta(minutes=10))
    relay.down()
    sent += [
        await community.bob.send(q1, "During the outage: we name the resistance out loud."),
        await community.carol.send(q2, "During the outage: peer circles help."),
        await community.alice.send(community.dialogue, "During the outage, in the channel itself."),
    ]
    await community.env.advance_time(FLUSH)  # the write-behind batch fails and is kept

    # A moderator asks for the status: a clear answer, in their language, within the interaction.
    set_locale(community.moderator, "es-ES")
    text = await status(community)
    assert "base de datos" in text and "inténtalo de nuevo" in text, text
    errors = community.user_errors()
    assert errors and all(isinstance(e, StoreUnavailable) for e in errors), errors
    set_locale(community.moderator, "en-US")

    # Question 3 falls due while the server is away: it cannot be posted yet (its wake-up, and the
    # retries after it, find the database away).
    await advance_to(community, QUESTION_TIMES[2] + timedelta(minutes=5))
    assert posts_of(community, question_3) == 0
    sent.append(await community.bob.send(q2, "Still during the outage, after question 3 was due."))
    await community.env.advance_time(FLUSH)

    # The server is back: question 3 is posted once, and the kept batch is written.
    relay.up()
    await community.env.advance_time(90)  # the scheduler retries every minute at most
    assert posts_of(community, question_3) == 1
    sent.append(await community.carol.send(q1, "After the outage: back to normal."))
    await community.env.advance_time(FLUSH)
    assert "Contributions: 6" in await status(community)

    # 10 Jan 09:00: the server goes away while question 4 is being posted, after Discord has it and
    # before the store records it. The row stays claimed; once the server is back, the runner finds
    # the post in the channel and records it instead of posting it again.
    runner = community.bot.services.schedule
    poster = runner.handler("question")
    assert poster is not None
    runner.register("question", CutAfterPosting(poster, relay))
    await advance_to(community, QUESTION_TIMES[3] + timedelta(seconds=5))
    assert not relay.is_up and posts_of(community, QUESTIONS[3][:60]) == 1
    relay.up()
    await community.env.advance_time(60)
    assert posts_of(community, QUESTIONS[3][:60]) == 1
    assert await community.bot.db.fetchval(
        "SELECT status FROM schedule_items WHERE kind = 'question' AND run_at = ?", (iso(QUESTION_TIMES[3]),)
    ) == "done"

    # The rest of the week runs as planned, each post once; nothing was skipped or lost.
    await advance_to(community, CLOSING)
    for text in QUESTIONS:
        assert posts_of(community, text[:60]) == 1, text
    assert posts_of(community, "is now closed") == 1
    mod_notices = [m.content for m in community.mods.history()]
    assert not any("skipped" in n.lower() for n in mod_notices), mod_notices

    check = await open_database(schema_url(POSTGRES_URL, schema))  # the server itself, not the relay
    try:
        rows = await check.fetchall("SELECT message_id FROM contributions ORDER BY message_id")
        assert [r["message_id"] for r in rows] == sorted(m.id for m in sent)  # each once
        left = await check.fetchval("SELECT count(*) FROM schedule_items WHERE status <> 'done'")
        assert left == 0
    finally:
        await check.close()
