"""The text of a dialogue's public posts, in its language(s), with Discord timestamps.

Pure functions (no discord import): the poster sends what they return, ``/dialogue schedule`` checks
their length, and reconciliation after a crash compares the channel's messages with them, so the same
database state must always render the same text. Several languages: each post carries each
language's text, the main language first, with the moderators' translations of the dialogue's own
content (``tr``, from ``/dialogue translate``) where they exist; members' words appear as written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.dialogues.model import Dialogue, Question, ScheduleItem
from bot.i18n import N_, date_range, t, tn
from bot.i18n.content import ContentTranslations
from bot.text import shorten

MESSAGE_LIMIT = 2000
THREAD_NAME_LIMIT = 100
EMBED_LIMIT = 4096
QUESTION_PREVIEW = 180

KIND_LABELS = {
    "opening": N_("Opening post"),
    "reminder": N_("Last-call reminder"),
    "closing": N_("Closing post"),
    "week_summary": N_("End-of-week summary"),
    "panel": N_("Panel"),
    "report": N_("Final report"),
}


def ts(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp: every reader sees it in their own time zone and language."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def each(dialogue: Dialogue, render: Callable[[str], str], sep: str = "\n\n") -> str:
    """``render(lang)`` for each of the dialogue's languages, main language first."""
    return sep.join(render(lang) for lang in dialogue.languages)


def thread_name(question: Question) -> str:
    """The thread (or forum post) title: the question, cut to Discord's 100 characters."""
    return shorten(f"{question.position}. {question.text}", THREAD_NAME_LIMIT)


def item_label(lang: str, item: ScheduleItem, questions: dict[int, Question] | None = None) -> str:
    if item.kind == "question":
        number = questions[item.question_id].position if questions and item.question_id in questions else "?"
        return t(lang, "Guiding question {number}", number=number)
    if item.kind == "week_summary":
        return t(lang, "End-of-week summary (week {week})", week=item.week)
    return t(lang, KIND_LABELS[item.kind])


# -- the opening post ---------------------------------------------------------------------------------

def opening_header(dialogue: Dialogue) -> str:
    return f"📣 **{dialogue.title}**"


def _tr(dialogue: Dialogue, tr: ContentTranslations | None) -> ContentTranslations:
    return tr if tr is not None else ContentTranslations(dialogue.language)


def opening_embed_text(dialogue: Dialogue, lang: str, questions: list[Question], items: list[ScheduleItem],
                       tr: ContentTranslations | None = None) -> str:
    """The opening post's body in ``lang``: dates, objective, concept note, how to take part, questions."""
    tr = _tr(dialogue, tr)
    when = {i.question_id: i.run_at for i in items if i.kind == "question" and i.status in ("pending", "claimed")}
    lines = [
        f"**{date_range(lang, dialogue.starts_at, dialogue.ends_at, dialogue.tz)}**",
        t(lang, "Opens {start} · closes {end}", start=ts(dialogue.starts_at), end=ts(dialogue.ends_at)),
    ]
    if dialogue.description:
        lines += ["", tr.pick("description", dialogue.description, lang)]
    if dialogue.concept_note:
        lines += ["", t(lang, "📄 Concept note: {link}", link=dialogue.concept_note)]
    where = (
        t(lang, "Each guiding question gets its own post in this forum.")
        if dialogue.channel_kind == "forum"
        else t(lang, "Each guiding question gets its own thread in this channel.")
    )
    lines += [
        "",
        t(lang, "**How to take part**"),
        where,
        t(lang, "Answer there, as often as you like: share experiences, challenges, good practices and resources."),
        t(lang, "Your contributions go into the dialogue's report, credited as your profile says (/profile set)."),
        "",
        t(lang, "**Guiding questions**"),
    ]
    for q in questions:
        if q.thread_id:
            text = tr.pick("question", q.text, lang)
            lines.append(f"{q.position}. {shorten(text, QUESTION_PREVIEW)} → <#{q.thread_id}>")
        elif q.id in when:
            lines.append(f"{q.position}. " + t(lang, "coming {time}", time=ts(when[q.id], "R")))
    if not questions:
        lines.append(t(lang, "coming soon"))
    return "\n".join(lines)[:EMBED_LIMIT]


