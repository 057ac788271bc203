"""``colloquy report``: a dialogue's report from the database, without Discord."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import Config
from bot.store import Database
from tests.unit._report_story import SECRETS, build_story


@pytest.fixture
async def config_file(db: Database, config: Config, db_path: Path | str, tmp_path: Path) -> Path:
    await build_story(db, config)
    path = tmp_path / "config.toml"
    key = "url" if "://" in str(db_path) else "path"  # a PostgreSQL run's store is a URL
    path.write_text(f'[storage]\n{key} = "{db_path}"\n', encoding="utf-8")
    return path


async def test_the_cli_writes_the_report_by_title_in_a_chosen_language_and_format(
    config_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    code = await _run(["report", "--config", str(config_file), "--dialogue", "resistances in training",
                       "--language", "fr", "--format", "html", "--output", str(out)])
    assert code == 0
    page = out.read_text(encoding="utf-8")
    ET.fromstring(page.split("\n", 1)[1])
    assert "Dialogue virtuel\u202f: Resistances in Training" in page
    assert SECRETS["opted_out"] not in page


async def test_the_cli_prints_markdown_by_id_and_explains_an_unknown_dialogue(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _run(["report", "--config", str(config_file), "--dialogue", "1"]) == 0
    assert capsys.readouterr().out.startswith("## Virtual Dialogue: Resistances in Training")
    assert await _run(["report", "--config", str(config_file), "--dialogue", "Nope"]) == 1
    assert "There is no dialogue “Nope”" in capsys.readouterr().err


async def _run(argv: list[str]) -> int:
    """The CLI runs its own event loop: run it in a thread, as from a shell."""
    import asyncio

    return await asyncio.to_thread(main, argv)


async def test_the_cli_refuses_a_title_several_servers_share_and_takes_its_id(
    config_file: Path, db: Database, config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.clock import system_clock
    from bot.dialogues.service import DialogueService

    other = await DialogueService(db, config, system_clock).create(
        999, title="Resistances in Training", starts="2030-01-05", ends="2030-01-06", timezone="UTC",
        channel_id=5, channel_kind="text",
    )
    assert await _run(["report", "--config", str(config_file), "--dialogue", "Resistances in training"]) == 1
    err = capsys.readouterr().err
    assert "Several dialogues match “Resistances in training”" in err and f"(#{other.id})" in err
    assert await _run(["report", "--config", str(config_file), "--dialogue", "#1"]) == 0
    assert capsys.readouterr().out.startswith("## Virtual Dialogue: Resistances in Training")


async def test_the_cli_writes_one_csv_row_per_contribution(config_file: Path, tmp_path: Path) -> None:
    import csv
    import io

    from bot.report.csvout import COLUMNS

    out = tmp_path / "contributions.csv"
    code = await _run(["report", "--config", str(config_file), "--dialogue", "1", "--format", "csv",
                       "--output", str(out)])
    assert code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 9  # every stored contribution; deleted, opted-out and forgotten members' are not
    assert not any(secret in raw.decode("utf-8-sig") for secret in SECRETS.values())
    assert {r["credit"] for r in rows} >= {"Alice Martin, UN Women Training Centre", "Genre en Action", ""}
