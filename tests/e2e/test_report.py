"""The report as moderators and members meet it: preview, publish, export, and publication at the close."""

from __future__ import annotations

import json
import threading
from typing import Any

import discord
import pytest

from cogs.kit.access import NotModeratorCheck
from tests.conftest import Community
from tests.e2e.test_dialogues_week import OPENING, advance_to, answer, create_week

TITLE = "Resistances in Training"


async def open_dialogue(community: Community, *, languages: str | None = None) -> discord.Thread:
    """Setup, a week-long dialogue, opened by virtual time: returns question 1's thread."""
    await community.moderator.slash(community.general, "setup", mod_channel=community.mods,
                                    summary_channel=community.summary)
    await create_week(community, title=TITLE, languages=languages)
    await advance_to(community, OPENING)
    return community.dialogue.threads[0]


async def discuss(community: Community, thread: discord.Thread, *, long: int = 0) -> None:
    """Members answer; the moderator tags with a theme's emoji, members support with it."""
    first = await community.alice.send(thread, "Resistance is born from fear of losing power @everyone <@1234>. "
                                               "See https://example.org/resistance-study for the data.")
    second = await community.bob.send(thread, "Funding for longer training programmes is scarce in the region.")
    await community.moderator.react(first, "💡")  # understanding and conceptualising
    await community.moderator.react(second, "⚠️")  # challenges
    await community.carol.react(first, "💡")  # support
    for i in range(long):
        message = await community.carol.send(
            thread, f"Recommendation {i}: " + "link training to a broader process of transformation, " * 6
        )
        await community.moderator.react(message, "✅")


def last_answer(result) -> discord.Message:  # type: ignore[no-untyped-def]
    """The last message of an answer (after a defer, the first follow-up fills the deferred response)."""
    return (result.followups or [result.response])[-1]


def bot_messages(community: Community, channel) -> list[discord.Message]:  # type: ignore[no-untyped-def]
    bot_id = community.bot.user.id
    return [m for m in channel.history() if m.author.id == bot_id]


def assert_posted_within_limits(messages: list[discord.Message]) -> None:
    assert messages
    for message in messages:
        assert len(message.content) <= 2000
        assert not message.mentions and not message.role_mentions and not message.mention_everyone
        assert "@everyone" not in message.content and "<@1234>" not in message.content


async def test_a_moderator_previews_the_draft_with_suggestions_marked(community: Community) -> None:
    thread = await open_dialogue(community)
    await discuss(community, thread)
    result = await community.moderator.slash(community.general, "report preview", dialogue=TITLE)
    assert result.ephemeral
    text = answer(result)
    assert "Virtual Dialogue: Resistances in Training" in text
    assert "Resistance is born from fear of losing power" in text
    assert "(suggestion)" in text  # questions without key points get suggestions, marked in the draft
    assert all(len(m.content) <= 2000 for m in result.followups)
    files = [a.filename for m in result.followups for a in m.attachments]
    assert len(files) == 1 and files[0].endswith("-draft.md")
    assert "Suggested key points for question 1" in result.followups[-1].content  # with Accept/Edit/Dismiss
    assert not bot_messages(community, community.summary)  # nothing public


async def test_publishing_posts_the_report_split_within_limits_with_files_and_no_pings(community: Community) -> None:
    thread = await open_dialogue(community)
    await discuss(community, thread, long=30)  # several times Discord's limit
    await community.moderator.slash(community.general, "report autopublish", dialogue=TITLE, enabled=False)
    await community.close_dialogue(TITLE)
    # Set to publish by hand: nothing is posted at the close, the moderators are told.
    assert not bot_messages(community, community.summary)
    assert "waits for </report publish:" in bot_messages(community, community.mods)[-1].content  # a command mention

    result = await community.moderator.slash(community.general, "report publish", dialogue=TITLE)
    assert "is published in" in answer(result)
    posted = bot_messages(community, community.summary)
    assert len(posted) >= 4
    assert_posted_within_limits(posted)
    assert posted[0].content.startswith("# Virtual Dialogue: Resistances in Training")
    files = sorted(a.filename for a in posted[-1].attachments)
    assert files == ["resistances-in-training-en.html", "resistances-in-training-en.md"]
    # Everything arrived, in order, with no line cut between messages.
    text = "\n".join(m.content for m in posted)
    assert all(f"Recommendation {i}: " in text for i in range(30))
    assert text.index("Recommendation 0:") < text.index("Recommendation 29:")
    assert await community.bot.db.fetchval("SELECT state FROM dialogues") == "published"
    stored = json.loads(await community.bot.db.fetchval("SELECT message_ids FROM reports WHERE kind = 'final'"))
    assert stored == [m.id for m in posted]


async def test_the_report_is_published_once_at_the_close_with_the_other_languages_attached(
    community: Community,
) -> None:
    thread = await open_dialogue(community, languages="en es")
    await discuss(community, thread, long=20)  # several times Discord's limit, in each language
    await community.close_dialogue(TITLE)
    posted = bot_messages(community, community.summary)
    assert_posted_within_limits(posted)
    text = "\n".join(m.content for m in posted)
    # One post, in the dialogue's first language, complete (a quote may also be a suggested key point);
    # not a second full report in Spanish after it.
    assert "# Diálogo Virtual" not in text
    assert all(f"Recommendation {i}: " in text for i in range(20))
    headings = [m.content.split("\n", 1)[0] for m in posted if m.content.startswith("# ")]
    assert headings == ["# Virtual Dialogue: Resistances in Training"]
    assert "Also in Spanish: see the attached files." in posted[-1].content
    # The Spanish report comes as files on the last message, beside the English ones.
    assert [a.filename for a in posted[-1].attachments] == [
        "resistances-in-training-en.md", "resistances-in-training-en.html",
        "resistances-in-training-es.md", "resistances-in-training-es.html",
    ]
    assert all(not m.attachments for m in posted[:-1])
    assert await community.bot.db.fetchval("SELECT state FROM dialogues") == "published"
    # A second close event (a restart, a retried post) does not publish twice.
    community.bot.dispatch("colloquy_dialogue_closed", 1)
    await community.env.advance_time(1)
    assert len(bot_messages(community, community.summary)) == len(posted)


