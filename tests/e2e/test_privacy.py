"""A member's own data: forget-me leaves nothing about them in any table; my-data hands it all over."""

from __future__ import annotations

import json

from tests.conftest import Community
from tests.e2e.test_contributions import FLUSH, open_dialogue, stored
from tests.e2e.test_panel import reply
from tests.unit.test_privacy import rows_mentioning


async def alice_everywhere(community: Community) -> None:
    """Alice takes part in every way Colloquy records: profile, contributions, links, tags, support,
    a key point from her words, and a panel question; Bob takes part too."""
    q1, q2 = await open_dialogue(community)
    await community.alice.slash(community.general, "profile set", name="Alice Martin", organisation="FAO")
    mine = await community.alice.send(q1, "Our toolkit: https://example.org/alice-toolkit")
    await community.alice.send(q2, "The main challenge is time.")
    bobs = await community.bob.send(q1, "I agree with Alice, see https://example.org/alice-toolkit")
    await community.alice.react(mine, "📚")  # a self-tag
    await community.alice.react(bobs, "✅")  # support of Bob's contribution
    await community.bob.react(mine, "🌟")  # Bob supports Alice's
    await community.moderator.react(mine, "🌟")  # a moderator's tag on Alice's words
    await community.moderator.context_menu(q1, "Mark key point", mine)
    panel = community.guild.create_text_channel("live-panel")
    await community.moderator.slash(
        community.general, "panel create", dialogue="Resistances in Training", starts="2026-01-08 14:00",
        ends="2026-01-08 15:30", channel=panel,
    )
    asked = await community.alice.slash(panel, "ask", question="How do we measure attitude change over time?")
    assert "received" in reply(asked) or "review" in reply(asked), reply(asked)
    await community.bob.slash(panel, "ask", question="Which resistances are the hardest to address?")
    await community.env.advance_time(FLUSH)


async def test_forget_me_leaves_no_row_about_the_member(community: Community) -> None:
    await alice_everywhere(community)
    db = community.bot.db
    before = await rows_mentioning(db, community.alice.id)
    for place in ("members.user_id", "contributions.author_id", "contribution_support.user_id",
                  "contribution_tags.tagged_by", "links.shared_by", "panel_questions.author_id"):
        assert place in before, before

    asked = await community.alice.slash(community.general, "privacy forget-me")
    assert asked.ephemeral and "cannot be undone" in asked.response.content
    assert await rows_mentioning(db, community.alice.id) == before  # nothing happens before the confirmation
    await community.alice.click(asked.response, custom_id=f"colloquy:forget:{community.alice.id}")
    done = reply(asked) + community.env.backend.get_message(asked.response.channel_id, asked.response.id).content
    assert "holds nothing about you" in done

    assert await rows_mentioning(db, community.alice.id) == {}
    # Bob's words and question stay; the link Alice shared first is now credited to Bob, who shared it too.
    assert [r["author_id"] for r in await stored(community)] == [community.bob.id]
    assert await stored(community, "SELECT shared_by FROM links") == [{"shared_by": community.bob.id}]
    assert await db.fetchval("SELECT count(*) FROM panel_questions") == 1
    assert await db.fetchval("SELECT count(*) FROM key_points") == 0  # it was made of Alice's words


async def test_my_data_returns_everything_held_about_the_member(community: Community) -> None:
    await alice_everywhere(community)
    result = await community.alice.slash(community.general, "privacy my-data")
    assert result.ephemeral
    (message,) = [m for m in ([result.response] if result.response else []) + result.followups if m.attachments]
    assert message.ephemeral and "2 contribution(s)" in message.content
    (attachment,) = message.attachments
    assert attachment.filename == "colloquy-my-data.json"
    data = json.loads(await attachment.read())
    assert data["user_id"] == community.alice.id
    assert [(p["display_name"], p["organisation"]) for p in data["profiles"]] == [("Alice Martin", "FAO")]
    assert [c["content"] for c in data["contributions"]] == [
        "Our toolkit: https://example.org/alice-toolkit", "The main challenge is time."
    ]
    first = data["contributions"][0]
    assert first["is_key_point"] and first["support"] == 1
    assert {(t["theme"], t["source"]) for t in first["tags"]} >= {("resources", "self"), ("good_practices", "reaction")}
    assert [s["emoji"] for s in data["support_given"]] == ["✅"]
    assert [link["url"] for link in data["links_shared"]] == ["https://example.org/alice-toolkit"]
    assert [q["text"] for q in data["panel_questions"]] == ["How do we measure attitude change over time?"]
    # Nothing of Bob's is in Alice's file.
    assert "Which resistances" not in json.dumps(data) and "I agree with Alice" not in json.dumps(data)
