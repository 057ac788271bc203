"""The report as Discord messages: Discord's Markdown, split within its limits.

Messages are cut between lines, never inside one; a line longer than a whole message (a very long
contribution) is cut between words, and a link (``<https://…>``, ``[text](<url>)``) is never cut.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot import text as escape
from bot.i18n import date_range, number, t
from bot.i18n.content import ContentTranslations
from bot.report.markdown import DISCORD, quote_line, render_markdown
from bot.report.model import Report, WeekSummary

LIMIT = 2000
# A masked link, an angle-bracketed URL or a bare URL: units that are never cut.
_ATOM = re.compile(r"\[[^\]\n]*\]\(<?[^)\s>]+>?\)|<https?://[^>\s]+>|https?://\S+|\S+|\s+")


def render_discord(report: Report, language: str | None = None, *, draft: bool = False,
                   limit: int = LIMIT) -> list[str]:
    return split_messages(render_markdown(report, language, draft=draft, flavour=DISCORD), limit)


def _cut_line(line: str, limit: int) -> list[str]:
    """A too-long line in pieces of at most ``limit``, cut between words and around links."""
    pieces: list[str] = []
    current = ""
    for atom in _ATOM.findall(line):
        if len(current) + len(atom) <= limit:
            current += atom
            continue
        if current.strip():
            pieces.append(current.rstrip())
        current = "" if atom.isspace() else atom
        while len(current) > limit:  # a single word longer than a message: nothing else to do
            pieces.append(current[:limit])
            current = current[limit:]
    if current.strip():
        pieces.append(current.rstrip())
    return pieces


def split_messages(text: str, limit: int = LIMIT) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, cut at line ends; a message starts at a
    heading when one is near, so a section is not left hanging at the end of a message."""
    messages: list[str] = []
    current: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal current, size
        body = "\n".join(current).strip("\n")
        if body.strip():
            messages.append(body)
        current, size = [], 0

    for line in text.splitlines():
        pieces = [line] if len(line) <= limit else _cut_line(line, limit)
        for piece in pieces:
            extra = len(piece) + (1 if current else 0)
            # Start a new message at a heading once this one is well filled.
            if piece.startswith("#") and size > limit * 0.6:
                flush()
                extra = len(piece)
            if size + extra > limit:
                flush()
                extra = len(piece)
            current.append(piece)
            size += extra
    flush()
    return messages


def render_week(summary: WeekSummary, language: str) -> list[str]:
    """The end-of-week post: a heading, one line of figures, the most supported contributions and
    the key points written this week."""
    lang = language
    tz = ZoneInfo(summary.timezone)
    span = date_range(lang, summary.starts_at, summary.ends_at - timedelta(seconds=1), tz)
    tr = summary.translations or ContentTranslations(summary.languages[0] if summary.languages else lang)
    names = {
        key: (t(lang, name) if translated else tr.pick("theme", name, lang))
        for key, name, translated in summary.theme_names
    }
    figures = [
        t(lang, "Contributions: {n}", n=number(lang, summary.contributions)),
        t(lang, "Participants: {n}", n=number(lang, summary.participants)),
        *(f"{names.get(key, key)} {number(lang, n)}" for key, n in summary.per_theme),
    ]
    title = escape.for_discord(tr.pick("title", summary.title, lang), lang, single_line=True)
    lines = [
        "## " + t(lang, "Week {week} of “{title}”", week=summary.week, title=title) + f" ({span})",
        "📊 " + " · ".join(figures),
    ]
    if summary.top:
        lines += ["", "**" + t(lang, "Most supported contributions") + "**"]
        lines += [quote_line(q, lang, DISCORD) for q in summary.top]
    if summary.key_points:
        lines += ["", "**" + t(lang, "New key points") + "**"]
        for p in summary.key_points:
            text = tr.pick("key_point", p.text, lang) if p.source == "moderator" else p.text
            lines.append(f"- {escape.for_discord(text, lang, single_line=True)}")
    if not summary.contributions:
        lines += ["", t(lang, "No contributions this week yet: the questions are still open.")]
    return split_messages("\n".join(lines))
