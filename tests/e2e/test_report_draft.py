"""The report's draft as moderators shape it: front matter through modals, hidden items, suggested key
points accepted, edited or dismissed from the preview; what no moderator accepted is never published."""

from __future__ import annotations

import discord

from bot.config import Config
from bot.errors import NotModerator, UserError
from cogs.kit.access import NotModeratorCheck
from tests.conftest import Community, restart
from tests.e2e.test_dialogues_week import answer
from tests.e2e.test_report import TITLE, bot_messages, open_dialogue

ON_TOPIC = [
    "Resistance to gender training comes from fear of losing power and privilege in the organisation.",
    "Fear of losing power and privilege explains much resistance to gender training in organisations.",
    "Participants resist gender training when the organisation never allocates time or resources.",
    "Without time and resources from the organisation, participants resist the gender training.",
]


async def discuss(community: Community, thread: discord.Thread) -> list[discord.Message]:
    posted = []
    for i, text in enumerate(ON_TOPIC):
        author = (community.alice, community.bob)[i % 2]
        posted.append(await author.send(thread, text))
    await community.carol.react(posted[0], "💡")
    return posted


async def test_moderators_write_the_front_matter_in_modals_per_language(community: Community) -> None:
    await open_dialogue(community, languages="en es")
    mod = community.moderator
    shown = await mod.slash(community.general, "report edit", dialogue=TITLE, part="about")
    assert shown.modal is not None
    await mod.submit_modal(shown, {"body": "Our Community of Practice gathers 1,400 gender trainers."})
    shown = await mod.slash(community.general, "report edit", dialogue=TITLE, part="about", language="es")
    await mod.submit_modal(shown, {"body": "Nuestra Comunidad de Práctica reúne a 1.400 formadoras."})
    shown = await mod.slash(community.general, "report edit", dialogue=TITLE, part="section")
    done = await mod.submit_modal(shown, {"title": "What is Training for Gender Equality?",
                                          "body": "A transformative process that builds skills."})
    assert "Saved" in answer(done)
    shown = await mod.slash(community.general, "report edit", dialogue=TITLE, part="panel")
    await mod.submit_modal(shown, {"link": "https://example.org/webinar", "moderator": "Maria Lopez"})
    # Saved parts come back prefilled.
    again = await mod.slash(community.general, "report edit", dialogue=TITLE, part="about")
    assert "1,400 gender trainers" in str(again.modal)

    preview = answer(await mod.slash(community.general, "report preview", dialogue=TITLE))
    assert preview.index("1,400 gender trainers") < preview.index("### What is Training for Gender Equality?")
    assert "A transformative process that builds skills." in preview
    assert "(<https://example.org/webinar>)" in preview and "Maria Lopez" in preview
    spanish = answer(await mod.slash(community.general, "report preview", dialogue=TITLE, language="es"))
    assert "1.400 formadoras" in spanish and "1,400 gender trainers" not in spanish
    assert "What is Training for Gender Equality?" in spanish  # a part not written in Spanish: the main one's

    # Bad input: a link that is no web address changes nothing, and says so.
    shown = await mod.slash(community.general, "report edit", dialogue=TITLE, part="panel")
    bad = await mod.submit_modal(shown, {"link": "javascript:alert(1)", "moderator": "X"})
    assert "web address" in answer(bad) and bad.ephemeral
    assert isinstance(community.user_errors()[-1], UserError)
    community.env.errors.clear()
    assert "(<https://example.org/webinar>)" in answer(await mod.slash(community.general, "report preview",
                                                                       dialogue=TITLE))
    # A language the dialogue is not held in is refused.
    await mod.slash(community.general, "report edit", dialogue=TITLE, part="about", language="fr")
    assert isinstance(community.user_errors()[-1], UserError)
    community.env.errors.clear()


async def test_members_cannot_edit_the_draft_even_when_the_command_is_opened_to_them(community: Community) -> None:
    await open_dialogue(community)
    community.open_to_everyone("report")
    await community.alice.slash(community.general, "report edit", dialogue=TITLE, part="about")
    assert isinstance(community.user_errors()[-1], NotModeratorCheck)
    assert await community.alice.autocomplete(community.general, "report hide", "item", "", dialogue=TITLE) == []
    community.env.errors.clear()


