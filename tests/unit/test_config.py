"""Configuration files: good ones load, bad ones give one clear error naming the file and the key."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError, load

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_loads_with_its_documented_defaults() -> None:
    config = load(EXAMPLE)
    assert config.defaults.language == "en"
    assert config.schedule.grace_period_hours == 6
    assert config.storage.path == EXAMPLE.parent / "colloquy.sqlite3"
    assert config.bot.dev_guild_id is None


def test_every_key_of_the_example_is_documented_by_a_comment() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "[")) and "=" in stripped:
            assert lines[i - 1].strip().startswith("#"), f"undocumented key: {stripped}"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[bot]\ntokn = 'x'\n", "bot.tokn"),
        ("[storage]\npath = 3\n", "storage.path"),
        ("[defaults]\ntimezone = 'Mars/Base'\n", "defaults.timezone"),
        ("[defaults]\nlanguage = 'de'\n", "defaults.language"),
        ("[schedule]\ngrace_period_hours = -1\n", "schedule.grace_period_hours"),
        ("[nonsense]\nx = 1\n", "nonsense"),
        ("[contributions.keywords.en]\nchallenges = 'difficult'\n", "contributions.keywords.en.challenges"),
    ],
)
def test_bad_config_names_the_file_and_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert info.value.key == key
    assert str(path.name) in str(info.value)


def test_missing_file_and_broken_toml_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(write(tmp_path, "[bot\n"))


def test_check_config_exits_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[defaults]\ntimezone = 'Nowhere/Land'\n")
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "defaults.timezone" in err and str(path.name) in err
    assert "Traceback" not in err


def test_the_token_comes_from_the_environment_and_is_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "[bot]\ntoken = 'file-token-123'\n")
    monkeypatch.setenv("DISCORD_TOKEN", "env-token-456")
    config = load(path)
    assert config.token == "env-token-456"
    assert "token-" not in repr(config)
    assert main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "token-" not in out and "token: set" in out


def test_token_filter_scrubs_log_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.__main__ import _TokenFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "connecting with %s", ("sekrit",), None)
    assert _TokenFilter("sekrit").filter(record)
    assert "sekrit" not in record.getMessage()
