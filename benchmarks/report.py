"""Compiling and rendering a 100,000-contribution report, against merely reading its rows.

    python -m benchmarks.report [--contributions 100000] [--runs 3]

A fresh SQLite file holds one dialogue (4 questions, the 5 default themes, 2,000 members of whom 1%
opted out) with N contributions over a week, a third of them tagged, one in five supported, one in
fifty sharing a link, and a few key points. Each run, on the bot's own ``Database`` (aiosqlite):

- **read**: ``SELECT * FROM contributions WHERE dialogue_id = ?``, every row fetched;
- **report**: ``compile_report`` (the SQL reads, then grouping, footnotes and suggested key points
  in a worker thread) and rendering Markdown, HTML, JSON and the Discord messages in English.

The figure is report / read (DESIGN.md target ≤ 3×). Also measured: the longest event-loop stall
during the report (a 1 ms ticker's worst lateness) and the peak Python memory (``tracemalloc``) of
a separate run. Medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import iso
from bot.dialogues.service import DEFAULT_THEMES
from bot.report.compile import compile_report
from bot.report.discord_text import render_discord
from bot.report.html import render_html
from bot.report.jsonout import render_json
from bot.report.markdown import render_markdown
from bot.store import Database, open_database

GUILD, CHANNEL = 1, 10
MEMBERS = 2000
START = datetime(2026, 5, 6, 7, 0, tzinfo=UTC)
_VOCABULARY = (
    "training resistance gender equality transformation organisation power change process participants "
    "trainers funding institutions methods evaluation knowledge feminist politics practice tools learning"
)
WORDS = _VOCABULARY.split()


def populate(path: Path, n: int) -> None:
    """Bulk-insert the dialogue with plain sqlite3 (setup, not measured)."""
    rng = random.Random(7)
    con = sqlite3.connect(path)
    now = iso(START)
    con.execute(
        """INSERT INTO dialogues (id, guild_id, title, description, concept_note, languages, timezone, starts_at,
               ends_at, channel_id, state, created_at) VALUES (1, ?, 'Benchmark dialogue', 'A large dialogue.',
               'https://example.org/cn', 'en es fr', 'Europe/Madrid', ?, ?, ?, 'closed', ?)""",
        (GUILD, now, iso(START + timedelta(days=7)), CHANNEL, now),
    )
    con.executemany("INSERT INTO questions (id, dialogue_id, position, text, thread_id) VALUES (?, 1, ?, ?, ?)",
                    [(q, q, f"Guiding question {q}?", 100 + q) for q in range(1, 5)])
    con.executemany("INSERT INTO themes (id, dialogue_id, key, name, emoji, position) VALUES (?, 1, ?, ?, ?, ?)",
                    [(i, key, name, emoji, i) for i, (key, name, emoji) in enumerate(DEFAULT_THEMES, 1)])
    con.executemany(
        "INSERT INTO members (guild_id, user_id, display_name, organisation, attribution, opted_out, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(GUILD, u, f"Member {u}", f"Org {u % 40}", ("name", "organisation", "anonymous")[u % 3],
          int(u % 100 == 0), now) for u in range(1, MEMBERS + 1)],
    )
    rows, tags, support, links = [], [], [], []
    for cid in range(1, n + 1):
        q = rng.randint(1, 4)
        text = " ".join(rng.choices(WORDS, k=rng.randint(8, 40))).capitalize() + "."
        if cid % 50 == 0:
            text += f" https://example.org/resource/{cid}"
            links.append((cid, f"https://example.org/resource/{cid}", cid, 1 + cid % MEMBERS, now))
        at = START + timedelta(seconds=cid * 7 * 86400 // n)
        rows.append((cid, q, GUILD, 100 + q, 10_000_000 + cid, 1 + cid % MEMBERS, f"member{cid % MEMBERS}", text,
                     iso(at)))
        if cid % 3 == 0:
            tags.append((cid, 1 + cid % 5, now))
        if cid % 5 == 0:
            support += [(cid, 1 + (cid + k) % MEMBERS, "💡") for k in range(1, 1 + cid % 4)]
    con.executemany(
        "INSERT INTO contributions (id, dialogue_id, question_id, guild_id, channel_id, message_id, author_id, "
        "author_name, content, created_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.executemany("INSERT INTO contribution_tags (contribution_id, theme_id, source, status, created_at) "
                    "VALUES (?, ?, 'moderator', 'confirmed', ?)", tags)
    con.executemany("INSERT OR IGNORE INTO contribution_support VALUES (?, ?, ?)", support)
    con.executemany("INSERT INTO links (id, dialogue_id, url, contribution_id, shared_by, shared_at) "
                    "VALUES (?, 1, ?, ?, ?, ?)", links)
    con.executemany("INSERT INTO key_points (dialogue_id, question_id, text, source, created_at) "
                    "VALUES (1, ?, ?, 'moderator', ?)", [(q, f"Key point for question {q}.", now) for q in (1, 2)])
    con.commit()
    con.close()


async def read_rows(db: Database) -> float:
    began = time.perf_counter()
    rows = await db.fetchall("SELECT * FROM contributions WHERE dialogue_id = ?", (1,))
    elapsed = time.perf_counter() - began
    assert rows
    return elapsed


async def report(db: Database) -> tuple[float, float, int]:
    """(seconds, worst event-loop stall in seconds, characters rendered)."""
    worst = 0.0
    running = True

    async def ticker() -> None:
        nonlocal worst
        loop = asyncio.get_running_loop()
        while running:
            expected = loop.time() + 0.001
            await asyncio.sleep(0.001)
            worst = max(worst, loop.time() - expected)

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    began = time.perf_counter()
    compiled = await compile_report(db, 1)
    outputs = await asyncio.to_thread(lambda: [
        render_markdown(compiled, "en"), render_html(compiled, "en"), render_json(compiled, "en"),
        *render_discord(compiled, "en"),
    ])
    elapsed = time.perf_counter() - began
    running = False
    await tick
    return elapsed, worst, sum(len(o) for o in outputs)


async def run(n: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        db = await open_database(path)
        await db.close()
        populate(path, n)
        db = await open_database(path)
        try:
            await read_rows(db)  # warm the page cache for both
            reads, reports, stalls = [], [], []
            size = 0
            for _ in range(runs):
                reads.append(await read_rows(db))
                seconds, stall, size = await report(db)
                reports.append(seconds)
                stalls.append(stall)
            tracemalloc.start()
            await report(db)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            await db.close()
    read, rep = statistics.median(reads), statistics.median(reports)
    print(f"contributions: {n:,}  runs: {runs}")
    print(f"read rows (median):        {read * 1000:8.1f} ms")
    print(f"compile + render (median): {rep * 1000:8.1f} ms   ratio {rep / read:.2f}x (target <= 3x)")
    stall = f"{max(stalls) * 1000:8.1f} ms (median run {statistics.median(stalls) * 1000:.1f})"
    print(f"worst event-loop stall:    {stall}")
    print(f"peak Python memory:        {peak / 1e6:8.1f} MB   rendered {size:,} characters")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    asyncio.run(run(args.contributions, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
