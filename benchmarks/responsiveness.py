"""Responsiveness under load: slash commands acknowledged while a 100k report compiles and
1,000 messages a second arrive.

    python -m benchmarks.responsiveness [--contributions 100000] [--seconds 6] [--rate 1000]

The real bot (every cog) on a SQLite file holding a 100,000-contribution open dialogue
(:func:`benchmarks.report.populate`). Through the loopback gateway (:mod:`benchmarks.gateway`,
discord.py's own receive path) it gets ``MESSAGE_CREATE`` frames for that dialogue at ``--rate`` per
second and, every 50 ms, an ``INTERACTION_CREATE`` for ``/colloquy`` (which reads the server's
settings and answers); meanwhile ``ReportService.compile`` and the four renders run back to back.
Discord's HTTP side is replaced by a recorder: the **acknowledgement latency** is the time from the
frame's arrival to the interaction callback (the POST that acknowledges it). Also reported: the worst
event-loop stall (1 ms ticker) and how many reports compiled. Goals: ack p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from discord.webhook import async_ as webhook_async

from benchmarks.gateway import BOT_USER, CHANNEL, GUILD, THREADS, frame, guild_create, loopback, message_frames
from benchmarks.ingest import Ticker
from benchmarks.report import populate
from bot.client import create_bot
from bot.config import for_database
from bot.report.discord_text import render_discord
from bot.report.html import render_html
from bot.report.jsonout import render_json
from bot.report.markdown import render_markdown
from bot.store import open_database

MODERATOR = 800_000_000_000_000_777


def interaction_frame(seq: int, interaction_id: int) -> str:
    user = {"id": str(MODERATOR), "username": "maria", "discriminator": "0", "avatar": None, "global_name": "Maria"}
    return frame(seq, "INTERACTION_CREATE", {
        "id": str(interaction_id), "application_id": str(BOT_USER), "type": 2, "token": f"token-{interaction_id}",
        "version": 1, "guild_id": str(GUILD), "channel_id": str(CHANNEL),
        "channel": {"id": str(CHANNEL), "type": 0, "name": "virtual-dialogue", "guild_id": str(GUILD),
                    "permissions": "2147483647", "position": 0, "permission_overwrites": [], "nsfw": False},
        "member": {"user": user, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "permissions": "2147483647",
                   "deaf": False, "mute": False, "flags": 0},
        "data": {"id": "1", "name": "colloquy", "type": 1}, "locale": "en-US", "guild_locale": "en-US",
        "app_permissions": "2147483647", "entitlements": [], "authorizing_integration_owners": {"0": str(GUILD)},
        "context": 0, "attachment_size_limit": 8388608,
    })


class Recorder:
    """Stands in for Discord's HTTP API for interactions: notes when each one was acknowledged."""

    def __init__(self) -> None:
        self.received: dict[int, float] = {}
        self.acknowledged: dict[int, float] = {}

    async def request(self, route: Any, **kwargs: Any) -> Any:
        if route.path.endswith("/callback"):
            interaction_id = int(route.webhook_id)
            self.acknowledged.setdefault(interaction_id, time.perf_counter())
            return {"interaction": {"id": str(interaction_id), "type": 2, "response_message_id": "1",
                                    "response_message_loading": False, "response_message_ephemeral": True}}
        return {"id": "1", "channel_id": str(CHANNEL), "content": "", "type": 0, "author": {
            "id": str(BOT_USER), "username": "colloquy", "discriminator": "0", "avatar": None}, "attachments": [],
            "embeds": [], "mentions": [], "mention_roles": [], "pinned": False, "tts": False, "mention_everyone": False,
            "timestamp": "2026-01-06T10:00:00+00:00", "edited_timestamp": None, "flags": 64}


def render_all(report: Any) -> list[Any]:
    return [render_markdown(report, "en"), render_html(report, "en"), render_json(report, "en"),
            render_discord(report, "en")]


async def prepare(path: Path, n: int) -> None:
    db = await open_database(path)
    await db.close()
    populate(path, n)
    db = await open_database(path)
    try:  # the populated dialogue, open, in the loopback guild's channel and threads
        await db.execute("UPDATE dialogues SET guild_id = ?, channel_id = ?, channel_kind = 'text', state = 'open'",
                         (GUILD, CHANNEL))
        await db.execute("UPDATE members SET guild_id = ?", (GUILD,))
        for position, thread in enumerate(THREADS, 1):
            await db.execute("UPDATE questions SET thread_id = ? WHERE position = ?", (thread, position))
    finally:
        await db.close()


async def run(n: int, seconds: float, rate: int) -> None:
    recorder = Recorder()
    webhook_async.AsyncWebhookAdapter.request = recorder.request  # type: ignore[method-assign,assignment]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "load.sqlite3"
        prepare_started = time.perf_counter()
        await prepare(path, n)
        print(f"populated {n:,} contributions in {time.perf_counter() - prepare_started:.1f} s", flush=True)
        bot = create_bot(for_database(path))
        await bot._async_setup_hook()
        await bot.setup_hook()
        try:
            await bot.services.contributions.rebuild_map()
            ws = loopback(bot)
            await ws.received_message(guild_create())
            frames = message_frames(int(seconds * rate), first_id=5_000_000_000_000_000_000)
            stop = asyncio.Event()
            reports = 0

            async def compile_reports() -> None:
                nonlocal reports
                while not stop.is_set():
                    report = await bot.services.report.compile(1)
                    await asyncio.to_thread(render_all, report)
                    reports += 1

            async def messages() -> None:
                began = time.perf_counter()
                for i, raw in enumerate(frames):
                    await asyncio.sleep(max(0.0, began + i / rate - time.perf_counter()))
                    await ws.received_message(raw)

            async def interactions() -> None:
                seq = 10_000_000
                interaction_id = 7_000_000_000_000_000_000
                while not stop.is_set():
                    interaction_id += 1
                    recorder.received[interaction_id] = time.perf_counter()
                    await ws.received_message(interaction_frame(seq, interaction_id))
                    seq += 1
                    await asyncio.sleep(0.05)

            with Ticker() as ticker:
                tasks = [asyncio.create_task(compile_reports()), asyncio.create_task(interactions())]
                await messages()
                stop.set()
                await asyncio.gather(*tasks)
                await asyncio.sleep(0.5)
            acked = recorder.acknowledged
            latencies = sorted((acked[i] - t) * 1000 for i, t in recorder.received.items() if i in acked)
            stored = await bot.db.fetchval("SELECT count(*) FROM contributions")
        finally:
            await bot.close()
    missing = len(recorder.received) - len(latencies)
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{len(frames):,} messages at {rate}/s over {seconds:.0f} s; reports compiled and rendered: {reports}")
    print(f"/colloquy acknowledged: {len(latencies)} of {len(recorder.received)} ({missing} never)")
    print(f"ack latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms (goal p99 <= 100 ms)")
    print(f"worst event-loop stall: {ticker.worst * 1000:.1f} ms; contributions stored: {stored:,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rate", type=int, default=1000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.contributions, args.seconds, args.rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
