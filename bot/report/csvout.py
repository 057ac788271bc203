"""The dialogue's contributions as CSV, for researchers: one row per contribution.

UTF-8 with a byte-order mark (so spreadsheets read accents right) and a header row of stable column
names. What the report leaves out is left out here too: opted-out members, hidden items. Credits
follow each member's ``/profile`` choice (empty when anonymous); mentions are neutralised as in the
report. A cell that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or
carriage return) is prefixed with ``'`` (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot import text as escape
from bot.community.profiles import credit
from bot.dialogues.service import DEFAULT_THEMES
from bot.i18n import t
from bot.report.consensus import reaction_kind

COLUMNS = (
    "contribution_id", "question_number", "question", "themes", "text", "credit", "language", "support",
    "agreement", "disagreement", "message_link", "created_at", "edited_at",
)
BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class CsvInputs:
    guild_id: int
    rows: list[Any] = field(default_factory=list)
    tags: list[Any] = field(default_factory=list)  # (contribution, theme key, theme name)
    reactions: list[Any] = field(default_factory=list)  # (contribution, user, emoji, disagreement)
    hidden: set[int] = field(default_factory=set)
    positions: dict[int, tuple[int, str]] = field(default_factory=dict)
    agree: str = "👍"
    disagree: str = "👎"


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


_DEFAULT_NAMES = {key: name for key, name, _ in DEFAULT_THEMES}


def render_csv(data: CsvInputs, language: str) -> str:
    themes: dict[int, list[str]] = defaultdict(list)
    for cid, key, name in ((r[0], r[1], r[2]) for r in data.tags):
        themes[cid].append(t(language, name) if _DEFAULT_NAMES.get(key) == name else name)
    agree: dict[int, set[int]] = defaultdict(set)
    disagree: dict[int, set[int]] = defaultdict(set)
    for cid, user, emoji, disagreement in data.reactions:
        kind = reaction_kind(emoji, bool(disagreement), data.agree, data.disagree)
        if kind == "agree":
            agree[cid].add(user)
        elif kind == "disagree":
            disagree[cid].add(user)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in data.rows:
        cid = r["id"]
        if cid in data.hidden:
            continue
        number, question = data.positions.get(r["question_id"], (None, "")) if r["question_id"] else (None, "")
        name = r["display_name"] or r["author_name"]
        writer.writerow([
            cid,
            number if number is not None else "",
            cell(question),
            cell("; ".join(themes.get(cid, ()))),
            cell(escape.neutralise(r["content"], language)),
            cell(credit(r["attribution"] or "name", name, r["organisation"]) or ""),
            r["language"] or "",
            r["support"],
            len(agree[cid]),
            len(disagree[cid]),
            f"https://discord.com/channels/{data.guild_id}/{r['channel_id']}/{r['message_id']}",
            r["created_at"],
            r["edited_at"] or "",
        ])
    return BOM + out.getvalue()
