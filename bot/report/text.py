"""What every renderer shares: members' text made safe, localized labels, theme names, dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import text as escape
from bot.i18n import date_range, date_text, short_date, t
from bot.report.model import Report, ThemeSection

# Members' text is made safe in one place, :mod:`bot.text`; these names stay for the renderers.
ZWSP = escape.ZWSP
neutralise = escape.neutralise
one_line = escape.one_line
safe_url = escape.safe_url


def member_text(text: str, language: str) -> str:
    """A member's text on one line, mentions as plain words (for HTML and JSON, which escape markup
    themselves; Markdown and Discord use :func:`bot.text.for_markdown` / :func:`bot.text.for_discord`)."""
    return neutralise(one_line(text), language)


def theme_name(theme: ThemeSection | None, key: str, language: str) -> str:
    if theme is None:
        return key
    return t(language, theme.name) if theme.translated else theme.name


def dates(report: Report, language: str) -> str:
    """``6 - 13 May 2015`` in the dialogue's time zone."""
    return date_range(language, report.starts_at, report.ends_at, ZoneInfo(report.timezone))


def local_date(value: datetime, timezone: str, language: str) -> str:
    return date_text(language, value, ZoneInfo(timezone), fmt="medium")


def local_date_short(value: date, language: str) -> str:
    """``6 May`` / ``6 may`` / ``6 mai``: a chart label."""
    return short_date(language, value)


def question_label(position: int, language: str) -> str:
    return t(language, "Question {n}", n=position) if position else t(language, "Dialogue channel")


def title(report: Report, language: str) -> str:
    return t(language, "Virtual Dialogue: {title}", title=report.title)