async def test_export_gives_a_file_in_the_chosen_format_and_language(community: Community) -> None:
    thread = await open_dialogue(community, languages="en fr")
    await discuss(community, thread)
    result = await community.moderator.slash(community.general, "report export", dialogue=TITLE, format="json",
                                             language="fr")
    assert result.ephemeral
    attachment = last_answer(result).attachments[0]
    assert attachment.filename == "resistances-in-training-fr.json"
    data = json.loads(await attachment.read())
    assert data["language"] == "fr" and data["dialogue"]["heading"] == "Dialogue virtuel\u202f: Resistances in Training"
    quotes = [q["text"] for th in data["themes"] for q in th["quotes"]]
    assert any("Funding for longer training programmes" in q for q in quotes)


async def test_further_questions_are_added_by_moderators_and_appear_in_the_report(community: Community) -> None:
    await open_dialogue(community)
    added = await community.moderator.slash(community.general, "report question add", dialogue=TITLE,
                                            text="What standards should training meet?")
    assert "Question 1 for further discussion" in answer(added)
    result = await community.moderator.slash(community.general, "report export", dialogue=TITLE, format="markdown")
    body = (await last_answer(result).attachments[0].read()).decode()
    assert "### QUESTIONS FOR FURTHER DISCUSSION" in body and "1. What standards should training meet?" in body


async def test_report_commands_are_refused_to_members(community: Community) -> None:
    await open_dialogue(community)
    community.open_to_everyone("report")
    result = await community.alice.slash(community.general, "report preview", dialogue=TITLE)
    assert result.ephemeral and "Only moderators" in answer(result)
    result = await community.alice.slash(community.general, "report publish", dialogue=TITLE)
    assert "Only moderators" in answer(result)
    assert [type(e) for e in community.user_errors()] == [NotModeratorCheck, NotModeratorCheck]
    assert not bot_messages(community, community.summary)


async def test_publishing_a_running_dialogue_is_refused(community: Community) -> None:
    await open_dialogue(community)
    result = await community.moderator.slash(community.general, "report publish", dialogue=TITLE)
    assert "still running" in answer(result)
    assert len(community.user_errors()) == 1
    assert not bot_messages(community, community.summary)


async def test_a_two_week_dialogue_posts_an_end_of_week_summary(community: Community) -> None:
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await community.moderator.slash(
        community.general, "dialogue create", title=TITLE, starts="2026-01-05 09:00", ends="2026-01-19 09:00",
        timezone="UTC", channel=community.dialogue, languages="en es",
    )
    await community.moderator.slash(community.general, "dialogue question add", dialogue=TITLE,
                                    text="What kinds of resistances are manifested?")
    await community.moderator.slash(community.general, "dialogue schedule", dialogue=TITLE)
    await advance_to(community, OPENING)
    thread = community.dialogue.threads[0]
    popular = await community.alice.send(thread, "Resistance is born from fear of losing power and privileges.")
    await community.bob.send(thread, "Funding for longer programmes is scarce.")
    await community.bob.react(popular, "💡")
    await community.carol.react(popular, "💡")
    await community.moderator.slash(community.general, "keypoint add", dialogue=TITLE, question=1,
                                    text="Resistance comes from fear.")
    assert not bot_messages(community, community.summary)

    await advance_to(community, OPENING.replace(day=12))
    posted = bot_messages(community, community.summary)
    assert [m.content.split("\n", 1)[0] for m in posted] == [
        "## Week 1 of “Resistances in Training” (5 - 12 January 2026)",
        "## Semana 1 de “Resistances in Training” (5 - 12 de enero de 2026)",
    ]
    english = posted[0].content
    assert "📊 Contributions: 2 · Participants: 2" in english  # one line of figures
    assert "Resistance is born from fear of losing power and privileges." in english  # the most supported
    assert "Funding for longer programmes" not in english  # nobody supported it
    assert "- Resistance comes from fear." in english  # the week's new key point
    assert_posted_within_limits(posted)


async def test_reports_are_rendered_off_the_event_loop(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large report takes tens of milliseconds to render: preview and export render it in a worker
    thread, so the loop keeps answering other members meanwhile."""
    import cogs.report.cog as report_cog

    threads: list[str] = []

    def recording(render: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.current_thread().name)
            return render(*args, **kwargs)
        return wrapped

    for name in ("render_discord", "render_markdown", "render_html"):
        monkeypatch.setattr(report_cog, name, recording(getattr(report_cog, name)))
    thread = await open_dialogue(community)
    await discuss(community, thread)
    await community.moderator.slash(community.general, "report preview", dialogue=TITLE)
    await community.moderator.slash(community.general, "report export", dialogue=TITLE, format="html")
    assert len(threads) == 3
    assert threading.main_thread().name not in threads
