"""Every member's language: a trilingual dialogue as moderators give its content in each language
(``/dialogue translate``), as members read its posts, and its report per language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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


# ------------------------------------------------------------------------------------ command mentions


async def test_replies_name_commands_as_mentions_each_member_sees_in_their_language(community: Community) -> None:
    dialogue_id = community.commands["dialogue"].id
    set_locale(community.moderator, "es-ES")
    created = await community.moderator.slash(
        community.general, "dialogue create", title=TITLE, starts="2026-01-05 09:00", ends="2026-01-12 09:00",
        timezone="UTC", channel=community.dialogue,
    )
    text = answer(created)
    # The Spanish sentence, with the commands as mentions (Discord shows "/dialogo pregunta agregar").
    assert "Siguiente paso" in text
    assert f"</dialogue question add:{dialogue_id}>" in text and f"</dialogue schedule:{dialogue_id}>" in text
    assert "/dialogue question add," not in text
    # An error names a command too.
    refused = await community.moderator.slash(community.general, "dialogue schedule", dialogue=TITLE)
    assert f"</dialogue question add:{dialogue_id}>" in answer(refused)
    community.user_errors()
    # /colloquy lists the commands as mentions.
    help_text = (await community.alice.slash(community.general, "colloquy")).response.embeds[0].description
    assert f"</ask:{community.commands['ask'].id}>" in help_text
    assert f"</profile set:{community.commands['profile'].id}>" in help_text


async def test_the_opening_post_names_the_profile_command_as_a_mention(community: Community) -> None:
    await create_week(community, title=TITLE, languages="en fr")
    await advance_to(community, QUESTION_TIMES[0])
    opening = bot_posts(community.dialogue, community.bot.user.id)[0]
    mention = f"</profile set:{community.commands['profile'].id}>"
    assert all(mention in embed.description for embed in opening.embeds)


async def test_without_known_command_ids_commands_stay_plain_text(community: Community) -> None:
    community.bot.mentions.ids.clear()
    community.bot.mentions.set_ids({})
    result = await community.moderator.slash(community.general, "dialogue list")
    assert "/dialogue create" in answer(result) and "</" not in answer(result)


# ------------------------------------------------------------------------------------ moderator role


async def test_setup_and_colloquy_tell_how_a_moderator_role_sees_the_moderator_commands(community: Community) -> None:
    role = community.guild.create_role("Co-hosts")
    dora = community.guild.add_member(community.env.create_user("dora"), roles=[role])
    set_locale(community.moderator, "fr")
    done = await community.moderator.slash(community.general, "setup", moderator_role=role)
    text = answer(done)
    assert "Paramètres du serveur → Intégrations → " in text and f"<@&{role.id}>" in text

    # Dora moderates through the role only: Discord hides the moderator commands from her, and
    # /colloquy tells her (in Spanish) exactly what to ask an administrator.
    assert "dialogue list" not in dora.available_commands(community.general)
    set_locale(dora, "es-ES")
    help_text = (await dora.slash(community.general, "colloquy")).response.embeds[0].description
    assert "Ajustes del servidor → Integraciones → " in help_text and "Roles y miembros" in help_text

    # The administrator does it: Dora sees them. (Discord's step allows the role for the whole app;
    # SimCord 3.2 applies overrides per command only, so the test allows it on each moderator command.)
    for name in ("dialogue", "report", "panel", "setup"):
        community.guild.set_command_permissions(community.commands[name], {role: True})
    assert "dialogue list" in dora.available_commands(community.general)
    result = await dora.slash(community.general, "dialogue list")
    assert result.ephemeral and not community.user_errors()


# ------------------------------------------------------------------------------------ reactions


async def test_any_reaction_is_support_and_thumbs_down_is_disagreement(community: Community) -> None:
    await create_week(community, title=TITLE)
    await advance_to(community, QUESTION_TIMES[0])
    q1 = bot_posts(community.dialogue, community.bot.user.id)[1]
    thread = next(th for th in community.dialogue.threads if th.id == q1.id)
    post = await community.alice.send(thread, "Peer learning circles worked for us.")
    await community.bob.react(post, "👍")
    await community.carol.react(post, "❤️")
    await community.moderator.react(post, "👍")
    await community.bob.react(post, "👎")  # Bob both agrees and disagrees: both are kept
    await community.carol.react(post, "👎🏾")
    await community.alice.react(post, "👍")  # the author's own: nothing
    db = community.bot.db
    supporters = await db.fetchall("SELECT DISTINCT user_id FROM contribution_support ORDER BY user_id")
    assert {r["user_id"] for r in supporters} == {community.bob.id, community.carol.id, community.moderator.id}
    against = await db.fetchall("SELECT user_id, emoji FROM contribution_disagreement")
    assert {(r["user_id"], r["emoji"]) for r in against} == {(community.bob.id, "👎"), (community.carol.id, "👎🏾")}

    await community.carol.unreact(post, "👎🏾")
    assert await db.fetchval("SELECT count(*) FROM contribution_disagreement") == 1

    # The moderator tags it; the report quotes it with its support (three members).
    await community.moderator.react(post, "🌟")
    report = await community.bot.services.report.compile(await db.fetchval("SELECT id FROM dialogues"))
    quotes = [q for th in report.themes for q in th.quotes if q.text.startswith("Peer learning")]
    assert [q.support for q in quotes] == [3]


# ------------------------------------------------------------------------------------ panel time


async def test_the_panel_time_is_a_discord_timestamp_with_the_event_link(community: Community) -> None:
    await community.moderator.slash(
        community.general, "dialogue create", title=TITLE, starts="2026-01-05 09:00", ends="2026-01-12 09:00",
        timezone="America/New_York", channel=community.dialogue,
    )
    channel = community.guild.create_text_channel("live-panel")
    created = await community.moderator.slash(
        community.general, "panel create", dialogue=TITLE, starts="2026-01-06 10:00", ends="2026-01-06 11:30",
        channel=channel,
    )
    start = int(datetime(2026, 1, 6, 15, 0, tzinfo=UTC).timestamp())  # 10:00 in New York
    end = int(datetime(2026, 1, 6, 16, 30, tzinfo=UTC).timestamp())
    event_id = await community.bot.db.fetchval("SELECT event_id FROM panels")
    link = f"https://discord.com/events/{community.guild.id}/{event_id}"
    assert event_id and f"<t:{start}:F> – <t:{end}:t> (<t:{start}:R>)" in answer(created) and link in answer(created)
    announcement = next(m for m in channel.history() if m.author.id == community.bot.user.id)
    assert f"<t:{start}:F>" in announcement.content and link in announcement.content
    assert "America/New_York" not in announcement.content and "AM" not in announcement.content


# ------------------------------------------------------------------------------------ closing early


async def test_closing_early_asks_first_and_the_report_keeps_to_what_happened(community: Community) -> None:
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await create_week(community, title=TITLE, languages="en es fr")
    await advance_to(community, QUESTION_TIMES[1] + timedelta(hours=3))  # two of four questions are out
    asked = await community.moderator.slash(community.general, "dialogue close", dialogue=TITLE)
    assert asked.ephemeral and "planned to run until <t:" in asked.response.content
    assert "expires <t:" in asked.response.content
    db = community.bot.db
    assert await db.fetchval("SELECT state FROM dialogues") == "open"  # nothing happens before an answer

    # "Keep it open" changes nothing; a late "Close now" closes nothing and says so.
    kept = await community.moderator.click(asked.response, label="Keep it open")
    assert "stays open" in community.env.backend.get_message(asked.response.channel_id, asked.response.id).content
    assert kept is not None and await db.fetchval("SELECT state FROM dialogues") == "open"
    late = await community.moderator.slash(community.general, "dialogue close", dialogue=TITLE)
    await community.env.advance_time(6 * 60)
    await community.moderator.click(late.response, label="Close now")
    shown = community.env.backend.get_message(late.response.channel_id, late.response.id).content
    assert "expired and nothing was closed" in shown and "</dialogue close:" in shown
    assert await db.fetchval("SELECT state FROM dialogues") == "open"

    again = await community.moderator.slash(community.general, "dialogue close", dialogue=TITLE)
    await community.moderator.click(again.response, label="Close now")
    assert "is closed" in community.env.backend.get_message(again.response.channel_id, again.response.id).content
    closed_at = await db.fetchval("SELECT closed_at FROM dialogues")
    assert closed_at is not None

    # Published once: one post in English (the first language), Spanish and French as files.
    posted = [m for m in community.summary.history() if m.author.id == community.bot.user.id]
    text = "\n".join(m.content for m in posted)
    assert text.count("# Virtual Dialogue: Beijing+20") == 1
    assert "Diálogo" not in text and "Dialogue virtuel" not in text
    assert "Also in Spanish, French: see the attached files." in posted[-1].content
    assert sorted(a.filename for a in posted[-1].attachments) == sorted(
        f"beijing-20-{lang}.{ext}" for lang in ("en", "es", "fr") for ext in ("md", "html")
    )
    # The report covers what happened: the real dates (closed on 6 Jan, not the planned 12 Jan) and only
    # the two questions that were posted (no "No key points yet" under a question never asked).
    assert "## 5 - 6 January 2026" in text, text[:300]
    assert QUESTIONS[0] in text and QUESTIONS[1] in text
    assert QUESTIONS[2] not in text and QUESTIONS[3] not in text


async def test_tag_menus_name_the_moderators_own_themes_in_the_readers_language(community: Community) -> None:
    await create_week(community, title=TITLE, languages="en es")
    await community.moderator.slash(community.general, "dialogue theme add", dialogue=TITLE,
                                    name="Institutional change", emoji="🏛️")
    choices = await community.moderator.autocomplete(
        community.general, "dialogue translate", "item", "Institutional", dialogue=TITLE
    )
    ref = next(c["value"] for c in choices if "Institutional change" in c["name"])
    await translate(community, ref, "es", "Cambio institucional")
    await advance_to(community, QUESTION_TIMES[0])
    q1 = bot_posts(community.dialogue, community.bot.user.id)[1]
    thread = next(th for th in community.dialogue.threads if th.id == q1.id)
    post = await community.alice.send(thread, "Las instituciones cambian despacio.")

    set_locale(community.moderator, "es-ES")
    shown = await community.moderator.context_menu(thread, "Tag contribution", post)
    assert {"Cambio institucional", "Desafíos"} <= labels(shown.response.components)
    queue = await community.moderator.slash(community.general, "contributions untagged", dialogue=TITLE)
    assert {"Cambio institucional", "Desafíos"} <= labels(queue.response.components)
    set_locale(community.moderator, "en-US")
    shown = await community.moderator.context_menu(thread, "Tag contribution", post)
    assert {"Institutional change", "Challenges"} <= labels(shown.response.components)


def labels(components: Any) -> set[str]:
    """Every label (select options, buttons) in a message's raw components."""
    found: set[str] = set()
    for component in components or []:
        if isinstance(component, dict):
            if "label" in component:
                found.add(component["label"])
            for key in ("components", "options"):
                found |= labels(component.get(key))
    return found
