"""The report as one self-contained, print-friendly HTML page, rendered by Jinja2 (autoescape on).

Inline CSS (``report.css``), inline SVG charts (contributions per day, per theme, per question), no
scripts and no external resources: the file opens offline, reads from a 360 px phone to a desktop,
and prints with every link target shown (print CSS). The markup is well-formed XML as well as HTML.

This module turns a :class:`Report` into plain values for ``templates/report.html.j2``: every label
is translated here (so the catalog tools see the msgids), members' text is neutralised, and only
``http(s)`` URLs become links. The template only lays them out; Jinja2 escapes every value.

Notes are linked both ways (the reference goes to the note, the note back to the text). A note is
numbered only when the text references it; a link shared in the text is shown once, as its site's
name pointing to the note, never inline *and* in the notes. Other links members shared are listed
after the notes, unnumbered.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jinja2

from bot.i18n import number, t
from bot.report import sections as sx
from bot.report import text as tx
from bot.report.localized import localized
from bot.report.markdown import figures_line
from bot.report.model import Group, KeyPoint, Note, Quote, Report


@functools.cache
def stylesheet() -> str:
    return resources.files("bot.report").joinpath("report.css").read_text(encoding="utf-8")


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


# -- members' text with its note references ---------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    """A run of text, or a shared link shown as its site (``label``) referencing note ``note``."""

    text: str
    note: int | None = None
    ref: str | None = None  # the id the note links back to


@dataclass(frozen=True)
class Line:
    """A quote, a key point or a panel line: text segments, a credit and a link to the message."""

    segments: tuple[Segment, ...]
    credit: str | None = None
    url: str | None = None
    tag: str | None = None
    suggested: bool = False


class _Refs:
    """Numbers notes in the order the text references them, and gives each reference an id."""

    def __init__(self, notes: tuple[Note, ...]) -> None:
        self.by_number = {n.number: n for n in notes}
        self.first_ref: dict[int, str] = {}
        self.count = 0

    def ref(self, number: int) -> str:
        self.count += 1
        ref = f"ref-{number}-{self.count}"
        self.first_ref.setdefault(number, ref)
        return ref

    def segments(self, text: str, notes: tuple[int, ...]) -> tuple[Segment, ...]:
        """``text`` with each noted URL replaced by its site's name and a reference; references to
        notes whose URL is not in the text come last."""
        out: list[Segment] = []
        rest = text
        trailing: list[int] = []
        for n in notes:
            note = self.by_number.get(n)
            if note is None:
                continue
            at = rest.find(note.url)
            if at < 0:
                trailing.append(n)
                continue
            out.append(Segment(rest[:at]))
            out.append(Segment(_site(note.url), n, self.ref(n)))
            rest = rest[at + len(note.url):]
        out.append(Segment(rest))
        out += [Segment("", n, self.ref(n)) for n in trailing]
        return tuple(s for s in out if s.text or s.note is not None)


def _labelled(template: str, field: str, segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """``segments`` in place of ``{field}`` in a translated (unformatted) ``template``."""
    before, _, after = template.partition("{" + field + "}")
    return tuple(s for s in (Segment(before), *segments, Segment(after)) if s.text or s.note is not None)


def _site(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


# -- charts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    caption: str
    width: int
    height: int
    bar_width: int
    bars: tuple[Bar, ...]


#: Chart geometry (SVG user units): each row is a label line with its bar and value below, so a
#: chart keeps its text readable when the page scales it down to a phone's width.
CHART_WIDTH, ROW, BAR_MAX = 400, 38, 330


def bar_chart(caption: str, items: list[tuple[str, int]], lang: str) -> Chart:
    top = max((v for _, v in items), default=0) or 1
    bars = tuple(
        Bar(label if len(label) <= 60 else label[:59] + "…", number(lang, value), i * ROW + 2,
            round(BAR_MAX * value / top, 1))
        for i, (label, value) in enumerate(items)
    )
    return Chart(caption, CHART_WIDTH, ROW * len(items) + 4, BAR_MAX, bars)


# -- the page -------------------------------------------------------------------------------------

def _labels(lang: str) -> dict[str, str]:
    concept = t(lang, "The key issues and objectives of the Virtual Dialogue are set out in the {link}.")
    before, _, after = concept.partition("{link}")
    return {
        "report": t(lang, "Report"),
        "introduction": t(lang, "Introduction").upper(),
        "concept_before": before,
        "concept_after": after,
        "concept_note": t(lang, "Concept Note"),
        "guided": t(lang, "Discussions were guided by these questions:"),
        "panel": t(lang, "Panel discussion").upper(),
        "panel_intro": t(lang, "The Virtual Dialogue included a live online panel: invited speakers gave short "
                               "presentations and responded to key questions."),
        "panel_posed": t(lang, "Following these presentations, the moderator posed questions on behalf of "
                               "participants."),
        "key_points_heading": t(lang, "Key points").upper(),
        "key_points": t(lang, "Key points:"),
        "suggested": t(lang, "Suggested from the discussion (awaiting review):"),
        "groups": t(lang, "What participants said (similar contributions grouped):"),
        "untagged": t(lang, "Other well-supported comments"),
        "consensus": t(lang, "Where participants agreed / were divided").upper(),
        "agreed": t(lang, "Where participants agreed"),
        "divided": t(lang, "Where participants were divided"),
        "recording_before": t(lang, "The recording of the panel: {link}").partition("{link}")[0],
        "recording_after": t(lang, "The recording of the panel: {link}").partition("{link}")[2],
        "watch": t(lang, "watch it here"),
        "no_key_points": t(lang, "No key points yet."),
        "as_a_whole": t(lang, "The dialogue as a whole"),
        "comments": t(lang, "Comments from the online discussion"),
        "no_comments": t(lang, "No contributions have been tagged with a theme yet."),
        "further": t(lang, "Questions for further discussion").upper(),
        "further_intro": t(lang, "Based on the findings of the Virtual Dialogue, a number of issues for future "
                                 "reflection can be identified:"),
        "participation": t(lang, "Participation").upper(),
        "notes": t(lang, "Notes"),
        "other_links": t(lang, "Other links shared during the dialogue:"),
        "message": t(lang, "message"),
        "back": t(lang, "Back to the text"),
        "note_ref": t(lang, "Note"),
    }


def render_html(report: Report, language: str | None = None, *, draft: bool = False) -> str:
    lang = language or report.language
    report = localized(report, lang)
    refs = _Refs(report.notes)
    suggestion = t(lang, "suggestion")

    def member(text: str, notes: tuple[int, ...] = ()) -> tuple[Segment, ...]:
        return refs.segments(tx.member_text(text, lang), notes)

    def quote(q: Quote) -> Line:
        return Line(member(q.text, q.notes), q.credit, tx.safe_url(q.url))

    def key_point(p: KeyPoint) -> Line:
        own = p.source == "moderator"
        return Line(member(p.text, p.notes), None if own else p.credit, None if own else tx.safe_url(p.url),
                    suggestion if draft and p.suggested else None, p.suggested)

    def key_points(points: tuple[KeyPoint, ...], suggested: tuple[KeyPoint, ...]) -> dict[str, Any]:
        return {"points": [key_point(p) for p in points], "suggested": [key_point(p) for p in suggested]}

    front = report.front_matter(lang)

    def group(g: Group, figures: str) -> dict[str, Any]:
        rep = g.representative
        return {
            "line": Line(member(rep.text, rep.notes), rep.credit),
            "figures": figures,
            "sources": [(i, url) for i, src in enumerate(g.sources, 1) if (url := tx.safe_url(src.url))],
            "sources_label": t(lang, "sources: {links}", links="").strip(),
        }

    def series() -> list[dict[str, Any]]:
        """The series sentence as runs of text and linked titles (each past dialogue a marked slot)."""
        if not report.series:
            return []
        slots = [f"\x00{i}\x00" for i in range(len(report.series))]
        labels = [sx.past_label(d, report.timezone, lang).replace(d.title, slot, 1)
                  for d, slot in zip(report.series, slots, strict=True)]
        runs: list[dict[str, Any]] = []
        for i, piece in enumerate(sx.series_sentence(report, lang, labels).split("\x00")):
            if i % 2:
                past = report.series[int(piece)]
                runs.append({"text": past.title, "url": tx.safe_url(past.url)})
            elif piece:
                runs.append({"text": piece, "url": None})
        return runs

    def paragraphs(text: str) -> list[str]:
        return [tx.neutralise(para.strip(), lang) for para in text.strip().split("\n\n") if para.strip()]

    consensus = report.consensus
    panel = report.panel
    if panel is not None and not (panel.panellists or panel.questions):
        panel = None
    panel_questions = [
        {
            # The label as translated ("Q\u202f: " in French), the member's words made safe.
            "posed": Line(_labelled(t(lang, "Q: {question}"), "question", member(q.text)), q.credit),
            "answers": [(a.panellist, member(a.text)) for a in q.answers],
        }
        for q in (panel.questions if panel else ())
    ]
    questions = [
        {"position": q.position, "text": tx.one_line(q.text), **key_points(q.key_points, q.suggested),
         "groups": [group(g, sx.group_figures(g, lang)) for g in q.groups]}
        for q in report.questions
    ]
    general = key_points(report.general_key_points, ()) if report.general_key_points else None
    themes = [
        {"name": tx.theme_name(th, th.key, lang), "quotes": [quote(q) for q in th.quotes]}
        for th in report.themes if th.quotes
    ]
    further = [Line(member(fq.text), fq.credit) for fq in report.further_questions]

    p = report.participation
    charts = []
    if p.per_day:
        charts.append(bar_chart(t(lang, "Contributions per day"),
                                [(tx.local_date_short(d, lang), n) for d, n in p.per_day], lang))
    if p.per_theme:
        charts.append(bar_chart(t(lang, "Contributions per theme"),
                                [(tx.theme_name(report.theme(k), k, lang), n) for k, n in p.per_theme], lang))
    if p.per_question:
        charts.append(bar_chart(t(lang, "Contributions per question"),
                                [(tx.question_label(pos, lang), n) for pos, n in p.per_question], lang))

    # The notes the text referenced (in the text's order), then the other links, unnumbered.
    notes = [
        {"number": n.number, "url": n.url, "site": _site(n.url), "back": refs.first_ref[n.number],
         "shared": t(lang, "shared by {credit}", credit=n.credit) if n.credit else None}
        for n in report.notes if n.number in refs.first_ref
    ]
    other_links = [
        {"url": n.url, "shared": t(lang, "shared by {credit}", credit=n.credit) if n.credit else None}
        for n in report.notes if n.number not in refs.first_ref and tx.safe_url(n.url)
    ]

    template = environment().get_template("report.html.j2")
    return template.render(
        lang=lang,
        label=_labels(lang),
        title=tx.title(report, lang),
        dates=tx.dates(report, lang),
        css=stylesheet(),
        about=paragraphs(front.about),
        series=series(),
        description=paragraphs(front.introduction or report.description),
        sections=[{"title": tx.one_line(sec.title), "paragraphs": paragraphs(sec.body)} for sec in front.sections],
        recording=tx.safe_url(front.panel_link),
        moderator=t(lang, "Moderator: {name}", name=tx.one_line(front.moderator)) if front.moderator else None,
        untagged=[quote(q) for q in report.untagged],
        agreed=[group(i.group, sx.consensus_figures(i, report, lang, False)) for i in consensus.agreed],
        divided=[group(i.group, sx.consensus_figures(i, report, lang, True)) for i in consensus.divided],
        concept_note=tx.safe_url(report.concept_note),
        guiding=[(q.position, tx.one_line(q.text)) for q in report.questions],
        panel=panel,
        panellists=[(s.heading, [tx.one_line(point) for point in s.points]) for s in (panel.panellists if panel
                                                                                      else ())],
        panel_questions=panel_questions,
        questions=questions,
        general=general,
        themes=themes,
        further=further,
        figures=figures_line(report, lang),
        charts=charts,
        notes=notes,
        other_links=other_links,
    )
