"""``/dialogue`` as moderators use it: bad input refused (localized, nothing changed), access, status."""

from __future__ import annotations

import discord
import pytest
import simcord.backend.errors

from bot.errors import UserError
from cogs.kit.access import NotModeratorCheck
from tests.conftest import Community, set_locale
from tests.e2e.test_dialogues_week import QUESTIONS, answer, create_week

GOOD = {"title": "Resistances in Training", "starts": "2026-01-05 09:00", "ends": "2026-01-12 09:00"}


async def counts(community: Community) -> tuple[int, int, int]:
    db = community.bot.db
    return (
        await db.fetchval("SELECT count(*) FROM dialogues"),
        await db.fetchval("SELECT count(*) FROM questions"),
        await db.fetchval("SELECT count(*) FROM schedule_items"),
    )


async def refused(community: Community, command: str, **options: object) -> str:
    """Run a command that must be refused: the answer is ephemeral and the error a UserError."""
    seen = len(community.env.errors_since(0))
    result = await community.moderator.slash(community.general, command, **options)
    assert result.ephemeral
    new = community.user_errors()[seen:]
    assert len(new) == 1 and isinstance(new[0], UserError), new
    return answer(result)


async def test_bad_input_to_create_is_refused_in_the_moderators_language_and_changes_nothing(
    community: Community,
) -> None:
    set_locale(community.moderator, "es-ES")
    await create_week(community, schedule=False)
    before = await counts(community)

    text = await refused(community, "dialogue create", **{**GOOD, "title": "New", "timezone": "Mars/Olympus"})
    assert "Mars/Olympus" in text and "Zona horaria desconocida" in text
    text = await refused(community, "dialogue create", **{**GOOD, "title": "New", "starts": "5 January"})
    assert "5 January" in text and "no es una fecha" in text
    text = await refused(community, "dialogue create", **{**GOOD, "title": "New", "ends": "2026-02-30"})
    assert "2026-02-30" in text
    text = await refused(community, "dialogue create", **{**GOOD, "title": "resistances in TRAINING"})
    assert "Ya existe" in text
    # The channel option offers only text and forum channels: Discord itself refuses a voice channel.
    voice = community.guild.create_voice_channel("voice")
    with pytest.raises(simcord.backend.errors.OptionError, match="channel types"):
        await community.moderator.slash(community.general, "dialogue create", **{**GOOD, "title": "New",
                                                                                   "channel": voice})
    text = await refused(community, "dialogue create", **{**GOOD, "title": "New", "ends": "2026-01-04"})
    assert "debe terminar después" in text
    text = await refused(community, "dialogue create", **{**GOOD, "title": "New", "languages": "en de"})
    assert "de" in text
    # Every problem at once.
    text = await refused(community, "dialogue create", title="resistances in training", starts="soon",
                         ends="later", timezone="Nowhere", languages="en de")
    assert len(text.splitlines()) >= 3
    assert await counts(community) == before


async def test_a_question_number_that_does_not_exist_is_refused(community: Community) -> None:
    await create_week(community, schedule=False)
    before = await counts(community)
    text = await refused(community, "dialogue question remove", dialogue=GOOD["title"], number=7)
    assert "no question 7" in text and "4 question" in text
    text = await refused(community, "dialogue question list", dialogue="No such dialogue")
    assert "No such dialogue" in text
    assert await counts(community) == before


async def test_removing_a_question_renumbers_the_rest(community: Community) -> None:
    await create_week(community, schedule=False)
    await community.moderator.slash(community.general, "dialogue question remove", dialogue=GOOD["title"], number=2)
    listing = answer(await community.moderator.slash(community.general, "dialogue question list",
                                                     dialogue=GOOD["title"]))
    assert f"2. {QUESTIONS[2]}" in listing and QUESTIONS[1] not in listing


async def test_schedule_lists_every_problem_at_once(community: Community) -> None:
    # A channel where the bot may not create threads nor embed links.
    me = community.bot.get_guild(community.guild.id).me
    locked = community.guild.create_text_channel(
        "locked", overwrites={me: discord.PermissionOverwrite(create_public_threads=False, embed_links=False)}
    )
    await community.moderator.slash(community.general, "dialogue create", title="Too soon",
                                    starts="2025-12-30", ends="2026-01-10", channel=locked)
    await community.moderator.slash(community.general, "dialogue question add", dialogue="Too soon",
                                    text="x" * 1500)
    await community.moderator.slash(community.general, "dialogue question remove", dialogue="Too soon", number=1)
    await community.moderator.slash(community.general, "dialogue create", title="Long", starts="2026-02-01",
                                    ends="2026-02-08")
    await community.moderator.slash(community.general, "dialogue question add", dialogue="Long", text="y" * 1500)

    set_locale(community.moderator, "fr")
    text = await refused(community, "dialogue schedule", dialogue="Too soon")
    assert "questions directrices" in text  # no questions
    assert "passé" in text  # the start is in the past
    assert "Créer des fils publics" in text and "Intégrer des liens" in text
    assert "Envoyer des messages" not in text
    assert await community.bot.db.fetchval("SELECT count(*) FROM schedule_items") == 0
    assert await community.bot.db.fetchval("SELECT state FROM dialogues WHERE title = 'Too soon'") == "draft"


