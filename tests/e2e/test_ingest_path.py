"""One message path: a member's message reaches the batch synchronously from the bot's dispatch,
with no prefix-command processing and no task per message; ``wait_for`` still sees messages."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.client import ColloquyBot
from bot.store.base import StoreUnavailable
from tests.conftest import Community
from tests.e2e.test_contributions import FLUSH, open_dialogue, stored


def spy_scheduled(bot: ColloquyBot, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the events the bot schedules a task for, from now on."""
    scheduled: list[str] = []
    real_schedule = bot._schedule_event

    def spy_schedule(coro: Any, event_name: str, *args: Any, **kwargs: Any) -> asyncio.Task[Any]:
        scheduled.append(event_name)
        return real_schedule(coro, event_name, *args, **kwargs)

    monkeypatch.setattr(bot, "_schedule_event", spy_schedule)
    return scheduled


async def test_a_message_is_captured_without_prefix_commands_or_a_task(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    q1, _ = await open_dialogue(community)
    bot = community.bot

    async def no_context(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("prefix-command processing ran for a message")

    monkeypatch.setattr(bot, "get_context", no_context)
    monkeypatch.setattr(bot, "process_commands", no_context)
    scheduled = spy_scheduled(bot, monkeypatch)
    sent = await community.alice.send(q1, "A contribution that takes the one path.")
    assert bot.services.contributions.is_pending(sent.id)  # queued within the dispatch itself
    assert "on_message" not in scheduled, scheduled  # no task per message
    assert "on_message_create" not in scheduled

    await community.env.advance_time(FLUSH)
    assert [r["message_id"] for r in await stored(community)] == [sent.id]


async def test_wait_for_still_receives_messages(community: Community) -> None:
    q1, _ = await open_dialogue(community)
    waiter = asyncio.ensure_future(community.bot.wait_for("message", check=lambda m: m.channel.id == q1.id))
    sent = await community.alice.send(q1, "Someone is waiting for this one.")
    got = await asyncio.wait_for(waiter, 5)
    assert got.id == sent.id


@pytest.mark.parametrize("store_kind", ["sqlite"])  # the ingest process is SQLite's (PostgreSQL: test_store_outage)
async def test_the_ingest_process_killed_mid_dialogue_loses_nothing(community: Community) -> None:
    """Members keep posting while the bot's writer process is killed, twice: every message is stored
    once, its text derived (links, language), and the bot goes on."""
    q1, _ = await open_dialogue(community)
    bot = community.bot
    sent = []
    for round_ in range(3):
        for i in range(4):
            sent.append(await community.alice.send(q1, f"Round {round_} message {i}: https://example.org/{round_}/{i}"))
        await community.env.advance_time(FLUSH)
        child = bot.db._ingest._proc  # type: ignore[attr-defined]
        assert child is not None and child.returncode is None
        child.kill()  # the next batch finds it gone
        await child.wait()
    for i in range(3):
        sent.append(await community.bob.send(q1, f"After the kills {i}"))
    await community.env.advance_time(FLUSH)
    rows = await stored(community)
    assert sorted(r["message_id"] for r in rows) == sorted(m.id for m in sent)
    await bot.services.contributions.flush()
    assert await bot.db.fetchval("SELECT count(*) FROM contributions WHERE derived = 0") == 0
    assert await bot.db.fetchval("SELECT count(*) FROM links") == 12
    assert bot.db._ingest.started == 4  # type: ignore[attr-defined]


async def test_text_left_to_derive_while_the_store_is_away_waits_quietly_and_is_derived_after(
    community: Community, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The store goes away between a batch and its derivation: retries back off (one warning line, no
    traceback every half second) and the text is derived once the store answers again."""
    q1, _ = await open_dialogue(community)
    service = community.bot.services.contributions
    real = service.derive
    tries = 0

    async def away(limit: int = 500) -> int:
        nonlocal tries
        tries += 1
        raise StoreUnavailable("the database server cannot be reached: test")

    monkeypatch.setattr(service, "derive", away)
    with caplog.at_level(logging.WARNING):
        await community.alice.send(q1, "A recommendation: https://example.org/guide")
        await community.env.advance_time(60)
    assert service.underived and 3 <= tries <= 10, tries  # 0.5 s doubling to 30 s: not 120 tries
    away_lines = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(away_lines) == 1 and all(r.exc_info is None for r in caplog.records)
    monkeypatch.setattr(service, "derive", real)
    await community.env.advance_time(60)
    assert not service.underived
    assert await community.bot.db.fetchval("SELECT count(*) FROM links") == 1


async def test_the_gateway_event_type_reaches_its_listeners_only_when_there_are_some(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    """discord.py dispatches ``socket_event_type`` for every gateway event; the bot skips it while
    nothing listens, and a listener or ``wait_for`` added later hears it."""
    bot = community.bot
    scheduled = spy_scheduled(bot, monkeypatch)
    bot.dispatch("socket_event_type", "MESSAGE_CREATE")
    assert scheduled == []
    heard: list[str] = []

    async def on_socket_event_type(event_type: str) -> None:
        heard.append(event_type)

    bot.add_listener(on_socket_event_type)
    waiter = asyncio.ensure_future(bot.wait_for("socket_event_type"))
    await asyncio.sleep(0)
    bot.dispatch("socket_event_type", "TYPING_START")
    assert await asyncio.wait_for(waiter, 5) == "TYPING_START"
    await asyncio.sleep(0)
    assert heard == ["TYPING_START"]
    bot.remove_listener(on_socket_event_type)
