"""Members' words in the bot's output: the one escape for Discord messages and for the Markdown export.

Whatever a member typed (a contribution, a panel question, a profile name or organisation, a
presentation) is shown as the words they wrote, never as markup of ours:

- :func:`for_discord`: Discord's Markdown. Built on discord.py's own ``escape_markdown`` (headings,
  masked links, fences, quotes, lists, emphasis) and ``escape_mentions`` (``@everyone``, ``@here``,
  ``<@id>``, ``<@&id>``), after mentions and custom emoji are turned into plain words, so a quoted
  ``<@123>`` is never a mention chip and an unmatched ````` ``` ````` never turns the rest of a message
  into code.
- :func:`for_markdown`: the exported ``.md`` file (CommonMark). Every punctuation character with a
  meaning in Markdown is backslash-escaped, so ``# heading`` stays a line of text and
  ``[x](javascript:alert(1))`` stays plain text; web (``http``/``https``) links are kept as autolinks
  ``<https://…>``, and no other scheme ever becomes a link.
- :func:`one_line` / :func:`profile_field`: whitespace collapsed, so a newline in a profile name can
  never start a heading or a new line of the report.

Cut a member's text to length *before* escaping it (:func:`shorten`), never after: a cut can otherwise
split an escape and leave a lone backslash that escapes our own markup.
"""

from __future__ import annotations

import re
import unicodedata

import emoji as emoji_lib
from discord.utils import escape_markdown, escape_mentions

from bot.i18n import t

ZWSP = "\u200b"
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_SLASH = re.compile(r"</([^:<>\n]+):\d+>")
_EMOJI = re.compile(r"<a?:(\w+):\d+>")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::[tTdDfFR])?>")
_BROADCAST = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
_WEB_URL = re.compile(r"https?://[^\s<>\"`]+", re.IGNORECASE)
#: Characters with an inline meaning in CommonMark/GFM (emphasis, code, links, images, HTML, entities,
#: tables, strikethrough), escaped with a backslash wherever they are in the export.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
#: What makes a line a heading, quote, list item or rule when it starts the line.
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
#: An opening bracket preceded by an even number of backslashes (so not itself escaped).
_UNESCAPED_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)\[")
#: Controls other than tab and newline (and the bidirectional overrides used to disguise text).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str, language: str) -> str:
    """Mentions become plain words: ``@everyone``/``@here`` get a zero-width space after the ``@``;
    user, role and channel mentions, command mentions, timestamps and custom emoji lose their markup."""
    if "<" not in text and "@" not in text:  # every form below has one of them: most texts have neither
        return text
    text = _USER.sub(lambda _m: "@" + ZWSP + t(language, "member"), text)
    text = _ROLE.sub(lambda _m: "@" + ZWSP + t(language, "role"), text)
    text = _CHANNEL.sub(lambda _m: "#" + t(language, "channel"), text)
    text = _SLASH.sub(r"/\1", text)
    text = _EMOJI.sub(r":\1:", text)
    text = _TIMESTAMP.sub(r"\1", text)
    return _BROADCAST.sub(lambda m: "@" + ZWSP + m.group(1), text)


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def profile_field(text: str | None) -> str | None:
    """A name, title or organisation as stored: one line, no control characters, NFC."""
    if text is None:
        return None
    return one_line(unicodedata.normalize("NFC", text)) or None


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = one_line(text)
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """Only web links become links (a ``javascript:`` URL never reaches a page or a message)."""
    return url if url and _WEB_URL.fullmatch(url) else None


def for_discord(text: str, language: str = "en", *, single_line: bool = False) -> str:
    """A member's ``text`` for a Discord message: shown as written, never as markup or a mention."""
    text = _CONTROLS.sub(" ", text)
    if single_line:
        text = one_line(text)
    # ``ignore_links`` keeps web URLs readable; it also spares ``<scheme:/…>`` which Discord shows
    # as text. Escape the angle-bracket form ourselves so it cannot hide a masked link.
    escaped = escape_markdown(neutralise(text, language), ignore_links=True)
    # discord.py escapes a masked link by its first ``[`` only, matching greedily to the last ``)``:
    # a second ``[x](https://…)`` on the line would stay live. Escape every unescaped ``[``.
    escaped = _UNESCAPED_BRACKET.sub(r"\1\\[", escaped)
    return escape_mentions(escaped)


def for_markdown(text: str, language: str = "en", *, single_line: bool = True) -> str:
    """A member's ``text`` for the Markdown export: plain text, web links as ``<https://…>``."""
    text = neutralise(_CONTROLS.sub(" ", text), language)
    if single_line:
        text = one_line(text)
    out: list[str] = []
    last = 0
    for match in _WEB_URL.finditer(text):
        out.append(_MARKDOWN_INLINE.sub(r"\\\1", text[last:match.start()]))
        url = match.group(0).rstrip(".,;:!?)'")
        out.append(f"<{url}>")
        out.append(_MARKDOWN_INLINE.sub(r"\\\1", match.group(0)[len(url):]))
        last = match.end()
    out.append(_MARKDOWN_INLINE.sub(r"\\\1", text[last:]))
    lines = "".join(out).split("\n")
    return "\n".join(_MARKDOWN_LINE_START.sub(_escape_line_start, line) for line in lines)


def _escape_line_start(match: re.Match[str]) -> str:
    lead, marker = match.group(1), match.group(2)
    return lead + (marker + "\\" if marker[0].isdigit() else "\\" + marker)


def quote_block(text: str, language: str = "en") -> str:
    """A member's multi-line ``text`` as a Discord quote block, each line escaped."""
    lines = [for_discord(line, language) for line in text.splitlines()] or [""]
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


_CUSTOM_EMOJI = re.compile(r"<a?:[A-Za-z0-9_]{2,32}:\d{15,21}>")


def one_emoji(value: str) -> bool:
    """Exactly one emoji: a Unicode emoji (skin tones, flags and ZWJ sequences included) or a
    server's custom emoji written as Discord sends it, ``<:name:id>`` / ``<a:name:id>``."""
    value = value.strip()
    return bool(_CUSTOM_EMOJI.fullmatch(value)) or emoji_lib.is_emoji(value)
