"""The dialogue service on a real SQLite file: validation before writing, questions, themes, schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config
from bot.dialogues.content import DialogueContentService
from bot.dialogues.lifecycle import DialogueScheduleService, MissingPermissions
from bot.dialogues.service import DialogueService
from bot.errors import UserError
from bot.store import Database

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def service(db: Database, config: Config, clock: list[datetime]) -> DialogueService:
    return DialogueService(db, config, lambda: clock[0])


@pytest.fixture
def timeline(db: Database, config: Config, clock: list[datetime], service: DialogueService) -> DialogueScheduleService:
    return DialogueScheduleService(db, service, config, lambda: clock[0])


@pytest.fixture
def content(
    db: Database, clock: list[datetime], service: DialogueService, timeline: DialogueScheduleService
) -> DialogueContentService:
    return DialogueContentService(db, lambda: clock[0], service, timeline)


async def make(service: DialogueService, title: str = "Resistances", **kwargs: object):  # type: ignore[no-untyped-def]
    options = {"starts": "2026-01-05 09:00", "ends": "2026-01-12 09:00", "timezone": "UTC",
               "channel_id": 10, "channel_kind": "text", **kwargs}
    return await service.create(1, title=title, **options)  # type: ignore[arg-type]


async def test_create_stores_a_draft_with_the_default_themes(service: DialogueService) -> None:
    d = await make(service, languages="es en", description="Objective.")
    assert d.state == "draft" and d.languages == ("es", "en") and d.language == "es"
    assert d.starts_at == datetime(2026, 1, 5, 9, tzinfo=UTC)
    themes = await service.themes(d.id)
    assert [th.key for th in themes] == ["understanding", "challenges", "recommendations", "good_practices",
                                         "resources"]
    assert [th.emoji for th in themes] == ["💡", "⚠️", "✅", "🌟", "📚"]
    assert service.theme_name(themes[1], "en") == "Challenges"
    assert (await service.resolve(1, "RESISTANCES")).id == d.id
    assert (await service.resolve(1, str(d.id))).id == d.id
    with pytest.raises(UserError):
        await service.resolve(2, str(d.id))  # another guild's dialogue


async def test_create_reports_every_problem_and_writes_nothing(service: DialogueService, db: Database) -> None:
    await make(service)
    with pytest.raises(UserError) as raised:
        await make(service, title="resistances", timezone="Mars/Base", channel_kind="other", languages="de")
    assert len(raised.value.problems) == 4
    with pytest.raises(UserError) as raised:
        await make(service, title="Other", starts="2026-01-12", ends="2026-01-05")
    assert "end after" in str(raised.value)
    assert await db.fetchval("SELECT count(*) FROM dialogues") == 1
    assert await db.fetchval("SELECT count(*) FROM themes") == 5


async def test_the_guild_time_zone_and_language_are_the_defaults(service: DialogueService, db: Database) -> None:
    await db.execute("INSERT INTO guild_settings (guild_id, language, timezone, updated_at) VALUES (1, 'fr', "
                     "'Europe/Paris', 'x')")
    d = await make(service, timezone=None)
    assert d.timezone == "Europe/Paris" and d.languages == ("fr",)
    assert d.starts_at == datetime(2026, 1, 5, 8, tzinfo=UTC)


async def test_questions_are_numbered_and_renumbered(service: DialogueService, content: DialogueContentService) -> None:
    d = await make(service)
    for text in ("one", "two", "three"):
        await content.add_question(d.id, text)
    removed = await content.remove_question(d.id, 2)
    assert removed.text == "two"
    assert [(q.position, q.text) for q in await service.questions(d.id)] == [(1, "one"), (2, "three")]
    with pytest.raises(UserError) as raised:
        await content.remove_question(d.id, 5)
    assert raised.value.params == {"number": 5, "count": 2}
    with pytest.raises(UserError):
        await content.add_question(d.id, "late", post_at="2026-02-01 10:00")  # outside the dialogue


async def test_schedule_refuses_with_every_problem(
    service: DialogueService, timeline: DialogueScheduleService, clock: list[datetime]
) -> None:
    d = await make(service)
    clock[0] = datetime(2026, 1, 6, tzinfo=UTC)
    with pytest.raises(UserError) as raised:
        await timeline.schedule(d.id, missing_permissions=["Embed Links"], too_long=[3])
    problems = raised.value.problems
    assert len(problems) == 4  # no questions, start in the past, question 3 too long, permissions
    assert any(isinstance(p, MissingPermissions) for p in problems)
    assert "Intégrer des liens" in raised.value.render("fr")
    assert await timeline.items(d.id) == []
    assert (await service.require(d.id)).state == "draft"


async def test_schedule_writes_the_timeline_and_later_changes_retime_unposted_questions(
    service: DialogueService, content: DialogueContentService, timeline: DialogueScheduleService
) -> None:
    d = await make(service)
    for text in ("one", "two"):
        await content.add_question(d.id, text)
    items = await timeline.schedule(d.id)
    assert [i.kind for i in items] == ["opening", "question", "question", "reminder", "closing"]
    assert (await service.require(d.id)).state == "scheduled"
    await content.add_question(d.id, "three")
    question_times = [i.run_at for i in await timeline.items(d.id) if i.kind == "question"]
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert question_times == [start, start + timedelta(days=2), start + timedelta(days=4)]  # days 1, 3, 5 at 09:00


async def test_recording_items_opens_links_and_closes(
    service: DialogueService, content: DialogueContentService, timeline: DialogueScheduleService
) -> None:
    d = await make(service)
    await content.add_question(d.id, "one")
    opening, question, *_rest, closing = await timeline.schedule(d.id)
    await timeline.complete_item(opening, 500, None)
    assert (await service.require(d.id)).state == "open"
    await timeline.complete_item(question, 501, 501)
    assert (await service.questions(d.id))[0].thread_id == 501
    await timeline.skip_item(closing, "missed")
    assert (await service.require(d.id)).state == "closed"


async def test_close_a_draft_or_an_open_dialogue(
    service: DialogueService, content: DialogueContentService, timeline: DialogueScheduleService
) -> None:
    draft = await make(service, title="Draft")
    outcome = await timeline.close(draft.id)
    assert not outcome.post_closing and outcome.dialogue.state == "closed"
    with pytest.raises(UserError):
        await timeline.close(draft.id)

    d = await make(service)
    await content.add_question(d.id, "one")
    opening, *_ = await timeline.schedule(d.id)
    await timeline.complete_item(opening, 1, None)
    outcome = await timeline.close(d.id)
    assert outcome.post_closing and outcome.cancelled == 2  # the question and the reminder
    pending = [i for i in await timeline.items(d.id) if i.status == "pending"]
    assert [(i.kind, i.run_at) for i in pending] == [("closing", NOW)]


async def test_themes_are_unique_by_name_in_any_language_and_emoji(
    service: DialogueService, content: DialogueContentService
) -> None:
    d = await make(service)
    with pytest.raises(UserError):
        await content.add_theme(d.id, "Desafíos")  # the Spanish name of a default theme
    with pytest.raises(UserError):
        await content.add_theme(d.id, "Ideas", "💡")
    theme = await content.add_theme(d.id, "Institutional change!", "🏛️")
    assert theme.key == "institutional_change"
    assert (await content.find_theme(d.id, "🏛️")).id == theme.id
    await content.remove_theme(d.id, "good practices")
    assert "good_practices" not in [th.key for th in await service.themes(d.id)]


async def test_resolve_takes_an_id_or_a_title_and_refuses_what_names_two(service: DialogueService) -> None:
    first = await make(service)
    numbered = await make(service, title=str(first.id))
    for ref in (f"#{first.id}", f" #{first.id} ", "RESISTANCES"):
        assert (await service.resolve(1, ref)).id == first.id
    assert (await service.resolve(1, f"#{numbered.id}")).id == numbered.id
    with pytest.raises(UserError) as refused:
        await service.resolve(1, str(first.id))  # first's id, numbered's title
    assert refused.value.params["matches"] == f"“Resistances” (#{first.id}), “{first.id}” (#{numbered.id})"
    with pytest.raises(UserError):
        await service.resolve(1, "#")
    with pytest.raises(UserError):
        await service.resolve(1, "#99999999999999999999")  # not an id, nor a title here
    hashed = await make(service, title="#MeToo at work")
    assert (await service.resolve(1, "#metoo AT WORK")).id == hashed.id
