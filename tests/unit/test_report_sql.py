"""The report aggregated in SQL gives the report the Python path gave.

``tests/data/report_golden_sample.en.json`` is the golden sample's JSON report as the previous compile
(every contribution fetched and grouped in Python) produced it. When the report's content changes on
purpose, regenerate it with ``render_json(report, "en")`` of the story below and say why in the commit.
"""

from __future__ import annotations

import heapq
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config
from bot.contributions.model import Incoming
from bot.report import suggest
from bot.report.compile import PARALLEL_READS, compile_report
from bot.report.jsonout import render_json
from bot.store import Database
from bot.store.repositories import report as report_repository
from bot.store.repositories.report import ReportRepository
from tests.unit._report_story import GUILD, THREADS, Story, build_story

GOLDEN = Path(__file__).parent.parent / "data" / "report_golden_sample.en.json"


@pytest.fixture
async def story(db: Database, config: Config) -> Story:
    return await build_story(db, config)


async def test_the_sql_path_gives_the_same_report_on_the_golden_sample(story: Story) -> None:
    # The compile itself (the service's compile adds the moderators' editorial pass, bot.report.editorial,
    # which leaves suggestions to the preview).
    s = story.services
    await s.contributions.flush()
    report = await compile_report(s.db, story.dialogue_id, panel=s.panel_record)
    assert render_json(report, "en") == GOLDEN.read_text(encoding="utf-8")


async def _crowd(story: Story, n: int) -> None:
    """``n`` more contributions on question 1, long enough to be candidates, some supported."""
    s = story.services
    for i in range(n):
        s.contributions.capture(Incoming(
            message_id=20_000 + i, channel_id=THREADS[1], guild_id=GUILD, author_id=500 + i % 7,
            author_name=f"m{i}", content=f"Training resistance number {i} grows with power and privilege {i % 5}",
            attachments=(), created_at=datetime(2026, 1, 6, 9, 0, tzinfo=UTC) + timedelta(minutes=i % 11),
        ))
    await s.contributions.flush()
    for i in range(0, n, 3):
        contribution = await s.contributions.require_by_message(20_000 + i)
        for voter in range(i % 4):
            await s.db.execute(
                "INSERT INTO contribution_support (contribution_id, user_id, emoji) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING", (contribution.id, 900 + voter, "👍"),
            )


async def _python_rows(db: Database, dialogue_id: int) -> tuple[list[tuple[int, str, int, str]], dict[int, int]]:
    rows = await db.fetchall(
        "SELECT id, content, created_at, question_id, is_key_point FROM contributions WHERE dialogue_id = ? "
        "ORDER BY id", (dialogue_id,),
    )
    support = {
        r[0]: r[1] for r in await db.fetchall(
            """SELECT s.contribution_id, count(DISTINCT s.user_id) FROM contribution_support s
               JOIN contributions c ON c.id = s.contribution_id WHERE s.user_id != c.author_id
               GROUP BY s.contribution_id""")
    }
    return [(r[0], r[1], r[3], r[2]) for r in rows if not r[4]], support


@pytest.mark.parametrize("sample", [7, 12, 13, 25])
async def test_the_suggestion_sample_in_sql_is_the_one_python_would_draw(
    story: Story, monkeypatch: pytest.MonkeyPatch, sample: int
) -> None:
    # Several sizes: the spread's steps (candidates - head) / (sample - head) take different fractions.
    await _crowd(story, 40)
    db = story.services.db
    question_id = (await story.services.dialogues.questions(story.dialogue_id))[0].id
    rows, support = await _python_rows(db, story.dialogue_id)
    keyed = {
        r[0] for r in await db.fetchall("SELECT contribution_id FROM key_points WHERE contribution_id IS NOT NULL")
    }
    eligible = [
        (cid, text, support.get(cid, 0)) for cid, text, qid, _ in rows
        if qid == question_id and text.count(" ") >= suggest.MIN_WORDS - 1 and cid not in keyed
    ]
    monkeypatch.setattr(suggest, "SAMPLE", sample)
    expected = suggest._sample(eligible)
    assert len(eligible) > sample  # the spread is exercised
    got = await ReportRepository(db).suggestion_samples(
        story.dialogue_id, GUILD, [question_id], suggest.MIN_WORDS - 1, sample
    )
    assert got == {question_id: [tuple(c) for c in expected]}


