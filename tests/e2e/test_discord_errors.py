"""Discord says no (5xx, 429): nothing is lost, nothing is posted twice, nothing half-recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import Community
from tests.e2e.test_dialogues_week import OPENING, advance_to, create_week
from tests.e2e.test_panel import TITLE, ask, open_panel


def bot_posts(community: Community, starting: str) -> list[str]:
    return [m.content for m in community.dialogue.history() if m.author.bot and m.content.startswith(starting)]


@pytest.mark.parametrize("status", [500, 502, 429])
async def test_a_scheduled_post_refused_by_discord_is_posted_later_and_once(
    community: Community, status: int
) -> None:
    await create_week(community)
    # Discord fails the opening post (the first message of the week) once.
    community.env.inject_error("POST", "/channels/*/messages", status=status, times=1)
    await advance_to(community, OPENING)
    opening = bot_posts(community, "📣")
    await advance_to(community, OPENING + timedelta(minutes=10))

    assert len(bot_posts(community, "📣")) == 1  # posted once in the end, whatever happened first
    if status != 429:  # a 429 is waited out by discord.py itself; a 5xx is retried by the scheduler
        assert opening == []
        row = await community.bot.db.fetchone("SELECT status, attempts FROM schedule_items WHERE kind = 'opening'")
        assert row["status"] == "done" and row["attempts"] == 2
    threads = community.dialogue.threads
    assert len(threads) == 1  # question 1 went out too, once
    community.user_errors()  # the failed attempt was logged, not hidden


async def test_a_relay_refused_by_discord_records_nothing_and_can_be_relayed_again(community: Community) -> None:
    panel = await open_panel(community)
    await ask(community.alice, panel, "How do we start a capacity development process?")
    number = (await panel.question_ids())[0]
    await community.moderator.click(panel.review_post(number), label="Approve")

    community.env.inject_error("POST", f"/channels/{panel.channel.id}/messages", status=503, times=1)
    failed = await community.moderator.slash(community.general, "panel relay", dialogue=TITLE)
    assert failed.ephemeral and "Sorry" in failed.response.content
    assert community.user_errors()
    row = await community.bot.db.fetchone("SELECT status, relay_message_id FROM panel_questions WHERE id = ?",
                                          (number,))
    assert (row["status"], row["relay_message_id"]) == ("approved", None)
    assert await community.bot.db.fetchval("SELECT live_question_id FROM panels") is None

    again = await community.moderator.slash(community.general, "panel relay", dialogue=TITLE)
    assert again.ephemeral and "live" in again.response.content
    posed = [m for m in panel.channel.history() if m.content.startswith("Q: ")]
    assert len(posed) == 1
    row = await community.bot.db.fetchone("SELECT status, relay_message_id FROM panel_questions WHERE id = ?",
                                          (number,))
    assert (row["status"], row["relay_message_id"]) == ("relayed", posed[0].id)
