"""The bot takes its start-up heap out of the garbage collector's full passes (``gc.freeze``), which
otherwise walked it while holding the GIL and stalled the event loop during a large report; closing
the bot hands the heap back."""

from __future__ import annotations

import gc

from tests.conftest import Community


async def test_a_started_bot_has_frozen_its_heap_and_closing_it_unfreezes(community: Community) -> None:
    assert gc.get_freeze_count() > 10_000  # modules, services, cogs and the guild's cache
    await community.bot.close()
    assert gc.get_freeze_count() == 0