async def test_quotes_per_theme_are_the_most_supported_then_oldest(story: Story) -> None:
    await _crowd(story, 30)
    s = story.services
    theme = (await s.tagging.themes(story.dialogue_id))[0]
    for i in range(30):
        contribution = await s.contributions.require_by_message(20_000 + i)
        await s.tagging.add_tag(contribution.id, theme.id, 1)
    rows, support = await _python_rows(s.db, story.dialogue_id)
    tagged = {r[0] for r in await s.db.fetchall(
        "SELECT contribution_id FROM contribution_tags WHERE theme_id = ? AND status = 'confirmed'", (theme.id,))}
    expected = heapq.nsmallest(
        4, [r for r in rows if r[0] in tagged], key=lambda r: (-support.get(r[0], 0), r[3], r[0])
    )
    quotes = await ReportRepository(s.db).theme_quotes(story.dialogue_id, GUILD, 4)
    assert [r["id"] for r in quotes if r["theme_id"] == theme.id] == [r[0] for r in expected]
    assert [r["support"] for r in quotes if r["theme_id"] == theme.id] == [support.get(r[0], 0) for r in expected]


def _eligible(rows: list[tuple[int, str, int, str]], support: dict[int, int], question_id: int,
              keyed: set[int]) -> list[tuple[int, str, int]]:
    return [
        (cid, text, support.get(cid, 0)) for cid, text, qid, _ in rows
        if qid == question_id and text.count(" ") >= suggest.MIN_WORDS - 1 and cid not in keyed
    ]


async def test_the_samples_of_several_questions_drawn_at_once_are_each_the_one_python_would_draw(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Question 1 has more candidates than the sample (head and spread), question 2 fewer (all of them).
    await _crowd(story, 40)
    db = story.services.db
    questions = [q.id for q in await story.services.dialogues.questions(story.dialogue_id)][:2]
    rows, support = await _python_rows(db, story.dialogue_id)
    keyed = {r[0] for r in await db.fetchall(
        "SELECT contribution_id FROM key_points WHERE contribution_id IS NOT NULL")}
    sample = 12
    monkeypatch.setattr(suggest, "SAMPLE", sample)
    expected = {q: [tuple(c) for c in suggest._sample(_eligible(rows, support, q, keyed))] for q in questions}
    sizes = [len(_eligible(rows, support, q, keyed)) for q in questions]
    assert sizes[0] > sample >= sizes[1]
    assert expected[questions[1]]
    got = await ReportRepository(db).suggestion_samples(story.dialogue_id, GUILD, questions, suggest.MIN_WORDS - 1,
                                                         sample)
    assert got == expected


async def test_the_spread_is_drawn_when_no_candidate_is_supported(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No head at all: the spread alone fills the sample (an empty head must not exclude every candidate).
    await _crowd(story, 40)
    db = story.services.db
    await db.execute("DELETE FROM contribution_support")
    question_id = (await story.services.dialogues.questions(story.dialogue_id))[0].id
    rows, support = await _python_rows(db, story.dialogue_id)
    keyed = {r[0] for r in await db.fetchall(
        "SELECT contribution_id FROM key_points WHERE contribution_id IS NOT NULL")}
    sample = 12
    monkeypatch.setattr(suggest, "SAMPLE", sample)
    expected = [tuple(c) for c in suggest._sample(_eligible(rows, support, question_id, keyed))]
    assert len(expected) == sample
    got = await ReportRepository(db).suggestion_samples(story.dialogue_id, GUILD, [question_id],
                                                         suggest.MIN_WORDS - 1, sample)
    assert got == {question_id: expected}


class _Watched:
    """A store that counts the statements in flight at once."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.dialect = db.dialect
        self.in_flight = 0
        self.most = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)

    async def _watch(self, call: str, *args: object) -> object:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            return await getattr(self._db, call)(*args)
        finally:
            self.in_flight -= 1

    async def fetchall(self, *args: object) -> object:
        return await self._watch("fetchall", *args)

    async def fetchone(self, *args: object) -> object:
        return await self._watch("fetchone", *args)


async def test_a_compile_overlaps_its_reads_on_postgresql_only(story: Story) -> None:
    s = story.services
    await s.contributions.flush()
    watched = _Watched(s.db)
    report = await compile_report(watched, story.dialogue_id, panel=s.panel_record)  # type: ignore[arg-type]
    assert watched.most == PARALLEL_READS[s.db.dialect] == (2 if s.db.dialect == "postgresql" else 1)
    assert render_json(report, "en") == GOLDEN.read_text(encoding="utf-8")


async def test_an_export_quoting_more_contributions_than_a_statement_binds_reads_them_in_chunks(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = story.services
    await s.contributions.flush()
    whole = render_json(await compile_report(s.db, story.dialogue_id, quote_limit=None, suggestions=0), "en")
    monkeypatch.setattr(report_repository, "ID_CHUNK", 2)
    chunked = render_json(await compile_report(s.db, story.dialogue_id, quote_limit=None, suggestions=0), "en")
    assert chunked == whole
    assert sum(len(t["quotes"]) for t in json.loads(whole)["themes"]) > 2
