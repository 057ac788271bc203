"""A report's content in one of the dialogue's languages (moderators' translations; members' words as written).

:func:`localized` is the first thing every renderer does: the compiled :class:`Report` carries the
dialogue's :class:`~bot.i18n.content.ContentTranslations`; the result holds the texts of ``language``,
each untranslated item shown in the original with a marker, and no translations left (so a second
call changes nothing).
"""

from __future__ import annotations

from dataclasses import replace

from bot.i18n.content import ContentTranslations, untranslated
from bot.report.model import FurtherQuestion, GuidingQuestion, KeyPoint, PanelSection, Report, ThemeSection


def localized(report: Report, language: str | None) -> Report:
    """``report`` as read in ``language``; unchanged for the main language or when nothing is translatable."""
    tr = report.translations
    if tr is None:
        return report
    lang = language or report.language
    if lang == tr.main or lang not in report.languages:
        return replace(report, translations=None)

    def key_point(kp: KeyPoint) -> KeyPoint:
        return replace(kp, text=tr.marked("key_point", kp.text, lang)) if kp.source == "moderator" else kp

    def question(q: GuidingQuestion) -> GuidingQuestion:
        return replace(
            q, text=tr.marked("question", q.text, lang), key_points=tuple(key_point(k) for k in q.key_points)
        )

    def theme(th: ThemeSection) -> ThemeSection:
        found = tr.get("theme", th.name, lang)
        if found is not None:
            return replace(th, name=found, translated=False)
        return th if th.translated else replace(th, name=tr.marked("theme", th.name, lang))

    def further(fq: FurtherQuestion) -> FurtherQuestion:
        return fq if fq.from_panel else replace(fq, text=tr.marked("further_question", fq.text, lang))

    panel = report.panel
    if panel is not None:
        panel = _panel(panel, tr, lang)
    return replace(
        report,
        title=tr.pick("title", report.title, lang),  # a name: shown as it is when untranslated
        description=tr.marked("description", report.description, lang),
        questions=tuple(question(q) for q in report.questions),
        general_key_points=tuple(key_point(k) for k in report.general_key_points),
        themes=tuple(theme(th) for th in report.themes),
        further_questions=tuple(further(fq) for fq in report.further_questions),
        panel=panel,
        translations=None,
    )


def _panel(panel: PanelSection, tr: ContentTranslations, lang: str) -> PanelSection:
    speakers = []
    for speaker in panel.panellists:
        if speaker.points:
            original = "\n".join(speaker.points)
            found = tr.get("presentation", original, lang)
            if found is not None:
                speaker = replace(speaker, points=tuple(line for line in found.split("\n") if line.strip()))
            else:
                last = f"{speaker.points[-1]} {untranslated(lang, tr.main)}"  # the marker after the last point
                speaker = replace(speaker, points=(*speaker.points[:-1], last))
        speakers.append(speaker)
    return replace(panel, panellists=tuple(speakers))
