"""Synthesis that shows its sources, consensus from 👍/👎, the CSV export, and the check of every cited
message before publication: as moderators and members meet them in Discord."""

from __future__ import annotations

import csv
import io

from bot.errors import UserError
from tests.conftest import Community
from tests.e2e.test_dialogues_week import answer
from tests.e2e.test_report import TITLE, bot_messages, open_dialogue
from tests.e2e.test_report_draft import ON_TOPIC


async def test_similar_contributions_are_grouped_with_links_to_every_source(community: Community) -> None:
    thread = await open_dialogue(community)
    posted = []
    for i, text in enumerate(ON_TOPIC):
        posted.append(await (community.alice, community.bob)[i % 2].send(thread, text))
    await community.carol.react(posted[0], "👍")
    await community.carol.react(posted[1], "❤️")
    preview = answer(await community.moderator.slash(community.general, "report preview", dialogue=TITLE))
    section = preview.split("What participants said (similar contributions grouped):", 1)[1]
    groups = [line for line in section.split("\n") if line.startswith("- ")][:2]
    assert len(groups) == 2  # power and privilege; time and resources
    first = groups[0]
    assert "2 similar contributions" in first and "1 supporter" in first  # Carol, once however often she reacts
    for message in posted[:2]:  # every source linked
        assert f"/{message.id}>)" in first
    assert any(f"/{posted[2].id}>)" in g and f"/{posted[3].id}>)" in g for g in groups)


async def test_agreement_and_division_are_counted_and_shown_with_their_figures(community: Community) -> None:
    thread = await open_dialogue(community)
    agreed = await community.alice.send(thread, "Resistance grows where the organisation gives no time to training.")
    divided = await community.bob.send(thread, "Trainers should never confront participants who resist openly.")
    for member in (community.bob, community.carol, community.moderator):
        await member.react(agreed, "👍")
    await community.alice.react(divided, "👍")
    await community.carol.react(divided, "👍")
    await community.moderator.react(divided, "👎")
    preview = answer(await community.moderator.slash(community.general, "report preview", dialogue=TITLE))
    assert "👍 3 · 👎 0" in preview  # shown in the preview, per group
    await community.close_dialogue(TITLE)
    published = "\n".join(m.content for m in bot_messages(community, community.summary))
    section = published.split("WHERE PARTICIPANTS AGREED / WERE DIVIDED", 1)[1]
    agreed_part, divided_part = section.split("Where participants were divided", 1)
    assert "no time to training" in agreed_part and "👍 3 · 👎 0 · 100% agreement" in agreed_part
    assert "never confront participants" in divided_part and "👍 2 · 👎 1 · divisiveness 67%" in divided_part


async def test_the_dialogues_reactions_can_be_changed_and_bad_emoji_are_refused(community: Community) -> None:
    thread = await open_dialogue(community)
    message = await community.alice.send(thread, "Resistance grows where the organisation gives no time to training.")
    for member in (community.bob, community.carol, community.moderator):
        await member.react(message, "🙌")
    done = await community.moderator.slash(community.general, "report reactions", dialogue=TITLE,
                                           agree="🙌", disagree="🙅")
    assert "🙌 counts as agreement" in answer(done)
    preview = answer(await community.moderator.slash(community.general, "report preview", dialogue=TITLE))
    assert "🙌 3 · 🙅 0" in preview
    await community.moderator.slash(community.general, "report reactions", dialogue=TITLE, agree="yes", disagree="🙅")
    assert isinstance(community.user_errors()[-1], UserError)
    community.env.errors.clear()


