"""The live panel as moderators, panellists and members live it, through SimCord."""

from __future__ import annotations

from dataclasses import dataclass

import discord
import pytest
import simcord
import simcord.interactions
from simcord.backend import serializers
from simcord.results import InteractionResult

from bot.config import Config
from bot.errors import NotModerator, UserError
from cogs.kit.access import NotModeratorCheck
from tests.conftest import Community, restart, set_locale

TITLE = "Resistances to gender training"


@dataclass
class Panel:
    community: Community
    channel: simcord.ChannelHandle  # where the webinar's Q&A happens
    dialogue_id: int

    @property
    def moderator(self) -> simcord.MemberActor:
        return self.community.moderator

    def review_post(self, number: int) -> discord.Message:
        """The question's post in the moderators' review queue."""
        return _find(self.community.mods, f"**Question #{number}**")

    def public_post(self, number: int) -> discord.Message:
        return _find(self.channel, f"**Question #{number}**")

    async def question_ids(self) -> list[int]:
        rows = await self.community.bot.db.fetchall("SELECT id FROM panel_questions ORDER BY id")
        return [r["id"] for r in rows]


def _find(channel: simcord.ChannelHandle, start: str) -> discord.Message:
    found = [m for m in channel.history() if m.content.startswith(start) and not m.flags.ephemeral]
    assert len(found) == 1, [m.content for m in channel.history()]
    return found[0]


async def open_panel(community: Community, *, mod_channel: bool = True, languages: str = "en") -> Panel:
    """A dialogue with a panel in its own channel; the review queue goes to the mods channel."""
    if mod_channel:
        await community.moderator.slash(community.general, "setup", mod_channel=community.mods)
    channel = community.guild.create_text_channel("live-panel")
    await community.moderator.slash(
        community.general, "dialogue create", title=TITLE, starts="2026-01-05 09:00", ends="2026-01-12 09:00",
        timezone="UTC", channel=community.dialogue, languages=languages,
    )
    dialogue_id = await community.bot.db.fetchval("SELECT id FROM dialogues")
    created = await community.moderator.slash(
        community.general, "panel create", dialogue=TITLE, starts="2026-01-05 14:00", ends="2026-01-05 15:30",
        channel=channel,
    )
    assert created.ephemeral and "created" in reply(created)
    return Panel(community, channel, dialogue_id)


def reply(result: InteractionResult) -> str:
    """What the bot answered (a deferred answer arrives as a follow-up)."""
    messages = ([result.response] if result.response else []) + result.followups
    return "\n".join(m.content for m in messages)


async def ask(member: simcord.MemberActor, panel: Panel, text: str, **options: str) -> InteractionResult:
    result = await member.slash(panel.channel, "ask", question=text, **options)
    assert result.ephemeral
    return result


async def press_together(
    env: simcord.Env, actors: list[simcord.MemberActor], message: discord.Message, custom_id: str
) -> list[InteractionResult]:
    """Several people press the same button in the same instant: every interaction reaches the bot
    before it has answered any (SimCord's ``click`` runs one at a time, so we emit them ourselves,
    exactly as ``click`` does, then let the bot work)."""
    stored = env.backend.get_message(message.channel.id, message.id)
    records = []
    for actor in actors:
        record, payload = simcord.interactions.base_payload(
            env.backend, type=3, channel_id=message.channel.id, guild_id=actor.guild.id, user_id=actor.id,
            data={"custom_id": custom_id, "component_type": 2},
        )
        payload["message"] = dict(serializers.message_payload(env.backend, stored))
        record.source_message_id = stored.id
        env.backend.emit("INTERACTION_CREATE", payload)
        records.append(record)
    await env.settle()
    return [InteractionResult(env, r) for r in records]


def custom_ids(message: discord.Message) -> list[str]:
    return [c.custom_id for row in message.components for c in row.children if c.custom_id]  # type: ignore[union-attr]


