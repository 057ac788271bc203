"""Text of the report's editorial sections, shared by every renderer (Markdown, Discord, HTML, JSON):
the series sentence, a group's figures, consensus figures. Plain text: each renderer escapes it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.lists import format_list
from babel.numbers import format_percent

from bot.i18n import N_, number, resolve, t, tn
from bot.report.model import ConsensusItem, Group, PastDialogue, Report

ORDINALS = (
    N_("first"), N_("second"), N_("third"), N_("fourth"), N_("fifth"), N_("sixth"),
    N_("seventh"), N_("eighth"), N_("ninth"), N_("tenth"), N_("eleventh"), N_("twelfth"),
)


def ordinal(n: int, lang: str) -> str:
    return t(lang, ORDINALS[n - 1]) if 1 <= n <= len(ORDINALS) else t(lang, "{n}th", n=n)


def month(past: PastDialogue, timezone: str, lang: str) -> str:
    return format_skeleton("yMMMM", past.starts_at.astimezone(ZoneInfo(timezone)).date(), locale=resolve(lang))


def past_label(past: PastDialogue, timezone: str, lang: str) -> str:
    """``Title in February 2015``: the caller links ``past.title`` when it can."""
    return t(lang, "{title} in {month}", title=past.title, month=month(past, timezone, lang))


def series_sentence(report: Report, lang: str, labels: list[str]) -> str:
    """``This was the sixth Virtual Dialogue run by the community, following past dialogues on …``;
    ``labels`` are the earlier dialogues as the renderer shows them (linked or not), latest first."""
    nth = ordinal(len(report.series) + 1, lang)
    return t(lang, "This was the {nth} Virtual Dialogue run by the community, following past dialogues on {list}.",
             nth=nth, list=format_list(labels, locale=resolve(lang)))


def group_figures(group: Group, lang: str) -> str:
    """``3 similar contributions · 5 supporters``."""
    parts = [tn(lang, "{n} contribution", "{n} similar contributions", group.size)]
    if group.supporters:
        parts.append(tn(lang, "{n} supporter", "{n} supporters", group.supporters))
    return " · ".join(parts)


def consensus_figures(item: ConsensusItem, report: Report, lang: str, divided: bool) -> str:
    """``👍 12 · 👎 1 · 92% agreement`` (or ``… · divisiveness 89%``)."""
    c = report.consensus
    g = item.group
    head = f"{c.agree_emoji} {number(lang, g.agree)} · {c.disagree_emoji} {number(lang, g.disagree)}"
    if divided:
        return head + " · " + t(lang, "divisiveness {value}",
                                value=format_percent(item.divisiveness, locale=resolve(lang)))
    return head + " · " + t(lang, "{value} agreement", value=format_percent(item.agreement, locale=resolve(lang)))


def reactions_line(agree: int, disagree: int, report: Report, lang: str) -> str:
    """A contribution's own figures, in the preview: ``👍 4 · 👎 1``."""
    c = report.consensus
    return f"{c.agree_emoji} {number(lang, agree)} · {c.disagree_emoji} {number(lang, disagree)}"
