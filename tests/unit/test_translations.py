"""A dialogue's content in its languages: items, what each lacks, translations, and the report per language."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.errors import UserError
from bot.report.discord_text import render_week
from bot.report.markdown import render_markdown
from bot.store import Database
from tests.unit._report_story import Story, build_story


@pytest.fixture
async def story(db: Database, config: Config) -> Story:
    return await build_story(db, config)


async def test_every_translatable_item_is_listed_with_what_it_lacks(story: Story) -> None:
    s = story.services
    dialogue = await s.dialogues.require(story.dialogue_id)
    items = await s.translations.items(dialogue)
    kinds = [it.kind for it in items]
    assert kinds[:2] == ["title", "description"]
    assert kinds.count("question") == len(await s.dialogues.questions(dialogue.id))
    # The moderator's key point only: a marked contribution is a member's words.
    assert [it.original for it in items if it.kind == "key_point"] == [
        "Resistance can be born from fear of losing power."
    ]
    assert [it.original for it in items if it.kind == "further_question"] == [
        "How can resistances be built into training methods?"
    ]
    presentations = [it for it in items if it.kind == "presentation"]
    assert presentations[0].original == "Gender training is politics.\nTreat it as democratic politics."
    assert all(it.missing(dialogue) == ("es", "fr") for it in items)

    await s.translations.translate(dialogue, "title:0", "es", "  Resistencias en la formación ")
    await s.translations.translate(dialogue, presentations[0].ref, "fr",
                                   "- La formation au genre est politique.\n- La traiter en politique démocratique.")
    after = {it.ref: it for it in await s.translations.items(dialogue)}
    assert after["title:0"].missing(dialogue) == ("fr",)
    assert after["title:0"].translations == {"es": "Resistencias en la formación"}
    assert after[presentations[0].ref].translations["fr"] == (
        "La formation au genre est politique.\nLa traiter en politique démocratique."
    )
    assert len(await s.translations.missing(dialogue)) == len(items)  # the title still lacks French


async def test_bad_translations_are_refused_and_change_nothing(story: Story) -> None:
    s = story.services
    dialogue = await s.dialogues.require(story.dialogue_id)
    for ref, language, text in [
        ("title:0", "de", "Titel"),  # not one of the dialogue's languages
        ("title:0", "en", "Another title"),  # the original language
        ("title:0", "es", "   "),  # empty
        ("title:0", "es", "x" * 101),  # longer than a title may be
        ("question:999999", "es", "¿?"),  # no such item
    ]:
        with pytest.raises(UserError):
            await s.translations.translate(dialogue, ref, language, text)
    assert await s.db.fetchval("SELECT count(*) FROM translations") == 0


async def test_a_changed_original_makes_its_translation_missing_again(story: Story) -> None:
    s = story.services
    dialogue = await s.dialogues.require(story.dialogue_id)
    question = (await s.dialogues.questions(dialogue.id))[0]
    await s.translations.translate(dialogue, f"question:{question.id}", "es", "¿Qué resistencias?")
    await s.db.execute("UPDATE questions SET text = 'Reworded' WHERE id = ?", (question.id,))
    item = next(it for it in await s.translations.items(dialogue) if it.item_id == question.id)
    assert item.missing(dialogue) == ("es", "fr")


async def test_a_report_in_a_language_uses_its_texts_and_marks_the_rest(story: Story) -> None:
    s = story.services
    dialogue = await s.dialogues.require(story.dialogue_id)
    first = (await s.dialogues.questions(dialogue.id))[0]
    await s.translations.translate(dialogue, "title:0", "es", "Resistencias en la formación")
    await s.translations.translate(dialogue, f"question:{first.id}", "es",
                                   "¿Qué tipos de resistencias se manifiestan durante la formación?")
    report = await s.report.compile(dialogue.id)
    es = render_markdown(report, "es")
    assert "Resistencias en la formación" in es
    assert "1. *¿Qué tipos de resistencias se manifiestan durante la formación?*" in es
    assert "What kinds of resistances are manifested during training?" not in es
    # Not translated into Spanish: the original, marked.
    assert "How can resistances be built into training methods? (en inglés)" in es
    assert "Resistance can be born from fear of losing power. (en inglés)" in es
    # Members' words are never translated nor marked.
    assert "Repositories of training materials are vital:" in es  # a marked key point: a member's words
    assert "Repositories of training materials are vital: http://www.genreenaction.net/spip.php?article7700 (" \
        not in es
    en = render_markdown(report, "en")
    assert "(in English)" not in en and "Resistencias" not in en
    fr = render_markdown(report, "fr")
    assert "Resistances in Training" in fr  # an untranslated title is a name: shown as it is
    assert "1. *What kinds of resistances are manifested during training? (en anglais)*" in fr


async def test_a_question_translation_must_leave_its_post_within_one_discord_message(story: Story) -> None:
    s = story.services
    dialogue = await s.dialogues.require(story.dialogue_id)
    question = (await s.dialogues.questions(dialogue.id))[0]
    await s.translations.translate(dialogue, f"question:{question.id}", "es", "¿" + "a" * 900 + "?")
    with pytest.raises(UserError) as refused:
        await s.translations.translate(dialogue, f"question:{question.id}", "fr", "b" * 1200)
    assert "too long for one Discord message" in refused.value.render("en")
    item = next(it for it in await s.translations.items(dialogue) if it.item_id == question.id)
    assert set(item.translations) == {"es"}


async def test_the_end_of_week_summary_in_a_language_uses_its_title(story: Story) -> None:
    s = story.services
    dialogue = await s.dialogues.require(story.dialogue_id)
    await s.translations.translate(dialogue, "title:0", "es", "Resistencias en la formación")
    summary = await s.report.week(dialogue.id, 1)
    assert "Resistencias en la formación" in render_week(summary, "es")[0]
    assert "Resistencias" not in render_week(summary, "en")[0] and dialogue.title in render_week(summary, "fr")[0]
