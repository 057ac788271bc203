"""The contributions service on a real SQLite file: capture, batches, edits, deletions, tags, links."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from bot.clock import iso
from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.key_points import KeyPointService
from bot.contributions.model import Incoming
from bot.contributions.service import ContributionService
from bot.contributions.tagging import TaggingService
from bot.contributions.text import KeywordRules, detect_language, extract_urls
from bot.errors import UserError
from bot.store import Database

NOW = datetime(2026, 5, 6, 9, 0, tzinfo=UTC)
GUILD = 10
CHANNEL, THREAD_1, THREAD_2, ELSEWHERE = 100, 101, 102, 999
# Snowflake-sized user ids, so a scan for them never meets a row id.
ALICE, BOB, CAROL, MOD = 811111111111111111, 822222222222222222, 833333333333333333, 899999999999999999
THEMES = [
    ("understanding", "Understanding and conceptualising", "🧠"),
    ("challenges", "Challenges", "⚠️"),
    ("recommendations", "Recommendations", "💡"),
    ("good_practices", "Good practices", "✅"),
    ("resources", "Resources", "📚"),
]
_ids = count(1000)


def clock() -> datetime:
    return NOW


async def make_dialogue(db: Database, *, languages: str = "en", state: str = "open") -> dict[str, int]:
    """A dialogue with two question threads and the default themes, as the dialogues feature leaves it."""
    done = await db.fetchval(
        """INSERT INTO dialogues (guild_id, title, languages, starts_at, ends_at, channel_id, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (GUILD, f"Dialogue {next(_ids)}", languages, iso(NOW), iso(NOW + timedelta(days=7)), CHANNEL, state,
         iso(NOW)),
    )
    dialogue = done
    ids = {"dialogue": dialogue}
    for position, thread in ((1, THREAD_1), (2, THREAD_2)):
        q = await db.fetchval(
            "INSERT INTO questions (dialogue_id, position, text, thread_id) VALUES (?, ?, ?, ?) RETURNING id",
            (dialogue, position, f"Question {position}?", thread),
        )
        ids[f"q{position}"] = q
    for position, (key, name, emoji) in enumerate(THEMES, 1):
        th = await db.fetchval(
            "INSERT INTO themes (dialogue_id, key, name, emoji, position) VALUES (?, ?, ?, ?, ?) RETURNING id",
            (dialogue, key, name, emoji, position),
        )
        ids[key] = th
    return ids


@pytest.fixture
async def service(db: Database) -> ContributionService:
    svc = ContributionService(db, ContributionsConfig(batch_size=3), clock, ProfileService(db, clock))
    return svc


@pytest.fixture
def tagging(db: Database, service: ContributionService) -> TaggingService:
    return TaggingService(db, clock, service.profiles, service)


@pytest.fixture
def key_points(db: Database, service: ContributionService) -> KeyPointService:
    return KeyPointService(db, clock, service)


@pytest.fixture
async def dialogue(db: Database, service: ContributionService) -> dict[str, int]:
    ids = await make_dialogue(db)
    await service.load()
    return ids


def message(channel: int, author: int, content: str, *, mid: int | None = None, **kw) -> Incoming:  # type: ignore[no-untyped-def]
    return Incoming(
        message_id=mid or next(_ids), channel_id=channel, guild_id=GUILD, author_id=author,
        author_name=kw.pop("author_name", f"user{author % 100}"), content=content,
        attachments=kw.pop("attachments", ()), created_at=NOW, **kw,
    )


async def stored(db: Database, sql: str = "SELECT * FROM contributions ORDER BY message_id") -> list[dict]:
    return [dict(r) for r in await db.fetchall(sql)]


# ------------------------------------------------------------------------------------------ capture


async def test_thread_messages_belong_to_their_question_and_channel_messages_to_none(
    db: Database, service: ContributionService, dialogue: dict[str, int]
) -> None:
    assert service.capture(message(THREAD_1, ALICE, "On question one"))
    assert service.capture(message(THREAD_2, BOB, "On question two"))
    assert service.capture(message(CHANNEL, CAROL, "In the channel"))
    assert not service.capture(message(ELSEWHERE, ALICE, "Somewhere else"))
    assert await service.flush() == 3
    rows = await stored(db)
    assert [(r["question_id"], r["author_id"]) for r in rows] == [
        (dialogue["q1"], ALICE), (dialogue["q2"], BOB), (None, CAROL)
    ]
    assert all(r["dialogue_id"] == dialogue["dialogue"] for r in rows)


