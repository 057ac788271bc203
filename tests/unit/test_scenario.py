"""Demo scenario files: the sample loads; a malformed file gets a clear error naming file and problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.demo.scenario import ScenarioError, default_scenario_path, load_scenario, sample_path, theme_key

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


# -- real dates, languages, translations, theme names (issue 14) ------------------------------------

BEIJING = sample_path("beijing20").read_text(encoding="utf-8")


def test_the_trilingual_sample_loads_by_name_with_real_dates_and_translations() -> None:
    scenario = load_scenario("beijing20")
    assert scenario.path.name == "beijing20.toml"
    assert scenario.languages == ("en", "es", "fr")
    assert scenario.start_date == date(2026, 10, 13) and scenario.duration_days == 7
    assert scenario.day_date(date(2026, 1, 1), 1) == date(2026, 10, 13)
    assert scenario.starts(date(2026, 1, 1)).isoformat() == "2026-10-13T09:00:00-04:00"
    assert set(scenario.translations) == {"es", "fr"}
    assert scenario.translations["es"].questions[0].startswith("¿Cuáles son los fundamentos")
    assert {m.language for m in scenario.members} == {"en", "es", "fr"}


@pytest.mark.parametrize(
    ("written", "key"),
    [("challenges", "challenges"), ("Good practices", "good_practices"), ("good practices", "good_practices"),
     ("Desafíos", "challenges"), ("desafios", "challenges"), ("Défis", "challenges"),
     ("Comprender y conceptualizar", "understanding"), ("Recommandations", "recommendations"),
     ("Recursos", "resources"), ("Lessons", None)],
)
def test_theme_names_are_accepted_in_every_language(written: str, key: str | None) -> None:
    assert theme_key(written) == key


def beijing(tmp_path: Path, old: str, new: str) -> Path:
    assert old in BEIJING
    path = tmp_path / "b20.toml"
    path.write_text(BEIJING.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('themes = ["Défis", "Recommandations"]', 'themes = ["Leçons"]',
         "'Leçons' is not a theme; write a theme's key (understanding, challenges"),
        ('starts = "2026-10-13 09:00"', 'starts = "2025-10-13 09:00"', "the simulated Discord starts on 2026-01-01"),
        ('starts = "2026-10-13 09:00"', 'starts = "13 October"', '[dialogue] starts must look like "2026-10-13 09:00"'),
        ('ends = "2026-10-19 17:00"', 'ends = "2026-10-12 17:00"', "[dialogue] ends must come after starts"),
        ('languages = ["en", "es", "fr"]', 'languages = ["en", "de"]', "[dialogue] languages must be a list"),
        ('languages = ["en", "es", "fr"]', 'languages = ["en", "es"]', "[dialogue.translations.fr]: 'fr' must be one"),
        ('  "¿Cuáles deben ser las prioridades de capacitación en la agenda +20 y después?",\n', "",
         "[dialogue.translations.es] further_questions: 2 given for 3"),
        ('at = "day 4 09:30"', 'at = "day 9 09:30"', "day 9 is after the dialogue's last day (7)"),
    ],
)
def test_malformed_dates_languages_translations_and_themes(tmp_path: Path, old: str, new: str, problem: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(beijing(tmp_path, old, new))
    assert problem in str(info.value)


def test_key_point_translations_go_with_keypoint_add_in_the_dialogues_other_languages(tmp_path: Path) -> None:
    path = beijing(tmp_path, "translations = { es = \"En la Plataforma", "translations = { de = \"En la Plataforma")
    with pytest.raises(ScenarioError, match=r"translations = .* goes with keypoint_add"):
        load_scenario(path)


def test_a_scenario_runs_with_the_chosen_language_as_the_dialogues_main_one() -> None:
    scenario = load_scenario()
    assert scenario.languages == ("en", "es", "fr")
    spanish = scenario.led_by("es")
    assert spanish.title == "Resistencias en la capacitación para la igualdad de género"
    assert spanish.languages == ("es", "en", "fr")
    assert spanish.questions[0].startswith("¿Qué tipos de resistencias")
    # The original texts become the English translation; French stays as written.
    assert spanish.translations["en"].title == scenario.title
    assert spanish.translations["en"].questions == scenario.questions
    assert spanish.translations["fr"] == scenario.translations["fr"]
    written = next(s for s in spanish.steps if s.do == "keypoint_add")
    assert written.get("text").startswith("Los espacios seguros de diálogo")
    assert set(written.get("translations")) == {"en", "fr"}
    # Members' words are untouched; a language the scenario lacks leaves it as it is.
    assert [s.data for s in spanish.steps if s.do == "post"] == [s.data for s in scenario.steps if s.do == "post"]
    assert scenario.led_by("en") is scenario
    assert load_scenario(Path(__file__).resolve().parents[1] / "data" / "short_week.toml").led_by("es").title == \
        "Short Dialogue"


def test_presentations_are_given_in_the_other_languages_too(tmp_path: Path) -> None:
    scenario = load_scenario()
    assert scenario.panel is not None
    prugl = scenario.panel.panellists[0]
    assert set(prugl.translations) == {"es", "fr"} and len(prugl.translations["es"]) == len(prugl.key_points)
    french = scenario.led_by("fr")
    assert french.panel is not None
    assert french.panel.panellists[0].key_points[0].startswith("La formation au genre est politique")
    assert french.panel.panellists[0].translations["en"] == prugl.key_points
    with pytest.raises(ScenarioError, match="translations must be in the dialogue's other languages"):
        load_scenario(broken(tmp_path, "translations.es = [", "translations.de = ["))
