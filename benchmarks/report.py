"""Compiling and rendering a 100,000-contribution report, against a raw read of the same columns.

    python -m benchmarks.report [--contributions 100000] [--runs 5] [--store sqlite|postgresql://…]

With ``--store postgresql://…`` the same rows are copied (``copy-store``, not measured) into a fresh
schema on that server; the report and the raw read (asyncpg, the same columns) are measured there.

A fresh SQLite file holds one dialogue (4 questions, the 5 default themes, 2,000 members of whom 1%
opted out) with N contributions over a week, a third of them tagged, one in five supported, one in
fifty sharing a link, and key points on two of the (posted) questions. Runs interleave, in one process:

- **raw read**: plain ``sqlite3`` (no aiosqlite, no event loop) reading the columns a report uses —
  ``id, question_id, channel_id, message_id, author_id, author_name, content, created_at,
  is_key_point`` — of every contribution of the dialogue, every row fetched;
- **report**: the compile as ``ReportService.compile`` calls it (``compile_report(…, suggestions=0)``:
  SQL aggregates on the read connections, two statements at a time, the assembly in a worker thread)
  and rendering Markdown, HTML, JSON and the Discord messages (in a worker thread), on the bot's own
  ``Database``, its heap settled as the bot's is (``bot.client.settle_heap``).

The figure is report / raw read (goal ≤ 1.5×). Also measured: the worst event-loop stall during the
report (a 1 ms ticker's lateness), the same with the editorial pass (``ReportService.compile``: the
compile, then the moderators' draft, the grouped sample and the preview's suggestions), the peak
Python memory of a report (``tracemalloc``, a separate run), and ``/dialogue status``'s figures
(``ContributionService.counts``) idle and while a report compiles (goal ≤ 100 ms).
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

from benchmarks.stores import add_store_option, fresh_store
from bot.client import settle_heap
from bot.clock import iso
from bot.community.profiles import ProfileService
from bot.config import ContributionsConfig
from bot.contributions.service import ContributionService
from bot.dialogues.service import DEFAULT_THEMES
from bot.report.compile import compile_report
from bot.report.discord_text import render_discord
from bot.report.html import render_html
from bot.report.jsonout import render_json
from bot.report.markdown import render_markdown
from bot.report.model import Report
from bot.report.service import ReportService
from bot.store import Database, open_database
from bot.store.copy import copy_store

GUILD, CHANNEL = 1, 10
MEMBERS = 2000
START = datetime(2026, 5, 6, 7, 0, tzinfo=UTC)
_VOCABULARY = (
    "training resistance gender equality transformation organisation power change process participants "
    "trainers funding institutions methods evaluation knowledge feminist politics practice tools learning"
)
WORDS = _VOCABULARY.split()
RAW_COLUMNS = "id, question_id, channel_id, message_id, author_id, author_name, content, created_at, is_key_point"


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
    # Posted questions (a message id each): a closed dialogue's report shows only those.
    con.executemany(
        "INSERT INTO questions (id, dialogue_id, position, text, thread_id, message_id) VALUES (?, 1, ?, ?, ?, ?)",
        [(q, q, f"Guiding question {q}?", 100 + q, 200 + q) for q in range(1, 5)])
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
        "author_name, content, created_at, space_count) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row, row[7].count(" ")) for row in rows])
    con.executemany("INSERT INTO contribution_tags (contribution_id, theme_id, source, status, created_at) "
                    "VALUES (?, ?, 'moderator', 'confirmed', ?)", tags)
    con.executemany("INSERT INTO contribution_support (contribution_id, user_id, emoji) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING", support)  # its dialogue and author: by trigger (migration 012)
    con.executemany("INSERT INTO links (id, dialogue_id, url, contribution_id, shared_by, shared_at) "
                    "VALUES (?, 1, ?, ?, ?, ?)", links)
    con.executemany("INSERT INTO key_points (dialogue_id, question_id, text, source, created_at) "
                    "VALUES (1, ?, ?, 'moderator', ?)", [(q, f"Key point for question {q}.", now) for q in (1, 2)])
    con.commit()
    con.close()



async def raw_read(target: str | Path) -> float:
    """Seconds to read the report's columns of every contribution with the bare driver: sqlite3, or
    asyncpg on PostgreSQL."""
    if "://" in str(target):
        import asyncpg

        conn = await asyncpg.connect(str(target))
        try:
            began = time.perf_counter()
            found = await conn.fetch(f"SELECT {RAW_COLUMNS} FROM contributions WHERE dialogue_id = $1", 1)  # noqa: S608
            elapsed = time.perf_counter() - began
        finally:
            await conn.close()
        assert found
        return elapsed
    con = sqlite3.connect(target)
    try:
        began = time.perf_counter()
        rows = con.execute(f"SELECT {RAW_COLUMNS} FROM contributions WHERE dialogue_id = ?", (1,)).fetchall()  # noqa: S608
        elapsed = time.perf_counter() - began
    finally:
        con.close()
    assert rows
    return elapsed


class Ticker:
    """The worst lateness of a 1 ms sleep while it runs: how long the event loop was blocked."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.running = True

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while self.running:
            expected = loop.time() + 0.001
            await asyncio.sleep(0.001)
            self.worst = max(self.worst, loop.time() - expected)