async def test_nothing_is_written_until_the_batch_is_flushed_and_one_flush_writes_it_all(
    db: Database, service: ContributionService, dialogue: dict[str, int]
) -> None:
    for i in range(5):
        service.capture(message(THREAD_1, ALICE, f"message {i}"))
    assert await db.fetchval("SELECT count(*) FROM contributions") == 0
    assert service.batch_full and service.pending == 5
    assert await service.flush() == 5
    assert service.pending == 0
    assert await db.fetchval("SELECT count(*) FROM contributions") == 5
    assert await service.flush() == 0


async def test_a_failed_flush_keeps_the_batch(db: Database, service: ContributionService, dialogue) -> None:
    service.capture(message(THREAD_1, ALICE, "kept"))
    await db.execute("ALTER TABLE contributions RENAME TO contributions_away")
    with pytest.raises(Exception, match="contributions"):
        await service.flush()
    assert service.pending == 1
    await db.execute("ALTER TABLE contributions_away RENAME TO contributions")
    assert await service.flush() == 1


async def test_closed_and_draft_dialogues_are_not_watched(db: Database, service: ContributionService) -> None:
    await make_dialogue(db, state="closed")
    await service.load()
    assert service.watched_channels() == {}
    assert not service.capture(message(THREAD_1, ALICE, "too late"))


async def test_opted_out_members_are_not_captured(db: Database, service: ContributionService, dialogue) -> None:
    await service.profiles.set_opted_out(GUILD, ALICE, True)
    assert not service.capture(message(THREAD_1, ALICE, "private"))
    assert service.capture(message(THREAD_1, BOB, "public"))
    await service.flush()
    assert [r["author_id"] for r in await stored(db)] == [BOB]


async def test_huge_messages_and_attachment_only_messages_are_stored_whole(
    db: Database, service: ContributionService, dialogue
) -> None:
    huge = "word " * 2000
    service.capture(message(THREAD_1, ALICE, huge))
    url = "https://cdn.example.org/attachments/1/2/report.pdf"
    service.capture(message(THREAD_1, BOB, "", attachments=(url,)))
    await service.flush()
    rows = await stored(db)
    assert rows[0]["content"] == huge
    assert rows[1]["content"] == "" and rows[1]["attachments"] == f'["{url}"]'
    assert await db.fetchval("SELECT url FROM links") == url


async def test_the_channel_cursor_follows_the_last_message_seen(db: Database, service, dialogue) -> None:
    service.capture(message(THREAD_1, ALICE, "one", mid=5000))
    service.capture(message(THREAD_1, ALICE, "two", mid=5001))
    await service.flush()
    service.capture(message(THREAD_1, ALICE, "older, seen late", mid=4000))
    await service.flush()
    assert await db.fetchval("SELECT last_message_id FROM channel_cursors WHERE channel_id = ?", (THREAD_1,)) == 5001


# ------------------------------------------------------------------------------- edits and deletions


async def test_edit_and_delete_of_a_message_still_in_the_batch_are_not_lost(
    db: Database, service: ContributionService, dialogue
) -> None:
    service.capture(message(THREAD_1, ALICE, "first draft", mid=7001))
    service.capture(message(THREAD_1, BOB, "gone soon", mid=7002))
    assert await service.edit(7001, "final words", (), NOW)
    assert await service.delete([7002]) == 1
    await service.flush()
    rows = await stored(db)
    assert [(r["message_id"], r["content"]) for r in rows] == [(7001, "final words")]


async def test_edits_update_content_links_and_suggestions(db: Database, service, dialogue) -> None:
    service.capture(message(THREAD_1, ALICE, "See https://a.example/x for the challenge", mid=7100))
    await service.flush()
    cid = await db.fetchval("SELECT id FROM contributions WHERE message_id = 7100")
    assert await service.edit(7100, "I recommend https://b.example/y.", (), NOW + timedelta(minutes=1))
    row = (await stored(db))[0]
    assert row["content"] == "I recommend https://b.example/y." and row["edited_at"] is not None
    assert [r["url"] for r in await stored(db, "SELECT url FROM links")] == ["https://b.example/y"]
    suggested = await stored(db, f"SELECT theme_id FROM contribution_tags WHERE contribution_id = {cid}")
    assert {r["theme_id"] for r in suggested} == {dialogue["recommendations"], dialogue["resources"]}
    # An unchanged edit (an embed unfurling) changes nothing.
    assert not await service.edit(7100, "I recommend https://b.example/y.", (), NOW + timedelta(minutes=2))


