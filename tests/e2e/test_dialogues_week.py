"""A dialogue week as moderators and members live it: created, scheduled, run by virtual time alone."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import simcord

from tests.conftest import Community, set_locale

HOUR = 3600.0
DAY = 24 * HOUR

QUESTIONS = [
    "What kinds of resistances are manifested during training for gender equality?",
    "What tools and strategies can be shared for dealing with different kinds of resistances?",
    "What kinds of resistances are manifested by the organisations in which training takes place?",
    "How can resistances be harnessed as an essential component of transformation?",
]
# Four questions spread over 5 Jan 09:00 → 12 Jan 09:00 UTC: at the starting hour on days 1, 2, 4
# and 6; the reminder 24 hours before the close (the default configuration).
OPENING = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
QUESTION_TIMES = [
    OPENING,
    datetime(2026, 1, 6, 9, 0, tzinfo=UTC),
    datetime(2026, 1, 8, 9, 0, tzinfo=UTC),
    datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
]
REMINDER = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
CLOSING = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


async def create_week(
    community: Community, *, title: str = "Resistances in Training", languages: str | None = None,
    channel: simcord.ChannelHandle | None = None, schedule: bool = True,
) -> str:
    """The moderator creates a week-long dialogue starting 5 Jan 2026 09:00 UTC (virtual time starts on
    1 Jan 2026 00:00 UTC), adds four guiding questions and schedules it. Returns the timeline answer."""
    options = {"languages": languages} if languages else {}
    result = await community.moderator.slash(
        community.general, "dialogue create", title=title, starts="2026-01-05 09:00", ends="2026-01-12 09:00",
        timezone="UTC", channel=channel or community.dialogue,
        concept_note="https://example.org/concept-note", description="Reflect on resistances to training.",
        **options,
    )
    assert result.ephemeral and title in result.response.content, result.response.content
    for text in QUESTIONS:
        added = await community.moderator.slash(community.general, "dialogue question add", dialogue=title, text=text)
        assert added.ephemeral
    if not schedule:
        return ""
    scheduled = await community.moderator.slash(community.general, "dialogue schedule", dialogue=title)
    assert scheduled.ephemeral
    return scheduled.response.content


def bot_posts(channel: simcord.ChannelHandle, bot_id: int) -> list[discord.Message]:
    """What the bot posted in the channel (not the 'thread created' system notices), oldest first."""
    return [m for m in channel.history() if m.author.id == bot_id and m.type == discord.MessageType.default]


def answer(result: simcord.InteractionResult) -> str:
    """The text of an ephemeral answer, whether sent directly or after deferring."""
    messages = [*([result.response] if result.response else []), *result.followups]
    return "\n".join(m.content for m in messages)


async def advance_to(community: Community, moment: datetime) -> None:
    await community.env.advance_time((moment - community.env.now()).total_seconds())


async def test_a_scheduled_week_runs_by_virtual_time_alone(community: Community) -> None:
    closed: list[int] = []

    async def on_closed(dialogue_id: int) -> None:
        closed.append(dialogue_id)

    community.bot.add_listener(on_closed, "on_colloquy_dialogue_closed")
    await community.moderator.slash(community.general, "setup", mod_channel=community.mods,
                                    summary_channel=community.summary)
    timeline = await create_week(community)
    # The answer is the timeline, with Discord timestamps every moderator sees in their own time zone.
    for moment in (OPENING, *QUESTION_TIMES[1:], REMINDER, CLOSING):
        assert f"<t:{int(moment.timestamp())}:F>" in timeline
    bot_id = community.bot.user.id
    db = community.bot.db

    # Each post appears at its time, not a minute earlier, in order.
    moments = [OPENING, *QUESTION_TIMES[1:], REMINDER, CLOSING]
    expected_counts = [2, 3, 4, 5, 6, 7]  # the opening and question 1 go out together
    for moment, count in zip(moments, expected_counts, strict=True):
        await advance_to(community, moment.replace(minute=59, hour=moment.hour - 1))
        assert len(bot_posts(community.dialogue, bot_id)) == count - (2 if count == 2 else 1)
        await advance_to(community, moment)
        assert len(bot_posts(community.dialogue, bot_id)) == count
        if moment == OPENING:
            assert await db.fetchval("SELECT state FROM dialogues") == "open"

    posts = bot_posts(community.dialogue, bot_id)
    opening, *question_posts, reminder, closing = posts[:7]
    assert opening.content == "📣 **Resistances in Training**"
    body = opening.embeds[0].description
    assert "5 - 12 January 2026" in body  # the house style, as the seeds write dates
    assert f"<t:{int(OPENING.timestamp())}:F>" in body
    assert "Reflect on resistances to training." in body and "https://example.org/concept-note" in body
    for text, post in zip(QUESTIONS, question_posts, strict=True):
        assert text in post.content
    assert "Last call" in reminder.content
    assert "is now closed" in closing.content

    # Each guiding question is the first message of its own thread, and the opening links them all.
    threads = community.dialogue.threads
    assert sorted(th.id for th in threads) == [p.id for p in question_posts]
    for thread in threads:
        assert f"<#{thread.id}>" in opening.embeds[0].description
    rows = await db.fetchall("SELECT thread_id FROM questions ORDER BY position")
    assert [r["thread_id"] for r in rows] == [p.id for p in question_posts]
    assert await db.fetchval("SELECT state FROM dialogues") in ("closed", "published")  # the report may publish
    assert closed == [await db.fetchval("SELECT id FROM dialogues")]
    assert await db.fetchval("SELECT count(*) FROM schedule_items WHERE status != 'done'") == 0


async def test_a_spanish_dialogue_posts_in_spanish(community: Community) -> None:
    set_locale(community.moderator, "es-ES")
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    timeline = await create_week(community, title="Resistencias en la capacitación", languages="es")
    assert "programado" in timeline
    await community.env.advance_time(12 * DAY)
    opening, q1, *_rest, reminder, closing = bot_posts(community.dialogue, community.bot.user.id)
    body = opening.embeds[0].description
    assert "5 - 12 de enero de 2026" in body
    assert "Cómo participar" in body
    assert "Pregunta orientadora 1 de 4" in q1.content
    assert "Última llamada" in reminder.content
    assert "ha terminado" in closing.content


async def test_a_bilingual_dialogue_carries_both_languages_main_first(community: Community) -> None:
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await create_week(community, title="Bilingual", languages="fr en")
    await community.env.advance_time(12 * DAY)
    opening, q1, *_rest = bot_posts(community.dialogue, community.bot.user.id)
    assert [e.title for e in opening.embeds] == ["Dialogue virtuel : Bilingual", "Virtual Dialogue: Bilingual"]
    assert q1.content.index("Question directrice 1 sur 4") < q1.content.index("Guiding question 1 of 4")


async def test_a_forum_dialogue_opens_a_forum_post_per_question(community: Community) -> None:
    forum = community.guild.create_forum_channel("dialogue-forum")
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await create_week(community, title="Forum week", channel=forum)
    await community.env.advance_time(12 * DAY)
    threads = forum.threads
    names = sorted(th.name for th in threads)
    assert len(threads) == 5  # the opening post and the four questions
    assert any(name.startswith("Virtual Dialogue: Forum week") for name in names)
    for i, text in enumerate(QUESTIONS, 1):
        thread = next(th for th in threads if th.name.startswith(f"{i}. "))
        first = thread.history()[0]
        assert text in first.content
    opening = next(th for th in threads if th.name.startswith("Virtual Dialogue"))
    replies = [m.content for m in opening.history()[1:]]
    assert len(replies) == 2 and "Last call" in replies[0] and "is now closed" in replies[1]


async def test_a_retried_forum_post_leaves_exactly_one_post_per_question(community: Community, monkeypatch) -> None:
    """Forum-post creation carries no nonce: when Discord did the work but answered 5xx, discord.py's
    retry creates a second post. SimCord's injected faults fail *before* the work, so the retry is
    reproduced at discord.py's HTTP layer: the request is performed twice and the second answer
    returned, as discord.py's retry loop does after a 502 (SimCord's HTTP client replaces that loop)."""
    forum = community.guild.create_forum_channel("dialogue-forum")
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await create_week(community, title="Forum week", channel=forum)
    http_class = type(community.bot.http)
    original = http_class.request

    async def retried_once(self, route, **kwargs):  # type: ignore[no-untyped-def]
        if route.method == "POST" and route.path == "/channels/{channel_id}/threads":
            await original(self, route, **kwargs)  # Discord created it, the answer was lost
        return await original(self, route, **kwargs)

    monkeypatch.setattr(http_class, "request", retried_once)
    await community.env.advance_time(12 * DAY)
    names = [th.name for th in forum.threads]
    assert len(names) == len(set(names)) == 5
    # Every creation really was doubled, and every extra post was removed again.
    deleted = [r for r in community.env.http_requests if r.method == "DELETE"]
    assert len(deleted) == 5
    rows = await community.bot.db.fetchall("SELECT thread_id FROM questions ORDER BY position")
    assert sorted(r["thread_id"] for r in rows) == sorted(th.id for th in forum.threads if th.name[0].isdigit())


async def test_closing_early_posts_the_closing_and_cancels_the_rest(community: Community) -> None:
    await create_week(community)
    await advance_to(community, QUESTION_TIMES[1])
    assert "is closed" in await community.close_dialogue("Resistances in Training")
    posts = bot_posts(community.dialogue, community.bot.user.id)
    closing = next(i for i, p in enumerate(posts) if "is now closed" in p.content)
    assert closing == 3  # the opening, two questions, the closing
    count = len(posts)
    await community.env.advance_time(8 * DAY)
    assert len(bot_posts(community.dialogue, community.bot.user.id)) == count
    assert await community.bot.db.fetchval("SELECT state FROM dialogues") in ("closed", "published")
    assert await community.bot.db.fetchval("SELECT count(*) FROM schedule_items WHERE status = 'pending'") == 0
