"""Demo scenario files: the sample loads; a malformed file gets a clear error naming file and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.demo.scenario import ScenarioError, default_scenario_path, load_scenario

SAMPLE = default_scenario_path().read_text(encoding="utf-8")


def test_the_sample_scenario_is_the_seed_dialogue() -> None:
    scenario = load_scenario()
    assert scenario.title == "Resistances in Training for Gender Equality"
    assert len(scenario.questions) == 4
    assert scenario.panel is not None and len(scenario.panel.panellists) == 3
    assert len([m for m in scenario.members if not m.moderator]) >= 12
    assert {m.language for m in scenario.members} == {"en", "es", "fr"}
    assert {s.do for s in scenario.steps} >= {"post", "edit", "delete", "react", "tag", "keypoint", "ask",
                                              "review", "upvote", "relay", "answer", "record_answer"}


def broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SAMPLE
    path = tmp_path / "week.toml"
    path.write_text(SAMPLE.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('timezone = "America/New_York"', 'timezone = "Atlantis/Capital"', "not an IANA time zone"),
        ('do = "post"', 'do = "shout"', "unknown action 'shout'"),
        ('at = "day 1 09:40"', 'at = "tuesday"', 'at must look like "day 2 14:30"'),
        ('who = "elisabeth"\ndo = "ask"', 'who = "nobody"\ndo = "ask"', "'nobody' is not a [[members]] handle"),
        ('question = 1\nref = "elena-q1"', 'question = 9\nref = "elena-q1"', "question must be a number from 1 to 4"),
        ('at = "day 6 16:00"', 'at = "day 1 08:00"', "steps must be in time order"),
        ('ref = "tom-q3"\n\n', 'ref = "tom-q33"\n\n', "names no earlier post"),
        ("moderator = true", "moderator = false", "one member must have moderator = true"),
    ],
)
def test_malformed_scenarios_name_the_file_and_the_problem(tmp_path: Path, old: str, new: str, problem: str) -> None:
    path = broken(tmp_path, old, new)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert problem in str(info.value)
    assert str(path) in str(info.value)


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(broken(tmp_path, "[dialogue]", "[dialogue"))
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "missing.toml")


def test_the_cli_reports_a_bad_scenario_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, 'do = "post"', 'do = "shout"')
    assert main(["demo", "--scenario", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown action 'shout'" in err and "week.toml" in err and "Traceback" not in err
