"""The HTML report in a real browser: readable at 360 px and on a desktop, in print, without errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.demo.runner import DemoRun
from bot.demo.scenario import load_scenario
from bot.report.html import render_html
from bot.report.model import Note, Quote, ThemeSection
from tests.unit._report_sample import MSG, sample_report

SHORT = Path(__file__).resolve().parents[1] / "data" / "short_week.toml"
LONG_URL = "https://www.example.org/" + "very-long-path-segment-without-any-break/" * 4 + "report.pdf"


def hard_report() -> Any:
    """The sample report with what breaks layouts: a very long URL inline, long names and words,
    a long theme name in the charts, and a shared link that the text never references."""
    report = sample_report()
    inline = Quote(300, f"Our evaluation framework is here {LONG_URL} and covers Entwicklungszusammenarbeit.",
                   "Maria-Magdalena Wojciechowska-Szczepańska, Internationale Arbeitsorganisation",
                   MSG.format(300), question=1, notes=(3,))
    theme = ThemeSection("institutional", "Institutional resistances in ministries and development agencies", None,
                  False, (inline,), 1)
    notes = (*report.notes,
             Note(3, LONG_URL, "Maria-Magdalena Wojciechowska-Szczepańska, Internationale Arbeitsorganisation"),
             Note(4, "https://unreferenced.example.org/", "Nobody Quoted"))
    participation = replace(report.participation,
                            per_theme=(*report.participation.per_theme, ("institutional", 1)))
    return replace(report, themes=(*report.themes, theme), notes=notes, participation=participation)


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    # Playwright's sync API runs its own loop in this thread: the demo gets a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        run = DemoRun(load_scenario(SHORT), out, "fr", lambda _line: None)
        result = pool.submit(asyncio.run, run.run()).result()
    return result.files["html"]


@pytest.fixture(params=["en", "es", "fr"])
def pages(request: pytest.FixtureRequest, tmp_path: Path, demo_page: Path) -> Iterator[list[Path]]:
    lang = request.param
    page = tmp_path / f"hard-{lang}.html"
    page.write_text(render_html(hard_report(), lang, draft=True), encoding="utf-8")
    yield [page, demo_page]


def open_page(browser: Any, path: Path, width: int, errors: list[str]) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    return page


@pytest.mark.parametrize("width", [360, 1280])
def test_no_horizontal_scroll_from_a_phone_to_a_desktop(browser: Any, pages: list[Path], width: int) -> None:
    for path in pages:
        errors: list[str] = []
        page = open_page(browser, path, width, errors)
        scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= viewport, f"{path.name} at {width} px scrolls sideways ({scroll} > {viewport})"
        # Every chart fits; no element sticks out of the page.
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= viewport + 0.5, f"{path.name}: an element ends at {widest} px"
        charts = page.evaluate("[...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().width)")
        assert charts and all(0 < w <= viewport for w in charts)
        assert errors == []
        page.close()


def test_names_in_the_notes_do_not_split_mid_word(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "hard.html"
    path.write_text(render_html(hard_report()), encoding="utf-8")
    page = open_page(browser, path, 360, [])
    # The words of a note's credit each stay on one line: each word's box is one line high.
    heights = page.evaluate("""() => {
        const li = document.getElementById('note-3');
        const range = document.createRange();
        const text = [...li.childNodes].find(n => n.nodeType === 3 && n.textContent.includes('Wojciechowska'));
        const out = [];
        let at = 0;
        for (const word of text.textContent.split(/(\\s+)/)) {
            if (word.trim()) {
                range.setStart(text, at); range.setEnd(text, at + word.length);
                out.push([word, range.getClientRects().length]);
            }
            at += word.length;
        }
        return out;
    }""")
    assert heights and all(lines == 1 for _word, lines in heights), heights
    page.close()


def test_print_shows_every_link_target(browser: Any, pages: list[Path]) -> None:
    for path in pages:
        page = open_page(browser, path, 800, [])
        after = "[...document.querySelectorAll('a[href^=\"http\"]')].map(a => [a.href, a.className, " \
                "getComputedStyle(a, '::after').content])"
        on_screen = page.evaluate(after)
        assert on_screen and all(content in ("none", "normal") for _href, _cls, content in on_screen)
        page.emulate_media(media="print")
        printed = page.evaluate(after)
        for href, cls, content in printed:
            if cls == "url":  # a note or a listed link: its text is the URL already
                assert content in ("none", "normal")
                assert page.evaluate(f"[...document.querySelectorAll('a.url')].some(a => a.textContent === {href!r})")
            else:
                assert href in content, f"{href} is not shown in print ({content})"
        assert page.evaluate("document.querySelector('a.back') === null || "
                             "getComputedStyle(document.querySelector('a.back')).display === 'none'")
        pdf = page.pdf()
        assert pdf.startswith(b"%PDF")
        page.close()


def test_notes_link_both_ways_and_only_referenced_notes_are_numbered(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "hard.html"
    path.write_text(render_html(hard_report()), encoding="utf-8")
    page = open_page(browser, path, 360, [])
    numbered = page.evaluate("[...document.querySelectorAll('.note-list > li')].map(li => li.id)")
    assert numbered == ["note-1", "note-2", "note-3"]  # note 4 is referenced nowhere
    assert page.locator(".other-links a", has_text="unreferenced.example.org").count() == 1
    for note_id in numbered:
        refs = page.locator(f'a.ref[href="#{note_id}"]')
        assert refs.count() >= 1
        ref_id = refs.first.get_attribute("id")
        refs.first.click()
        assert page.evaluate("location.hash") == f"#{note_id}"
        assert page.evaluate(f"document.getElementById('{note_id}').getBoundingClientRect().top") < 800
        page.locator(f"#{note_id} a.back").click()
        assert page.evaluate("location.hash") == f"#{ref_id}"
    # A URL shared in the text is shown once: as its site's name there, in full in the note.
    body = page.evaluate("document.querySelector('main').innerText")
    assert body.count(LONG_URL) == 1
    assert page.locator("#comments .site", has_text="example.org").count() == 1
    page.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots_render(browser: Any, demo_page: Path, tmp_path: Path, width: int) -> None:
    errors: list[str] = []
    page = open_page(browser, demo_page, width, errors)
    shot = page.screenshot(path=str(tmp_path / f"report-{width}.png"), full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and errors == []
    page.close()