def everything_public(panel: Panel, viewer: simcord.MemberActor) -> str:
    """All a member can read in the panel and general channels (ephemeral answers to others excluded)."""
    channels = (panel.channel, panel.community.general, panel.community.dialogue)
    return "\n".join(m.content for c in channels for m in c.history(viewer=viewer))


# -- the full story --------------------------------------------------------------------------------

async def test_a_live_panel_from_creation_to_close(community: Community) -> None:
    env, mod = community.env, community.moderator
    guild = community.guild
    prugl, lut, mai = (guild.add_member(env.create_user(n)) for n in ("eprugl", "lmergaert", "mmukho"))
    dave, erin = guild.add_member(env.create_user("dave")), guild.add_member(env.create_user("erin"))
    for member, name, organisation in (
        (community.alice, "Elisabeth Robert", "UN Women Training Centre"),
        (community.bob, "Bob Martin", "COP member"),
        (community.carol, "Carol Secret", "Hidden Org"),
        (dave, "Elena Valainyte", "COP member"),
    ):
        await member.slash(community.general, "profile set", name=name, organisation=organisation)

    panel = await open_panel(community)

    # The Discord event exists, in step with the panel.
    events = community.bot.get_guild(guild.id).scheduled_events
    assert [(e.name, e.status) for e in events] == [(f"Live panel: {TITLE}", discord.EventStatus.scheduled)]
    assert events[0].start_time.isoformat() == "2026-01-05T14:00:00+00:00"

    # Three panellists, each with a presentation entered through the modal.
    for name, member, org, title in (
        ("Elisabeth Prügl", prugl, "Graduate Institute, Geneva", "Professor"),
        ("Lut Mergaert", lut, "Yellow Window", "Research Director"),
        ("Maitrayee Mukhopadhyay", mai, "KIT", None),
    ):
        options = {"title": title} if title else {}
        await mod.slash(community.general, "panel panellist add", dialogue=TITLE, name=name, member=member,
                        organisation=org, **options)
    shown = await mod.slash(community.general, "panel presentation", dialogue=TITLE, panellist="Lut Mergaert")
    assert shown.modal is not None
    points = "- Understand what people resist.\n- Make resistances visible."
    saved = await mod.submit_modal(shown, {"key_points": points})
    assert "(key points: 2)" in saved.response.content
    for name in ("Elisabeth Prügl", "Maitrayee Mukhopadhyay"):
        shown = await mod.slash(community.general, "panel presentation", dialogue=TITLE, panellist=name)
        await mod.submit_modal(shown, {"key_points": f"{name} point one\n{name} point two\n{name} point three"})
    announcement = panel.channel.history()[0]
    assert "Lut Mergaert, Research Director, Yellow Window" in announcement.content
    assert "Maitrayee Mukhopadhyay, KIT" in community.bot.get_guild(guild.id).scheduled_events[0].description

    # Five members ask: by command, by the announcement's button, one anonymously, two the same thing.
    await ask(community.alice, panel, "Is the training of trainers a good way to start capacity development?")
    modal = await community.bob.click(announcement, label="Ask a question")
    confirmation = await community.bob.submit_modal(
        modal, {"question": "What does enabling debate mean for methodology?", "attribution": ["organisation"]}
    )
    assert "credited to: COP member" in confirmation.response.content
    hidden = await ask(community.carol, panel, "How do we make training political in a short time?",
                       attribution="anonymous")
    assert "anonymously" in hidden.response.content
    await ask(dave, panel, "Should we train trainers first, to start a capacity process?")
    await ask(erin, panel, "Is gender balance common in training teams?")
    q_alice, q_bob, q_carol, q_dave, q_erin = await panel.question_ids()

    # The review queue: the anonymous asker is shown to moderators only, in the mod channel.
    assert f"<@{community.carol.id}>" in panel.review_post(q_carol).content
    assert "Carol Secret" not in panel.review_post(q_carol).content
    for number in (q_alice, q_bob, q_carol, q_dave, q_erin):
        approved = await mod.click(panel.review_post(number), label="Approve")
        assert approved.acknowledged
    assert "approved" in panel.review_post(q_alice).content
    assert custom_ids(panel.review_post(q_alice)) == [f"colloquy:pq:merge:{q_alice}", f"colloquy:pq:relay:{q_alice}"]

    # Members upvote; pressing again takes the vote back.
    for voter, number in ((community.bob, q_alice), (community.carol, q_alice), (erin, q_dave),
                          (community.bob, q_dave), (community.alice, q_bob), (erin, q_bob), (dave, q_carol)):
        await voter.click(panel.public_post(number), custom_id=f"colloquy:pq:vote:{number}")
    toggled = await community.alice.click(panel.public_post(q_bob), custom_id=f"colloquy:pq:vote:{q_bob}")
    assert "taken back" in toggled.followups[0].content
    assert "Votes: 1" in panel.public_post(q_bob).content

    # Dave's question duplicates Alice's: merged into it, it brings its voters and its asker along.
    picker = await mod.click(panel.review_post(q_dave), label="Merge")
    assert picker.ephemeral
    merged = await mod.select(picker.response.message, [str(q_alice)], custom_id=f"colloquy:pq:mergeinto:{q_dave}")
    assert f"#{q_dave} was merged into question #{q_alice}" in merged.response.content
    assert "Votes: 3" in panel.public_post(q_alice).content  # {bob, carol} ∪ {erin, bob}
    assert "Merged into question" in panel.public_post(q_dave).content
    assert custom_ids(panel.public_post(q_dave)) == []

    # The moderator relays the top question; it is posed in the seed's format, crediting both askers.
    relayed = await mod.slash(community.general, "panel relay", dialogue=TITLE)
    assert f"#{q_alice} is now live" in relayed.response.content
    assert panel.channel.last_message.content == (
        "Q: Is the training of trainers a good way to start capacity development? "
        "(Elisabeth Robert, UN Women Training Centre; Elena Valainyte, COP member)"
    )
    assert community.bot.get_guild(guild.id).scheduled_events[0].status is discord.EventStatus.active

    # Two panellists answer in the channel; a member's remark there is not an answer.
    await lut.send(panel.channel, "A good way to start, but not easy.")
    await community.alice.send(panel.channel, "Thanks!")
    mai_answer = await mai.send(panel.channel, "A very good way to start.")
    await mai.edit(mai_answer, "A very good way to start within an organisation.")
    # The third answer was given on the webinar's audio: recorded by the moderator.
    await mod.slash(community.general, "panel answer", dialogue=TITLE, question=q_alice,
                    panellist="Elisabeth Prügl", text="The debate needs to be institution-wide.")

    # Second relay, from the review queue's button: the anonymous question, with no one named.
    await mod.click(panel.review_post(q_carol), label="Relay now")
    assert panel.channel.last_message.content == "Q: How do we make training political in a short time?"
    await mai.send(panel.channel, "There is real urgency to go beyond technical aspects.")
    stray = await lut.send(panel.channel, "(wrong window)")
    await lut.delete(stray)

    closed = await mod.slash(community.general, "panel close", dialogue=TITLE)
    assert "Questions for further discussion”: 2." in reply(closed)
    assert community.bot.get_guild(guild.id).scheduled_events[0].status is discord.EventStatus.completed
    assert custom_ids(panel.channel.history()[0]) == []  # the announcement no longer takes questions

    # The stored panel tells the story the report will render.
    record = await community.bot.services.panel_record.panel_for_dialogue(panel.dialogue_id)
    assert record is not None and record.panel.state == "closed"
    assert [p.name for p in record.panellists] == ["Elisabeth Prügl", "Lut Mergaert", "Maitrayee Mukhopadhyay"]
    assert record.panellists[1].key_points == ("Understand what people resist.", "Make resistances visible.")
    assert [r.question.id for r in record.relayed] == [q_alice, q_carol]
    first, second = record.relayed
    assert first.credits == ("Elisabeth Robert, UN Women Training Centre", "Elena Valainyte, COP member")
    assert first.votes == 3
    assert [(a.panellist_name, a.text) for a in first.answers] == [
        ("Lut Mergaert", "A good way to start, but not easy."),
        ("Maitrayee Mukhopadhyay", "A very good way to start within an organisation."),
        ("Elisabeth Prügl", "The debate needs to be institution-wide."),
    ]
    assert second.credits == () and second.question.asker_name is None
    assert [(a.panellist_name, a.text) for a in second.answers] == [
        ("Maitrayee Mukhopadhyay", "There is real urgency to go beyond technical aspects.")
    ]
    assert [(r.question.id, r.votes, r.credits) for r in record.unanswered] == [
        (q_bob, 1, ("COP member",)), (q_erin, 0, ("erin",)),
    ]

    # The anonymous asker is named nowhere the members can read.
    public = everything_public(panel, erin)
    assert "Carol Secret" not in public and "Hidden Org" not in public
    assert str(community.carol.id) not in public and "carol" not in public.lower()