async def test_a_question_too_long_for_discord_is_refused_at_schedule(community: Community) -> None:
    await community.moderator.slash(community.general, "dialogue create", title="Long", starts="2026-02-01",
                                    ends="2026-02-08", languages="en es fr")
    await community.moderator.slash(community.general, "dialogue question add", dialogue="Long", text="y " * 900)
    text = await refused(community, "dialogue schedule", dialogue="Long")
    assert "Question 1 is too long" in text


async def test_members_are_refused_on_the_server_side(community: Community) -> None:
    assert "dialogue create" not in community.alice.available_commands(community.general)
    community.open_to_everyone("dialogue")
    result = await community.alice.slash(community.general, "dialogue create", **GOOD)
    assert result.ephemeral and "Only moderators" in answer(result)
    assert [type(e) for e in community.user_errors()] == [NotModeratorCheck]
    result = await community.alice.slash(community.general, "dialogue list")
    assert "Only moderators" in answer(result)
    community.user_errors()
    assert await counts(community) == (0, 0, 0)


async def test_status_and_list_read_the_store(community: Community) -> None:
    await create_week(community)
    db = community.bot.db
    dialogue_id = await db.fetchval("SELECT id FROM dialogues")
    q1 = await db.fetchval("SELECT id FROM questions WHERE position = 1")
    theme = await db.fetchval("SELECT id FROM themes WHERE key = 'challenges'")
    # Two members' contributions, as the contributions feature stores them; one is tagged.
    for i, author in enumerate((community.alice, community.bob)):
        await db.execute(
            """INSERT INTO contributions (dialogue_id, question_id, guild_id, channel_id, message_id, author_id,
                                          author_name, content, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, 'words', '2026-01-05T10:00:00+00:00')""",
            (dialogue_id, q1, community.guild.id, community.dialogue.id, 1000 + i, author.id, author.name),
        )
    await db.execute(
        "INSERT INTO contribution_tags (contribution_id, theme_id, source, created_at) "
        "VALUES ((SELECT id FROM contributions WHERE message_id = 1000), ?, 'moderator', '2026-01-05')",
        (theme,),
    )
    text = answer(await community.moderator.slash(community.general, "dialogue status", dialogue=str(dialogue_id)))
    assert "scheduled" in text and "Next post: Opening post" in text
    assert f"1. {QUESTIONS[0][:40]}" in text and "— 2" in text
    assert "⚠️ Challenges — 1" in text
    assert "Participants: 2" in text and "Untagged contributions: 1" in text and "Panel questions waiting: 0" in text

    listing = answer(await community.moderator.slash(community.general, "dialogue list"))
    assert "Resistances in Training" in listing and "scheduled" in listing


async def test_dialogue_and_question_options_autocomplete(community: Community) -> None:
    await create_week(community, schedule=False)
    choices = await community.moderator.autocomplete(community.general, "dialogue status", "dialogue", "resist")
    assert [c["name"] for c in choices] == ["Resistances in Training"]
    dialogue_id = choices[0]["value"]
    numbers = await community.moderator.autocomplete(
        community.general, "dialogue question remove", "number", "tools", dialogue=dialogue_id
    )
    assert [c["value"] for c in numbers] == [2]


async def test_themes_default_and_custom(community: Community) -> None:
    await create_week(community, schedule=False)
    set_locale(community.moderator, "es-ES")
    listing = answer(await community.moderator.slash(community.general, "dialogue theme list",
                                                     dialogue=GOOD["title"]))
    assert "💡" in listing and "Desafíos" in listing
    await community.moderator.slash(community.general, "dialogue theme add", dialogue=GOOD["title"],
                                    name="Institutional change", emoji="🏛️")
    text = await refused(community, "dialogue theme add", dialogue=GOOD["title"], name="Desafíos")
    assert "Desafíos" in text
    listing = answer(await community.moderator.slash(community.general, "dialogue theme remove",
                                                     dialogue=GOOD["title"], name="Desafíos"))
    assert "Desafíos" not in listing and "🏛️ Institutional change" in listing


async def test_an_ambiguous_dialogue_is_refused_alike_by_status_and_report(community: Community) -> None:
    """Digits that are one dialogue's id and another's title name no dialogue for sure: every command
    refuses them with the same message naming both; ``#id`` (what autocomplete sends) is exact."""
    await create_week(community, schedule=False)
    (first,) = await community.bot.services.dialogues.list_for_guild(community.guild.id)
    created = await community.moderator.slash(community.general, "dialogue create", title=str(first.id),
                                              starts="2026-02-02 09:00", ends="2026-02-09 09:00", timezone="UTC",
                                              channel=community.dialogue)
    assert created.ephemeral
    set_locale(community.moderator, "fr")
    status = await refused(community, "dialogue status", dialogue=str(first.id))
    preview = await refused(community, "report preview", dialogue=str(first.id))
    assert status == preview
    assert "Plusieurs dialogues" in status and "Resistances in Training" in status and f"#{first.id}" in status
    choices = await community.moderator.autocomplete(community.general, "report preview", "dialogue", "resist")
    assert [c["value"] for c in choices] == [f"#{first.id}"]
    shown = answer(await community.moderator.slash(community.general, "dialogue status", dialogue=f"#{first.id}"))
    assert "Resistances in Training" in shown
