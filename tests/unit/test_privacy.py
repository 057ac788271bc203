"""Members' own data on a real SQLite file: opt-out, opt-in, forget-me (every table), my-data."""

from __future__ import annotations

import json

import pytest

from bot.clock import iso
from bot.community.privacy import PrivacyService
from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.key_points import KeyPointService
from bot.contributions.service import ContributionService
from bot.contributions.tagging import TaggingService
from bot.store import Database
from tests.unit.test_contributions import (
    ALICE,
    BOB,
    GUILD,
    NOW,
    THREAD_1,
    THREAD_2,
    clock,
    make_dialogue,
    message,
)


async def rows_mentioning(db: Database, value: int) -> dict[str, int]:
    """Every table and column of the schema holding ``value``: {"table.column": rows}."""
    found: dict[str, int] = {}
    if db.dialect == "sqlite":
        columns = await db.fetchall(
            """SELECT m.name AS tbl, c.name AS col FROM sqlite_master m, pragma_table_info(m.name) c
               WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND c.type = 'INTEGER'"""
        )
    else:
        columns = await db.fetchall(
            """SELECT table_name AS tbl, column_name AS col FROM information_schema.columns
               WHERE table_schema = current_schema() AND data_type = 'bigint'"""
        )
    for table, column in ((r["tbl"], r["col"]) for r in columns):
        n = await db.fetchval(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?', (value,))
        if n:
            found[f"{table}.{column}"] = n
    return found


@pytest.fixture
async def services(db: Database) -> tuple[ContributionService, PrivacyService]:
    profiles = ProfileService(db, clock)
    contributions = ContributionService(db, ContributionsConfig(), clock, profiles)
    return contributions, PrivacyService(db, clock, profiles, contributions)


async def populate(db: Database, contributions: ContributionService) -> dict[str, int]:
    """Alice everywhere: contributions, tags, support, links, a panel question, a vote, a profile;
    and as the actor of others' rows (a tag, a key point, a dialogue, a review, a panellist seat)."""
    ids = await make_dialogue(db)
    await contributions.load()
    await contributions.profiles.update(GUILD, ALICE, name="Alice", organisation="FAO")
    await contributions.profiles.update(GUILD, BOB, name="Bob")
    contributions.capture(message(THREAD_1, ALICE, "A challenge: https://alice.example/paper", mid=9001))
    contributions.capture(message(THREAD_2, ALICE, "Still pending in the batch", mid=9002))
    contributions.capture(message(THREAD_1, BOB, "I agree, see https://alice.example/paper", mid=9003))
    await contributions.flush()
    contributions.capture(message(THREAD_2, ALICE, "pending", mid=9004))
    tagging = TaggingService(db, clock, contributions.profiles, contributions)
    await tagging.react(9001, "✅", ALICE, moderator=False)  # self-tag
    await tagging.react(9003, "💡", ALICE, moderator=False)  # support of Bob
    await tagging.react(9003, "⚠️", ALICE, moderator=True)  # Alice moderates too: a tag on Bob's
    await KeyPointService(db, clock, contributions).add_key_point(ids["dialogue"], 1, "Written by Alice", ALICE)
    await db.execute("UPDATE dialogues SET created_by = ? WHERE id = ?", (ALICE, ids["dialogue"]))
    now = iso(NOW)
    panel = await db.fetchval(
        "INSERT INTO panels (dialogue_id, channel_id, starts_at, created_at) VALUES (?, 1, ?, ?) RETURNING id",
        (ids["dialogue"], now, now),
    )
    panellist = await db.fetchval(
        "INSERT INTO panellists (panel_id, name, user_id, position) VALUES (?, 'Dr Alice', ?, 1) RETURNING id",
        (panel, ALICE),
    )
    asked = await db.fetchval(
        """INSERT INTO panel_questions (panel_id, author_id, text, asker_name, created_at)
           VALUES (?, ?, 'What about credit?', 'Alice', ?) RETURNING id""",
        (panel, ALICE, now),
    )
    bobs = await db.fetchval(
        """INSERT INTO panel_questions (panel_id, author_id, text, reviewed_by, created_at)
           VALUES (?, ?, 'And land?', ?, ?) RETURNING id""",
        (panel, BOB, ALICE, now),
    )
    await db.execute("INSERT INTO panel_votes VALUES (?, ?, ?)", (bobs, ALICE, now))
    await db.execute("INSERT INTO panel_votes VALUES (?, ?, ?)", (asked, BOB, now))
    await db.execute(
        "INSERT INTO panel_answers (question_id, panellist_id, text, created_at) VALUES (?, ?, 'Yes', ?)",
        (bobs, panellist, now),
    )
    await db.execute(
        "INSERT INTO further_questions (dialogue_id, text, created_by, created_at) VALUES (?, 'More?', ?, ?)",
        (ids["dialogue"], ALICE, now),
    )
    return ids


async def test_forget_me_leaves_no_row_about_the_member_in_any_table(db: Database, services) -> None:
    contributions, privacy = services
    await populate(db, contributions)
    assert len(await rows_mentioning(db, ALICE)) >= 12  # the fixture really puts Alice everywhere
    result = await privacy.forget(ALICE)
    assert await rows_mentioning(db, ALICE) == {}
    assert (result.contributions, result.panel_questions, result.votes, result.support, result.profiles) == (
        3, 1, 1, 1, 1
    )
    # Others' words stay, and the link Alice shared first now credits Bob, who shared it too.
    assert [r["author_id"] for r in await db.fetchall("SELECT author_id FROM contributions")] == [BOB]
    assert await db.fetchval("SELECT shared_by FROM links") == BOB
    assert await db.fetchval("SELECT count(*) FROM panel_questions") == 1
    kept_tag = await db.fetchone("SELECT source, tagged_by FROM contribution_tags WHERE source = 'reaction'")
    assert tuple(kept_tag) == ("reaction", None)  # Alice's tag as a moderator stays, without her name
    # Nothing pending comes back at the next flush.
    await contributions.flush()
    assert await rows_mentioning(db, ALICE) == {}


async def test_my_data_holds_everything_about_the_member(db: Database, services) -> None:
    contributions, privacy = services
    await populate(db, contributions)
    data = json.loads(json.dumps(await privacy.export(ALICE)))  # JSON-ready
    assert data["user_id"] == ALICE
    assert [p["display_name"] for p in data["profiles"]] == ["Alice"]
    assert [c["message_id"] for c in data["contributions"]] == [9001, 9002, 9004]
    first = data["contributions"][0]
    assert first["question"] == 1 and first["content"].startswith("A challenge")
    assert {(t["theme"], t["source"]) for t in first["tags"]} == {
        ("good_practices", "self"), ("challenges", "suggestion"), ("resources", "suggestion")
    }
    assert [s["message_id"] for s in data["support_given"]] == [9003]
    assert {t["source"] for t in data["tags_given"]} == {"self", "reaction"}
    assert [link["url"] for link in data["links_shared"]] == ["https://alice.example/paper"]
    assert [q["text"] for q in data["panel_questions"]] == ["What about credit?"]
    assert len(data["panel_votes"]) == 1 and data["panellist"][0]["name"] == "Dr Alice"
    assert [k["text"] for k in data["key_points_written"]] == ["Written by Alice"]
    bob = await privacy.export(BOB)
    assert [c["message_id"] for c in bob["contributions"]] == [9003]


async def test_opting_out_stops_collection_and_removes_earlier_contributions(db: Database, services) -> None:
    contributions, privacy = services
    ids = await populate(db, contributions)
    result = await privacy.opt_out(GUILD, ALICE)
    assert (result.already, result.removed) == (False, 3)
    assert not contributions.capture(message(THREAD_1, ALICE, "not stored"))
    counts = await contributions.counts(ids["dialogue"])
    assert (counts.total, counts.participants, counts.support) == (1, 1, 0)
    assert (await privacy.opt_out(GUILD, ALICE)).already
    # Opting in resumes collection; what was removed stays removed.
    assert await privacy.opt_in(GUILD, ALICE)
    assert contributions.capture(message(THREAD_1, ALICE, "stored again"))
    assert (await contributions.counts(ids["dialogue"])).total == 2
    assert not await privacy.opt_in(GUILD, ALICE)


async def test_opting_out_in_one_server_keeps_another_servers_contributions(db: Database, services) -> None:
    contributions, privacy = services
    await populate(db, contributions)
    await privacy.opt_out(GUILD + 1, ALICE)
    await contributions.flush()
    assert await db.fetchval("SELECT count(*) FROM contributions WHERE author_id = ?", (ALICE,)) == 3
    assert contributions.capture(message(THREAD_1, ALICE, "this server still collects"))