# -- persistence, access, races, limits ------------------------------------------------------------

async def test_buttons_still_work_after_a_restart(community: Community, config: Config) -> None:
    panel = await open_panel(community)
    await ask(community.alice, panel, "Posted before the restart?")
    (number,) = await panel.question_ids()

    await restart(community.env, config)
    await community.moderator.click(panel.review_post(number), label="Approve")
    assert "approved" in panel.review_post(number).content

    await restart(community.env, config, crash=True)
    await community.bob.click(panel.public_post(number), custom_id=f"colloquy:pq:vote:{number}")
    assert "Votes: 1" in panel.public_post(number).content
    modal = await community.carol.click(panel.channel.history()[0], label="Ask a question")
    assert modal.modal is not None


async def test_members_cannot_review_or_relay(community: Community) -> None:
    panel = await open_panel(community)
    await ask(community.alice, panel, "May I approve my own question?")
    (number,) = await panel.question_ids()

    for label in ("Approve", "Reject", "Merge", "Relay now"):
        refused = await community.alice.click(panel.review_post(number), label=label)
        assert refused.ephemeral and "Only moderators" in refused.response.content
    assert [type(e) for e in community.user_errors()] == [NotModerator] * 4
    row = await community.bot.db.fetchone("SELECT status, public_message_id FROM panel_questions")
    assert (row["status"], row["public_message_id"]) == ("pending", None)

    community.open_to_everyone("panel")  # a server admin exposes /panel: the bot still refuses
    refused = await community.bob.slash(panel.channel, "panel relay", dialogue=TITLE, question=number)
    assert "Only moderators" in refused.response.content
    assert [type(e) for e in community.user_errors()] == [NotModerator] * 4 + [NotModeratorCheck]
    assert await community.bot.db.fetchval("SELECT live_question_id FROM panels") is None


