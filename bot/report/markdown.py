"""The report as Markdown, in the shape of the seed reports (``seeds/000_…``, key points as ``003_…``).

Sections, in order: title, dates, "Report"; introduction (description, concept note, the guiding
questions); the panel (speakers and their key points, then the Q&A as ``Q: … (Asker, Organisation)``
followed by each panellist's answer); key points per guiding question; comments from the online
discussion grouped by theme; questions for further discussion; participation; notes (the links
members shared, numbered footnotes referenced with ``<sup>n</sup>`` where they were shared).

Suggested key points appear only in a draft (``draft=True``, the preview), under their own label and
each marked: a published report never shows one (only a suggestion a moderator accepted, which is
then a key point with its source link). The moderators' front matter (``/report edit``), the series
sentence, groups of similar contributions, well-supported untagged comments and the consensus
section come from :mod:`bot.report.editorial`.
"""

from __future__ import annotations

from bot import text as escape
from bot.i18n import number, t
from bot.report import sections as sx
from bot.report import text as tx
from bot.report.localized import localized
from bot.report.model import Group, KeyPoint, Quote, Report

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class _Flavour:
    """Markdown for a file (the seed's headings, ``<sup>`` notes) or for Discord (headings up to
    ``###``, superscript digits, links to the quoted messages without embeds)."""

    def __init__(self, discord: bool) -> None:
        self.discord = discord

    def esc(self, value: str, lang: str, *, multiline: bool = False) -> str:
        """Words from members (and moderators) as plain text: :mod:`bot.text`'s escape for this output."""
        if self.discord:
            return escape.for_discord(value, lang, single_line=not multiline)
        return escape.for_markdown(value, lang, single_line=not multiline)

    def h(self, level: int, text: str) -> str:
        if self.discord:
            return f"{'#' * min(level - 1, 3)} {text}" if level > 1 else f"# {text}"
        return f"{'#' * level} {text}"

    def sup(self, notes: tuple[int, ...]) -> str:
        if self.discord:
            return "".join(str(n).translate(_SUPERSCRIPT) for n in notes)
        return "".join(f"<sup>{n}</sup>" for n in notes)

    def link(self, url: str | None, lang: str) -> str:
        safe = tx.safe_url(url) if self.discord else None
        return f" [↗](<{safe}>)" if safe else ""

    def bare(self, url: str) -> str:
        return f"<{url}>"


FILE = _Flavour(discord=False)
DISCORD = _Flavour(discord=True)


def quote_line(quote: Quote, lang: str, fl: _Flavour = FILE) -> str:
    credit = f" — *{fl.esc(quote.credit, lang)}*" if quote.credit else ""
    return f"- {fl.esc(quote.text, lang)}{credit}{fl.sup(quote.notes)}{fl.link(quote.url, lang)}"


def key_point_line(point: KeyPoint, lang: str, draft: bool, fl: _Flavour = FILE) -> str:
    body = fl.esc(point.text, lang)
    if point.source != "moderator" and point.credit:
        body += f" — *{fl.esc(point.credit, lang)}*"
    body += fl.sup(point.notes)
    if point.source != "moderator":
        body += fl.link(point.url, lang)
    if draft and point.suggested:
        body += " *(" + t(lang, "suggestion") + ")*"
    return f"- {body}"


def _key_points(out: list[str], points: tuple[KeyPoint, ...], suggested: tuple[KeyPoint, ...],
                lang: str, draft: bool, fl: _Flavour) -> None:
    if points:
        out += [t(lang, "Key points:"), ""]
        out += [key_point_line(p, lang, draft, fl) for p in points]
        out.append("")
    if suggested and draft:
        out += [t(lang, "Suggested from the discussion (awaiting review):"), ""]
        out += [key_point_line(p, lang, draft, fl) for p in suggested]
        out.append("")
    if not points and not (suggested and draft):
        out += [t(lang, "No key points yet."), ""]


def _sources(group: Group, fl: _Flavour) -> str:
    """Links to every message of a group: ``[1](url) [2](url)``."""
    links = []
    for i, source in enumerate(group.sources, 1):
        url = tx.safe_url(source.url)
        if url:
            links.append(f"[{i}](<{url}>)" if fl.discord else f"[{i}]({url})")
    return " ".join(links)


def _source_label(group: Group, lang: str, fl: _Flavour) -> str:
    return t(lang, "sources: {links}", links=_sources(group, fl))


