"""The dialogue and schedule repositories on a real SQLite file: what the services rely on."""

from __future__ import annotations

from bot.store import Database
from bot.store.repositories.dialogues import DialogueRepository
from bot.store.repositories.scheduling import ScheduleRepository

T = "2026-01-05T09:00:00+00:00"


async def _dialogue(repo: DialogueRepository, title: str, guild_id: int = 1) -> int:
    return await repo.insert(
        guild_id, title=title, description="", concept_note=None, languages="en", timezone="UTC",
        starts_at=T, ends_at="2026-01-12T09:00:00+00:00", channel_id=10, channel_kind="text",
        created_by=None, created_at=T,
    )


async def test_titles_match_case_insensitively_and_search_treats_wildcards_as_text(db: Database) -> None:
    repo = DialogueRepository(db)
    plain = await _dialogue(repo, "Water 100% Access")
    other = await _dialogue(repo, "Water 1000 Access")
    await _dialogue(repo, "water 100% access", guild_id=2)
    assert [d.id for d in await repo.with_title(1, "WATER 100% ACCESS")] == [plain]
    assert await repo.title_taken(1, "water 1000 access")
    assert [d.id for d in await repo.search(1, "100%", 25)] == [plain]  # % is a character here
    assert {d.id for d in await repo.search(1, "WATER", 25)} == {plain, other}
    assert [d.id for d in await repo.search(1, "0_", 25)] == []  # _ too


async def test_a_row_is_claimed_once(db: Database) -> None:
    dialogue_id = await _dialogue(DialogueRepository(db), "Claims")
    items = ScheduleRepository(db)
    await items.insert_many([(dialogue_id, "opening", None, None, T)])
    (item,) = await items.due(T)
    assert await items.claim(item, T)
    assert not await items.claim(item, T)  # the same stale view loses
    claimed = await items.get(item.id)
    assert claimed is not None and claimed.status == "claimed" and claimed.attempts == 1
    assert await items.wake_times() == {item.id: claimed.run_at}
