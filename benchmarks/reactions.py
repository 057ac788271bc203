"""Reactions piling up: how fast a backlog of theme tags, support and disagreement is applied.

    python -m benchmarks.reactions [--reactions 25000] [--runs 3]

A fresh SQLite file with an open dialogue (the default themes) and 1,000 stored contributions; the
backlog is queued as the cog queues reactions (``TaggingService.queue_reaction``: supports, 👎, and
moderators' theme emoji), then applied as the cog applies them (``flush_reactions`` until empty).
Figure: reactions applied per second, with the backlog given (issue 11's goal: ≥ 5,000/s with 25,000
queued; main measured 145/s).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import iso
from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.model import Incoming
from bot.contributions.service import ContributionService
from bot.contributions.tagging import TaggingService
from bot.dialogues.service import DEFAULT_THEMES
from bot.store import open_database

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
GUILD, THREAD = 1, 101


async def one_run(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = await open_database(Path(tmp) / "reactions.sqlite3")
        try:
            dialogue = await db.fetchval(
                """INSERT INTO dialogues (guild_id, title, starts_at, ends_at, channel_id, state, created_at)
                   VALUES (?, 'Bench', ?, ?, 10, 'open', ?) RETURNING id""",
                (GUILD, iso(START), iso(START + timedelta(days=7)), iso(START)),
            )
            await db.execute("INSERT INTO questions (dialogue_id, position, text, thread_id) VALUES (?, 1, 'Q', ?)",
                             (dialogue, THREAD))
            for position, (key, name, emoji) in enumerate(DEFAULT_THEMES, 1):
                await db.execute("INSERT INTO themes (dialogue_id, key, name, emoji, position) VALUES (?, ?, ?, ?, ?)",
                                 (dialogue, key, name, emoji, position))
            clock = lambda: START  # noqa: E731
            service = ContributionService(db, ContributionsConfig(), clock, ProfileService(db, clock))
            await service.load()
            for i in range(1000):
                service.capture(Incoming(10_000 + i, THREAD, GUILD, 500 + i % 50, f"m{i}", f"contribution {i}", (),
                                         START))
            await service.flush()
            tagging = TaggingService(db, clock, service.profiles, service)
            theme_emoji = [emoji for _, _, emoji in DEFAULT_THEMES]
            for i in range(n):
                message = 10_000 + (i * 7) % 1000
                if i % 10 == 0:
                    tagging.queue_reaction(message, theme_emoji[i % len(theme_emoji)], 9, moderator=True, added=True)
                else:
                    tagging.queue_reaction(message, "👎" if i % 7 == 0 else "👍", 1000 + i % 3000,
                                           moderator=False, added=True)
            began = time.perf_counter()
            while tagging.reactions_pending:
                await tagging.flush_reactions()
            elapsed = time.perf_counter() - began
            applied = await db.fetchval("SELECT count(*) FROM contribution_support")
            assert applied > 0
        finally:
            await db.close()
    return n / elapsed


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reactions", type=int, default=25_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    rates = [await one_run(args.reactions) for _ in range(args.runs)]
    print(f"{args.reactions:,} reactions queued, {args.runs} runs: {statistics.median(rates):,.0f}/s median "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f}); goal >= 5,000/s")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
