"""Support rows keep their contribution's dialogue and author (migration 012), tags its author and date
(011, 013), however they are inserted: a reaction batch writes a support row's, a trigger fills them
for any other insert. ``/dialogue status`` counts a dialogue's support from them; the report ranks
quotes by them and leaves the author's own support out by them (see test_report_sql)."""

from __future__ import annotations

import pytest

from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.service import ContributionService
from bot.contributions.tagging import TaggingService
from bot.store import Database
from tests.unit.test_contributions import ALICE, BOB, CAROL, THREAD_1, clock, make_dialogue, message


@pytest.fixture
async def service(db: Database) -> ContributionService:
    svc = ContributionService(db, ContributionsConfig(), clock, ProfileService(db, clock))
    await make_dialogue(db)
    await svc.load()
    return svc


async def keys(db: Database) -> list[tuple[int, int, int, int]]:
    rows = await db.fetchall(
        """SELECT s.user_id, s.dialogue_id, s.author_id, c.dialogue_id FROM contribution_support s
           JOIN contributions c ON c.id = s.contribution_id ORDER BY s.user_id"""
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def test_a_reaction_batch_writes_the_keys(db: Database, service: ContributionService) -> None:
    tagging = TaggingService(db, clock, service.profiles, service)
    service.capture(message(THREAD_1, ALICE, "A contribution", mid=71_001))
    tagging.queue_reaction(71_001, "👍", BOB, moderator=False, added=True)
    tagging.queue_reaction(71_001, "💡", CAROL, moderator=False, added=True)
    assert await tagging.flush_reactions() == 2
    found = await keys(db)
    dialogue = found[0][3]
    assert found == sorted([(BOB, dialogue, ALICE, dialogue), (CAROL, dialogue, ALICE, dialogue)])
    assert (await service.counts(dialogue)).support == 2


async def test_any_other_insert_gets_the_keys_from_the_contribution(db: Database, service: ContributionService) -> None:
    service.capture(message(THREAD_1, CAROL, "Another contribution", mid=71_002))
    await service.flush()
    cid, dialogue = await db.fetchone("SELECT id, dialogue_id FROM contributions WHERE message_id = 71002") or (0, 0)
    await db.execute(
        "INSERT INTO contribution_support (contribution_id, user_id, emoji) VALUES (?, ?, ?)", (cid, BOB, "💡")
    )
    assert await keys(db) == [(BOB, dialogue, CAROL, dialogue)]
    assert (await service.counts(dialogue)).support == 1
    assert (await service.counts(dialogue + 1)).support == 0  # another dialogue's count leaves it out


async def test_a_tag_keeps_its_contributions_author_and_date(db: Database, service: ContributionService) -> None:
    """Migrations 011 (PostgreSQL) and 013 (SQLite): however a tag is written, it carries its
    contribution's author and date, which the report ranks quotes by; a tag updated in place keeps them."""
    service.capture(message(THREAD_1, CAROL, "Tagged contribution", mid=71_004))
    await service.flush()
    cid, created_at = await db.fetchone("SELECT id, created_at FROM contributions WHERE message_id = 71004") or (0, "")
    theme = await db.fetchval("SELECT min(id) FROM themes")
    tag = """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, created_at)
             VALUES (?, ?, ?, ?, '2026-01-07T00:00:00+00:00')
             ON CONFLICT (contribution_id, theme_id) DO UPDATE SET status = excluded.status"""
    await db.execute(tag, (cid, theme, "suggestion", "suggested"))
    await db.execute(tag, (cid, theme, "moderator", "confirmed"))
    row = await db.fetchone(
        "SELECT author_id, posted_at, status FROM contribution_tags WHERE contribution_id = ?", (cid,)
    )
    assert row is not None and (row[0], row[1], row[2]) == (CAROL, created_at, "confirmed")