async def test_two_moderators_pressing_approve_at_once_make_one_approval(community: Community) -> None:
    panel = await open_panel(community)
    co_host = community.guild.add_member(
        community.env.create_user("co-host"), roles=[community.guild.roles["Facilitators"]]
    )
    await ask(community.alice, panel, "Approved twice?")
    (number,) = await panel.question_ids()

    first, second = await press_together(
        community.env, [community.moderator, co_host], panel.review_post(number), f"colloquy:pq:approve:{number}"
    )
    answers = [r.response.content for r in (first, second) if r.ephemeral]
    assert answers == [f"Question #{number} was already approved."]
    assert [type(e) for e in community.user_errors()] == [UserError]
    public = [m for m in panel.channel.history() if m.content.startswith(f"**Question #{number}**")]
    assert len(public) == 1  # posted once


async def test_a_stale_button_answers_clearly_and_changes_nothing(community: Community) -> None:
    panel = await open_panel(community)
    await ask(community.alice, panel, "Soon gone")
    await ask(community.bob, panel, "Still here")
    gone, kept = await panel.question_ids()
    review = panel.review_post(gone)
    await community.bot.db.execute("DELETE FROM panel_questions WHERE id = ?", (gone,))  # e.g. the asker erased it

    answer = await community.moderator.click(review, label="Approve")
    assert answer.ephemeral and answer.response.content == "This question no longer exists."
    merge = await community.moderator.click(panel.review_post(kept), label="Merge")
    assert "no other open question" in merge.response.content
    assert [type(e) for e in community.user_errors()] == [UserError, UserError]
    assert await community.bot.db.fetchval("SELECT status FROM panel_questions") == "pending"


