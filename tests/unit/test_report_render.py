"""The renderers on a Report built by hand: the seed's shape, safety of members' text, Discord limits."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from bot.report.discord_text import render_discord, split_messages
from bot.report.html import render_html
from bot.report.jsonout import render_json
from bot.report.markdown import render_markdown
from bot.report.model import Quote
from tests.unit._report_sample import MSG, sample_report

SECTIONS_EN = [
    "## Virtual Dialogue: Resistances in Training",
    "### 6 - 13 May 2015",
    "### Report",
    "#### INTRODUCTION",
    "Discussions were guided by these questions:",
    "#### PANEL DISCUSSION",
    "**Elisabeth Prügl, Director, Graduate Institute**",
    "***Q: Is the training of trainers a good way to start? (Elisabeth Robert, UN Women)***",
    "### KEY POINTS",
    "### **Comments from the online discussion**",
    "#### ***Challenges***",
    "### QUESTIONS FOR FURTHER DISCUSSION",
    "### PARTICIPATION",
    "#### Notes",
]


def _in_order(text: str, parts: list[str]) -> None:
    at = -1
    for part in parts:
        found = text.find(part, at + 1)
        assert found > at, f"{part!r} missing or out of order"
        at = found


def test_markdown_follows_the_seed_reports_shape() -> None:
    md = render_markdown(sample_report())
    _in_order(md, SECTIONS_EN)
    assert "1. *What kinds of resistances are manifested?*" in md
    assert "[Concept Note](https://example.org/concept-note.pdf)" in md


def test_panel_q_and_a_is_written_as_in_the_seed() -> None:
    md = render_markdown(sample_report())
    _in_order(md, [
        "***Q: Is the training of trainers a good way to start? (Elisabeth Robert, UN Women)***",
        "Lut Mergaert: This is a good way to start.",
        "Elisabeth Prügl: The debate needs to be institution-wide.",
        # An anonymous asker: the question, no name, no empty parentheses.
        "***Q: Is gender balance common in trainer teams?***",
        "Lut Mergaert: Not systematically.",
    ])


def test_footnotes_are_numbered_and_referenced_where_the_link_was_shared() -> None:
    md = render_markdown(sample_report())
    body, notes = md.split("#### Notes")
    assert "scarce (point 0). — *Ana Gómez, UN Women*<sup>1</sup>" in body
    assert "@\u200brole. — *Genre en Action*<sup>2</sup>" in body
    assert re.findall(r"^<sup>(\d+)</sup> <(\S+)>", notes, re.M) == [
        ("1", "https://www.kit.nl/gender/revisiting.pdf"),
        ("2", "http://www.genreenaction.net/spip.php?article9517"),
    ]


def test_suggestions_are_marked_in_the_preview_and_never_in_the_published_report() -> None:
    report = sample_report()
    draft = render_markdown(report, draft=True)
    final = render_markdown(report)
    line = "- Repositories of materials are vital. — *Genre en Action*"
    assert f"{line} *(suggestion)*" in draft
    assert "Suggested from the discussion (awaiting review):" in draft
    # A suggestion no moderator accepted never reaches a published report, even if handed to the renderer.
    assert "Suggested from the discussion" not in final and line not in final
    assert "(suggestion)" not in final
    # Moderators' key points are never labelled as suggestions.
    assert "- Resistance is born from fear.\n" in draft


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("es", ["## Diálogo Virtual: Resistances in Training", "#### INTRODUCCIÓN", "#### ***Desafíos***",
                "### PARTICIPACIÓN", "#### Notas"]),
        ("fr", ["## Dialogue virtuel\u202f: Resistances in Training", "#### INTRODUCTION", "#### ***Défis***",
                "### PARTICIPATION", "#### Notes"]),
    ],
)
def test_headings_dates_and_theme_names_are_localized_members_words_are_not(lang: str, expected: list[str]) -> None:
    md = render_markdown(sample_report(), lang)
    _in_order(md, expected)
    # The seeds' house style, in each language's words.
    assert ("### 6 - 13 mai 2015" if lang == "fr" else "### 6 - 13 de mayo de 2015") in md
    assert "Francophone contexts" not in md  # a custom theme with no quotes is not a section
    assert "Funding for long training programmes is scarce (point 0)." in md  # as written


def test_member_text_never_pings_in_any_format() -> None:
    report = sample_report()
    outputs = [render_markdown(report), render_html(report), render_json(report), *render_discord(report)]
    for out in outputs:
        assert "@everyone" not in out
        assert "<@42>" not in out and "<@&7>" not in out


def test_html_is_well_formed_self_contained_and_escaped() -> None:
    page = render_html(sample_report(), draft=True)
    assert page.startswith("<!DOCTYPE html>")
    root = ET.fromstring(page.split("\n", 1)[1])  # strict XML parse: every tag closed, every entity valid
    assert root.tag == "html"
    assert not re.search(r"<(script|link|img|iframe|object)\b", page)
    assert "src=" not in page and "@import" not in page and "url(" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    svgs = root.findall(".//{http://www.w3.org/2000/svg}svg")
    assert len(svgs) == 3  # per day, per theme, per question
    assert f'href="{MSG.format(100)}"' in page  # quotes link to their Discord message
    assert 'href="#note-1"' in page and 'id="note-1"' in page


def test_html_never_links_a_non_web_url() -> None:
    report = replace(sample_report(), concept_note="javascript:alert(1)")
    page = render_html(report)
    assert "javascript:" not in page


def test_json_carries_the_same_content() -> None:
    data = json.loads(render_json(sample_report(), "es"))
    assert data["language"] == "es"
    assert [q["position"] for q in data["questions"]] == [1, 2]
    assert data["questions"][1]["suggested_key_points"][0]["source"] == "suggested"
    assert data["panel"]["questions"][1]["credit"] is None
    challenges = next(th for th in data["themes"] if th["key"] == "challenges")
    assert challenges["name"] == "Desafíos"
    assert challenges["quotes"][0]["notes"] == [1]
    assert data["participation"]["per_day"][0] == {"date": "2015-05-06", "contributions": 1}


def test_discord_messages_fit_and_no_line_is_cut() -> None:
    report = sample_report(quotes_per_theme=400)  # several times Discord's limit
    text_lines = [line for line in render_markdown(report, flavour=__import__(
        "bot.report.markdown", fromlist=["DISCORD"]).DISCORD).splitlines() if line.strip()]
    messages = render_discord(report)
    assert len(messages) > 5
    assert all(len(m) <= 2000 for m in messages)
    posted = [line for m in messages for line in m.splitlines() if line.strip()]
    assert posted == text_lines  # everything, in order, every line whole
    assert all("[↗](<https://discord.com/channels/1/2/" in line for line in posted if "point " in line)


def test_a_line_longer_than_a_message_is_cut_between_words_never_inside_a_link() -> None:
    url = "https://example.org/" + "a" * 80
    line = " ".join(["word"] * 300 + [f"[↗](<{url}>)"] + ["more"] * 300 + [f"<{url}>"])
    messages = split_messages(line, limit=500)
    assert all(len(m) <= 500 for m in messages)
    assert " ".join(messages) == line
    assert sum(m.count(url) for m in messages) == 2


def test_quotes_are_one_line_each() -> None:
    report = sample_report()
    multi = Quote(300, "First line\n\nsecond   line", "Bob", MSG.format(300))
    theme = replace(report.themes[1], quotes=(multi,))
    md = render_markdown(replace(report, themes=(theme,)))
    assert "- First line second line — *Bob*" in md
