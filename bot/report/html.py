"""The report as one self-contained, print-friendly HTML page.

Inline CSS (``report.css``), inline SVG charts (contributions per day and per theme), no scripts and
no external resources: the file opens offline and prints as it looks. Every piece of text is
HTML-escaped; only ``http(s)`` URLs become links. The markup is well-formed XML as well as HTML.
"""

from __future__ import annotations

import functools
from html import escape
from importlib import resources

from bot.i18n import number, t
from bot.report import text as tx
from bot.report.markdown import figures_line
from bot.report.model import KeyPoint, Quote, Report


@functools.cache
def stylesheet() -> str:
    return resources.files("bot.report").joinpath("report.css").read_text(encoding="utf-8")


def _e(value: str) -> str:
    return escape(value, quote=True)


def _link(url: str | None, label: str) -> str:
    safe = tx.safe_url(url)
    return f'<a href="{_e(safe)}">{label}</a>' if safe else label


def _sup(notes: tuple[int, ...]) -> str:
    return "".join(f'<sup><a href="#note-{n}">{n}</a></sup>' for n in notes)


def _credit(credit: str | None, url: str | None, lang: str) -> str:
    parts = []
    if credit:
        parts.append(_e(credit))
    if tx.safe_url(url):
        parts.append(_link(url, _e(t(lang, "message"))))
    return f' <span class="credit">— {", ".join(parts)}</span>' if parts else ""


def _quote(q: Quote, lang: str) -> str:
    return f"<li>{_e(tx.member_text(q.text, lang))}{_credit(q.credit, q.url, lang)}{_sup(q.notes)}</li>"


def _key_point(p: KeyPoint, lang: str, draft: bool) -> str:
    credit = _credit(p.credit, p.url, lang) if p.source != "moderator" else ""
    mark = f'<span class="tag">{_e(t(lang, "suggestion"))}</span>' if draft and p.suggested else ""
    cls = ' class="suggested"' if p.suggested else ""
    return f"<li{cls}>{_e(tx.member_text(p.text, lang))}{credit}{_sup(p.notes)}{mark}</li>"


def bar_chart(caption: str, items: list[tuple[str, int]], lang: str) -> str:
    """A horizontal bar chart as inline SVG (labels left, values right)."""
    row, label_w, bar_w, value_w = 22, 190, 320, 60
    top = max((v for _, v in items), default=0) or 1
    height = row * len(items) + 4
    width = label_w + bar_w + value_w
    bars = []
    for i, (label, value) in enumerate(items):
        y = i * row + 2
        w = round(bar_w * value / top, 1)
        shown = label if len(label) <= 28 else label[:27] + "…"
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{_e(shown)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w}" height="{row - 6}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}">{_e(number(lang, value))}</text>'
        )
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_e(caption)}">{"".join(bars)}</svg>'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _key_points(out: list[str], points: tuple[KeyPoint, ...], suggested: tuple[KeyPoint, ...],
                lang: str, draft: bool) -> None:
    if points:
        out.append(f"<p>{_e(t(lang, 'Key points:'))}</p><ul>")
        out += [_key_point(p, lang, draft) for p in points]
        out.append("</ul>")
    if suggested:
        out.append(f"<p>{_e(t(lang, 'Suggested from the discussion:'))}</p><ul>")
        out += [_key_point(p, lang, draft) for p in suggested]
        out.append("</ul>")
    if not points and not suggested:
        out.append(f"<p>{_e(t(lang, 'No key points yet.'))}</p>")


