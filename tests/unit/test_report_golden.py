"""Golden tests: a dialogue built through the services renders as the seed reports read, in en, es, fr;
and what privacy removes never reaches any format."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from bot.config import Config
from bot.report.discord_text import render_discord
from bot.report.html import render_html
from bot.report.jsonout import render_json
from bot.report.markdown import render_markdown
from bot.store import Database
from tests.unit._report_story import SECRETS, Story, build_story

SECTIONS = {
    "en": ["## Virtual Dialogue: Resistances in Training", "### 5 - 12 January 2026", "### Report",
           "#### INTRODUCTION", "Discussions were guided by these questions:", "#### PANEL DISCUSSION",
           "### KEY POINTS", "### **Comments from the online discussion**", "### QUESTIONS FOR FURTHER DISCUSSION",
           "### PARTICIPATION", "#### Notes"],
    "es": ["## Diálogo Virtual: Resistances in Training", "### 5 - 12 de enero de 2026", "### Informe",
           "#### INTRODUCCIÓN", "Las discusiones se guiaron por estas preguntas:", "#### PANEL DE DISCUSIÓN",
           "### PUNTOS CLAVE", "### **Comentarios", "### PREGUNTAS PARA CONTINUAR EL DEBATE",
           "### PARTICIPACIÓN", "#### Notas"],
    "fr": ["## Dialogue virtuel\u202f: Resistances in Training", "### 5 - 12 janvier 2026", "### Rapport",
           "#### INTRODUCTION", "Les discussions ont été guidées par ces questions\u202f:", "#### PANEL DE DISCUSSION",
           "### IDÉES CLÉS", "### **Commentaires", "### QUESTIONS POUR DE FUTURES DISCUSSIONS",
           "### PARTICIPATION", "#### Notes"],
}


@pytest.fixture
async def story(db: Database, config: Config) -> Story:
    return await build_story(db, config)


def _in_order(text: str, parts: list[str]) -> None:
    at = -1
    for part in parts:
        found = text.find(part, at + 1)
        assert found > at, f"{part!r} missing or out of order"
        at = found


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
async def test_the_report_has_every_section_of_the_seed_in_order(story: Story, lang: str) -> None:
    report = await story.services.report.compile(story.dialogue_id)
    md = render_markdown(report, lang)
    _in_order(md, SECTIONS[lang])
    # Members' words stay as written in every language; the moderators' untranslated items are shown in
    # the original with a marker.
    marker = {"en": "*", "es": " (en inglés)*", "fr": " (en anglais)*"}[lang]
    assert f"1. *What kinds of resistances are manifested during training?{marker}" in md
    assert "- Resistance can be born from fear of losing power." in md


async def test_the_panel_q_and_a_is_in_the_seeds_format(story: Story) -> None:
    md = render_markdown(await story.services.report.compile(story.dialogue_id))
    _in_order(md, [
        "**Elisabeth Prügl, Director, Graduate Institute**",
        "- Gender training is politics.",
        "**Lut Mergaert, Research Director, Yellow Window**",
        "***Q: Is the training of trainers a good way to start? (Alice Martin, UN Women Training Centre)***",
        "Lut Mergaert: It is a good way to start, but not easy.",
        "Elisabeth Prügl: The debate needs to be institution-wide.",
        "***Q: Is gender balance common in trainer teams?***",  # asked anonymously: no name
        "Lut Mergaert: Not systematically: it doubles the cost.",
    ])
    # The approved question nobody answered goes to "Questions for further discussion", credited.
    further = md.split("QUESTIONS FOR FURTHER DISCUSSION")[1]
    _in_order(further, ["1. How can resistances be built into training methods?",
                        "2. What standards ensure quality in training? (Gina Ruiz)"])


async def test_key_points_marked_moderated_and_suggested(story: Story) -> None:
    published = await story.services.report.compile(story.dialogue_id)
    assert not any(q.suggested for q in published.questions)  # only the preview holds suggestions
    report = await story.services.report.compile(story.dialogue_id, draft=True)
    q1, q2, q3 = report.questions
    assert [k.source for k in q1.key_points] == ["moderator"]
    assert [k.source for k in q2.key_points] == ["marked"]  # the opted-out member's marked one is gone
    assert q2.key_points[0].credit == "Gina Ruiz"
    assert not q3.key_points and q3.suggested  # moderators wrote none: suggestions, verbatim, on topic
    texts = {k.text for k in q3.suggested}
    assert "Lovely weather in Geneva this morning, unrelated to anything." not in texts
    assert texts <= {
        "Resistances can be harnessed by building them into the methods of training for transformation.",
        "Collective learning processes turn resistances into transformation of training and of organisations.",
    }


async def test_footnotes_are_numbered_in_reading_order_and_referenced(story: Story) -> None:
    md = render_markdown(await story.services.report.compile(story.dialogue_id))
    body, notes = md.split("#### Notes")
    listed = re.findall(r"^<sup>(\d+)</sup> <(\S+)>", notes, re.M)
    assert listed == [("1", "http://www.genreenaction.net/spip.php?article7700"),
                      ("2", "https://www.kit.nl/gender/revisiting.pdf")]
    for number, _url in listed:
        assert f"<sup>{number}</sup>" in body  # every note is referenced where its link was shared
    assert "(shared by Genre en Action)" in notes  # the sharer's attribution choice: organisation only


async def test_comments_are_grouped_by_theme_with_each_members_attribution(story: Story) -> None:
    report = await story.services.report.compile(story.dialogue_id)
    recommendations = report.theme("recommendations")
    assert recommendations is not None
    first = recommendations.quotes[0]
    assert first.support == 3 and first.credit == "Gina Ruiz"  # most supported first
    assert first.url == f"https://discord.com/channels/1000/3002/{story.messages['repository']}"
    understanding = report.theme("understanding")
    assert understanding is not None
    carol = next(q for q in understanding.quotes if "difficult journey" in q.text)
    assert carol.credit is None  # anonymous by her profile
    assert report.participation.participants == 4
    assert report.participation.contributions == 9
    assert sum(n for _, n in report.participation.per_day) == 9


async def test_nothing_privacy_removed_leaks_into_any_format(story: Story) -> None:
    report = await story.services.report.compile(story.dialogue_id, draft=True)
    for lang in ("en", "es", "fr"):
        outputs = {
            "markdown": render_markdown(report, lang, draft=True),
            "html": render_html(report, lang, draft=True),
            "json": render_json(report, lang),
            "discord": "\n".join(render_discord(report, lang, draft=True)),
        }
        for name, out in outputs.items():
            for what, secret in SECRETS.items():
                assert secret not in out, f"{what} leaked into {name} ({lang})"
            for url in ("deleted.example.org", "optout.example.org", "forgotten.example.org"):
                assert url not in out, f"{url} leaked into {name} ({lang})"
            assert "@everyone" not in out and "<@12>" not in out
            assert "Hidden Org" not in out
        ET.fromstring(outputs["html"].split("\n", 1)[1])
        json.loads(outputs["json"])


@pytest.mark.parametrize(("lang", "label"), [("es", "***P: "), ("fr", "***Q\u202f: ")])
async def test_the_q_and_a_label_follows_the_report_language(story: Story, lang: str, label: str) -> None:
    # The same label as the relay line posted in the panel channel ("P:" in Spanish, "Q :" in French).
    md = render_markdown(await story.services.report.compile(story.dialogue_id), lang)
    assert f"{label}Is the training of trainers a good way to start? (Alice Martin, UN Women Training Centre)***" in md
    assert "***Q: " not in md
