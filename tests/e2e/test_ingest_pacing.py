"""A flood's text (links, language, suggestions) waits until the flood is over; a normal pace's text
is derived at the next tick (:mod:`bot.contributions.pacing`): a flood is a derivation chunk's worth
of messages (500) or more in one timer interval."""

from __future__ import annotations

import pytest

from bot.contributions.service import DERIVE_CHUNK
from tests.conftest import Community
from tests.e2e.test_contributions import FLUSH, open_dialogue


async def underived(community: Community) -> int:
    return await community.bot.db.fetchval("SELECT count(*) FROM contributions WHERE derived = 0")


@pytest.mark.parametrize("store_kind", ["sqlite"])  # the pacing is the cog's, whatever the store
async def test_a_floods_text_is_derived_once_it_is_over(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    bot = community.bot
    flood = DERIVE_CHUNK + 10  # within one interval: virtual time stands still while they arrive
    for i in range(flood):
        await community.alice.send(q1, f"Flood message {i}: https://example.org/flood/{i}")
    await community.env.advance_time(0.6)  # the tick after the flood: all written, no text derived
    assert await bot.db.fetchval("SELECT count(*) FROM contributions") == flood
    assert await underived(community) == flood
    await community.env.advance_time(FLUSH)  # an interval passed quietly: a chunk derived, then the rest
    await community.env.advance_time(FLUSH)
    assert await underived(community) == 0
    assert await bot.db.fetchval("SELECT count(*) FROM links") == flood


async def test_a_busy_but_normal_paces_text_is_derived_at_the_next_tick(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    busy = 60  # many messages in one interval, far fewer than a flood
    for i in range(busy):
        await community.alice.send(q1, f"Message {i}: https://example.org/pace/{i}")
    await community.env.advance_time(FLUSH)
    assert await underived(community) == 0
    assert await community.bot.db.fetchval("SELECT count(*) FROM links") == busy
