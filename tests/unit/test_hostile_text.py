"""Members' words in every export stay words (issue 13, output injection): one shared escape for Discord
and for the Markdown file, checked with a real CommonMark parser (markdown-it-py) and Discord's rules."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot import text as escape
from bot.report.discord_text import render_discord
from bot.report.markdown import render_markdown
from bot.report.model import Report
from tests.unit._report_sample import sample_report

HOSTILE = [
    "[x](javascript:alert(1))",
    "[click](https://evil.example/phish)",
    "![img](https://evil.example/pixel.png)",
    "# heading",
    "### smaller heading\n# and another",
    "```py\nprint('rest is code')",
    "`inline code`",
    "> a quote\n>>> quote everything",
    "**bold** __underline__ *it* _it_ ~~strike~~ ||spoiler||",
    "<script>alert(1)</script> <b>bold</b> &lt;escaped&gt; &amp;",
    "<javascript:alert(1)> <data:text/html,hi>",
    "<@123456789012345678> <@!123456789012345678> <@&123456789012345678> <#123456789012345678> @everyone @here",
    "</dialogue create:123456789012345678> <t:1700000000:R> <:custom:123456789012345678>",
    "- list\n1. numbered\n+ plus\n-# subtext",
    "Setext\n===",
    "line\n---\n| a | b |\n|---|---|\n| c | d |",
    "trailing backslash \\",
    "\u202eevil bidi\u202c and \x00 nul",
]

#: The Markdown export's own parser settings: CommonMark plus the GFM tables and strikethrough a reader
#: (GitHub, a wiki) would apply, and autolinks of bare URLs (linkify is off: bare URLs stay text).
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def hostile_report(text: str) -> Report:
    """The sample report with ``text`` everywhere a member's words (or name) can appear."""
    base = sample_report()
    themes = tuple(
        dataclasses.replace(th, quotes=tuple(dataclasses.replace(q, text=text, credit=text) for q in th.quotes))
        for th in base.themes
    )
    questions = tuple(
        dataclasses.replace(q, key_points=tuple(dataclasses.replace(p, text=text, credit=text) for p in q.key_points))
        for q in base.questions
    )
    assert base.panel is not None
    panel = dataclasses.replace(
        base.panel,
        panellists=tuple(dataclasses.replace(p, name=text, organisation=text, points=(text,))
                         for p in base.panel.panellists),
        questions=tuple(dataclasses.replace(q, text=text, credit=text,
                                            answers=tuple(dataclasses.replace(a, panellist=text, text=text)
                                                          for a in q.answers))
                        for q in base.panel.questions),
    )
    further = tuple(dataclasses.replace(f, text=text, credit=text) for f in base.further_questions)
    notes = tuple(dataclasses.replace(n, credit=text) for n in base.notes)
    return dataclasses.replace(base, themes=themes, questions=questions, panel=panel, further_questions=further,
                               notes=notes)


def _walk(tokens: list[Token]) -> list[Token]:
    out = []
    for token in tokens:
        out.append(token)
        out += _walk(token.children or [])
    return out


def structure(markdown: str) -> list[str]:
    """What the parser makes of the file, less the words: the kinds of block and inline markup."""
    kinds = []
    for token in _walk(MARKDOWN.parse(markdown)):
        if token.type in ("text", "softbreak", "hardbreak", "inline"):
            continue
        if token.markup == "autolink" and token.type == "link_close":
            continue
        if token.markup == "autolink" and token.type == "link_open":
            assert re.match(r"https?://", token.attrs["href"])  # a web link a member shared stays a link
            continue
        href = token.attrs.get("href") if token.attrs else None
        kinds.append(f"{token.type}:{token.tag}:{href}" if href else f"{token.type}:{token.tag}")
    return kinds


@pytest.mark.parametrize("text", HOSTILE)
def test_members_words_add_no_markup_to_the_markdown_export(text: str) -> None:
    """The file's structure (headings, lists, links, code, HTML) is the same as with harmless words."""
    clean = structure(render_markdown(hostile_report("plain words")))
    hostile = render_markdown(hostile_report(text))
    assert structure(hostile) == clean
    html = MARKDOWN.render(hostile)
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert "<script" not in html and "<b>" not in html


