"""Every member's language: a trilingual dialogue as moderators give its content in each language
(``/dialogue translate``), as members read its posts, and its report per language."""

from __future__ import annotations

from datetime import timedelta

from bot.report.markdown import render_markdown
from tests.conftest import Community, set_locale
from tests.e2e.test_dialogues_week import (
    CLOSING,
    QUESTION_TIMES,
    QUESTIONS,
    advance_to,
    answer,
    bot_posts,
    create_week,
)

TITLE = "Beijing+20"
ES_Q1 = "¿Qué tipos de resistencias se manifiestan durante la formación para la igualdad de género?"
FR_Q1 = "Quels types de résistances se manifestent pendant la formation à l’égalité de genre ?"


async def translate(community: Community, item: str, language: str, text: str) -> str:
    result = await community.moderator.slash(
        community.general, "dialogue translate", dialogue=TITLE, item=item, language=language, text=text
    )
    assert result.ephemeral
    return answer(result)


async def test_a_trilingual_dialogue_gives_its_content_in_each_language(community: Community) -> None:
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await create_week(community, title=TITLE, languages="en es fr", schedule=False)

    # The item autocomplete lists every translatable item and what each lacks.
    choices = await community.moderator.autocomplete(
        community.general, "dialogue translate", "item", "", dialogue=TITLE
    )
    names = [c["name"] for c in choices]
    assert names[0].startswith("Title · lacks es fr · Beijing+20"), names
    assert any(n.startswith("Guiding question 1 · lacks es fr · What kinds") for n in names), names
    refs = {c["name"].split(" · ")[0]: c["value"] for c in choices}

    await translate(community, refs["Title"], "es", "Beijing+20 (versión en español)")
    done = await translate(community, refs["Guiding question 1"], "es", ES_Q1)
    assert ES_Q1[:60] in done and "lacks fr" in done
    await translate(community, refs["Guiding question 1"], "fr", FR_Q1)
    # A Spanish-speaking moderator sees the list in Spanish; question 1 is complete now.
    set_locale(community.moderator, "es-ES")
    choices = await community.moderator.autocomplete(
        community.general, "dialogue translate", "item", "1", dialogue=TITLE
    )
    assert any(c["name"].startswith("Pregunta orientadora 1 · completo") for c in choices), choices
    set_locale(community.moderator, "en-US")

    # Bad input: a language the dialogue is not held in, the original language, an unknown item.
    for item, language in [(refs["Title"], "en"), ("question:999", "es")]:
        await community.moderator.slash(
            community.general, "dialogue translate", dialogue=TITLE, item=item, language=language, text="x"
        )
    assert len(community.user_errors()) == 2
    assert await community.bot.db.fetchval("SELECT count(*) FROM translations") == 3

    # Scheduling warns about what is missing, and does not block.
    scheduled = await community.moderator.slash(community.general, "dialogue schedule", dialogue=TITLE)
    text = answer(scheduled)
    assert "scheduled" in text and "have no translation in every language" in text
    assert "Guiding question 2: es fr" in text

    await advance_to(community, QUESTION_TIMES[0])
    opening, q1 = bot_posts(community.dialogue, community.bot.user.id)[:2]
    # The opening: one embed per language, each with its title and questions in its language.
    assert [e.title.lower() for e in opening.embeds] == [
        "virtual dialogue: beijing+20", "diálogo virtual: beijing+20 (versión en español)",
        "dialogue virtuel : beijing+20",
    ]
    # The question post: every language the dialogue has, each with its own text where there is one.
    assert q1.content.index(QUESTIONS[0]) < q1.content.index(ES_Q1) < q1.content.index(FR_Q1)
    assert "Pregunta orientadora 1 de 4" in q1.content and "Question directrice 1 sur 4" in q1.content

    # A translation given once the question is out updates the posts already made.
    await advance_to(community, QUESTION_TIMES[1])
    q2_ref = next(c["value"] for c in await community.moderator.autocomplete(
        community.general, "dialogue translate", "item", "2", dialogue=TITLE
    ) if c["name"].startswith("Guiding question 2"))
    await translate(community, q2_ref, "fr", "Quels outils et stratégies partager face aux résistances ?")
    q2 = bot_posts(community.dialogue, community.bot.user.id)[2]
    assert "Quels outils et stratégies partager face aux résistances ?" in q2.content

    # A member answers in Spanish: their words are never translated.
    thread = next(th for th in community.dialogue.threads if th.id == q1.id)
    await community.alice.send(thread, "En mi experiencia, la resistencia nace del miedo.")
    await advance_to(community, CLOSING + timedelta(hours=2))
    report = await community.bot.services.report.compile(await community.bot.db.fetchval("SELECT id FROM dialogues"))
    es, fr = render_markdown(report, "es"), render_markdown(report, "fr")
    assert f"1. *{ES_Q1}*" in es and "Beijing+20 (versión en español)" in es
    assert f"2. *{QUESTIONS[1]} (en inglés)*" in es  # untranslated: the original, marked
    assert f"1. *{FR_Q1}*" in fr and "2. *Quels outils et stratégies partager face aux résistances ?*" in fr
