"""`colloquy demo` end to end: a short scenario acted out by the real bot inside SimCord."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.demo.runner import DemoRun
from bot.demo.scenario import load_scenario

SHORT = Path(__file__).resolve().parents[1] / "data" / "short_week.toml"


def sections_in_order(text: str, headings: list[str]) -> list[int]:
    positions = [text.find(h) for h in headings]
    assert all(p >= 0 for p in positions), [h for h, p in zip(headings, positions, strict=True) if p < 0]
    return positions


async def test_the_demo_week_produces_a_report_with_every_section(tmp_path: Path) -> None:
    lines: list[str] = []
    result = await DemoRun(load_scenario(SHORT), tmp_path, None, lines.append).run()

    assert set(result.files) == {"markdown", "html", "json", "csv"}
    markdown = result.files["markdown"].read_text(encoding="utf-8")
    positions = sections_in_order(markdown, [
        "Virtual Dialogue: Short Dialogue", "INTRODUCTION", "*What works?*", "PANEL",
        "**Ana Panel, Researcher, Institute A**", "***Q: How do we start? (Zoe Member, Org Z)***",
        "Ana Panel: Start small, with allies.", "Ben Panel: Map the organisation first.", "KEY POINTS",
        "Comments from the online discussion", "QUESTIONS FOR FURTHER DISCUSSION", "What comes next?", "Notes",
    ])
    assert positions == sorted(positions)
    assert "<sup>1</sup>" in markdown and "https://example.org/peer-learning" in markdown
    assert "Xia Anon" not in markdown  # the anonymous asker, merged into Zoe's question
    html = result.files["html"].read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>") and "<svg" in html
    data = json.loads(result.files["json"].read_text(encoding="utf-8"))
    assert "Short Dialogue" in json.dumps(data, ensure_ascii=False)

    # The transcript shows what the bot posted, on schedule, and what people did.
    transcript = "\n".join(lines)
    assert "── Day 1" in transcript and "── Day 2" in transcript
    assert "Colloquy → #virtual-dialogue" in transcript and "Colloquy → #summaries" in transcript
    assert "Moderator Mo tags Zoe Member’s post: Good practices" in transcript
    assert result.posts_by_bot >= 10


async def test_the_demo_runs_in_spanish(tmp_path: Path) -> None:
    result = await DemoRun(load_scenario(SHORT), tmp_path, "es", lambda _line: None).run()
    markdown = result.files["markdown"].read_text(encoding="utf-8")
    positions = sections_in_order(markdown, [
        "Diálogo Virtual: Short Dialogue", "3 - 4 de enero de 2026", "INTRODUCCIÓN",
        "PANEL DE DISCUSIÓN", "PUNTOS CLAVE",
        "Comentarios", "PREGUNTAS PARA CONTINUAR EL DEBATE", "Notas",
    ])
    assert positions == sorted(positions)
    assert "Comments from the online discussion" not in markdown
    # Members' words stay as written.
    assert "Peer learning works well in our experience." in markdown


def test_the_command_line_demo_writes_the_files_and_prints_their_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--scenario", str(SHORT), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    for suffix in (".md", ".html", ".json"):
        written = list(out.glob(f"*{suffix}"))
        assert len(written) == 1 and str(written[0]) in printed
    assert "── Day 1" not in printed  # --quiet: no transcript


def test_the_demo_speed_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--speed", "slowly"])
    assert info.value.code == 2
    assert "virtual seconds per real second" in capsys.readouterr().err


async def test_no_wake_up_of_the_scheduler_is_dropped_during_the_sample_week(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The closing writes the report's schedule item while wake-ups are running: the wake-up re-added
    for it queues behind the running one instead of being dropped by APScheduler (which logs it)."""
    caplog.set_level(logging.WARNING, logger="apscheduler")
    result = await DemoRun(load_scenario(None), tmp_path, None, lambda _line: None).run()
    assert "markdown" in result.files
    dropped = [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")]
    assert dropped == []