def test_a_web_link_in_a_members_words_stays_a_link_and_no_other_scheme_does() -> None:
    html = MARKDOWN.render(escape.for_markdown("see https://example.org/a_b*c and javascript:alert(1)"))
    assert re.findall(r'href="([^"]*)"', html) == ["https://example.org/a_b*c"]


@pytest.mark.parametrize("text", HOSTILE)
def test_members_words_add_no_markup_to_the_discord_report(text: str) -> None:
    clean = render_discord(hostile_report("plain words"))
    messages = render_discord(hostile_report(text))
    assert all(len(m) <= 2000 for m in messages)
    ours = {line for m in clean for line in m.splitlines() if line.startswith(("#", ">", "```"))}
    for line in (line for m in messages for line in m.splitlines()):
        if line.startswith(("#", ">", "-#")):
            assert line in ours, line  # only the report's own headings
    joined = "\n".join(messages)
    assert "```" not in joined.replace("\\`", "")  # no fence: every backtick escaped
    masked = re.compile(r"(?<!\\)\[[^\]]*\]\(")
    assert len(masked.findall(joined)) == len(masked.findall("\n".join(clean)))  # no member's masked link
    assert not re.search(r"<@[!&]?\d+>|<#\d+>|(?<!@\u200b)@(everyone|here)\b", joined.replace("@\u200b", "@\u200b"))


@pytest.mark.parametrize("text", HOSTILE)
def test_for_discord_leaves_no_live_markup(text: str) -> None:
    out = escape.for_discord(text)
    assert not re.search(r"^\s*(#{1,3} |>|-# )", out, re.MULTILINE)
    assert "```" not in out.replace("\\`", "")
    assert not re.search(r"<@[!&]?\d+>|<#\d+>", out)
    assert "@everyone" not in out and "@here" not in out
    assert not re.search(r"(?<!\\)\[[^\]]*\]\(", out)


def test_profile_fields_are_one_line_so_a_name_cannot_start_a_heading() -> None:
    assert escape.profile_field("Ana\n\n## Injected heading\r\n") == "Ana ## Injected heading"
    assert escape.profile_field("  \n ") is None
    report = hostile_report("Ana\n## Injected heading")
    assert "\n## Injected" not in render_markdown(report)
    assert all("\n## Injected" not in m for m in render_discord(report))


def test_credits_are_neutralised_everywhere() -> None:
    report = hostile_report("<@123456789012345678> @everyone")
    markdown = render_markdown(report)
    assert "<@123456789012345678>" not in markdown and "@everyone" not in markdown
    assert "@\u200bmember" in markdown


@pytest.mark.parametrize("value", ["👍", "👍🏽", "🏳️‍🌈", "👨‍👩‍👧", "❤️", "🇫🇷", "1️⃣", "<:colloquy:123456789012345678>",
                                   "<a:dance:123456789012345678>"])
def test_one_emoji_accepts_every_kind_of_emoji(value: str) -> None:
    assert escape.one_emoji(value)


@pytest.mark.parametrize("value", ["", "x", "ab", "👍👍", "👍 x", "<:x:1>", "<@123456789012345678>", "#", "*", "1",
                                   "x" * 6000, ":thumbsup:"])
def test_one_emoji_refuses_anything_else(value: str) -> None:
    assert not escape.one_emoji(value)


def test_shorten_then_escape_never_leaves_a_lone_backslash() -> None:
    out = escape.for_discord(escape.shorten("*" * 50, 10))
    assert out.endswith("…") and "\\…" not in out


@given(st.text(alphabet=st.characters(blacklist_characters="<@"), max_size=60))
def test_text_without_angle_brackets_or_at_signs_has_nothing_to_neutralise(text: str) -> None:
    """``neutralise`` skips its patterns for such text: each of them needs a ``<`` or an ``@``."""
    for pattern in (escape._USER, escape._ROLE, escape._CHANNEL, escape._SLASH,
                    escape._EMOJI, escape._TIMESTAMP, escape._BROADCAST):
        assert pattern.search(text) is None
    assert escape.neutralise(text, "en") == text
