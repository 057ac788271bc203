"""Contributions as members and moderators live them: answers in question threads, edits, deletions,
backfill after downtime, tags by menu, reaction and suggestion, the triage queue, key points."""

from __future__ import annotations

import discord
import simcord

from bot import create_bot
from bot.config import Config
from bot.store import open_database
from cogs.kit.access import NotModeratorCheck
from tests.conftest import Community, restart
from tests.e2e.test_dialogues_week import QUESTION_TIMES, advance_to, answer, create_week

FLUSH = 1.0  # seconds: more than the batch's flush interval


async def open_dialogue(community: Community, *, languages: str | None = None) -> list[simcord.ChannelHandle]:
    """A dialogue scheduled through /dialogue and run by virtual time until two question threads are
    out; returns those threads, question 1 first."""
    await create_week(community, languages=languages)
    await advance_to(community, QUESTION_TIMES[1])
    rows = await stored(community, "SELECT thread_id FROM questions WHERE thread_id IS NOT NULL ORDER BY position")
    by_id = {th.id: th for th in community.dialogue.threads}
    return [by_id[r["thread_id"]] for r in rows]


async def stored(community: Community, sql: str = "SELECT * FROM contributions ORDER BY message_id", *params):  # type: ignore[no-untyped-def]
    return [dict(r) for r in await community.bot.db.fetchall(sql, params)]


async def status(community: Community) -> str:
    result = await community.moderator.slash(community.general, "dialogue status", dialogue="Resistances in Training")
    return answer(result)


def themes_by_key(rows: list[dict]) -> dict[str, int]:
    return {r["key"]: r["id"] for r in rows}


async def themes(community: Community) -> dict[str, int]:
    return themes_by_key(await stored(community, "SELECT id, key FROM themes"))


def bot_pings(env: simcord.Env) -> list[str]:
    """Every ping in a message the bot posted (users, roles, @everyone)."""
    bot_id = env.bot.user.id
    found = []
    for messages in env.backend.messages.values():
        for m in messages.values():
            if m.author_id == bot_id and (m.ping_user_ids or m.ping_role_ids or m.mention_everyone):
                found.append(m.content)
    return found


# ------------------------------------------------------------------------------------ capture


async def test_members_answer_in_two_question_threads_and_edits_and_deletions_follow(community: Community) -> None:
    q1, q2 = await open_dialogue(community)
    a = await community.alice.send(q1, "Participants resist when the training feels imposed.")
    b = await community.bob.send(q2, "We use role play to surface resistance.")
    c = await community.carol.send(community.dialogue, "Thanks for organising this!")
    await community.alice.send(community.general, "Lunch, anyone?")  # not in a dialogue: ignored
    await community.env.advance_time(FLUSH)

    rows = await stored(community)
    questions = [r["id"] for r in await stored(community, "SELECT id FROM questions ORDER BY position")]
    assert [(r["message_id"], r["author_id"], r["question_id"]) for r in rows] == [
        (a.id, community.alice.id, questions[0]),
        (b.id, community.bob.id, questions[1]),
        (c.id, community.carol.id, None),
    ]
    assert rows[0]["content"] == "Participants resist when the training feels imposed."

    # The moderator's status shows the figures right away.
    text = await status(community)
    assert "Contributions: 3" in text and "Participants: 3" in text and "Untagged contributions: 3" in text

    await community.alice.edit(a, "Participants resist when training is imposed from above.")
    await community.bob.delete(b)
    rows = await stored(community)
    assert [(r["message_id"], r["content"]) for r in rows] == [
        (a.id, "Participants resist when training is imposed from above."),
        (c.id, "Thanks for organising this!"),
    ]
    assert rows[0]["edited_at"] is not None

    # A purge (bulk delete), as a moderation tool would do it.
    d = await community.bob.send(q2, "Off-topic one")
    e = await community.carol.send(q2, "Off-topic two")
    await community.env.advance_time(FLUSH)
    channel = community.bot.get_channel(q2.id)
    await channel.delete_messages([discord.Object(d.id), discord.Object(e.id)])
    await community.env.settle()
    assert [r["message_id"] for r in await stored(community)] == [a.id, c.id]


