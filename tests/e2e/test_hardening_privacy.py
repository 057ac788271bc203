"""Privacy gaps found by the outside checks (issue 13): a panellist's answers in my-data; after forget-me,
the bot's own posts no longer show the member's question or name."""

from __future__ import annotations

import json

from tests.conftest import Community
from tests.e2e.test_panel import TITLE, Panel, ask, open_panel, reply


async def _my_data(community: Community, member) -> dict:  # type: ignore[no-untyped-def]
    result = await member.slash(community.general, "privacy my-data")
    (message,) = [m for m in ([result.response] if result.response else []) + result.followups if m.attachments]
    return json.loads(await message.attachments[0].read())


async def _approve_and_relay(panel: Panel, number: int) -> None:
    await panel.moderator.click(panel.review_post(number), label="Approve")
    await panel.moderator.slash(panel.community.general, "panel relay", dialogue=TITLE, question=number)


async def test_my_data_includes_a_panellists_recorded_answers(community: Community) -> None:
    panel = await open_panel(community)
    await community.moderator.slash(community.general, "panel panellist add", dialogue=TITLE, name="Bob Panellist",
                                    member=community.bob, organisation="Yellow Window")
    await ask(community.alice, panel, "Is training of trainers a good start?")
    (number,) = await panel.question_ids()
    await _approve_and_relay(panel, number)
    await community.bob.send(panel.channel, "A good way to start, but not easy.")
    await community.moderator.slash(community.general, "panel answer", dialogue=TITLE, question=number,
                                    panellist="Bob Panellist", text="And it needs follow-up.")
    data = await _my_data(community, community.bob)
    answers = data["panel_answers"]
    assert [a["text"] for a in answers] == ["A good way to start, but not easy.", "And it needs follow-up."]
    assert all(a["question"] == "Is training of trainers a good start?" for a in answers)
    assert (await _my_data(community, community.alice))["panel_answers"] == []


async def test_after_forget_me_the_bots_posts_no_longer_show_the_members_question(community: Community) -> None:
    panel = await open_panel(community)
    await community.bot.services.profiles.update(community.guild.id, community.alice.id, name="Alice Martin",
                                                 organisation="FAO")
    await community.bot.services.profiles.update(community.guild.id, community.bob.id, name="Bob Keeps")
    await ask(community.alice, panel, "Alice's secret question about budgets?")
    await ask(community.alice, panel, "Alice's duplicate about trainers?")
    await ask(community.bob, panel, "Bob's question about trainers?")
    mine, duplicate, bobs = await panel.question_ids()
    await _approve_and_relay(panel, mine)  # review post, public post with Upvote, relay line
    for number in (duplicate, bobs):
        await panel.moderator.click(panel.review_post(number), label="Approve")
    picker = await panel.moderator.click(panel.review_post(duplicate), label="Merge")
    await panel.moderator.select(picker.response.message, [str(bobs)], custom_id=f"colloquy:pq:mergeinto:{duplicate}")
    assert "Alice Martin" in panel.public_post(bobs).content  # Bob's question credits Alice, who asked it too

    def everything() -> str:
        channels = (panel.channel, community.mods, community.general)
        return "\n".join(m.content for c in channels for m in c.history() if not m.flags.ephemeral)

    assert "Alice's secret question" in everything() and "Alice Martin" in everything()
    asked = await community.alice.slash(community.general, "privacy forget-me")
    await community.alice.click(asked.response, custom_id=f"colloquy:forget:{community.alice.id}")
    done = community.env.backend.get_message(asked.response.channel_id, asked.response.id).content + reply(asked)
    assert "Alice" not in everything() and "FAO" not in everything()
    assert "Bob's question about trainers?" in everything() and "Bob Keeps" in everything()
    assert "posts that showed your panel questions were deleted: 5" in done  # 2 reviews, 2 public, 1 relay
    assert "Reports already published are not rewritten." in done
    assert not community.user_errors()
