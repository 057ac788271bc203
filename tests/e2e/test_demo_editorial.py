"""The demo's week shows the report moderators can stand behind: draft edits, an accepted suggestion, a
duplicate question merged on the queue's proposal, a consensus section and a CSV export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.demo.runner import DemoRun
from bot.demo.scenario import load_scenario
from bot.report.csvout import COLUMNS


async def test_the_demo_week_shows_the_draft_the_synthesis_and_the_csv(tmp_path: Path) -> None:
    lines: list[str] = []
    result = await DemoRun(load_scenario("resistances"), tmp_path, None, lines.append).run()
    transcript = "\n".join(lines)
    assert "writes the text about the community of the report" in transcript
    assert "accepts a suggested key point for question 1" in transcript
    assert "merges a duplicate question into #" in transcript and "as the queue proposed" in transcript

    md = result.files["markdown"].read_text(encoding="utf-8")
    assert "a forum of over 1,400 gender experts and practitioners" in md
    assert "#### What is Training for Gender Equality?" in md
    assert "Moderator: Lucy Ferguson" in md
    assert "WHERE PARTICIPANTS AGREED / WERE DIVIDED" in md and "divisiveness 100%" in md
    assert "Suggested from the discussion" not in md
    # The duplicate asked by Priya was merged into the gender-balance question: both askers credited.
    assert "Do teams of trainers usually have gender balance" not in md

    table = result.files["csv"].read_bytes()
    assert table.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(table.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS) and len(rows) > 10
