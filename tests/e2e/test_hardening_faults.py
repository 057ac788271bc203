"""Discord's faults absorbed (issue 13): an interaction Discord already acknowledged is answered."""

from __future__ import annotations

import logging

import discord
import pytest

from tests.conftest import Community


async def test_already_acknowledged_40060_is_treated_as_answered(
    community: Community, caplog: pytest.LogCaptureFixture
) -> None:
    """Discord did the callback but its answer was lost; the retry gets 40060. The member has their answer:
    nothing is logged at ERROR, and no apology is attempted on top of it."""
    community.env.inject_error(
        "POST", "/interactions/*/*/callback", status=400, code=40060,
        message="Interaction has already been acknowledged.",
    )
    with caplog.at_level(logging.INFO, logger="bot.client"):
        await community.alice.slash(community.general, "profile show")
    errors = community.user_errors()
    assert errors and all(isinstance(e, discord.HTTPException) and e.code == 40060 for e in errors)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]
    assert any("already acknowledged" in r.getMessage() for r in caplog.records)
    # The bot goes on serving.
    shown = await community.alice.slash(community.general, "profile show")
    assert shown.ephemeral and "profile" in shown.response.content


async def test_another_discord_error_is_still_logged(
    community: Community, caplog: pytest.LogCaptureFixture
) -> None:
    community.env.inject_error("POST", "/interactions/*/*/callback", status=400, code=50035,
                               message="Invalid Form Body")
    with caplog.at_level(logging.INFO, logger="bot.client"):
        await community.alice.slash(community.general, "profile show")
    community.user_errors()
    assert [r for r in caplog.records if r.levelno == logging.ERROR]