async def test_deleting_removes_the_row_and_what_hangs_on_it(
    db: Database, service, dialogue, tagging, key_points
) -> None:
    service.capture(message(THREAD_1, ALICE, "A challenge", mid=7200))
    await service.flush()
    await tagging.react(7200, "💡", BOB, moderator=False)
    await tagging.react(7200, "💡", MOD, moderator=True)
    await key_points.mark_key_point(7200, MOD)
    assert await service.delete([7200]) == 1
    for table in ("contributions", "contribution_tags", "contribution_support", "key_points"):
        assert await db.fetchval(f"SELECT count(*) FROM {table}") == 0, table


async def test_bulk_delete(db: Database, service, dialogue) -> None:
    for mid in (7301, 7302, 7303):
        service.capture(message(THREAD_1, ALICE, "x", mid=mid))
    await service.flush()
    service.capture(message(THREAD_1, ALICE, "pending", mid=7304))
    assert await service.delete([7301, 7303, 7304, 123]) == 3
    await service.flush()
    assert [r["message_id"] for r in await stored(db)] == [7302]


async def test_a_link_is_credited_to_its_first_sharer_and_passes_on_when_that_message_goes(
    db: Database, service, dialogue
) -> None:
    service.capture(message(THREAD_1, ALICE, "https://toolkit.example/guide", mid=7401))
    service.capture(message(THREAD_2, BOB, "Also read https://toolkit.example/guide.", mid=7402))
    await service.flush()
    links = await stored(db, "SELECT url, shared_by FROM links")
    assert links == [{"url": "https://toolkit.example/guide", "shared_by": ALICE}]
    await service.delete([7401])
    links = await stored(db, "SELECT url, shared_by FROM links")
    assert links == [{"url": "https://toolkit.example/guide", "shared_by": BOB}]


# ---------------------------------------------------------------------------------------- backfill


async def test_reconcile_stores_missed_updates_edited_and_deletes_removed(db: Database, service, dialogue) -> None:
    service.capture(message(THREAD_1, ALICE, "kept", mid=8001))
    service.capture(message(THREAD_1, ALICE, "to be edited", mid=8002))
    service.capture(message(THREAD_1, BOB, "to be deleted", mid=8003))
    await service.flush()
    (target,) = [t for t in await service.backfill_targets() if t.channel_id == THREAD_1]
    assert target.after_message_id == 8000  # re-reads the recent stored messages
    history = [
        message(THREAD_1, ALICE, "kept", mid=8001),
        message(THREAD_1, ALICE, "edited while away", mid=8002, edited_at=NOW + timedelta(hours=1)),
        message(THREAD_1, CAROL, "posted while away", mid=8004),
    ]
    assert await service.reconcile(THREAD_1, target.after_message_id, history) == 3
    rows = await stored(db)
    assert [(r["message_id"], r["content"]) for r in rows] == [
        (8001, "kept"), (8002, "edited while away"), (8004, "posted while away")
    ]
    # Running it again changes nothing.
    assert await service.reconcile(THREAD_1, target.after_message_id, history) == 0


async def test_backfill_of_a_channel_without_cursor_starts_at_the_opening_post(db, service, dialogue) -> None:
    await db.execute("UPDATE dialogues SET opening_message_id = 9000 WHERE id = ?", (dialogue["dialogue"],))
    targets = {t.channel_id: t.after_message_id for t in await service.backfill_targets()}
    assert targets == {CHANNEL: 8999, THREAD_1: None, THREAD_2: None}


# ----------------------------------------------------------------------------------- language and tags


def test_keyword_rules_match_at_word_start_case_insensitively() -> None:
    rules = KeywordRules({"en": {"recommendations": ("recommend",), "challenges": ("barrier",)}})
    assert rules.hits("en", "We Recommended it; no barriers.") == (2, {"recommendations", "challenges"})
    assert rules.hits("en", "unrecommended") == (0, set())


