"""Contribution ingest throughput, through SimCord, against the same run with an empty listener.

    python -m benchmarks.ingest [--messages 20000] [--runs 3]

Each run starts the real bot inside SimCord with a guild, an open dialogue (its channel and one
question thread) and members, then makes Discord deliver N member messages to the bot through the
gateway (discord.py parses each one and dispatches ``on_message``) and waits until every message is
handled. Two configurations, each in a fresh environment on a fresh database:

- **empty**: the contributions cog is removed and one ``on_message`` listener that does nothing is
  added: the ceiling of any discord.py bot in this harness.
- **colloquy**: the real bot; the clock stops when every message is a row in the database (the last
  partial batch is flushed, as the timer or a close would).

Both configurations pay the same SimCord and discord.py costs; the ratio colloquy / empty is the
figure (DESIGN.md target: ≥ 0.8). Medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import simcord

from bot import create_bot
from bot.clock import iso
from bot.config import for_database

AUTHORS = 20


async def _empty_listener(message: discord.Message) -> None:
    return None


async def one_run(messages: int, mode: str) -> float:
    """Messages per second for one run in ``mode`` ("empty" or "colloquy")."""
    with tempfile.TemporaryDirectory() as tmp:
        bot = create_bot(for_database(Path(tmp) / "bench.sqlite3"))
        env = simcord.Env(bot)
        await env.start()
        try:
            guild = env.create_guild("Benchmark")
            channel = guild.create_text_channel("virtual-dialogue")
            members = [guild.add_member(env.create_user(f"member{i}")) for i in range(AUTHORS)]
            await env.settle()
            thread = await _open_dialogue(bot, guild.id, channel.id)
            if mode == "empty":
                await bot.remove_cog("ContributionsCog")
                bot.add_listener(_empty_listener, "on_message")
            await env.settle()

            backend = env.backend
            start = time.perf_counter()
            for i in range(messages):
                backend.create_message(
                    thread if i % 2 else channel.id, members[i % AUTHORS].id,
                    f"Contribution number {i}: resistance shows up when training feels imposed.",
                )
                if i % 500 == 499:
                    await asyncio.sleep(0)  # let the bot run, as a live gateway would interleave
            await env.settle(timeout=600)
            if mode == "colloquy":
                await bot.services.contributions.flush()
            elapsed = time.perf_counter() - start

            if mode == "colloquy":
                stored = await bot.db.fetchval("SELECT count(*) FROM contributions")
                assert stored == messages, (stored, messages)
            return messages / elapsed
        finally:
            if not bot.is_closed():
                await bot.close()
            await env.shutdown()


async def _open_dialogue(bot: discord.Client, guild_id: int, channel_id: int) -> int:
    """An open dialogue with one question thread, written to the store, the bot's channel map rebuilt."""
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    post = await channel.send("Guiding question 1")
    thread = await post.create_thread(name="1. Guiding question")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    db = bot.db  # type: ignore[attr-defined]
    done = await db.execute(
        """INSERT INTO dialogues (guild_id, title, starts_at, ends_at, channel_id, state, created_at)
           VALUES (?, 'Benchmark', ?, ?, ?, 'open', ?)""",
        (guild_id, iso(now), iso(now + timedelta(days=7)), channel_id, iso(now)),
    )
    await db.execute(
        "INSERT INTO questions (dialogue_id, position, text, thread_id, message_id) VALUES (?, 1, 'Q1', ?, ?)",
        (done.lastrowid, thread.id, post.id),
    )
    await bot.services.contributions.rebuild_map()  # type: ignore[attr-defined]  # what the event would do
    return thread.id


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    rates: dict[str, list[float]] = {"empty": [], "colloquy": []}
    for run in range(args.runs):
        for mode in ("empty", "colloquy"):  # interleaved, so drift hits both alike
            rate = await one_run(args.messages, mode)
            rates[mode].append(rate)
            print(f"run {run + 1} {mode:>8}: {rate:,.0f} messages/s", flush=True)
    empty, colloquy = statistics.median(rates["empty"]), statistics.median(rates["colloquy"])
    print()
    print(f"messages per run        {args.messages:,}")
    print(f"empty on_message        {empty:,.0f} messages/s (median of {args.runs})")
    print(f"Colloquy ingest         {colloquy:,.0f} messages/s (median of {args.runs})")
    print(f"ratio                   {colloquy / empty:.2f} (target >= 0.80)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
