"""`colloquy demo` in Spanish and French: the narration, the timeline and the report in one language,
as plain text (no Markdown marks, no raw Discord tags), and the same transcript and files every run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.demo.runner import DemoFailure, DemoRun
from bot.demo.scenario import load_scenario
from bot.i18n import LANGUAGES
from bot.i18n.content import untranslated

SHORT = Path(__file__).resolve().parents[1] / "data" / "short_week.toml"

#: Words of the English narration that must not appear in a Spanish or French run.
ENGLISH = ["runs /setup", "creates the dialogue", "adds panellist", "schedules the dialogue", " posts in question",
           " tags ", " reacts ", "Set-up", "── Day ", "is scheduled", "Timeline", "Opening post", "Guiding question",
           "downloads the report", "Sunday", "Monday", "January"]
NATIVE = {
    "es": ["Demostración de Colloquy", "ejecuta /setup", "crea el diálogo «Short Dialogue»", "── Preparación · ",
           "── Día 1 · sábado, 3 de enero de 2026 ──", "Calendario", "Mensaje de apertura", "Pregunta orientadora 1",
           "escribe en la pregunta 1", "etiqueta la publicación de Zoe Member: Buenas prácticas",
           "descarga el informe con /report export"],
    "fr": ["Démonstration de Colloquy", "lance /setup", "crée le dialogue « Short Dialogue »", "── Préparation · ",
           "── Jour 1 · samedi 3 janvier 2026 ──", "Calendrier", "Message d’ouverture", "Question directrice 1",
           "écrit dans la question 1", "étiquette le message publié par Zoe Member\u202f: Bonnes pratiques",
           "télécharge le rapport avec /report export"],
}


async def run(tmp_path: Path, language: str | None, scenario: Path | str = SHORT) -> tuple[list[str], DemoRun]:
    lines: list[str] = []
    demo = DemoRun(load_scenario(scenario), tmp_path, language, lines.append)
    await demo.run()
    return lines, demo


@pytest.mark.parametrize("language", ["es", "fr"])
async def test_the_demo_narrates_in_the_chosen_language_from_first_line_to_report(
    tmp_path: Path, language: str
) -> None:
    lines, demo = await run(tmp_path, language)
    transcript = "\n".join(lines)
    for english in ENGLISH:
        assert english not in transcript, english
    for native in NATIVE[language]:
        assert native in transcript, native
    markdown = demo.files["markdown"].read_text(encoding="utf-8")
    title = "Diálogo Virtual: Short Dialogue" if language == "es" else "Dialogue virtuel\u202f: Short Dialogue"
    assert title in markdown


async def test_the_transcript_is_plain_text_and_shows_the_whole_timeline(tmp_path: Path) -> None:
    lines, _ = await run(tmp_path, "es")
    transcript = "\n".join(lines)
    assert not re.search(r"<t:\d+", transcript)  # timestamps are shown as dates
    assert not re.search(r"<[#@]&?\d+>|</[\w ]+:\d+>", transcript)  # no raw mentions
    assert "**" not in transcript and "](" not in transcript
    assert not any(re.match(r"\s*\[[^]]+\] Colloquy → [^:]+: #", line) for line in lines)  # no "# heading"
    # The last call names the closing time as a date, in Spanish.
    assert any("Última llamada" in line and "4 de enero de 2026" in line for line in lines)
    # Every post of the timeline is listed, under the moderator's answer, none cut.
    start = next(i for i, line in enumerate(lines) if "Calendario" in line)
    timeline = [line for line in lines[start + 1:start + 8] if line.startswith("      ")]
    assert [re.sub(r"^.* — ", "", line) for line in timeline] == [
        "Mensaje de apertura", "Pregunta orientadora 1", "Recordatorio de última llamada", "Pregunta orientadora 2",
        "Mensaje de cierre",
    ]
    assert all("…" not in line for line in timeline)


async def test_two_runs_give_the_same_transcript_and_files(tmp_path: Path) -> None:
    first, demo1 = await run(tmp_path / "one", "fr")
    second, demo2 = await run(tmp_path / "two", "fr")
    assert first == second
    assert demo1.files.keys() == demo2.files.keys()
    for kind, path in demo1.files.items():
        assert path.name == demo2.files[kind].name
        assert path.read_bytes() == demo2.files[kind].read_bytes(), kind


async def test_a_failing_step_names_its_number_and_what_to_change(tmp_path: Path) -> None:
    # Question 2 opens on day 2: a post in it on day 1 cannot be acted out.
    text = SHORT.read_text(encoding="utf-8").replace('at = "day 2 10:00"', 'at = "day 1 15:00"', 1)
    scenario = tmp_path / "early.toml"
    scenario.write_text(text, encoding="utf-8")
    steps = load_scenario(scenario).steps
    early = next(s for s in steps if s.do == "post" and s.get("question") == 2)
    with pytest.raises(DemoFailure) as info:
        await run(tmp_path / "out", "en", scenario)
    message = str(info.value)
    assert f"Step {early.index} (“post”, day 1 at 15:00) failed" in message
    assert "question 2 has not been posted yet" in message and "give the step a later “at”" in message
    with pytest.raises(DemoFailure) as info:
        await run(tmp_path / "out-es", "es", scenario)
    assert f"El paso {early.index} («post», día 1 a las 15:00) falló" in str(info.value)


async def test_the_sample_in_french_is_a_french_dialogue_from_its_first_post(tmp_path: Path) -> None:
    lines, demo = await run(tmp_path, "fr", "resistances")
    transcript = "\n".join(lines)
    assert lines[0].startswith("Démonstration de Colloquy\u202f: « Les résistances dans la formation pour l'égalité")
    assert "1. Quels types de résistances se manifestent pendant la formation pour l'égalité des sexes" in transcript
    for english in ENGLISH:
        assert english not in transcript, english
    report = demo.files["markdown"].read_text(encoding="utf-8")
    assert "## Dialogue virtuel\u202f: Les résistances dans la formation pour l'égalité des sexes" in report
    assert "#### 1. Quels types de résistances se manifestent pendant la formation" in report
    assert "Resistance can be born from fear" in report  # a member's words, as written
    english = demo.files["markdown (en)"].read_text(encoding="utf-8")
    assert "## Virtual Dialogue: Resistances in Training for Gender Equality" in english
    # The sample gives every question, key point and presentation in the three languages.
    for text in (report, english, demo.files["markdown (es)"].read_text(encoding="utf-8")):
        assert not any(untranslated(lang, other) in text for lang in LANGUAGES for other in LANGUAGES)