def test_language_detection_heuristic() -> None:
    rules = KeywordRules(ContributionsConfig().keywords)
    assert detect_language(rules, ("en",), "Es difícil")[0] == "en"  # one language: that language
    lang, keys = detect_language(rules, ("en", "es", "fr"), "Es muy difícil llegar a los jóvenes rurales")
    assert (lang, keys) == ("es", {"challenges"})
    lang, keys = detect_language(rules, ("en", "es", "fr"), "Nous devons partager nos bonnes pratiques")
    assert (lang, keys) == ("fr", {"recommendations", "good_practices"})
    assert detect_language(rules, ("es", "fr"), "ok")[0] == "es"  # a tie: the main language


def test_urls_are_extracted_without_trailing_punctuation() -> None:
    text = "See https://a.example/x, (https://b.example/y) and <https://c.example>. Again https://a.example/x!"
    assert extract_urls(text) == ["https://a.example/x", "https://b.example/y", "https://c.example"]


async def test_suggestions_follow_the_keyword_rules_of_the_dialogue_languages(db, service) -> None:
    ids = await make_dialogue(db, languages="en es fr")
    await service.load()
    service.capture(message(THREAD_1, ALICE, "Hay que apoyar a las cooperativas", mid=8101))
    service.capture(message(THREAD_1, BOB, "Le principal défi est le financement", mid=8102))
    await service.flush()
    rows = await stored(
        db,
        """SELECT c.message_id, c.language, t.theme_id, t.source, t.status FROM contributions c
           JOIN contribution_tags t ON t.contribution_id = c.id ORDER BY c.message_id""",
    )
    assert [(r["message_id"], r["language"], r["theme_id"], r["source"], r["status"]) for r in rows] == [
        (8101, "es", ids["recommendations"], "suggestion", "suggested"),
        (8102, "fr", ids["challenges"], "suggestion", "suggested"),
    ]


async def test_keyword_rules_come_from_the_config(db: Database) -> None:
    config = replace(ContributionsConfig(), keywords={"en": {"challenges": ("headache",)}})
    svc = ContributionService(db, config, clock, ProfileService(db, clock))
    ids = await make_dialogue(db)
    await svc.load()
    svc.capture(message(THREAD_1, ALICE, "Funding is a headache", mid=8201))
    await svc.flush()
    assert await db.fetchval("SELECT theme_id FROM contribution_tags") == ids["challenges"]


async def test_reactions_tag_self_tag_and_support(db: Database, service, dialogue, tagging) -> None:
    service.capture(message(THREAD_1, ALICE, "Plain words", mid=8301))
    await service.flush()
    assert await tagging.react(8301, "💡", MOD, moderator=True) == "tag"
    assert await tagging.react(8301, "✅", ALICE, moderator=False) == "self"
    assert await tagging.react(8301, "💡", BOB, moderator=False) == "support"
    assert await tagging.react(8301, "🎉", BOB, moderator=False) == "support"  # any other emoji: support too
    assert await tagging.react(8301, "🎉", ALICE, moderator=False) is None  # the author's own: nothing
    assert await tagging.react(8301, "👎🏽", BOB, moderator=False) == "disagreement"  # any skin tone
    cid = await db.fetchval("SELECT id FROM contributions")
    tags = {(t.theme_id, t.source, t.status, t.tagged_by) for t in await tagging.tags(cid)}
    assert tags == {
        (dialogue["recommendations"], "reaction", "confirmed", MOD),
        (dialogue["good_practices"], "self", "confirmed", ALICE),
    }
    assert await tagging.support(cid) == 1  # Bob, once, whatever his emoji
    assert await db.fetchval("SELECT user_id FROM contribution_disagreement") == BOB
    assert await tagging.unreact(8301, "👎🏽", BOB)
    assert await db.fetchval("SELECT count(*) FROM contribution_disagreement") == 0
    assert await tagging.unreact(8301, "🎉", BOB)
    assert await tagging.unreact(8301, "💡", BOB)
    assert await tagging.unreact(8301, "💡", MOD)
    assert [t.source for t in await tagging.tags(cid)] == ["self"]
    assert await tagging.support(cid) == 0


async def test_a_moderators_reaction_confirms_a_suggestion(db: Database, service, dialogue, tagging) -> None:
    service.capture(message(THREAD_1, ALICE, "The main challenge is funding", mid=8401))
    assert await tagging.react(8401, "⚠️", MOD, moderator=True) == "tag"  # flushes the pending message first
    cid = await db.fetchval("SELECT id FROM contributions")
    assert [(t.source, t.status) for t in await tagging.tags(cid)] == [("reaction", "confirmed")]


