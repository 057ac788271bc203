"""Ingest through discord.py's real receive path: Colloquy against a bare client, rows committed.

    python -m benchmarks.ingest [--messages 20000] [--runs 7] [--languages "en"] [--store sqlite|postgresql://…]

Raw ``MESSAGE_CREATE`` gateway frames (JSON text, as Discord sends them) are fed to
``DiscordWebSocket.received_message`` (:mod:`benchmarks.gateway`), which parses and dispatches them
exactly as on a live connection, yielding to the event loop after each frame as a socket read would:

- **bare**: a ``discord.Client`` (same intents) whose ``on_message`` is empty; done when every
  ``on_message`` has run;
- **colloquy**: the real bot (``create_bot``, every cog loaded, a fresh SQLite file) with one open
  dialogue whose question threads receive every message; done when every row is **committed**
  (the tail of the last batch is flushed at once instead of waiting for the timer). The text of the
  flood (language, links, keyword suggestions) is derived afterwards, off the loop; how long that
  takes once the flood is over is reported apart.

Runs are interleaved (bare, Colloquy, bare, Colloquy…), each with the standard ``json`` parser and
with ``orjson`` (what ``discord.py[speed]`` adds), in one process. Also reported: the worst event-loop
stall (a 1 ms ticker's lateness) during each flood, and the largest batch written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import discord.utils

from benchmarks.gateway import CHANNEL, GUILD, THREADS, guild_create, loopback, message_frames
from benchmarks.stores import add_store_option, fresh_store
from bot.client import create_bot, intents
from bot.clock import iso
from bot.config import for_database
from bot.dialogues.service import DEFAULT_THEMES

try:
    import orjson
except ImportError:  # discord.py[speed] not installed: only the json parser is measured
    orjson = None


#: messages (or rows committed) per second, worst loop stall (s), largest batch, text derived after (s)
Result = tuple[float, float, int, float]


class Ticker:
    """The worst lateness of a 1 ms sleep while running: how long the loop was blocked."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            self.worst = max(self.worst, time.perf_counter() - started - 0.001)

    def __enter__(self) -> Ticker:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def feed(ws: Any, frames: list[str]) -> None:
    for raw in frames:
        await ws.received_message(raw)
        await asyncio.sleep(0)


async def bare_run(frames: list[str]) -> Result:
    client = discord.Client(intents=intents())
    done = asyncio.Event()
    seen = 0
    total = len(frames)

    async def on_message(message: discord.Message) -> None:
        nonlocal seen
        seen += 1
        if seen == total:
            done.set()

    client.on_message = on_message  # type: ignore[method-assign]
    await client._async_setup_hook()
    ws = loopback(client)
    await ws.received_message(guild_create())
    with Ticker() as ticker:
        started = time.perf_counter()
        await feed(ws, frames)
        await done.wait()
        elapsed = time.perf_counter() - started
    await client.close()
    return total / elapsed, ticker.worst, 0, 0.0


async def colloquy_run(frames: list[str], languages: str, store: str = "sqlite") -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        async with fresh_store(store, Path(tmp), "ingest") as target:
            return await _colloquy_run(target, frames, languages)


async def _colloquy_run(target: str | Path, frames: list[str], languages: str) -> Result:
    bot = create_bot(for_database(target))
    await bot._async_setup_hook()
    await bot.setup_hook()
    try:
        await open_dialogue(bot, languages)
        service = bot.services.contributions
        largest = 0
        store = service.repo.store_batch

        async def measured(rows: Sequence[Any], cursors: Any) -> None:
            nonlocal largest
            largest = max(largest, len(rows))
            await store(rows, cursors)

        service.repo.store_batch = measured  # type: ignore[method-assign]
        ws = loopback(bot)
        await ws.received_message(guild_create())
        with Ticker() as ticker:
            started = time.perf_counter()
            await feed(ws, frames)
            await service.write_pending()
            elapsed = time.perf_counter() - started
        stored = await bot.db.fetchval("SELECT count(*) FROM contributions")
        assert stored == len(frames), f"{stored} rows committed of {len(frames)}"
        started = time.perf_counter()
        await service.flush()  # the text of the flood, derived once it is over
        derived = time.perf_counter() - started
        left = await bot.db.fetchval("SELECT count(*) FROM contributions WHERE derived = 0")
        assert left == 0, f"{left} rows not derived"
    finally:
        await bot.close()
    return len(frames) / elapsed, ticker.worst, largest, derived