def group_line(group: Group, lang: str, fl: _Flavour = FILE, report: Report | None = None) -> str:
    rep = group.representative
    credit = f" — *{fl.esc(rep.credit, lang)}*" if rep.credit else ""
    figures = sx.group_figures(group, lang)
    if report is not None:  # the preview also shows agreement
        figures += " · " + sx.reactions_line(group.agree, group.disagree, report, lang)
    return f"- {fl.esc(rep.text, lang)}{credit}{fl.sup(rep.notes)} ({figures} · {_source_label(group, lang, fl)})"


def _groups(out: list[str], groups: tuple[Group, ...], lang: str, fl: _Flavour, report: Report | None) -> None:
    if groups:
        out += [t(lang, "What participants said (similar contributions grouped):"), ""]
        out += [group_line(g, lang, fl, report) for g in groups]
        out.append("")


def _paragraphs(out: list[str], text: str, lang: str, fl: _Flavour) -> None:
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            out += [fl.esc(paragraph.strip(), lang, multiline=True), ""]


def _front(out: list[str], report: Report, lang: str, fl: _Flavour) -> None:
    """The moderators' introduction: the community, the series, then the dialogue's own introduction."""
    front = report.front_matter(lang)
    _paragraphs(out, front.about, lang, fl)
    if report.series:
        labels = []
        for past in report.series:
            url = tx.safe_url(past.url)
            title = fl.esc(past.title, lang)
            shown = f"[{title}]({f'<{url}>' if fl.discord else url})" if url else title
            labels.append(sx.past_label(past, report.timezone, lang).replace(past.title, shown, 1))
        out += [sx.series_sentence(report, lang, labels), ""]
    _paragraphs(out, front.introduction.strip() or report.description.strip(), lang, fl)


def _free_sections(out: list[str], report: Report, lang: str, fl: _Flavour) -> None:
    for section in report.front_matter(lang).sections:
        out += [fl.h(4, fl.esc(section.title, lang)), ""]
        _paragraphs(out, section.body, lang, fl)


def _panel_front(out: list[str], report: Report, lang: str, fl: _Flavour) -> None:
    front = report.front_matter(lang)
    link = tx.safe_url(front.panel_link)
    if link:
        target = f"<{link}>" if fl.discord else link
        out += [t(lang, "The recording of the panel: {link}", link=f"[{t(lang, 'watch it here')}]({target})"), ""]
    if front.moderator:
        out += [t(lang, "Moderator: {name}", name=fl.esc(front.moderator, lang)), ""]


def _consensus(out: list[str], report: Report, lang: str, fl: _Flavour) -> None:
    c = report.consensus
    if not (c.agreed or c.divided):
        return
    out += [fl.h(3, t(lang, "Where participants agreed / were divided").upper()), ""]
    for heading, items, divided in (
        (t(lang, "Where participants agreed"), c.agreed, False),
        (t(lang, "Where participants were divided"), c.divided, True),
    ):
        if not items:
            continue
        out += [fl.h(4, heading), ""]
        for item in items:
            rep = item.group.representative
            credit = f" — *{fl.esc(rep.credit, lang)}*" if rep.credit else ""
            figures = sx.consensus_figures(item, report, lang, divided)
            out.append(f"- {fl.esc(rep.text, lang)}{credit} ({figures} · {_source_label(item.group, lang, fl)})")
        out.append("")