async def test_set_tags_confirms_chosen_themes_and_rejects_other_suggestions(db, service, dialogue, tagging) -> None:
    service.capture(message(THREAD_1, ALICE, "A challenge; I recommend more funding", mid=8501))
    await service.flush()
    cid = await db.fetchval("SELECT id FROM contributions")
    tags = await tagging.set_tags(cid, {dialogue["challenges"], dialogue["resources"]}, MOD)
    assert {(t.theme_id, t.status) for t in tags} == {
        (dialogue["challenges"], "confirmed"),
        (dialogue["resources"], "confirmed"),
        (dialogue["recommendations"], "rejected"),
    }
    tags = await tagging.set_tags(cid, {dialogue["challenges"]}, MOD)
    assert {(t.theme_id, t.status) for t in tags} == {
        (dialogue["challenges"], "confirmed"), (dialogue["recommendations"], "rejected")
    }
    other = await make_dialogue(db)
    with pytest.raises(UserError):
        await tagging.set_tags(cid, {other["challenges"]}, MOD)


async def test_the_untagged_queue_shrinks_as_moderators_tag(db: Database, service, dialogue, tagging) -> None:
    for mid in (8601, 8602, 8603):
        service.capture(message(THREAD_2, ALICE, "The challenge is real" if mid == 8602 else "hmm", mid=mid))
    page = await tagging.untagged(dialogue["dialogue"])
    assert page.total == 3 and page.item is not None and page.item.contribution.message_id == 8601
    assert page.item.question_position == 2
    await tagging.add_tag(page.item.contribution.id, dialogue["challenges"], MOD)
    page = await tagging.untagged(dialogue["dialogue"], after_id=page.item.contribution.id)
    assert page.total == 2 and page.item.contribution.message_id == 8602
    assert page.item.suggested == (dialogue["challenges"],)
    assert await tagging.reject_suggestions(page.item.contribution.id, MOD) == 1
    skipped = await tagging.untagged(dialogue["dialogue"], after_id=page.item.contribution.id)
    assert skipped.item.contribution.message_id == 8603
    wrapped = await tagging.untagged(dialogue["dialogue"], after_id=skipped.item.contribution.id)
    assert wrapped.item.contribution.message_id == 8602


async def test_key_points_marked_and_written(db: Database, service, dialogue, key_points) -> None:
    service.capture(message(THREAD_2, ALICE, "Cooperatives need credit", mid=8701))
    point = await key_points.mark_key_point(8701, MOD)
    assert (point.source, point.question_position, point.text) == ("marked", 2, "Cooperatives need credit")
    with pytest.raises(UserError):
        await key_points.mark_key_point(8701, MOD)
    with pytest.raises(UserError):
        await key_points.mark_key_point(123456, MOD)
    written = await key_points.add_key_point(dialogue["dialogue"], 1, "  Land tenure comes first ", MOD)
    assert (written.source, written.question_position, written.text) == ("moderator", 1, "Land tenure comes first")
    with pytest.raises(UserError) as bad:
        await key_points.add_key_point(dialogue["dialogue"], 7, "", MOD)
    assert len(bad.value.problems) == 2
    assert [k.question_position for k in await key_points.key_points(dialogue["dialogue"])] == [1, 2]
    assert await db.fetchval("SELECT is_key_point FROM contributions") == 1


async def test_counts(db: Database, service, dialogue, tagging) -> None:
    service.capture(message(THREAD_1, ALICE, "The challenge is funding", mid=8801))
    service.capture(message(THREAD_1, BOB, "hmm", mid=8802))
    service.capture(message(THREAD_2, ALICE, "yes", mid=8803))
    service.capture(message(CHANNEL, CAROL, "hello", mid=8804))
    await service.flush()
    await tagging.react(8802, "💡", MOD, moderator=True)
    await tagging.react(8802, "💡", ALICE, moderator=False)
    counts = await service.counts(dialogue["dialogue"])
    assert counts.total == 4
    assert counts.per_question == {dialogue["q1"]: 2, dialogue["q2"]: 1, None: 1}
    assert counts.per_theme == {dialogue["recommendations"]: 1}
    assert (counts.participants, counts.untagged, counts.suggested, counts.support) == (3, 3, 1, 1)