def render_html(report: Report, language: str | None = None, *, draft: bool = False) -> str:
    lang = language or report.language
    title = tx.title(report, lang)
    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}"><head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{_e(title)}</title><style>{stylesheet()}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="dates">{_e(tx.dates(report, lang))}</p><p class="kind">{_e(t(lang, "Report"))}</p></header>',
        f'<section id="introduction"><h2>{_e(t(lang, "Introduction").upper())}</h2>',
    ]
    for paragraph in report.description.strip().split("\n\n"):
        if paragraph.strip():
            out.append(f"<p>{_e(tx.neutralise(paragraph.strip(), lang))}</p>")
    if tx.safe_url(report.concept_note):
        link = _link(report.concept_note, _e(t(lang, "Concept Note")))
        sentence = t(lang, "The key issues and objectives of the Virtual Dialogue are set out in the {link}.",
                     link="\x00")
        out.append("<p>" + _e(sentence).replace("\x00", link) + "</p>")
    if report.questions:
        guided = t(lang, "Discussions were guided by these questions:")
        out.append(f"<p>{_e(guided)}</p>")
        out.append('<ol class="guiding">')
        out += [f'<li value="{q.position}">{_e(tx.one_line(q.text))}</li>' for q in report.questions]
        out.append("</ol>")
    out.append("</section>")

    panel = report.panel
    if panel is not None and (panel.panellists or panel.questions):
        out.append(f'<section id="panel"><h2>{_e(t(lang, "Panel discussion").upper())}</h2>')
        if panel.panellists:
            intro = t(lang, "The Virtual Dialogue included a live online panel: invited speakers gave short "
                            "presentations and responded to key questions.")
            out.append(f"<p>{_e(intro)}</p>")
        for speaker in panel.panellists:
            out.append(f'<p class="speaker">{_e(speaker.heading)}</p>')
            if speaker.points:
                out.append("<ul>" + "".join(f"<li>{_e(tx.one_line(p))}</li>" for p in speaker.points) + "</ul>")
        if panel.questions:
            posed = t(lang, "Following these presentations, the moderator posed questions on behalf of participants.")
            out.append(f"<p>{_e(posed)}</p>")
        for question in panel.questions:
            credit = f" ({_e(question.credit)})" if question.credit else ""
            posed = t(lang, "Q: {question}", question=tx.member_text(question.text, lang))
            out.append(f'<p class="qa-question">{_e(posed)}{credit}</p>')
            out += [f"<p>{_e(a.panellist)}: {_e(tx.member_text(a.text, lang))}</p>" for a in question.answers]
        out.append("</section>")

    out.append(f'<section id="key-points"><h2>{_e(t(lang, "Key points").upper())}</h2>')
    for q in report.questions:
        out.append(f"<h3>{q.position}. {_e(tx.one_line(q.text))}</h3>")
        _key_points(out, q.key_points, q.suggested, lang, draft)
    if report.general_key_points:
        out.append(f"<h3>{_e(t(lang, 'The dialogue as a whole'))}</h3>")
        _key_points(out, report.general_key_points, (), lang, draft)
    out.append("</section>")

    out.append(f'<section id="comments"><h2>{_e(t(lang, "Comments from the online discussion"))}</h2>')
    quoted = [th for th in report.themes if th.quotes]
    for theme in quoted:
        out.append(f"<h3><em>{_e(tx.theme_name(theme, theme.key, lang))}</em></h3><ul>")
        out += [_quote(q, lang) for q in theme.quotes]
        out.append("</ul>")
    if not quoted:
        out.append(f"<p>{_e(t(lang, 'No contributions have been tagged with a theme yet.'))}</p>")
    out.append("</section>")

    if report.further_questions:
        out.append(f'<section id="further"><h2>{_e(t(lang, "Questions for further discussion").upper())}</h2>')
        intro = t(lang, "Based on the findings of the Virtual Dialogue, a number of issues for future "
                        "reflection can be identified:")
        out.append(f"<p>{_e(intro)}</p><ol>")
        for fq in report.further_questions:
            credit = f" ({_e(fq.credit)})" if fq.credit else ""
            out.append(f"<li>{_e(tx.member_text(fq.text, lang))}{credit}</li>")
        out.append("</ol></section>")

    p = report.participation
    out.append(f'<section id="participation"><h2>{_e(t(lang, "Participation").upper())}</h2>')
    out.append(f'<p class="figures">{_e(figures_line(report, lang))}</p>')
    if p.per_day:
        days = [(tx.local_date_short(d, lang), n) for d, n in p.per_day]
        out.append(bar_chart(t(lang, "Contributions per day"), days, lang))
    if p.per_theme:
        themes = [(tx.theme_name(report.theme(k), k, lang), n) for k, n in p.per_theme]
        out.append(bar_chart(t(lang, "Contributions per theme"), themes, lang))
    if p.per_question:
        questions = [(tx.question_label(pos, lang), n) for pos, n in p.per_question]
        out.append(bar_chart(t(lang, "Contributions per question"), questions, lang))
    out.append("</section>")

    if report.notes:
        out.append(f'<section id="notes" class="notes"><h2>{_e(t(lang, "Notes"))}</h2><hr/>')
        for note in report.notes:
            shared = ""
            if note.credit:
                shared = " (" + _e(t(lang, "shared by {credit}", credit=note.credit)) + ")"
            out.append(f'<p id="note-{note.number}"><sup>{note.number}</sup> '
                       f"{_link(note.url, _e(note.url))}{shared}</p>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
