"""Golden reports of the moderators' draft and the synthesis, in en, es and fr: front matter per
language, the series, a hidden item, an accepted (edited) and a dismissed suggestion, groups of
similar contributions (across languages) and consensus. An unaccepted suggestion never reaches a
published report. Set ``COLLOQUY_REGEN_GOLDEN=1`` to rewrite the golden files after a deliberate change.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import iso
from bot.config import Config
from bot.contributions.model import Incoming
from bot.errors import UserError
from bot.report.compile import compile_report
from bot.report.discord_text import render_discord
from bot.report.editorial import edit, group_sample
from bot.report.html import render_html
from bot.report.jsonout import render_json
from bot.report.markdown import render_markdown
from bot.store import Database
from tests.unit._report_story import ALICE, BOB, CAROL, GINA, MOD, THREADS, Story, build_story

GOLDEN = Path(__file__).parent.parent / "data"
REGEN = os.environ.get("COLLOQUY_REGEN_GOLDEN") == "1"
VOTERS = (ALICE, BOB, CAROL, GINA, 31, 32, 33)

# Question 1 gets contributions that say the same thing in three languages, and others.
SIMILAR = [
    ("power_en", ALICE, "alice", "Resistance to gender training comes from the fear of losing power and privilege."),
    ("power_es", GINA, "gina", "La resistencia a la formación de género viene del miedo a perder poder y privilegios."),
    ("power_fr", BOB, "bob", "La résistance à la formation de genre vient de la peur de perdre pouvoir et privilèges."),
    ("time_en", CAROL, "carol", "Participants resist when the organisation gives no time for the training."),
    ("time_en2", ALICE, "alice", "Participants resist the training when their organisation gives them no time."),
    ("divisive", BOB, "bob", "Trainers should openly confront every participant who resists during the session."),
]


async def _editorial_story(db: Database, config: Config) -> Story:
    story = await build_story(db, config)
    s = story.services
    d = story.dialogue_id
    story.clock.now = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    earlier = await s.dialogues.create(
        1000, title="Online and Mobile Training", starts="2026-01-02 09:00", ends="2026-01-03 18:00",
        timezone="Europe/Madrid", channel_id=2002, channel_kind="text", created_by=MOD,
    )
    await s.dialogue_content.add_question(earlier.id, "What works online?")
    await s.dialogue_schedule.schedule(earlier.id)
    story.clock.now = datetime(2026, 1, 12, 21, 0, tzinfo=UTC)

    ids = iter(range(9500, 9600))
    for key, author, name, text in SIMILAR:
        message_id = next(ids)
        story.messages[key] = message_id
        s.contributions.capture(Incoming(
            message_id=message_id, channel_id=THREADS[1], guild_id=1000, author_id=author, author_name=name,
            content=text, attachments=(), created_at=datetime(2026, 1, 6, 9, 0, tzinfo=UTC) + timedelta(minutes=len(
                story.messages)),
        ))
    await s.contributions.flush()

    async def react(key: str, emoji: str, users: tuple[int, ...]) -> None:
        for user in users:
            await s.tagging.react(story.messages[key], emoji, user, moderator=False)

    await react("power_en", "👍", VOTERS[1:5])
    await react("power_es", "👍", (31, 32))
    await react("time_en", "👍", (GINA, 31, 32))
    await react("divisive", "👍", (ALICE, GINA, 31))
    await react("divisive", "👎", (CAROL, 32, 33))

    drafts = s.report.drafts
    await drafts.save_part(d, "about", "en", MOD, body="The Community of Practice gathers 1,400 gender trainers.")
    await drafts.save_part(d, "about", "es", MOD, body="La Comunidad de Práctica reúne a 1.400 formadoras.")
    await drafts.save_part(d, "about", "fr", MOD, body="La Communauté de pratique réunit 1 400 formatrices.")
    await drafts.save_part(d, "section", "en", MOD, title="What is Training for Gender Equality?",
                           body="A transformative process that builds knowledge and skills.")
    await drafts.save_part(d, "panel", "en", MOD, link="https://example.org/webinar", moderator="Maria Lopez")
    journey = await s.contributions.require_by_message(story.messages["journey"])
    await drafts.hide(d, journey.id, MOD)  # hidden from every format

    preview = await s.report.compile(d, draft=True)
    q3 = preview.questions[2]
    accepted, dismissed = q3.suggested[0], q3.suggested[1]
    assert accepted.contribution_id and dismissed.contribution_id
    await drafts.decide(d, accepted.contribution_id, True, MOD, text="Resistances can be built into training methods.")
    await drafts.decide(d, dismissed.contribution_id, False, MOD)
    return story


@pytest.fixture
async def story(db: Database, config: Config) -> Story:
    return await _editorial_story(db, config)


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
async def test_the_edited_report_matches_its_golden_file(story: Story, lang: str) -> None:
    report = await story.services.report.compile(story.dialogue_id)
    markdown = render_markdown(report, lang)
    golden = GOLDEN / f"report_editorial.{lang}.md"
    if REGEN:
        golden.write_text(markdown, encoding="utf-8")
    assert markdown == golden.read_text(encoding="utf-8")


async def test_what_the_draft_decides_shows_in_every_format(story: Story) -> None:
    s = story.services
    report = await s.report.compile(story.dialogue_id)
    md = render_markdown(report, "en")
    # Front matter, series, free section, panel link and moderator.
    assert "The Community of Practice gathers 1,400 gender trainers." in md
    assert ("This was the second Virtual Dialogue run by the community, following past dialogues on "
            "Online and Mobile Training in January 2026.") in md
    assert md.index("#### What is Training for Gender Equality?") > md.index("Discussions were guided")
    assert "[watch it here](https://example.org/webinar)" in md and "Moderator: Maria Lopez" in md
    assert '<p class="moderator">Moderator: Maria Lopez</p>' in render_html(report, "en")  # labelled in HTML too
    # The hidden item is gone everywhere; the accepted suggestion is a key point with its source link.
    for out in (md, render_html(report, "en"), render_json(report, "en"), "\n".join(render_discord(report, "en"))):
        assert "difficult journey" not in out
    q3 = report.questions[2]
    assert [k.text for k in q3.key_points] == ["Resistances can be built into training methods."]
    assert q3.key_points[0].url and q3.key_points[0].url.startswith("https://discord.com/channels/1000/3003/")
    # Groups: the same idea in three languages is one group, with every source.
    q1 = report.questions[0]
    power = q1.groups[0]
    assert {src.contribution_id for src in power.sources} == {  # with the story's own post on fear and power
        (await s.contributions.require_by_message(story.messages[k])).id
        for k in ("power_en", "power_es", "power_fr", "fear")
    }
    assert power.supporters == 5 and power.agree == 5  # distinct members across the group (31 reacted twice)
    assert not any(g.size > 1 and "Trainers should" in g.representative.text for g in q1.groups)
    # Consensus.
    assert [i.group.representative.text for i in report.consensus.divided] == [SIMILAR[5][3]]
    assert "WHERE PARTICIPANTS AGREED / WERE DIVIDED" in md and "👍 3 · 👎 3 · divisiveness 100%" in md


async def test_an_unaccepted_suggestion_never_reaches_a_published_report(story: Story) -> None:
    s = story.services
    preview = await s.report.compile(story.dialogue_id, draft=True)
    pending = [p.text for q in preview.questions for p in q.suggested]
    assert pending  # there are suggestions awaiting review...
    published = await s.report.compile(story.dialogue_id)
    assert not any(q.suggested for q in published.questions)
    key_points = {p.text for q in published.questions for p in q.key_points}
    assert not key_points & set(pending)  # none became a key point without a moderator
    for lang in ("en", "es", "fr"):
        outputs = [render_markdown(published, lang), render_html(published, lang), render_json(published, lang),
                   "\n".join(render_discord(published, lang))]
        for out in outputs:
            assert "Suggested from the discussion" not in out and "(suggestion)" not in out
            assert '"source": "suggested"' not in out


async def test_the_sample_grouped_beside_the_compile_gives_the_same_report(story: Story) -> None:
    """``ReportService.compile`` groups the sample while the report compiles (``compile_edited``); the
    same edit made in sequence gives the same report."""
    s, d = story.services, story.dialogue_id
    side_by_side = await s.report.compile(d, draft=True)
    compiled = await compile_report(s.db, d, panel=s.report.panel, suggestions=0)
    inputs = await s.report.drafts.inputs(d, compiled.guild_id, iso(compiled.starts_at))
    assert edit(compiled, inputs, draft=True) == side_by_side
    assert edit(compiled, inputs, draft=True, grouped=group_sample(inputs)) == side_by_side


async def test_compiling_a_dialogue_that_is_not_there_says_so(story: Story) -> None:
    with pytest.raises(UserError):
        await story.services.report.compile(story.dialogue_id + 999)