async def test_a_hidden_item_leaves_the_report_and_comes_back_when_restored(community: Community) -> None:
    thread = await open_dialogue(community)
    posted = await discuss(community, thread)
    mod = community.moderator
    await mod.react(posted[1], "💡")  # tagged: quoted under a theme
    choices = await mod.autocomplete(community.general, "report hide", "item", "privilege explains",
                                     dialogue=TITLE)
    assert len(choices) == 1 and "Fear of losing power" in choices[0]["name"]
    done = await mod.slash(community.general, "report hide", dialogue=TITLE, item=choices[0]["value"])
    assert "Left out of the report" in answer(done)
    preview = answer(await mod.slash(community.general, "report preview", dialogue=TITLE))
    assert "privilege explains much resistance" not in preview
    assert await mod.autocomplete(community.general, "report hide", "item", "privilege explains",
                                  dialogue=TITLE) == []
    hidden = await mod.autocomplete(community.general, "report restore", "item", "", dialogue=TITLE)
    assert [c["value"] for c in hidden] == [choices[0]["value"]]
    await mod.slash(community.general, "report restore", dialogue=TITLE, item=hidden[0]["value"])
    preview = answer(await mod.slash(community.general, "report preview", dialogue=TITLE))
    assert "privilege explains much resistance" in preview
    # An item that is not the report's is refused clearly.
    await mod.slash(community.general, "report hide", dialogue=TITLE, item="999999")
    assert isinstance(community.user_errors()[-1], UserError)
    community.env.errors.clear()


def _suggestion_message(result) -> discord.Message:  # type: ignore[no-untyped-def]
    return next(m for m in result.followups if m.components)


async def test_suggestions_are_accepted_edited_or_dismissed_and_only_accepted_ones_are_published(
    community: Community,
) -> None:
    thread = await open_dialogue(community)
    await discuss(community, thread)
    mod = community.moderator
    preview = await mod.slash(community.general, "report preview", dialogue=TITLE)
    message = _suggestion_message(preview)
    assert "Suggested key points for question 1" in message.content
    labels = [c["label"] for row in message.components for c in row["components"]]  # type: ignore[index]
    assert "Accept 1" in labels and "Edit 1" in labels and "Dismiss 1" in labels
    first = message.content.split("**1.** ", 1)[1].split(" — ", 1)[0].split(" (", 1)[0]

    # A member cannot press them (the preview is ephemeral: the same buttons, forged onto a message she sees).
    custom_id = message.components[0]["components"][0]["custom_id"]  # type: ignore[index]
    forged = discord.ui.View()
    forged.add_item(discord.ui.Button(label="Accept 1", custom_id=custom_id))
    channel = community.bot.get_channel(community.general.id)
    assert isinstance(channel, discord.TextChannel)
    public = await channel.send("forged", view=forged)
    await community.alice.click(public, label="Accept 1")
    assert isinstance(community.user_errors()[-1], NotModerator)
    community.env.errors.clear()

    accepted = await mod.click(message, label="Accept 1")
    assert "Accepted as a key point" in answer(accepted)
    again = await mod.click(message, label="Dismiss 1")  # already decided: the first decision holds
    assert "already decided" in answer(again)
    community.env.errors.clear()
    shown = await mod.click(message, label="Edit 2")
    assert shown.modal is not None
    await mod.submit_modal(shown, {"text": "Organisations that give no time or resources meet resistance."})
    await mod.click(message, label="Dismiss 3")

    draft = answer(await mod.slash(community.general, "report preview", dialogue=TITLE))
    key_points = draft.split("KEY POINTS", 1)[1].split("Comments from the online discussion", 1)[0]
    assert first[:40] in key_points
    assert "Organisations that give no time or resources meet resistance." in key_points
    assert "https://discord.com/channels/" in key_points  # accepted points keep their source link

    await mod.slash(community.general, "report autopublish", dialogue=TITLE, enabled=False)
    await community.close_dialogue(TITLE, mod)
    await mod.slash(community.general, "report publish", dialogue=TITLE)
    published = "\n".join(m.content for m in bot_messages(community, community.summary))
    assert "Organisations that give no time or resources meet resistance." in published
    assert "Suggested from the discussion" not in published and "(suggestion)" not in published


async def test_the_suggestion_buttons_still_work_after_a_restart(community: Community, config: Config) -> None:
    thread = await open_dialogue(community)
    await discuss(community, thread)
    preview = await community.moderator.slash(community.general, "report preview", dialogue=TITLE)
    message = _suggestion_message(preview)
    await restart(community.env, config)
    accepted = await community.moderator.click(message, label="Accept 1")
    assert "Accepted as a key point" in answer(accepted)
    assert await community.bot.db.fetchval("SELECT count(*) FROM report_suggestions WHERE status = 'accepted'") == 1
