"""Duplicate questions: at /ask the member sees similar questions already asked and can upvote one
instead; in the review queue each question shows its closest match, and Merge proposes it."""

from __future__ import annotations

from bot.errors import UserError
from tests.conftest import Community
from tests.e2e.test_panel import ask, open_panel, reply

FIRST = "How can trainers deal with open resistance from senior managers during gender training?"
SIMILAR = "How should trainers deal with resistance from senior managers in gender trainings?"
OTHER = "Which online tools work best for a webinar with participants in three languages?"


async def test_a_member_sees_similar_questions_and_upvotes_one_instead(community: Community) -> None:
    panel = await open_panel(community)
    await ask(community.alice, panel, FIRST)
    await ask(community.carol, panel, OTHER)
    first, other = await panel.question_ids()
    await community.moderator.click(panel.review_post(first), label="Approve")
    await community.moderator.click(panel.review_post(other), label="Approve")

    result = await ask(community.bob, panel, SIMILAR)
    shown = result.followups[-1]
    assert "Similar questions were already asked" in shown.content
    assert "senior managers" in shown.content and "three languages" not in shown.content  # only what is similar
    (_, _, mine) = await panel.question_ids()
    done = await community.bob.click(shown, label="Upvote 1 instead")
    assert f"Your vote counts for question #{first}" in reply(done)
    assert "Votes: 1" in panel.public_post(first).content
    assert "Bob" in panel.public_post(first).content or "bob" in panel.public_post(first).content  # credited
    assert await community.bot.db.fetchval("SELECT status FROM panel_questions WHERE id = ?", (mine,)) == "merged"
    assert f"Merged into question #{first}" in panel.review_post(mine).content
    # Pressed again, it changes nothing and says why.
    again = await community.bob.click(shown, label="Upvote 1 instead")
    assert "already reviewed" in reply(again)
    assert isinstance(community.user_errors()[-1], UserError)
    community.env.errors.clear()


async def test_the_review_queue_shows_the_closest_match_and_merge_proposes_it(community: Community) -> None:
    panel = await open_panel(community)
    await ask(community.alice, panel, FIRST)
    await ask(community.carol, panel, OTHER)
    await ask(community.bob, panel, SIMILAR)
    first, other, duplicate = await panel.question_ids()
    review = panel.review_post(duplicate).content
    assert f"Closest match: question #{first}" in review and "% similar" in review
    merge = await community.moderator.click(panel.review_post(duplicate), label="Merge")
    assert f"Proposed: #{first}, the closest match" in merge.response.content
    options = merge.response.components[0]["components"][0]["options"]  # type: ignore[index]
    assert options[0]["value"] == str(first)
    await community.moderator.select(merge.response, [str(first)])
    assert f"Merged into question #{first}" in panel.review_post(duplicate).content
    assert other != first
