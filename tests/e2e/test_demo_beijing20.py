"""The trilingual sample (`colloquy demo --scenario beijing20`): real dates, three languages, the
moderators' translations in each report, members' words as written, themes named in any language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.demo.runner import DemoRun
from bot.demo.scenario import load_scenario
from bot.i18n import LANGUAGES
from bot.i18n.content import untranslated


@pytest.fixture(scope="module")
def beijing20(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, Path]]:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    lines: list[str] = []
    demo = DemoRun(load_scenario("beijing20"), tmp_path_factory.mktemp("b20"), "fr", lines.append)
    with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever the test runner's
        result = pool.submit(asyncio.run, demo.run()).result()
    return lines, result.files


def test_the_sample_runs_on_its_real_dates_in_three_languages(beijing20: tuple[list[str], dict[str, Path]]) -> None:
    lines, files = beijing20
    transcript = "\n".join(lines)
    # Followed in French, the dialogue is a French one (its French texts are the originals).
    title = "La formation pour l'égalité des sexes et Beijing +20"
    assert lines[0].startswith(f"Démonstration de Colloquy\u202f: « {title} »")
    assert "Langues du dialogue\u202f: français, anglais et espagnol" in transcript
    assert "── Jour 1 · mardi 13 octobre 2026 ──" in transcript
    assert "traduit 8 éléments du dialogue en anglais" in transcript
    assert "traduit 8 éléments du dialogue en espagnol" in transcript
    # Themes named in Spanish and French in the scenario, narrated in French.
    assert "étiquette le message publié par Marisol Quispe\u202f: Comprendre et conceptualiser" in transcript
    assert "étiquette le message publié par Clémence Ndiaye\u202f: Ressources, Défis" in transcript
    assert set(files) == {"markdown", "html", "json", "csv", "markdown (en)", "html (en)", "markdown (es)", "html (es)"}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("markdown (en)", ["## Virtual Dialogue: Training for Gender Equality and Beijing +20",
                           "### 13 - 19 October 2026",
                           "#### 1. What are the foundations of training for gender equality in the Beijing PFA?",
                           "- In the Beijing Platform for Action (PFA) training was conceived as a dynamic tool"]),
        ("markdown (es)", ["## Diálogo Virtual: Capacitación para la Igualdad de Género y Beijing +20",
                           "### 13 - 19 de octubre de 2026",
                           "#### 1. ¿Cuáles son los fundamentos de la capacitación para la igualdad de género "
                           "en la BPfA?",
                           "- En la Plataforma de Acción de Beijing (BPfA) la capacitación fue concebida"]),
        ("markdown", ["## Dialogue virtuel\u202f: La formation pour l'égalité des sexes et Beijing +20",
                      "### 13 - 19 octobre 2026",
                      "#### 1. Quels sont les fondements de la formation pour l'égalité des sexes dans le Programme",
                      "- Dans la Plateforme d'action de Beijing, la formation est conçue comme un outil dynamique"]),
    ],
)
def test_each_report_reads_in_its_language_with_members_words_as_written(
    beijing20: tuple[list[str], dict[str, Path]], kind: str, expected: list[str]
) -> None:
    text = beijing20[1][kind].read_text(encoding="utf-8")
    at = -1
    for part in expected:
        found = text.find(part)
        assert found > at, f"{part!r} missing or out of order in {kind}"
        at = found
    # Every item the moderators wrote is translated: no "(in English)" marker of an untranslated one.
    assert not any(untranslated(lang, other) in text for lang in LANGUAGES for other in LANGUAGES)
    # Members' words, in whatever language they wrote, are quoted as written in every report.
    assert "Los cambios desde Beijing han sido sobre todo en la forma de impartir la capacitación" in text
    assert "Les « processus d'apprentissage collectifs » montrent comment la formation" in text


def test_the_sample_is_chosen_by_name_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scenario", "beijing20", "--language", "es", "--out", str(tmp_path), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "Listo: 7 días de diálogo en tiempo virtual" in printed and "Archivos del informe:" in printed
    assert len(list(tmp_path.glob("*.md"))) == 3 and len(list(tmp_path.glob("*.html"))) == 3
