"""Reactions in batches: a pile of them is applied in a few transactions, one call to the database
thread each, in arrival order, and none is lost when a batch fails."""

from __future__ import annotations

from typing import Any

import pytest

from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions import tagging as tagging_module
from bot.contributions.service import ContributionService
from bot.contributions.tagging import TaggingService
from bot.store import Database
from tests.unit.test_contributions import ALICE, BOB, MOD, THREAD_1, clock, make_dialogue, message

MEMBERS = [700_000_000_000_000_000 + i for i in range(40)]


@pytest.fixture
async def setup(db: Database) -> tuple[ContributionService, TaggingService, dict[str, int]]:
    service = ContributionService(db, ContributionsConfig(batch_size=100), clock, ProfileService(db, clock))
    ids = await make_dialogue(db)
    await service.load()
    return service, TaggingService(db, clock, service.profiles, service), ids


def count_calls(db: Database) -> list[int]:
    """Calls to the database thread for whole batches (``run_sync``); on PostgreSQL, which has no
    such thread, the transactions the batches are written in."""
    calls: list[int] = []
    if not hasattr(db, "run_sync"):
        opened = db.transaction

        def counted_tx() -> Any:
            calls.append(1)
            return opened()

        db.transaction = counted_tx  # type: ignore[method-assign]
        return calls
    original = db.run_sync

    async def counted(work: Any) -> Any:
        calls.append(1)
        return await original(work)

    db.run_sync = counted  # type: ignore[attr-defined]
    return calls


async def test_a_pile_of_reactions_is_applied_in_a_few_batches(
    db: Database, setup: tuple[ContributionService, TaggingService, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, tagging, ids = setup
    monkeypatch.setattr(tagging_module, "REACTION_BATCH", 500)
    messages = [message(THREAD_1, ALICE, f"contribution {i}", mid=60_000 + i) for i in range(30)]
    for m in messages:
        service.capture(m)
    await service.flush()
    for m in messages:
        for member in MEMBERS:  # 1,200 reactions: support, disagreement, and the moderator's tags
            tagging.queue_reaction(m.message_id, "👍" if member % 3 else "👎", member, moderator=False, added=True)
        tagging.queue_reaction(m.message_id, "⚠️", MOD, moderator=True, added=True)
    assert tagging.reactions_pending == 30 * 41
    calls = count_calls(db)
    applied = 0
    while tagging.reactions_pending:
        applied += await tagging.flush_reactions()
    assert applied == 30 * 41 and len(calls) == 3  # 500 + 500 + 230, one call each
    supporters = sum(1 for m in MEMBERS if m % 3)
    assert await db.fetchval("SELECT count(*) FROM contribution_support") == 30 * supporters
    assert await db.fetchval("SELECT count(*) FROM contribution_disagreement") == 30 * (len(MEMBERS) - supporters)
    assert await db.fetchval(
        "SELECT count(*) FROM contribution_tags WHERE theme_id = ? AND status = 'confirmed' AND source = 'reaction'",
        (ids["challenges"],),
    ) == 30


async def test_a_batch_applies_reactions_in_the_order_they_came(
    db: Database, setup: tuple[ContributionService, TaggingService, dict[str, int]]
) -> None:
    service, tagging, _ = setup
    service.capture(message(THREAD_1, ALICE, "one", mid=61_001))
    service.capture(message(THREAD_1, ALICE, "two", mid=61_002))
    tagging.queue_reaction(61_001, "👍", BOB, moderator=False, added=True)
    tagging.queue_reaction(61_001, "👍", BOB, moderator=False, added=False)  # added then taken back
    tagging.queue_reaction(61_002, "👍", BOB, moderator=False, added=False)
    tagging.queue_reaction(61_002, "👍", BOB, moderator=False, added=True)  # taken back then added
    assert await tagging.flush_reactions() == 4  # the messages, still pending, were written first
    rows = await db.fetchall(
        "SELECT c.message_id FROM contribution_support s JOIN contributions c ON c.id = s.contribution_id"
    )
    assert [r[0] for r in rows] == [61_002]


async def test_nothing_is_lost_when_a_batch_of_reactions_fails(
    db: Database, setup: tuple[ContributionService, TaggingService, dict[str, int]]
) -> None:
    service, tagging, _ = setup
    service.capture(message(THREAD_1, ALICE, "kept", mid=62_001))
    await service.flush()
    for member in MEMBERS[:10]:
        tagging.queue_reaction(62_001, "❤️", member, moderator=False, added=True)
    original = tagging.reactions.apply
    failures = [True]

    async def failing(events: Any, decide: Any) -> Any:
        if failures.pop(0) if failures else False:
            raise OSError("database is locked")
        return await original(events, decide)

    tagging.reactions.apply = failing  # type: ignore[method-assign]
    with pytest.raises(OSError):
        await tagging.flush_reactions()
    assert tagging.reactions_pending == 10
    tagging.queue_reaction(62_001, "❤️", BOB, moderator=False, added=True)
    assert await tagging.flush_reactions() == 11
    assert await db.fetchval("SELECT count(*) FROM contribution_support") == 11