def render_markdown(report: Report, language: str | None = None, *, draft: bool = False,
                    flavour: _Flavour = FILE) -> str:
    lang = language or report.language
    report = localized(report, lang)
    fl = flavour
    out: list[str] = [
        fl.h(2, t(lang, "Virtual Dialogue: {title}", title=fl.esc(report.title, lang))), "",
        fl.h(3, tx.dates(report, lang)), "",
        fl.h(3, t(lang, "Report")), "",
        fl.h(4, t(lang, "Introduction").upper()), "",
    ]
    _front(out, report, lang, fl)
    concept = tx.safe_url(report.concept_note)
    if concept:
        out += [t(lang, "The key issues and objectives of the Virtual Dialogue are set out in the {link}.",
                  link=f"[{t(lang, 'Concept Note')}]({concept})"), ""]
    if report.questions:
        out += [t(lang, "Discussions were guided by these questions:"), ""]
        out += [f"{q.position}. *{fl.esc(q.text, lang)}*" for q in report.questions]
        out.append("")
    _free_sections(out, report, lang, fl)

    panel = report.panel
    front = report.front_matter(lang)
    if (panel is not None and (panel.panellists or panel.questions)) or front.panel_link or front.moderator:
        out += [fl.h(4, t(lang, "Panel discussion").upper()), ""]
        _panel_front(out, report, lang, fl)
    if panel is not None and (panel.panellists or panel.questions):
        if panel.panellists:
            out += [t(lang, "The Virtual Dialogue included a live online panel: invited speakers gave short "
                            "presentations and responded to key questions."), ""]
        for speaker in panel.panellists:
            out += [f"**{fl.esc(speaker.heading, lang)}**", ""]
            if speaker.points:
                out += [f"- {fl.esc(p, lang)}" for p in speaker.points]
                out.append("")
        if panel.questions:
            out += [t(lang, "Following these presentations, the moderator posed questions on behalf of "
                            "participants."), ""]
        for question in panel.questions:
            credit = f" ({fl.esc(question.credit, lang)})" if question.credit else ""
            posed = t(lang, "Q: {question}", question=fl.esc(question.text, lang))  # "P:" in Spanish
            out += [f"***{posed}{credit}***", ""]
            for answer in question.answers:
                out += [f"{fl.esc(answer.panellist, lang)}: {fl.esc(answer.text, lang)}", ""]

    out += [fl.h(3, t(lang, "Key points").upper()), ""]
    for q in report.questions:
        out += [fl.h(4, f"{q.position}. {fl.esc(q.text, lang)}"), ""]
        _key_points(out, q.key_points, q.suggested, lang, draft, fl)
        _groups(out, q.groups, lang, fl, report if draft else None)
    if report.general_key_points:
        out += [fl.h(4, t(lang, "The dialogue as a whole")), ""]
        _key_points(out, report.general_key_points, (), lang, draft, fl)

    out += [fl.h(3, f"**{t(lang, 'Comments from the online discussion')}**"), ""]
    quoted = [th for th in report.themes if th.quotes]
    for theme in quoted:
        out += [fl.h(4, f"***{fl.esc(tx.theme_name(theme, theme.key, lang), lang)}***"), ""]
        out += [quote_line(q, lang, fl) for q in theme.quotes]
        out.append("")
    if report.untagged:
        out += [fl.h(4, f"***{t(lang, 'Other well-supported comments')}***"), ""]
        out += [quote_line(q, lang, fl) for q in report.untagged]
        out.append("")
    if not quoted and not report.untagged:
        out += [t(lang, "No contributions have been tagged with a theme yet."), ""]

    _consensus(out, report, lang, fl)

    if report.further_questions:
        out += [fl.h(3, t(lang, "Questions for further discussion").upper()), "",
                t(lang, "Based on the findings of the Virtual Dialogue, a number of issues for future "
                        "reflection can be identified:"), ""]
        for i, fq in enumerate(report.further_questions, 1):
            credit = f" ({fl.esc(fq.credit, lang)})" if fq.credit else ""
            out.append(f"{i}. {fl.esc(fq.text, lang)}{credit}")
        out.append("")

    out += [fl.h(3, t(lang, "Participation").upper()), "", figures_line(report, lang), ""]
    p = report.participation
    if p.per_question:
        out += [t(lang, "Contributions per question:"), ""]
        out += [f"- {tx.question_label(pos, lang)}: {number(lang, n)}" for pos, n in p.per_question]
        out.append("")
    if p.per_theme:
        out += [t(lang, "Contributions per theme:"), ""]
        out += [f"- {fl.esc(tx.theme_name(report.theme(k), k, lang), lang)}: {number(lang, n)}" for k, n in p.per_theme]
        out.append("")

    if report.notes:
        out += [fl.h(4, t(lang, "Notes")), ""]
        if not fl.discord:
            out += ["---", ""]
        for note in report.notes:
            shared = f" ({t(lang, 'shared by {credit}', credit=fl.esc(note.credit, lang))})" if note.credit else ""
            out += [f"{fl.sup((note.number,))} {fl.bare(note.url)}{shared}", ""]
    return "\n".join(out).rstrip() + "\n"


def figures_line(report: Report, lang: str) -> str:
    p = report.participation
    parts = [
        t(lang, "Participants: {n}", n=number(lang, p.participants)),
        t(lang, "Contributions: {n}", n=number(lang, p.contributions)),
        t(lang, "Links shared: {n}", n=number(lang, len(report.notes))),
    ]
    return " · ".join(parts)
