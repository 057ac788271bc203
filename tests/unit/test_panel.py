"""The panel service on a real SQLite file: asking, review races, merges, votes, relay order, answers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import iso
from bot.config import Config, PanelConfig
from bot.errors import UserError
from bot.panel import Panel, PanelService, key_points
from bot.profiles import ProfileService
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
async def service(db: Database) -> PanelService:
    return PanelService(db, Config(panel=PanelConfig(max_pending_questions_per_member=2)), clock,
                        ProfileService(db, clock))


@pytest.fixture
async def panel(db: Database, service: PanelService) -> Panel:
    done = await db.execute(
        """INSERT INTO dialogues (guild_id, title, languages, timezone, starts_at, ends_at, channel_id, created_at)
           VALUES (?, 'Resistances to training', 'en', 'Europe/Paris', ?, ?, ?, ?)""",
        (GUILD, iso(NOW), iso(NOW + timedelta(days=7)), CHANNEL, iso(NOW)),
    )
    assert done.lastrowid is not None
    return await service.create(_Dialogue(done.lastrowid), CHANNEL, "2026-05-06 14:00")


async def approved(service: PanelService, panel: Panel, author: int, text: str, **kw: object) -> int:
    question = await service.ask(panel, author, text, fallback_name=f"user{author}", **kw)  # type: ignore[arg-type]
    await service.approve(question.id, MOD)
    return question.id


async def test_create_reads_the_dialogues_time_zone_and_defaults_the_end(panel: Panel) -> None:
    assert panel.starts_at == datetime(2026, 5, 6, 12, 0, tzinfo=UTC)  # 14:00 in Paris (CEST)
    assert panel.ends_at - panel.starts_at == timedelta(minutes=90)
    assert panel.state == "scheduled" and panel.dialogue.title == "Resistances to training"


async def test_create_refuses_a_past_start_an_end_before_start_and_a_second_panel(
    service: PanelService, panel: Panel
) -> None:
    with pytest.raises(UserError) as caught:
        await service.create(_Dialogue(panel.dialogue_id), CHANNEL, "2026-04-01 10:00", "2026-03-01 10:00")
    assert [p.msgid for p in caught.value.problems] == [
        "The panel must start in the future.",
        "The panel must end after it starts.",
        "The dialogue “{title}” already has a panel.",
    ]


async def test_ask_snapshots_the_profile_and_anonymous_stores_no_name(
    service: PanelService, panel: Panel
) -> None:
    await service.profiles.update(GUILD, ALICE, name="Elisabeth Robert", organisation="UN Women Training Centre")
    named = await service.ask(panel, ALICE, "  Is training of trainers a good start?  ")
    assert named.text == "Is training of trainers a good start?"
    assert named.asker.credit == "Elisabeth Robert, UN Women Training Centre"
    hidden = await service.ask(panel, ALICE, "A delicate one.", attribution="anonymous")
    assert (hidden.asker_name, hidden.asker_organisation, hidden.asker.credit) == (None, None, None)
    # Without a profile name, the display name given by Discord is the snapshot.
    plain = await service.ask(panel, BOB, "Why?", fallback_name="bob")
    assert plain.asker.credit == "bob"


async def test_ask_validates_length_and_organisation_attribution(service: PanelService, panel: Panel) -> None:
    with pytest.raises(UserError):
        await service.ask(panel, ALICE, "   ")
    with pytest.raises(UserError):
        await service.ask(panel, ALICE, "x" * 1001)
    with pytest.raises(UserError) as caught:
        await service.ask(panel, ALICE, "Fine question", attribution="organisation")
    assert "organisation" in caught.value.msgid
    assert await service.db.fetchval("SELECT count(*) FROM panel_questions") == 0


async def test_a_member_may_not_flood_the_queue(service: PanelService, panel: Panel) -> None:
    first = await service.ask(panel, ALICE, "One?")
    await service.ask(panel, ALICE, "Two?")
    with pytest.raises(UserError) as caught:
        await service.ask(panel, ALICE, "Three?")
    assert caught.value.params == {"n": 2}
    # Once the moderators have read one, there is room again; other members are not affected.
    await service.approve(first.id, MOD)
    await service.ask(panel, ALICE, "Three?")
    await service.ask(panel, BOB, "Mine?")


async def test_two_moderators_approving_at_once_make_one_approval(service: PanelService, panel: Panel) -> None:
    question = await service.ask(panel, ALICE, "Racy?")
    results = await asyncio.gather(
        service.approve(question.id, MOD), service.approve(question.id, MOD + 1), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["PanelQuestion", "UserError"]
    error = next(r for r in results if isinstance(r, UserError))
    assert error.msgid == "Question #{number} was already approved."
    assert (await service.question(question.id)).status == "approved"


async def test_handled_or_missing_questions_answer_clearly_and_change_nothing(
    service: PanelService, panel: Panel
) -> None:
    question = await service.ask(panel, ALICE, "Rejected?")
    await service.reject(question.id, MOD)
    for action in (service.approve, service.reject):
        with pytest.raises(UserError, match="already rejected"):
            await action(question.id, MOD)
    with pytest.raises(UserError, match="no longer exists"):
        await service.approve(9999, MOD)
    assert (await service.question(question.id)).status == "rejected"


async def test_votes_toggle_one_per_member(service: PanelService, panel: Panel) -> None:
    qid = await approved(service, panel, ALICE, "Vote on me")
    assert (await service.vote(qid, BOB))[0] is True
    assert (await service.vote(qid, CAROL))[1].votes == 2
    voted, question = await service.vote(qid, BOB)
    assert voted is False and question.votes == 1
    pending = await service.ask(panel, DAN, "Not yet approved")
    with pytest.raises(UserError, match="not been approved"):
        await service.vote(pending.id, BOB)


async def test_merge_keeps_target_text_unions_voters_and_credits_every_asker(
    service: PanelService, panel: Panel
) -> None:
    await service.profiles.update(GUILD, ALICE, name="Elena Valainyte", organisation="COP member")
    await service.profiles.update(GUILD, BOB, name="Khamsavath C.", organisation="UN Women")
    target = await approved(service, panel, ALICE, "Gender balance in training teams?")
    source = await approved(service, panel, BOB, "Do trainer teams have men and women?")
    hidden = await service.ask(panel, CAROL, "Same: mixed teams?", attribution="anonymous")
    for voter in (CAROL, DAN):
        await service.vote(target, voter)
    for voter in (DAN, MOD):
        await service.vote(source, voter)
    await service.merge(hidden.id, source, MOD)  # a pending question into the source first…
    result = await service.merge(source, target, MOD)  # …then the source into the target
    assert result.source.status == "merged" and result.source.merged_into == target
    assert result.target.text == "Gender balance in training teams?"
    assert result.target.votes == 3  # {CAROL, DAN} ∪ {DAN, MOD}
    askers = await service.askers(result.target)
    assert [a.user_id for a in askers] == [ALICE, BOB, CAROL]
    from bot.panel import QuestionRecord

    record = QuestionRecord(result.target, askers)
    assert record.credits == ("Elena Valainyte, COP member", "Khamsavath C., UN Women")
    with pytest.raises(UserError, match="already merged"):
        await service.merge(source, target, MOD)
    with pytest.raises(UserError, match="itself"):
        await service.merge(target, target, MOD)


async def test_relay_picks_the_most_voted_and_keeps_relay_order(service: PanelService, panel: Panel) -> None:
    low = await approved(service, panel, ALICE, "Low")
    high = await approved(service, panel, BOB, "High")
    await service.vote(high, CAROL)
    assert (await service.top_question(panel)).id == high
    first, previous = await service.relay(high, MOD)
    assert first.status == "relayed" and previous is None
    assert (await service.get(panel.id)).live_question_id == high
    _, previous = await service.relay(low, MOD)
    assert previous is not None and previous.id == high
    record = await service.panel_for_dialogue(panel.dialogue_id)
    assert record is not None
    assert [r.question.id for r in record.relayed] == [high, low]  # same virtual instant, relay order kept
    with pytest.raises(UserError, match="no approved question"):
        await service.top_question(panel)


async def test_live_answers_are_recorded_for_panellists_only_and_follow_edits(
    service: PanelService, panel: Panel
) -> None:
    lut = await service.add_panellist(panel, "Lut Mergaert", user_id=LUT, organisation="Yellow Window")
    qid = await approved(service, panel, ALICE, "Start with trainers?")
    assert service.live_answerer(CHANNEL, LUT) is None  # nothing is live yet
    await service.relay(qid, MOD)
    assert service.live_answerer(CHANNEL, ALICE) is None
    assert service.live_answerer(CHANNEL, LUT) == (qid, lut.id)
    await service.record_answer(qid, lut.id, "A good way to start.", message_id=7001)
    await service.record_answer(qid, lut.id, "A good way to start.", message_id=7001)  # replayed event
    await service.edit_answer(7001, "A good way to start, but not easy.")
    answers = await service.answers(qid)
    assert [(a.panellist_name, a.text) for a in answers] == [("Lut Mergaert", "A good way to start, but not easy.")]
    await service.delete_answer(7001)
    assert await service.answers(qid) == []
    assert not service.is_answer_message(7001)


async def test_answers_need_a_posed_question(service: PanelService, panel: Panel) -> None:
    lut = await service.add_panellist(panel, "Lut Mergaert")
    qid = await approved(service, panel, ALICE, "Not posed yet")
    with pytest.raises(UserError, match="relay it first"):
        await service.record_answer(qid, lut.id, "Early answer")


async def test_close_clears_the_live_question_and_keeps_unanswered(service: PanelService, panel: Panel) -> None:
    lut = await service.add_panellist(panel, "Lut", user_id=LUT)
    answered = await approved(service, panel, ALICE, "Answered")
    waiting = await approved(service, panel, BOB, "Never posed")
    await service.vote(waiting, CAROL)
    await service.relay(answered, MOD)
    await service.record_answer(answered, lut.id, "Yes.")
    posed_only = await approved(service, panel, CAROL, "Posed, no time to answer")
    await service.relay(posed_only, MOD)
    closed = await service.close(await service.get(panel.id))
    assert closed.state == "closed" and closed.live_question_id is None
    assert service.live_answerer(CHANNEL, LUT) is None
    assert [q.id for q in await service.unanswered(panel.id)] == [waiting, posed_only]
    with pytest.raises(UserError, match="closed"):
        await service.ask(closed, DAN, "Too late?")
    with pytest.raises(UserError, match="closed"):
        await service.close(closed)


async def test_panellists_and_presentations(service: PanelService, panel: Panel) -> None:
    prugl = await service.add_panellist(
        panel, "Elisabeth Prügl", title="Professor", organisation="Graduate Institute, Geneva"
    )
    with pytest.raises(UserError):
        await service.add_panellist(panel, "elisabeth prügl")
    saved = await service.set_presentation(prugl.id, "- Gender training is politics.\n\n• Resistance is political.\n")
    assert saved.key_points == ("Gender training is politics.", "Resistance is political.")
    assert saved.heading == "Elisabeth Prügl, Professor, Graduate Institute, Geneva"
    assert key_points("1. Keep numbering") == ("1. Keep numbering",)


async def test_live_map_is_rebuilt_from_the_database(db: Database, service: PanelService, panel: Panel) -> None:
    await service.add_panellist(panel, "Lut", user_id=LUT)
    qid = await approved(service, panel, ALICE, "Survives a restart?")
    await service.relay(qid, MOD)
    fresh = PanelService(db, service.config, clock, service.profiles)
    await fresh.load()
    assert fresh.live_answerer(CHANNEL, LUT) is not None
