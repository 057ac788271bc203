"""``/dialogue status`` acknowledges at once (a deferred, "thinking" answer) and then computes its
figures, so a moderator's command never expires behind a flood or a report compile."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from tests.conftest import Community
from tests.e2e.test_contributions import FLUSH, open_dialogue, status


async def test_status_defers_before_it_counts(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    q1, _ = await open_dialogue(community)
    await community.alice.send(q1, "A contribution to count.")
    await community.env.advance_time(FLUSH)
    order: list[str] = []
    real_defer = discord.InteractionResponse.defer

    async def defer(self: discord.InteractionResponse, **kwargs: Any) -> Any:
        order.append("defer")
        return await real_defer(self, **kwargs)

    counts = community.bot.services.contributions.counts

    async def counted(dialogue_id: int) -> Any:
        order.append("counts")
        return await counts(dialogue_id)

    monkeypatch.setattr(discord.InteractionResponse, "defer", defer)
    monkeypatch.setattr(community.bot.services.contributions, "counts", counted)
    text = await status(community)
    assert order == ["defer", "counts"]
    assert "Contributions: 1" in text
