"""A realistic dialogue built through the services (dialogues, contributions, profiles, privacy, panel,
report), for the report's golden and privacy tests. Nothing is inserted behind the services' backs,
except posting, which is Discord's part: the schedule items are completed as the poster would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.config import Config
from bot.contributions.model import Incoming
from bot.services import Services, build_services
from bot.store import Database

GUILD, CHANNEL, PANEL_CHANNEL = 1000, 2000, 2001
THREADS = {1: 3001, 2: 3002, 3: 3003}
MOD, ALICE, BOB, CAROL, DAVE, ERIN, FRANK, GINA = 1, 11, 12, 13, 14, 15, 16, 17
PANELLIST_USER = 21

# Strings that must never appear in any output.
SECRETS = {
    "deleted": "DELETED-SECRET the author deleted this message",
    "opted_out": "OPTOUT-SECRET from a member who opted out later",
    "forgotten": "FORGOTTEN-SECRET from a member who asked to be forgotten",
    "rejected": "REJECTED-SECRET question the moderators rejected",
    "anonymous_name": "Carol Hidden",
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Story:
    services: Services
    clock: Clock
    dialogue_id: int
    messages: dict[str, int] = field(default_factory=dict)


async def build_story(db: Database, config: Config) -> Story:
    clock = Clock()
    s = build_services(db, config, clock)
    await s.profiles.opted_out_members()
    d = await s.dialogues.create(
        GUILD, title="Resistances in Training", starts="2026-01-05 09:00", ends="2026-01-12 18:00",
        timezone="Europe/Madrid", channel_id=CHANNEL, channel_kind="text", languages="en es fr",
        concept_note="https://example.org/concept-note.pdf",
        description="Virtual Dialogues are online discussions of the Community of Practice.\n\n"
                    "The objective was to reflect on resistances to training for gender equality.",
        created_by=MOD,
    )
    for text in (
        "What kinds of resistances are manifested during training?",
        "What tools and strategies can be shared for dealing with resistances?",
        "How can resistances be harnessed for transformation?",
    ):
        await s.dialogue_content.add_question(d.id, text)
    await s.dialogue_content.add_theme(d.id, "Francophone contexts", "🇫🇷")
    await s.dialogue_schedule.schedule(d.id)

    # The panel is created before the dialogue opens (it must start in the future).
    panel = await s.panel.create(d, PANEL_CHANNEL, "2026-01-05 15:00")

    # The poster's part: the opening and the question threads go out.
    clock.now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    questions = {q.id: q.position for q in await s.dialogues.questions(d.id)}
    for item in await s.dialogue_schedule.items(d.id):
        if item.kind == "opening":
            await s.dialogue_schedule.complete_item(item, 5000, None)
        elif item.kind == "question":
            position = questions[item.question_id]  # type: ignore[index]
            await s.dialogue_schedule.complete_item(item, THREADS[position], THREADS[position])
    await s.contributions.rebuild_map()

    for user, name, org, attribution in (
        (ALICE, "Alice Martin", "UN Women Training Centre", "name"),
        (BOB, "Bob Stone", "Genre en Action", "organisation"),
        (CAROL, SECRETS["anonymous_name"], "Hidden Org", "anonymous"),
        (GINA, "Gina Ruiz", None, "name"),
    ):
        await s.profiles.update(GUILD, user, name=name, organisation=org, attribution=attribution)

    story = Story(s, clock, d.id)
    next_id = iter(range(9000, 10000))

    async def say(key: str, question: int, author: int, author_name: str, text: str, hours: float) -> None:
        message_id = next(next_id)
        story.messages[key] = message_id
        s.contributions.capture(Incoming(
            message_id=message_id, channel_id=THREADS[question], guild_id=GUILD, author_id=author,
            author_name=author_name, content=text, attachments=(),
            created_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC) + timedelta(hours=hours),
        ))

    await say("fear", 1, ALICE, "alice", "Resistance is often born from fear of losing power and privileges.", 1)
    await say("funding", 1, BOB, "bob", "Funding for longer training programmes is scarce; see "
              "https://www.kit.nl/gender/revisiting.pdf for the Francophone countries.", 2)
    await say("journey", 1, CAROL, "carol", "Transformation through training is a difficult journey for everyone "
              "@everyone <@12>", 3)
    await say("repository", 2, GINA, "gina", "Repositories of training materials are vital: "
              "http://www.genreenaction.net/spip.php?article7700", 26)
    await say("space", 2, ALICE, "alice", "Provide a safe space for dialogue and for sharing different points "
              "of view during training.", 27)
    await say("leaders", 2, BOB, "bob", "Include male leaders in training initiatives to model support for "
              "gender equality.", 28)
    await say("methods", 3, ALICE, "alice", "Resistances can be harnessed by building them into the methods "
              "of training for transformation.", 50)
    await say("collective", 3, GINA, "gina", "Collective learning processes turn resistances into transformation "
              "of training and of organisations.", 51)
    await say("weather", 3, BOB, "bob", "Lovely weather in Geneva this morning, unrelated to anything.", 52)
    await say("deleted", 1, FRANK, "frank", SECRETS["deleted"] + " https://deleted.example.org/x", 4)
    await say("opted_out", 2, DAVE, "dave", SECRETS["opted_out"] + " https://optout.example.org/x", 29)
    await say("forgotten", 3, ERIN, "erin", SECRETS["forgotten"] + " https://forgotten.example.org/x", 53)
    await s.contributions.flush()

    # Moderators tag, members support, key points are written and marked.
    themes = {th.key: th for th in await s.dialogues.themes(d.id)}

    async def tag(key: str, *theme_keys: str) -> None:
        contribution = await s.contributions.require_by_message(story.messages[key])
        await s.tagging.set_tags(contribution.id, [themes[k].id for k in theme_keys], MOD)

    await tag("fear", "understanding")
    await tag("journey", "understanding")
    await tag("funding", "challenges", "francophone_contexts")
    await tag("repository", "recommendations")
    await tag("space", "recommendations")
    await tag("leaders", "recommendations")
    for key in ("deleted", "opted_out", "forgotten"):
        await tag(key, "challenges")
    support = themes["recommendations"].emoji or "✅"
    for user in (ALICE, BOB, CAROL):
        await s.tagging.react(story.messages["repository"], support, user, moderator=False)
    await s.tagging.react(story.messages["collective"], support, ALICE, moderator=False)
    await s.tagging.react(story.messages["opted_out"], support, ALICE, moderator=False)

    await s.key_points.add_key_point(d.id, 1, "Resistance can be born from fear of losing power.", MOD)
    await s.key_points.mark_key_point(story.messages["repository"], MOD)
    await s.key_points.mark_key_point(story.messages["opted_out"], MOD)
    # Question 3 has no key point: the report suggests some.

    # The panel: speakers, their key points, members' questions, answers.
    prugl = await s.panel.add_panellist(panel, "Elisabeth Prügl", organisation="Graduate Institute",
                                        title="Director")
    mergaert = await s.panel.add_panellist(panel, "Lut Mergaert", organisation="Yellow Window",
                                           title="Research Director", user_id=PANELLIST_USER)
    await s.panel.set_presentation(prugl.id, "- Gender training is politics.\n- Treat it as democratic politics.")
    await s.panel.set_presentation(mergaert.id, "Understand what is being resisted.")
    named = await s.panel_questions.ask(panel, ALICE, "Is the training of trainers a good way to start?")
    anonymous = await s.panel_questions.ask(panel, CAROL, "Is gender balance common in trainer teams?")
    rejected = await s.panel_questions.ask(panel, BOB, SECRETS["rejected"])
    unanswered = await s.panel_questions.ask(panel, GINA, "What standards ensure quality in training?")
    await s.panel_questions.approve(named.id, MOD)
    await s.panel_questions.approve(anonymous.id, MOD)
    await s.panel_questions.reject(rejected.id, MOD)
    await s.panel_questions.approve(unanswered.id, MOD)
    clock.now = datetime(2026, 1, 5, 15, 10, tzinfo=UTC)
    await s.panel_questions.relay(named.id, MOD)
    await s.panel_questions.record_answer(named.id, mergaert.id, "It is a good way to start, but not easy.")
    await s.panel_questions.record_answer(named.id, prugl.id, "The debate needs to be institution-wide.")
    await s.panel_questions.relay(anonymous.id, MOD)
    await s.panel_questions.record_answer(anonymous.id, mergaert.id, "Not systematically: it doubles the cost.")

    await s.report.add_further_question(d.id, "How can resistances be built into training methods?", MOD)

    # Privacy: a deleted message, a member who opts out, a member who is forgotten.
    clock.now = datetime(2026, 1, 12, 20, 0, tzinfo=UTC)
    await s.contributions.delete([story.messages["deleted"]])
    await s.privacy.opt_out(GUILD, DAVE)
    await s.privacy.forget(ERIN)
    return story