def opening_title(dialogue: Dialogue, lang: str, tr: ContentTranslations | None = None) -> str:
    title = _tr(dialogue, tr).pick("title", dialogue.title, lang)
    return shorten(t(lang, "Virtual Dialogue: {title}", title=title), 256)


# -- questions, reminder, closing ---------------------------------------------------------------------

def question_message(dialogue: Dialogue, question: Question, total: int,
                     tr: ContentTranslations | None = None) -> str:
    """The first message of a question's thread: per language, a header, the question, how to answer.

    A language without a translation of the question shows its header and how to answer only (the
    question is right above, in the original)."""
    tr = _tr(dialogue, tr)

    def render(lang: str) -> str:
        title = tr.pick("title", dialogue.title, lang)
        header = t(lang, "Guiding question {number} of {total}", number=question.position, total=total)
        how = t(lang, "Answer in this thread. The dialogue closes {end}.", end=ts(dialogue.ends_at))
        text = tr.get("question", question.text, lang)
        heading = t(lang, "{title}: {what}", title=title, what=header)
        return "\n\n".join(part for part in (f"**{heading}**", text, how) if part)

    return each(dialogue, render)


def reminder_message(dialogue: Dialogue, questions: list[Question], tr: ContentTranslations | None = None) -> str:
    tr = _tr(dialogue, tr)

    def render(lang: str) -> str:
        text = t(
            lang, "⏳ **Last call for “{title}”**: the dialogue closes {end} ({relative}).",
            title=tr.pick("title", dialogue.title, lang), end=ts(dialogue.ends_at), relative=ts(dialogue.ends_at, "R"),
        )
        return text + "\n" + t(lang, "There is still time to answer the guiding questions.")

    links = " · ".join(f"{q.position}. <#{q.thread_id}>" for q in questions if q.thread_id)
    body = each(dialogue, render)
    return f"{body}\n\n{links}" if links else body


def closing_message(dialogue: Dialogue, tr: ContentTranslations | None = None) -> str:
    tr = _tr(dialogue, tr)

    def render(lang: str) -> str:
        return "\n".join([
            t(lang, "🏁 **“{title}” is now closed.**", title=tr.pick("title", dialogue.title, lang)),
            t(lang, "Thank you to everyone who took part! The moderators are preparing the report."),
        ])

    return each(dialogue, render)


def skipped_notice(lang: str, dialogue: Dialogue, items: list[ScheduleItem], questions: dict[int, Question],
                   grace_hours: float) -> str:
    lines = [
        tn(lang, "⚠️ Colloquy was offline and missed this post of “{title}” by more than {hours} hours, so it "
                 "was skipped:",
           "⚠️ Colloquy was offline and missed these posts of “{title}” by more than {hours} hours, so they "
           "were skipped:", len(items), title=dialogue.title, hours=f"{grace_hours:g}")
    ]
    for item in items:
        what = item_label(lang, item, questions)
        lines.append("- " + t(lang, "{what} (due {time})", what=what, time=ts(item.run_at)))
    return "\n".join(lines)[:MESSAGE_LIMIT]


def failed_notice(lang: str, dialogue: Dialogue, item: ScheduleItem, questions: dict[int, Question]) -> str:
    return t(
        lang, "⚠️ Colloquy could not make this post of “{title}” after several attempts: {what}. "
              "Check the bot's permissions in <#{channel}>.",
        title=dialogue.title, what=item_label(lang, item, questions), channel=dialogue.channel_id,
    )


def late_notice(lang: str, dialogue: Dialogue, item: ScheduleItem, questions: dict[int, Question]) -> str:
    return t(
        lang, "⏳ A post of “{title}” is late: {what}. Discord refused it twice; Colloquy keeps trying and will "
              "say so if it gives up.",
        title=dialogue.title, what=item_label(lang, item, questions),
    )
