"""What every renderer shares: members' text made safe, localized labels, theme names, dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from bot.i18n import date_range, date_text, resolve, t
from bot.report.model import Report, ThemeSection

ZWSP = "\u200b"
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_EMOJI = re.compile(r"<a?:(\w+):\d+>")
_BROADCAST = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
_WEB_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def neutralise(text: str, language: str) -> str:
    """Quoted members' text never pings and never shows raw ids: ``@everyone`` and ``@here`` get a
    zero-width space after the ``@``, user, role and channel mentions become plain words."""
    text = _USER.sub(lambda _m: "@" + ZWSP + t(language, "member"), text)
    text = _ROLE.sub(lambda _m: "@" + ZWSP + t(language, "role"), text)
    text = _CHANNEL.sub(lambda _m: "#" + t(language, "channel"), text)
    text = _EMOJI.sub(r":\1:", text)
    return _BROADCAST.sub(lambda m: "@" + ZWSP + m.group(1), text)


def one_line(text: str) -> str:
    """A contribution as one line (whitespace collapsed): quotes are bullets, and Discord splitting
    works line by line."""
    return " ".join(text.split())


def member_text(text: str, language: str) -> str:
    return neutralise(one_line(text), language)


def safe_url(url: str | None) -> str | None:
    """Only web links become links (a ``javascript:`` URL never reaches a page)."""
    return url if url and _WEB_URL.fullmatch(url) else None


def theme_name(theme: ThemeSection | None, key: str, language: str) -> str:
    if theme is None:
        return key
    return t(language, theme.name) if theme.translated else theme.name


def dates(report: Report, language: str) -> str:
    """``6 – 13 May 2015`` in the dialogue's time zone."""
    return date_range(language, report.starts_at, report.ends_at, ZoneInfo(report.timezone))


def local_date(value: datetime, timezone: str, language: str) -> str:
    return date_text(language, value, ZoneInfo(timezone), fmt="medium")


def local_date_short(value: date, language: str) -> str:
    """``6 May`` / ``6 may`` / ``6 mai``: a chart label."""
    return format_skeleton("MMMd", value, locale=resolve(language))


def question_label(position: int, language: str) -> str:
    return t(language, "Question {n}", n=position) if position else t(language, "Dialogue channel")


def title(report: Report, language: str) -> str:
    return t(language, "Virtual Dialogue: {title}", title=report.title)