async def test_the_csv_export_has_one_row_per_contribution_and_round_trips(community: Community) -> None:
    thread = await open_dialogue(community)
    await community.alice.slash(community.general, "profile set", name="Alice Martin", organisation="UN Women")
    first = await community.alice.send(thread, "Résistances: « la peur » de perdre le pouvoir, dit-on.")
    second = await community.bob.send(thread, "=HYPERLINK(\"http://evil\") is not a formula here, commas, too")
    await community.moderator.react(first, "💡")
    await community.carol.react(first, "👍")
    await community.carol.react(second, "👎")
    result = await community.moderator.slash(community.general, "report export", dialogue=TITLE, format="csv")
    message = (result.followups or [result.response])[-1]
    assert message is not None
    attachment = message.attachments[0]
    assert attachment.filename.endswith(".csv")
    raw = await attachment.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets read the accents right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["text"] for r in rows] == [
        "Résistances: « la peur » de perdre le pouvoir, dit-on.",
        "'=HYPERLINK(\"http://evil\") is not a formula here, commas, too",
    ]
    alice, bob = rows
    assert alice["credit"].startswith("Alice Martin") and "UN Women" in alice["credit"]
    assert alice["question_number"] == "1" and alice["question"].startswith("What kinds of resistances")
    assert alice["themes"] == "Understanding and conceptualising"
    assert (alice["support"], alice["agreement"], alice["disagreement"]) == ("1", "1", "0")
    assert (bob["support"], bob["agreement"], bob["disagreement"]) == ("0", "0", "1")
    assert alice["message_link"].endswith(f"/{first.id}") and alice["created_at"] and not alice["edited_at"]


async def test_a_cited_message_deleted_while_the_bot_was_away_is_dropped_and_moderators_told(
    community: Community,
) -> None:
    thread = await open_dialogue(community)
    kept = await community.alice.send(thread, "Resistance is born from fear of losing power in the organisation.")
    gone = await community.bob.send(thread, "Funding for longer training programmes is scarce in the region.")
    await community.moderator.react(kept, "💡")
    await community.moderator.react(gone, "⚠️")
    await community.moderator.slash(community.general, "report autopublish", dialogue=TITLE, enabled=False)
    await community.close_dialogue(TITLE)
    # After the close, Bob's message disappears without the bot hearing of it (as when it is deleted while
    # the bot is down: SimCord delivers a deletion to a closing bot, so the event is left out at the source).
    del community.env.backend.messages[thread.id][gone.id]
    assert await community.bot.db.fetchval("SELECT count(*) FROM contributions") == 2
    await community.moderator.slash(community.general, "report publish", dialogue=TITLE)
    published = "\n".join(m.content for m in bot_messages(community, community.summary))
    assert "Resistance is born from fear" in published
    assert "Funding for longer training" not in published
    told = bot_messages(community, community.mods)[-1].content
    assert "1 cited message was left out of the report" in told


async def test_the_dialogues_own_disagreement_emoji_is_disagreement_not_support(community: Community) -> None:
    """Given before or after the moderators chose it, 🙅 is disagreement: never counted as support (the
    report's most supported comments, the suggested key points' ranking, the JSON export)."""
    thread = await open_dialogue(community)
    message = await community.alice.send(thread, "Resistance grows where the organisation gives no time to training.")
    await community.bob.react(message, "🙅")  # before the choice: support, for now
    await community.moderator.slash(community.general, "report reactions", dialogue=TITLE, agree="🙌", disagree="🙅")
    await community.carol.react(message, "🙅🏽")  # after it (a skin tone is the same reaction)
    await community.moderator.react(message, "🙌")
    preview = answer(await community.moderator.slash(community.general, "report preview", dialogue=TITLE))
    assert "🙌 1 · 🙅 2" in preview
    assert await support_of(community, message.id) == 1
    # Another emoji chosen, 🙅 is support again, as any reaction is.
    await community.moderator.slash(community.general, "report reactions", dialogue=TITLE, agree="🙌", disagree="👎")
    assert await support_of(community, message.id) == 3


async def support_of(community: Community, message_id: int) -> int:
    contribution = await community.env.bot.services.contributions.require_by_message(message_id)
    return int(await community.env.bot.services.tagging.support(contribution.id))