async def test_a_member_may_not_flood_the_queue(community: Community) -> None:
    panel = await open_panel(community)
    for n in range(3):  # the default limit
        await ask(community.alice, panel, f"Question {n}?")
    refused = await ask(community.alice, panel, "One more?")
    assert "already have 3 questions waiting for review" in refused.response.content
    assert [type(e) for e in community.user_errors()] == [UserError]
    assert await community.bot.db.fetchval("SELECT count(*) FROM panel_questions") == 3
    await ask(community.bob, panel, "Bob is not limited by Alice")


async def test_without_a_mod_channel_the_queue_never_reveals_an_anonymous_asker(community: Community) -> None:
    panel = await open_panel(community, mod_channel=False)
    await community.bot.services.profiles.update(community.guild.id, community.carol.id, name="Carol Secret")
    await ask(community.carol, panel, "Anonymous here?", attribution="anonymous")
    (number,) = await panel.question_ids()
    review = _find(panel.channel, f"**Question #{number}**")  # the queue falls back to the panel channel
    assert "anonymous" in review.content
    assert str(community.carol.id) not in review.content and "Carol" not in review.content


@pytest.mark.parametrize("text", ["", " " * 5])
async def test_ask_without_text_opens_the_form(community: Community, text: str) -> None:
    panel = await open_panel(community)
    shown = await community.alice.slash(panel.channel, "ask", dialogue=TITLE)
    assert shown.modal is not None
    if text:
        await community.alice.submit_modal(shown, {"question": text, "attribution": ["name"]})
        assert [type(e) for e in community.user_errors()] == [UserError]
        assert await community.bot.db.fetchval("SELECT count(*) FROM panel_questions") == 0


async def test_a_spanish_dialogue_poses_questions_in_spanish(community: Community) -> None:
    panel = await open_panel(community, languages="es")
    set_locale(community.alice, "es-ES")
    await community.bot.services.profiles.update(community.guild.id, community.alice.id, name="Ana", organisation="ONU")
    thanks = await ask(community.alice, panel, "¿Cómo empezamos?")
    assert thanks.response.content.startswith("¡Gracias!")
    (number,) = await panel.question_ids()
    await community.moderator.click(panel.review_post(number), label="Approve")  # the moderator reads English
    public = panel.channel.last_message
    assert public.content.startswith(f"**Pregunta n.º {number}** (Ana, ONU)")
    assert custom_ids(public) == [f"colloquy:pq:vote:{number}"]
    await community.moderator.slash(community.general, "panel relay", dialogue=TITLE)
    assert panel.channel.last_message.content == "P: ¿Cómo empezamos? (Ana, ONU)"


async def test_a_panel_is_not_created_where_the_bot_cannot_post(community: Community) -> None:
    await community.moderator.slash(
        community.general, "dialogue create", title=TITLE, starts="2026-01-05 09:00", ends="2026-01-12 09:00",
        timezone="UTC", channel=community.dialogue,
    )
    muted = community.guild.create_text_channel(
        "read-only", overwrites={community.bot.user: discord.PermissionOverwrite(send_messages=False)}
    )
    refused = await community.moderator.slash(
        community.general, "panel create", dialogue=TITLE, starts="2026-01-05 14:00", channel=muted
    )
    assert "I cannot post in" in refused.response.content
    assert [type(e) for e in community.user_errors()] == [UserError]
    assert await community.bot.db.fetchval("SELECT count(*) FROM panels") == 0
    assert list(community.bot.get_guild(community.guild.id).scheduled_events) == []
