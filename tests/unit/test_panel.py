"""The panel service on a real SQLite file: asking, review races, merges, votes, relay order, answers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import iso
from bot.community.profiles import ProfileService
from bot.config import Config, PanelConfig
from bot.errors import UserError
from bot.panel.model import Panel
from bot.panel.questions import PanelQuestionService
from bot.panel.record import PanelRecordService
from bot.panel.service import PanelService, key_points
from bot.store import Database

GUILD, CHANNEL = 10, 20
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
ALICE, BOB, CAROL, DAN, MOD, LUT = 101, 102, 103, 104, 900, 501


def clock() -> datetime:
    return NOW


@dataclass(frozen=True)
class _Dialogue:
    id: int
    title: str = "Resistances to training"
    timezone: str = "Europe/Paris"


@pytest.fixture
async def panels(db: Database) -> PanelService:
    return PanelService(db, clock)


@pytest.fixture
async def questions(db: Database, panels: PanelService) -> PanelQuestionService:
    return PanelQuestionService(db, Config(panel=PanelConfig(max_pending_questions_per_member=2)), clock,
                                ProfileService(db, clock), panels)


@pytest.fixture
async def records(db: Database, panels: PanelService, questions: PanelQuestionService) -> PanelRecordService:
    return PanelRecordService(db, panels, questions)


@pytest.fixture
async def panel(db: Database, panels: PanelService) -> Panel:
    done = await db.fetchval(
        """INSERT INTO dialogues (guild_id, title, languages, timezone, starts_at, ends_at, channel_id, created_at)
           VALUES (?, 'Resistances to training', 'en', 'Europe/Paris', ?, ?, ?, ?) RETURNING id""",
        (GUILD, iso(NOW), iso(NOW + timedelta(days=7)), CHANNEL, iso(NOW)),
    )
    assert done is not None
    return await panels.create(_Dialogue(done), CHANNEL, "2026-05-06 14:00")


async def approved(questions: PanelQuestionService, panel: Panel, author: int, text: str, **kw: object) -> int:
    question = await questions.ask(panel, author, text, fallback_name=f"user{author}", **kw)  # type: ignore[arg-type]
    await questions.approve(question.id, MOD)
    return question.id


async def test_create_reads_the_dialogues_time_zone_and_defaults_the_end(panel: Panel) -> None:
    assert panel.starts_at == datetime(2026, 5, 6, 12, 0, tzinfo=UTC)  # 14:00 in Paris (CEST)
    assert panel.ends_at - panel.starts_at == timedelta(minutes=90)
    assert panel.state == "scheduled" and panel.dialogue.title == "Resistances to training"


async def test_create_refuses_a_past_start_an_end_before_start_and_a_second_panel(
    panels: PanelService, panel: Panel
) -> None:
    with pytest.raises(UserError) as caught:
        await panels.create(_Dialogue(panel.dialogue_id), CHANNEL, "2026-04-01 10:00", "2026-03-01 10:00")
    assert [p.msgid for p in caught.value.problems] == [
        "The panel must start in the future.",
        "The panel must end after it starts.",
        "The dialogue “{title}” already has a panel.",
    ]


async def test_ask_snapshots_the_profile_and_anonymous_stores_no_name(
    questions: PanelQuestionService, panel: Panel
) -> None:
    await questions.profiles.update(GUILD, ALICE, name="Elisabeth Robert", organisation="UN Women Training Centre")
    named = await questions.ask(panel, ALICE, "  Is training of trainers a good start?  ")
    assert named.text == "Is training of trainers a good start?"
    assert named.asker.credit == "Elisabeth Robert, UN Women Training Centre"
    hidden = await questions.ask(panel, ALICE, "A delicate one.", attribution="anonymous")
    assert (hidden.asker_name, hidden.asker_organisation, hidden.asker.credit) == (None, None, None)
    # Without a profile name, the display name given by Discord is the snapshot.
    plain = await questions.ask(panel, BOB, "Why?", fallback_name="bob")
    assert plain.asker.credit == "bob"


async def test_ask_validates_length_and_organisation_attribution(
    questions: PanelQuestionService, panel: Panel
) -> None:
    with pytest.raises(UserError):
        await questions.ask(panel, ALICE, "   ")
    with pytest.raises(UserError):
        await questions.ask(panel, ALICE, "x" * 1001)
    with pytest.raises(UserError) as caught:
        await questions.ask(panel, ALICE, "Fine question", attribution="organisation")
    assert "organisation" in caught.value.msgid
    assert await questions.db.fetchval("SELECT count(*) FROM panel_questions") == 0


async def test_a_member_may_not_flood_the_queue(questions: PanelQuestionService, panel: Panel) -> None:
    first = await questions.ask(panel, ALICE, "One?")
    await questions.ask(panel, ALICE, "Two?")
    with pytest.raises(UserError) as caught:
        await questions.ask(panel, ALICE, "Three?")
    assert caught.value.params == {"n": 2}
    # Once the moderators have read one, there is room again; other members are not affected.
    await questions.approve(first.id, MOD)
    await questions.ask(panel, ALICE, "Three?")
    await questions.ask(panel, BOB, "Mine?")


async def test_two_moderators_approving_at_once_make_one_approval(
    questions: PanelQuestionService, panel: Panel
) -> None:
    question = await questions.ask(panel, ALICE, "Racy?")
    results = await asyncio.gather(
        questions.approve(question.id, MOD), questions.approve(question.id, MOD + 1), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["PanelQuestion", "UserError"]
    error = next(r for r in results if isinstance(r, UserError))
    assert error.msgid == "Question #{number} was already approved."
    assert (await questions.question(question.id)).status == "approved"


async def test_handled_or_missing_questions_answer_clearly_and_change_nothing(
    questions: PanelQuestionService, panel: Panel
) -> None:
    question = await questions.ask(panel, ALICE, "Rejected?")
    await questions.reject(question.id, MOD)
    for action in (questions.approve, questions.reject):
        with pytest.raises(UserError, match="already rejected"):
            await action(question.id, MOD)
    with pytest.raises(UserError, match="no longer exists"):
        await questions.approve(9999, MOD)
    assert (await questions.question(question.id)).status == "rejected"


async def test_votes_toggle_one_per_member(questions: PanelQuestionService, panel: Panel) -> None:
    qid = await approved(questions, panel, ALICE, "Vote on me")
    assert (await questions.vote(qid, BOB))[0] is True
    assert (await questions.vote(qid, CAROL))[1].votes == 2
    voted, question = await questions.vote(qid, BOB)
    assert voted is False and question.votes == 1
    pending = await questions.ask(panel, DAN, "Not yet approved")
    with pytest.raises(UserError, match="not been approved"):
        await questions.vote(pending.id, BOB)


async def test_merge_keeps_target_text_unions_voters_and_credits_every_asker(
    questions: PanelQuestionService, panel: Panel
) -> None:
    await questions.profiles.update(GUILD, ALICE, name="Elena Valainyte", organisation="COP member")
    await questions.profiles.update(GUILD, BOB, name="Khamsavath C.", organisation="UN Women")
    target = await approved(questions, panel, ALICE, "Gender balance in training teams?")
    source = await approved(questions, panel, BOB, "Do trainer teams have men and women?")
    hidden = await questions.ask(panel, CAROL, "Same: mixed teams?", attribution="anonymous")
    for voter in (CAROL, DAN):
        await questions.vote(target, voter)
    for voter in (DAN, MOD):
        await questions.vote(source, voter)
    await questions.merge(hidden.id, source, MOD)  # a pending question into the source first…
    result = await questions.merge(source, target, MOD)  # …then the source into the target
    assert result.source.status == "merged" and result.source.merged_into == target
    assert result.target.text == "Gender balance in training teams?"
    assert result.target.votes == 3  # {CAROL, DAN} ∪ {DAN, MOD}
    askers = await questions.askers(result.target)
    assert [a.user_id for a in askers] == [ALICE, BOB, CAROL]
    from bot.panel.model import QuestionRecord

    record = QuestionRecord(result.target, askers)
    assert record.credits == ("Elena Valainyte, COP member", "Khamsavath C., UN Women")
    with pytest.raises(UserError, match="already merged"):
        await questions.merge(source, target, MOD)
    with pytest.raises(UserError, match="itself"):
        await questions.merge(target, target, MOD)


async def test_relay_picks_the_most_voted_and_keeps_relay_order(
    panels: PanelService, questions: PanelQuestionService, records: PanelRecordService, panel: Panel
) -> None:
    low = await approved(questions, panel, ALICE, "Low")
    high = await approved(questions, panel, BOB, "High")
    await questions.vote(high, CAROL)
    assert (await questions.top_question(panel)).id == high
    first, previous = await questions.relay(high, MOD)
    assert first.status == "relayed" and previous is None
    assert (await panels.get(panel.id)).live_question_id == high
    _, previous = await questions.relay(low, MOD)
    assert previous is not None and previous.id == high
    record = await records.panel_for_dialogue(panel.dialogue_id)
    assert record is not None
    assert [r.question.id for r in record.relayed] == [high, low]  # same virtual instant, relay order kept
    with pytest.raises(UserError, match="no approved question"):
        await questions.top_question(panel)


async def test_live_answers_are_recorded_for_panellists_only_and_follow_edits(
    panels: PanelService, questions: PanelQuestionService, panel: Panel
) -> None:
    lut = await panels.add_panellist(panel, "Lut Mergaert", user_id=LUT, organisation="Yellow Window")
    qid = await approved(questions, panel, ALICE, "Start with trainers?")
    assert panels.live_answerer(CHANNEL, LUT) is None  # nothing is live yet
    await questions.relay(qid, MOD)
    assert panels.live_answerer(CHANNEL, ALICE) is None
    assert panels.live_answerer(CHANNEL, LUT) == (qid, lut.id)
    await questions.record_answer(qid, lut.id, "A good way to start.", message_id=7001)
    await questions.record_answer(qid, lut.id, "A good way to start.", message_id=7001)  # replayed event
    await questions.edit_answer(7001, "A good way to start, but not easy.")
    answers = await questions.answers(qid)
    assert [(a.panellist_name, a.text) for a in answers] == [("Lut Mergaert", "A good way to start, but not easy.")]
    await questions.delete_answer(7001)
    assert await questions.answers(qid) == []
    assert not questions.is_answer_message(7001)


async def test_answers_need_a_posed_question(
    panels: PanelService, questions: PanelQuestionService, panel: Panel
) -> None:
    lut = await panels.add_panellist(panel, "Lut Mergaert")
    qid = await approved(questions, panel, ALICE, "Not posed yet")
    with pytest.raises(UserError, match="relay it first"):
        await questions.record_answer(qid, lut.id, "Early answer")


async def test_close_clears_the_live_question_and_keeps_unanswered(
    panels: PanelService, questions: PanelQuestionService, panel: Panel
) -> None:
    lut = await panels.add_panellist(panel, "Lut", user_id=LUT)
    answered = await approved(questions, panel, ALICE, "Answered")
    waiting = await approved(questions, panel, BOB, "Never posed")
    await questions.vote(waiting, CAROL)
    await questions.relay(answered, MOD)
    await questions.record_answer(answered, lut.id, "Yes.")
    posed_only = await approved(questions, panel, CAROL, "Posed, no time to answer")
    await questions.relay(posed_only, MOD)
    closed = await panels.close(await panels.get(panel.id))
    assert closed.state == "closed" and closed.live_question_id is None
    assert panels.live_answerer(CHANNEL, LUT) is None
    assert [q.id for q in await questions.unanswered(panel.id)] == [waiting, posed_only]
    with pytest.raises(UserError, match="closed"):
        await questions.ask(closed, DAN, "Too late?")
    with pytest.raises(UserError, match="closed"):
        await panels.close(closed)


async def test_panellists_and_presentations(panels: PanelService, panel: Panel) -> None:
    prugl = await panels.add_panellist(
        panel, "Elisabeth Prügl", title="Professor", organisation="Graduate Institute, Geneva"
    )
    with pytest.raises(UserError):
        await panels.add_panellist(panel, "elisabeth prügl")
    saved = await panels.set_presentation(prugl.id, "- Gender training is politics.\n\n• Resistance is political.\n")
    assert saved.key_points == ("Gender training is politics.", "Resistance is political.")
    assert saved.heading == "Elisabeth Prügl, Professor, Graduate Institute, Geneva"
    assert key_points("1. Keep numbering") == ("1. Keep numbering",)


async def test_live_map_is_rebuilt_from_the_database(
    db: Database, panels: PanelService, questions: PanelQuestionService, panel: Panel
) -> None:
    await panels.add_panellist(panel, "Lut", user_id=LUT)
    qid = await approved(questions, panel, ALICE, "Survives a restart?")
    await questions.relay(qid, MOD)
    fresh = PanelService(db, clock)
    await fresh.load()
    assert fresh.live_answerer(CHANNEL, LUT) is not None