async def test_an_edit_or_delete_right_after_posting_is_not_lost_in_the_batch(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    a = await community.alice.send(q1, "first draft")
    await community.alice.edit(a, "second thoughts")
    b = await community.bob.send(q1, "oops")
    await community.bob.delete(b)
    await community.env.advance_time(FLUSH)
    assert [(r["message_id"], r["content"]) for r in await stored(community)] == [(a.id, "second thoughts")]


async def test_huge_and_attachment_only_messages_are_stored_with_attachments_as_links(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    huge = "Resistance takes many forms.\n" * 68  # 1,972 characters, at Discord's limit of 2,000
    await community.alice.send(q1, huge)
    await community.bob.send(q1, attachments=[("notes.pdf", b"%PDF-1.4 notes")])
    await community.env.advance_time(FLUSH)
    first, second = await stored(community)
    assert first["content"] == huge
    assert second["content"] == "" and "notes.pdf" in second["attachments"]
    links = await stored(community, "SELECT url, shared_by FROM links")
    assert len(links) == 1 and links[0]["url"].endswith("notes.pdf") and links[0]["shared_by"] == community.bob.id


async def test_links_are_kept_once_per_dialogue_crediting_the_first_sharer(community: Community) -> None:
    q1, q2 = await open_dialogue(community)
    await community.alice.send(q1, "See https://eige.europa.eu/toolkit for a guide.")
    await community.bob.send(q2, "Yes, https://eige.europa.eu/toolkit helped us too.")
    await community.env.advance_time(FLUSH)
    assert await stored(community, "SELECT url, shared_by FROM links") == [
        {"url": "https://eige.europa.eu/toolkit", "shared_by": community.alice.id}
    ]


async def test_bots_and_system_messages_are_not_contributions(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    hook = community.guild.create_webhook(community.dialogue, "Announcements")
    await hook.send("A webhook post")
    await community.env.advance_time(FLUSH)
    assert await stored(community) == []  # the bot's own question posts and the webhook are not stored
    await community.alice.send(q1, "A real answer")
    await community.env.advance_time(FLUSH)
    assert len(await stored(community)) == 1


async def test_an_opted_out_member_is_not_stored_and_their_earlier_contributions_leave_the_counts(
    community: Community,
) -> None:
    q1, q2 = await open_dialogue(community)
    await community.alice.send(q1, "My first thoughts")
    await community.alice.send(q2, "More thoughts")
    await community.bob.send(q1, "Bob's view")
    await community.env.advance_time(FLUSH)
    assert "Contributions: 3" in await status(community)

    result = await community.alice.slash(community.general, "privacy opt-out")
    assert result.ephemeral and "earlier contributions were deleted and leave the reports: 2" in result.response.content
    await community.alice.send(q1, "Not for the record")
    await community.env.advance_time(FLUSH)
    text = await status(community)
    assert "Contributions: 1" in text and "Participants: 1" in text
    assert [r["author_id"] for r in await stored(community)] == [community.bob.id]

    back = await community.alice.slash(community.general, "privacy opt-in")
    assert "collected again" in back.response.content
    await community.alice.send(q1, "Back in")
    await community.env.advance_time(FLUSH)
    assert [r["content"] for r in await stored(community)] == ["Bob's view", "Back in"]


# ------------------------------------------------------------------------------------ backfill


async def test_messages_posted_and_edited_while_the_bot_is_closed_are_stored_when_it_starts_again(
    community: Community, config: Config
) -> None:
    q1, q2 = await open_dialogue(community)
    kept = await community.alice.send(q1, "Before the downtime")
    deleted = await community.carol.send(q1, "I will delete this while the bot is away")
    await community.env.advance_time(FLUSH)

    await community.bot.close()
    late = await community.bob.send(q2, "Posted while the bot was away")
    in_channel = await community.carol.send(community.dialogue, "Also while away, in the channel")
    await community.alice.edit(kept, "Before the downtime (edited while away)")
    await community.carol.delete(deleted)
    await community.env.restart_bot(create_bot(config))

    rows = await stored(community)
    assert [(r["message_id"], r["content"]) for r in rows] == [
        (kept.id, "Before the downtime (edited while away)"),
        (late.id, "Posted while the bot was away"),
        (in_channel.id, "Also while away, in the channel"),
    ]
    questions = [r["id"] for r in await stored(community, "SELECT id FROM questions ORDER BY position")]
    assert rows[1]["question_id"] == questions[1] and rows[2]["question_id"] is None

    # Start-up work must be safe to run twice (discord.py fires on_ready again after a new session).
    cog = community.bot.get_cog("ContributionsCog")
    assert await cog.backfill() == 0
    assert len(await stored(community)) == 3


async def test_a_graceful_close_writes_the_pending_batch(community: Community, config: Config) -> None:
    q1, _ = await open_dialogue(community)
    message = await community.alice.send(q1, "Written just before shutdown")
    assert await stored(community) == []  # still in the batch
    await community.bot.close()
    db = await open_database(config.storage.target)
    try:
        assert await db.fetchval("SELECT message_id FROM contributions") == message.id
    finally:
        await db.close()


async def test_after_a_crash_the_lost_batch_is_recovered_from_the_channel_history(
    community: Community, config: Config
) -> None:
    q1, _ = await open_dialogue(community)
    message = await community.alice.send(q1, "In the batch when the process died")
    bot = await restart(community.env, config, crash=True)
    assert [r["message_id"] for r in await stored(community)] == [message.id]
    assert bot is community.bot


# ------------------------------------------------------------------------------------- tagging


async def test_a_moderator_tags_a_contribution_with_the_context_menu(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    message = await community.alice.send(q1, "Some trainers are defensive.")
    ids = await themes(community)
    shown = await community.moderator.context_menu(q1, "Tag contribution", message)
    assert shown.ephemeral and "Some trainers are defensive." in shown.response.content
    contribution = (await stored(community))[0]["id"]
    chosen = await community.moderator.select(
        shown.response, [str(ids["challenges"]), str(ids["understanding"])], custom_id=f"colloquy:tags:{contribution}"
    )
    assert "Challenges" in chosen.response.content
    tags = await stored(community, "SELECT theme_id, source, status, tagged_by FROM contribution_tags ORDER BY 1")
    assert tags == [
        {"theme_id": ids["understanding"], "source": "moderator", "status": "confirmed",
         "tagged_by": community.moderator.id},
        {"theme_id": ids["challenges"], "source": "moderator", "status": "confirmed",
         "tagged_by": community.moderator.id},
    ]


async def test_reactions_tag_self_tag_and_count_support(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    ids = await themes(community)
    message = await community.alice.send(q1, "Peer learning circles worked for us.")
    await community.moderator.react(message, "🌟")  # good practices: a moderator's tag
    await community.alice.react(message, "✅")  # recommendations: the author's self-tag
    await community.bob.react(message, "⚠️")  # challenges by someone else: support, not a tag
    await community.carol.react(message, "🌟")  # support
    tags = await stored(community, "SELECT theme_id, source, tagged_by FROM contribution_tags")
    assert {(r["theme_id"], r["source"], r["tagged_by"]) for r in tags} == {
        (ids["good_practices"], "reaction", community.moderator.id),
        (ids["recommendations"], "self", community.alice.id),
    }
    support = await stored(community, "SELECT user_id, emoji FROM contribution_support ORDER BY emoji")
    assert {(r["user_id"], r["emoji"]) for r in support} == {(community.bob.id, "⚠️"), (community.carol.id, "🌟")}

    # Taking a reaction back takes back what it added.
    await community.moderator.unreact(message, "🌟")
    await community.bob.unreact(message, "⚠️")
    tags = await stored(community, "SELECT source FROM contribution_tags")
    assert [r["source"] for r in tags] == ["self"]
    assert [r["user_id"] for r in await stored(community, "SELECT user_id FROM contribution_support")] == [
        community.carol.id
    ]


async def test_suggestions_from_spanish_and_french_messages(community: Community) -> None:
    q1, q2 = await open_dialogue(community, languages="en es fr")
    ids = await themes(community)
    await community.alice.send(q1, "Hay que incluir a los hombres en la formación.")
    await community.bob.send(q2, "Le principal défi est le manque de temps.")
    await community.carol.send(q1, "Thank you all.")
    await community.env.advance_time(FLUSH)
    rows = await stored(
        community,
        """SELECT c.author_id, c.language, t.theme_id, t.source, t.status FROM contributions c
           LEFT JOIN contribution_tags t ON t.contribution_id = c.id ORDER BY c.message_id""",
    )
    assert [(r["language"], r["theme_id"], r["source"], r["status"]) for r in rows] == [
        ("es", ids["recommendations"], "suggestion", "suggested"),
        ("fr", ids["challenges"], "suggestion", "suggested"),
        ("en", None, None, None),
    ]
    # A suggestion is not a tag until a moderator confirms it.
    assert "Untagged contributions: 3" in await status(community)


async def test_the_untagged_queue_shrinks_as_moderators_tag(community: Community) -> None:
    q1, q2 = await open_dialogue(community)
    ids = await themes(community)
    await community.alice.send(q1, "The main challenge is time.")
    await community.bob.send(q2, "Short sessions work.")
    await community.carol.send(q2, "Agreed.")
    queue = await community.moderator.slash(community.general, "contributions untagged",
                                            dialogue="Resistances in Training")
    assert queue.ephemeral
    assert "3 contribution(s)" in queue.response.content and "The main challenge is time." in queue.response.content
    assert "Suggested: Challenges" in queue.response.content
    first = await stored(community, "SELECT id FROM contributions ORDER BY id")
    # Confirm the suggestion: the queue moves on to the next contribution, one fewer to go.
    await tag_in_queue(community, queue, first[0]["id"], ids["challenges"])
    current = await refreshed(community, queue)
    assert "2 contribution(s)" in current and "Short sessions work." in current
    await tag_in_queue(community, queue, first[1]["id"], ids["good_practices"])
    current = await refreshed(community, queue)
    assert "1 contribution(s)" in current and "Agreed." in current
    await tag_in_queue(community, queue, first[2]["id"], ids["understanding"])
    assert "Nothing left to tag" in await refreshed(community, queue)
    assert "Untagged contributions: 0" in await status(community)


async def tag_in_queue(community: Community, queue: simcord.InteractionResult, contribution: int, theme: int) -> None:
    """The moderator presses a theme's button under the queue's current contribution."""
    await community.moderator.click(queue.response, custom_id=f"colloquy:ut:tag:{contribution}:{theme}")


async def refreshed(community: Community, result: simcord.InteractionResult) -> str:
    """The queue message's current text (buttons edit it in place)."""
    message = community.env.backend.get_message(result.response.channel_id, result.response.id)
    return message.content


async def test_members_cannot_tag_or_mark_key_points(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    message = await community.bob.send(q1, "Bob's point")
    # Hidden from members by default; a server could open them, so the bot refuses on its side too.
    assert "contributions untagged" not in community.alice.available_commands(community.general)
    community.open_to_everyone("Tag contribution")
    community.open_to_everyone("Mark key point")
    community.open_to_everyone("contributions")
    refused = await community.alice.context_menu(q1, "Tag contribution", message)
    assert refused.ephemeral and "Only moderators" in refused.response.content
    refused = await community.alice.context_menu(q1, "Mark key point", message)
    assert "Only moderators" in refused.response.content
    refused = await community.alice.slash(community.general, "contributions untagged",
                                          dialogue="Resistances in Training")
    assert "Only moderators" in refused.response.content
    assert [type(e) for e in community.user_errors()] == [NotModeratorCheck] * 3
    await community.env.advance_time(FLUSH)
    assert await stored(community, "SELECT * FROM contribution_tags") == []
    assert await stored(community, "SELECT * FROM key_points") == []
    assert await stored(community, "SELECT is_key_point FROM contributions") == [{"is_key_point": 0}]


async def test_key_points_marked_from_messages_and_written_by_moderators(community: Community) -> None:
    _, q2 = await open_dialogue(community)
    message = await community.alice.send(q2, "Name the resistance, then work with it.")
    marked = await community.moderator.context_menu(q2, "Mark key point", message)
    assert "key point of question 2" in marked.response.content
    again = await community.moderator.context_menu(q2, "Mark key point", message)
    assert "already a key point" in again.response.content
    community.user_errors()
    added = await community.moderator.slash(
        community.general, "keypoint add", dialogue="Resistances in Training", question=1,
        text="Resistance is a sign that training touches something real.",
    )
    assert "question 1" in added.response.content
    listing = answer(
        await community.moderator.slash(community.general, "keypoint list", dialogue="Resistances in Training")
    )
    assert listing.index("Resistance is a sign") < listing.index("Name the resistance")
    assert "from a contribution" in listing and "by a moderator" in listing
    missing = await community.moderator.slash(
        community.general, "keypoint add", dialogue="Resistances in Training", question=9, text="x"
    )
    assert "no question number 9" in missing.response.content
    community.user_errors()


async def test_nothing_the_bot_posts_pings(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    loud = await community.alice.send(q1, f"{community.bob.mention} @everyone read this!")
    await community.moderator.context_menu(q1, "Tag contribution", loud)
    await community.moderator.context_menu(q1, "Mark key point", loud)
    await community.moderator.slash(community.general, "contributions untagged", dialogue="Resistances in Training")
    await community.moderator.slash(community.general, "keypoint list", dialogue="Resistances in Training")
    quoted = [m for ms in community.env.backend.messages.values() for m in ms.values()
              if m.author_id == community.bot.user.id and "read this!" in m.content]
    assert quoted  # the member's words are quoted...
    # ...with their mentions as plain words, not mention chips (issue 13: one shared escape)
    assert all(community.bob.mention not in m.content and "@everyone" not in m.content for m in quoted)
    assert bot_pings(community.env) == []  # ...and ping no one