async def open_dialogue(bot: Any, languages: str) -> None:
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    dialogue_id = await bot.db.fetchval(
        """INSERT INTO dialogues (guild_id, title, languages, starts_at, ends_at, channel_id, channel_kind, state,
               created_at) VALUES (?, 'Benchmark', ?, ?, ?, ?, 'text', 'open', ?) RETURNING id""",
        (GUILD, languages, iso(now), iso(now + timedelta(days=7)), CHANNEL, iso(now)),
    )
    for position, thread in enumerate(THREADS, 1):
        await bot.db.execute(
            "INSERT INTO questions (dialogue_id, position, text, thread_id) VALUES (?, ?, ?, ?)",
            (dialogue_id, position, f"Guiding question {position}?", thread),
        )
    for position, (key, name, emoji) in enumerate(DEFAULT_THEMES, 1):  # keyword suggestions need themes
        await bot.db.execute(
            "INSERT INTO themes (dialogue_id, key, name, emoji, position) VALUES (?, ?, ?, ?, ?)",
            (dialogue_id, key, name, emoji, position),
        )
    await bot.services.contributions.rebuild_map()


def parsers() -> list[tuple[str, Callable[[Any], Any]]]:
    found: list[tuple[str, Callable[[Any], Any]]] = [("json", json.loads)]
    if orjson is not None:
        found.append(("orjson", orjson.loads))
    return found


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    # Seven by default: on a VM whose neighbours move the rates by up to 2x between runs minutes
    # apart, the median of three ratios swung by ±0.1 (docs/benchmarks.md, wave 4).
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--languages", default="en", help="the dialogue's languages (language guess per message)")
    add_store_option(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    frames = message_frames(args.messages)
    results: dict[tuple[str, str], list[Result]] = {}
    for run in range(1, args.runs + 1):
        for name, loads in parsers():
            discord.utils._from_json = loads  # what discord.py picks at import: json, or orjson with [speed]
            for mode in ("bare", "colloquy"):
                result = await (
                    bare_run(frames) if mode == "bare" else colloquy_run(frames, args.languages, args.store)
                )
                results.setdefault((name, mode), []).append(result)
                print(f"run {run} {name:>6} {mode:>8}: {result[0]:9,.0f} msg/s  worst stall {result[1] * 1000:6.1f} ms"
                      + (f"  largest batch {result[2]}  text derived {result[3] * 1000:.0f} ms after"
                         if mode == "colloquy" else ""), flush=True)
    store = "sqlite" if args.store == "sqlite" else "postgresql"
    print(f"\nmessages per run: {args.messages:,}  runs: {args.runs}  dialogue languages: {args.languages}  "
          f"store: {store}")
    for name, _ in parsers():
        bare = [r[0] for r in results[(name, "bare")]]
        ours = [r[0] for r in results[(name, "colloquy")]]
        ratios = [o / b for o, b in zip(ours, bare, strict=True)]
        stalls = [r[1] * 1000 for r in results[(name, "colloquy")]]
        bare_stalls = [r[1] * 1000 for r in results[(name, "bare")]]
        print(f"[{name}] bare {statistics.median(bare):,.0f} msg/s ({min(bare):,.0f}–{max(bare):,.0f}); "
              f"Colloquy {statistics.median(ours):,.0f} rows committed/s ({min(ours):,.0f}–{max(ours):,.0f}); "
              f"ratio {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) target >= 0.80")
        print(f"[{name}] worst loop stall: Colloquy {statistics.median(stalls):.1f} ms "
              f"({min(stalls):.1f}–{max(stalls):.1f}), bare {statistics.median(bare_stalls):.1f} ms; "
              f"largest batch {max(r[2] for r in results[(name, 'colloquy')])}")
        derive = [r[3] * 1000 for r in results[(name, "colloquy")]]
        print(f"[{name}] the flood's text (language, links, suggestions) derived after it: "
              f"{statistics.median(derive):.0f} ms ({min(derive):.0f}–{max(derive):.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
