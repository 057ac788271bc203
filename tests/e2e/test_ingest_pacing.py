"""A flood's text (links, language, suggestions) waits until the flood is over; a normal pace's text
is derived at the next tick (:mod:`bot.contributions.pacing`). A small batch makes a flood of a few
dozen messages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.config import Config, for_database
from tests.conftest import Community
from tests.e2e.test_contributions import FLUSH, open_dialogue

BATCH = 20


@pytest.fixture
def config(db_path: Path | str) -> Config:
    base = for_database(db_path)
    return dataclasses.replace(base, contributions=dataclasses.replace(base.contributions, batch_size=BATCH))


async def underived(community: Community) -> int:
    return await community.bot.db.fetchval("SELECT count(*) FROM contributions WHERE derived = 0")


async def test_a_floods_text_is_derived_once_it_is_over(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    bot = community.bot
    flood = 3 * BATCH
    for i in range(flood):
        await community.alice.send(q1, f"Flood message {i}: https://example.org/flood/{i}")
    await community.env.advance_time(0.6)  # the tick after the flood: all written, no text derived
    assert await bot.db.fetchval("SELECT count(*) FROM contributions") == flood
    assert await underived(community) == flood
    await community.env.advance_time(FLUSH)  # an interval passed quietly
    assert await underived(community) == 0
    assert await bot.db.fetchval("SELECT count(*) FROM links") == flood


async def test_a_normal_paces_text_is_derived_at_the_next_tick(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    for i in range(BATCH - 1):
        await community.alice.send(q1, f"Message {i}: https://example.org/pace/{i}")
    await community.env.advance_time(FLUSH)
    assert await underived(community) == 0
    assert await community.bot.db.fetchval("SELECT count(*) FROM links") == BATCH - 1
