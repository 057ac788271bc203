"""A flood is stored as it came and its text derived afterwards: language, links, keyword suggestions,
each once, oldest first, never over an edit, and nothing lost when the bot stops in between."""

from __future__ import annotations

import pytest

from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.service import ContributionService, _derive_rows
from bot.store import Database
from tests.unit.test_contributions import ALICE, BOB, THREAD_1, clock, make_dialogue, message

BATCH = 20


def new_service(db: Database) -> ContributionService:
    return ContributionService(db, ContributionsConfig(batch_size=BATCH), clock, ProfileService(db, clock))


@pytest.fixture
async def service(db: Database) -> ContributionService:
    svc = new_service(db)
    await make_dialogue(db, languages="en es")
    await svc.load()
    return svc


async def derived_state(db: Database) -> list[tuple[int, str, int]]:
    rows = await db.fetchall("SELECT message_id, language, derived FROM contributions ORDER BY message_id")
    return [(r["message_id"], r["language"], r["derived"]) for r in rows]


async def test_a_batch_is_stored_as_it_came_and_its_text_derived_afterwards(
    db: Database, service: ContributionService
) -> None:
    spanish = message(THREAD_1, ALICE, "Sugiero que los talleres sean más largos")
    english = message(THREAD_1, BOB, "The main challenge is time: https://example.org/time")
    service.capture(spanish)
    service.capture(english)
    assert await service.flush_batch() == 2
    # Written, not derived yet: the dialogue's main language, no links, no suggestions.
    assert await derived_state(db) == [(spanish.message_id, "en", 0), (english.message_id, "en", 0)]
    assert await db.fetchval("SELECT count(*) FROM links") == 0
    assert service.underived

    assert await service.derive() == 2
    assert await derived_state(db) == [(spanish.message_id, "es", 1), (english.message_id, "en", 1)]
    assert [r["url"] for r in await db.fetchall("SELECT url FROM links")] == ["https://example.org/time"]
    keys = {r["key"] for r in await db.fetchall(
        """SELECT th.key FROM contribution_tags t JOIN themes th ON th.id = t.theme_id
           WHERE t.status = 'suggested'""")}
    assert keys == {"recommendations", "challenges", "resources"}
    assert await service.derive() == 0 and not service.underived


async def test_a_read_that_flushes_sees_everything_derived(db: Database, service: ContributionService) -> None:
    for i in range(BATCH * 3 + 5):
        service.capture(message(THREAD_1, ALICE, f"resource {i}: https://example.org/{i}"))
    await service.flush()
    assert await db.fetchval("SELECT count(*) FROM contributions WHERE derived = 0") == 0
    assert await db.fetchval("SELECT count(*) FROM links") == BATCH * 3 + 5


async def test_derivation_goes_in_chunks_oldest_first_and_credits_a_link_to_its_first_sharer(
    db: Database, service: ContributionService
) -> None:
    first = message(THREAD_1, ALICE, "see https://example.org/shared")
    later = message(THREAD_1, BOB, "again https://example.org/shared")
    service.capture(first)
    service.capture(later)
    for i in range(BATCH):
        service.capture(message(THREAD_1, BOB, f"filler {i}"))
    await service.write_pending()
    assert await service.derive(limit=1) == 1  # the oldest only
    assert await db.fetchval("SELECT derived FROM contributions WHERE message_id = ?", (first.message_id,)) == 1
    assert await db.fetchval("SELECT derived FROM contributions WHERE message_id = ?", (later.message_id,)) == 0
    while await service.derive(limit=7):
        pass
    assert await db.fetchval("SELECT shared_by FROM links WHERE url = ?", ("https://example.org/shared",)) == ALICE


async def test_an_edit_before_derivation_wins_over_the_text_it_replaced(
    db: Database, service: ContributionService
) -> None:
    msg = message(THREAD_1, ALICE, "old link https://example.org/old and a recommendation")
    service.capture(msg)
    await service.write_pending()
    assert await service.edit(msg.message_id, "only a challenge now", (), None)
    await service.flush()
    assert await db.fetchval("SELECT count(*) FROM links") == 0  # the replaced text's link never appears
    keys = {r["key"] for r in await db.fetchall(
        "SELECT th.key FROM contribution_tags t JOIN themes th ON th.id = t.theme_id")}
    assert keys == {"challenges"}
    assert await db.fetchval("SELECT derived FROM contributions") == 1


async def test_a_message_deleted_before_derivation_leaves_nothing_behind(
    db: Database, service: ContributionService
) -> None:
    msg = message(THREAD_1, ALICE, "a resource https://example.org/gone")
    service.capture(msg)
    await service.write_pending()
    assert await service.delete([msg.message_id]) == 1
    await service.flush()
    assert await db.fetchval("SELECT count(*) FROM links") == 0
    assert await db.fetchval("SELECT count(*) FROM contributions") == 0


async def test_text_left_underived_by_a_stop_is_derived_after_the_restart(
    db: Database, service: ContributionService
) -> None:
    for i in range(5):
        service.capture(message(THREAD_1, ALICE, f"a recommendation {i} https://example.org/{i}"))
    await service.write_pending()  # the bot stops here: written, not derived

    restarted = new_service(db)
    await restarted.load()
    assert restarted.underived
    await restarted.flush()
    assert await db.fetchval("SELECT count(*) FROM contributions WHERE derived = 0") == 0
    assert await db.fetchval("SELECT count(*) FROM links") == 5


async def test_the_same_rows_derived_twice_are_stored_once(db: Database, service: ContributionService) -> None:
    """Shard processes on one PostgreSQL may derive the same rows at once: each row is claimed once."""
    for i in range(BATCH):
        service.capture(message(THREAD_1, ALICE, f"recommendation {i} https://example.org/{i}"))
    await service.write_pending()
    rows = await service.repo.underived(BATCH)
    derivations = _derive_rows(service.rules, rows)
    assert await service.repo.store_derived(derivations, "2026-01-01T00:00:00+00:00") == BATCH
    tags = await db.fetchval("SELECT count(*) FROM contribution_tags")
    assert tags >= BATCH and await db.fetchval("SELECT count(*) FROM links") == BATCH
    await db.execute("DELETE FROM links")  # a second pass that stored again would put them back
    assert await service.repo.store_derived(derivations, "2026-01-01T00:00:00+00:00") == 0
    assert await db.fetchval("SELECT count(*) FROM links") == 0
    assert await db.fetchval("SELECT count(*) FROM contribution_tags") == tags