async def compile_as_the_bot(db: Database) -> Report:
    """The compile as ``ReportService.compile`` calls it: no suggestions of its own (the preview's
    suggested key points come from the editorial pass, measured apart)."""
    return await compile_report(db, 1, suggestions=0)


async def report(db: Database, editorial: ReportService | None = None) -> tuple[float, float, int]:
    """(seconds, worst event-loop stall in seconds, characters rendered): the compile and the four
    renders; with ``editorial``, its ``compile`` (the editorial pass included) instead."""
    ticker = Ticker()
    tick = asyncio.create_task(ticker.run())
    await asyncio.sleep(0.01)
    began = time.perf_counter()
    compiled = await (editorial.compile(1) if editorial is not None else compile_as_the_bot(db))
    outputs = await asyncio.to_thread(lambda: [
        render_markdown(compiled, "en"), render_html(compiled, "en"), render_json(compiled, "en"),
        *render_discord(compiled, "en"),
    ])
    elapsed = time.perf_counter() - began
    ticker.running = False
    await tick
    return elapsed, ticker.worst, sum(len(o) for o in outputs)


async def status_figures(service: ContributionService) -> float:
    began = time.perf_counter()
    await service.counts(1)
    return time.perf_counter() - began


async def status_during_report(db: Database, service: ContributionService) -> list[float]:
    """``/dialogue status`` figures, ten moderators at once, while a report compiles."""
    compiling = asyncio.create_task(compile_as_the_bot(db))
    await asyncio.sleep(0.02)
    times = list(await asyncio.gather(*(status_figures(service) for _ in range(10))))
    await compiling
    return times


async def run(n: int, runs: int, store: str = "sqlite") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        db = await open_database(path)
        await db.close()
        populate(path, n)
        async with fresh_store(store, Path(tmp), "report") as target:
            if store != "sqlite":  # the same rows, moved as a community would be (setup, not measured)
                await copy_store(path, target, say=lambda _line: None)
            else:
                target = path
            await measure(target, n, runs, store)


async def measure(target: str | Path, n: int, runs: int, store: str) -> None:
    db = await open_database(target)
    clock = lambda: START  # noqa: E731
    service = ContributionService(db, ContributionsConfig(), clock, ProfileService(db, clock))
    editorial = ReportService(db, clock)
    try:
        await raw_read(target)  # warm the page cache for both
        await report(db)
        settle_heap()  # as the bot does once started (ColloquyBot.setup_hook, on_ready)
        reads, reports, stalls, idle, busy, edited, edited_stalls = [], [], [], [], [], [], []
        size = 0
        for _ in range(runs):
            reads.append(await raw_read(target))
            seconds, stall, size = await report(db)
            reports.append(seconds)
            stalls.append(stall)
            seconds, stall, _ = await report(db, editorial)
            edited.append(seconds)
            edited_stalls.append(stall)
            idle.append(await status_figures(service))
            busy += await status_during_report(db, service)
        tracemalloc.start()
        await report(db)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        await db.close()
    ratios = [r / w for r, w in zip(reports, reads, strict=True)]
    edited_ratios = [r / w for r, w in zip(edited, reads, strict=True)]

    def ms(values: list[float]) -> str:
        return (f"{statistics.median(values) * 1000:7.1f} ms (min {min(values) * 1000:.1f}, "
                f"max {max(values) * 1000:.1f})")

    driver = "sqlite3" if store == "sqlite" else "asyncpg"
    print(f"contributions: {n:,}  runs: {runs}  store: {'sqlite' if store == 'sqlite' else 'postgresql'}")
    print(f"raw {driver} read of the columns: {ms(reads)}")
    print(f"compile + render:                {ms(reports)}")
    print(f"ratio (per run):                 {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}; goal <= 1.5x)")
    print(f"worst event-loop stall:          {ms(stalls)}  (goal <= 20 ms)")
    print(f"with the editorial pass (ReportService.compile) + render: {ms(edited)}")
    print(f"  its ratio: {statistics.median(edited_ratios):.2f}x (min {min(edited_ratios):.2f}, "
          f"max {max(edited_ratios):.2f}); its worst stall {ms(edited_stalls)}")
    print(f"peak Python memory (tracemalloc): {peak / 1e6:.1f} MB (goal <= 50 MB); rendered {size:,} characters")
    print(f"/dialogue status figures, idle:  {ms(idle)}  (goal <= 100 ms)")
    print(f"  10 at once during a report:    {ms(busy)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    add_store_option(parser)
    args = parser.parse_args(argv)
    asyncio.run(run(args.contributions, args.runs, args.store))
    return 0


if __name__ == "__main__":
    sys.exit(main())
