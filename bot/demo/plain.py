"""Discord messages as plain, readable text for the demo's transcript.

The transcript is read in a terminal: no Markdown marks (``**``, ``#``, ``>``, masked links), no raw
Discord tags. ``<t:…>`` timestamps become dates and times in the dialogue's zone and the reader's
language, mentions become names, command mentions ``</dialogue schedule:123>`` become ``/dialogue schedule``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from babel.dates import format_timedelta

from bot.i18n import clock_text, date_locale, date_text, weekday_date

_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFsSR]))?>")
_COMMAND = re.compile(r"</([-_\w ]+):\d+>")
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_EMOJI = re.compile(r"<a?:(\w+):\d+>")
_MASKED = re.compile(r"\[([^\]\n]*)\]\(<?([^)\s>]+)>?\)")
_ANGLE_URL = re.compile(r"<(https?://[^>\s]+)>")
_HEADING = re.compile(r"^\s*(?:#{1,6}|-#)\s+")
_QUOTE = re.compile(r"^\s*>{1,3}\s?")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2}|~~|\|\|)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`{1,3}([^`]*)`{1,3}")
_ESCAPED = re.compile(r"\\([\\*_~`|<>#\[\]()-])")

Names = Callable[[int], str | None]


def timestamp(seconds: int, style: str | None, language: str, tz: tzinfo, now: datetime) -> str:
    """A ``<t:…>`` tag as Discord would show it, in ``tz`` rather than the reader's own zone."""
    when = datetime.fromtimestamp(seconds, UTC)
    if style == "R":
        return format_timedelta(when - now, add_direction=True, locale=date_locale(language))
    if style in ("t", "T"):
        return clock_text(language, when, tz)
    if style in ("d", "D"):
        return date_text(language, when, tz)
    day = weekday_date(language, when.astimezone(tz).date()) if style == "F" else date_text(language, when, tz)
    return f"{day} {clock_text(language, when, tz)}"


def plain(text: str, language: str, tz: tzinfo, now: datetime, *, channel: Names, user: Names,
          role: Names) -> str:
    """``text`` (Discord Markdown) as plain text, line by line."""
    def line(value: str) -> str:
        value = _HEADING.sub("", value)
        value = _QUOTE.sub("  ", value)
        value = _TIMESTAMP.sub(lambda m: timestamp(int(m.group(1)), m.group(2), language, tz, now), value)
        value = _COMMAND.sub(r"/\1", value)
        value = _USER.sub(lambda m: "@" + (user(int(m.group(1))) or "?"), value)
        value = _ROLE.sub(lambda m: "@" + (role(int(m.group(1))) or "?"), value)
        value = _CHANNEL.sub(lambda m: "#" + (channel(int(m.group(1))) or "?"), value)
        value = _EMOJI.sub(r":\1:", value)
        value = _MASKED.sub(lambda m: "" if m.group(1).strip() in ("", "↗") else m.group(1), value)
        value = _ANGLE_URL.sub(r"\1", value)
        value = _CODE.sub(r"\1", value)
        for _ in range(3):  # nested emphasis: ***x***, **_x_**
            value = _EMPHASIS.sub(r"\2", value)
        value = _ESCAPED.sub(r"\1", value).rstrip()
        indent = len(value) - len(value.lstrip(" "))
        return value[:indent] + re.sub(r" {2,}", " ", value[indent:])

    return "\n".join(line(v) for v in text.splitlines())
