"""Moderators' views of dialogues (ephemeral answers), and the channel checks before scheduling."""

from __future__ import annotations

import discord

from bot.dialogues import posts
from bot.dialogues.lifecycle import DialogueStatus
from bot.dialogues.model import Dialogue, Question, ScheduleItem, Theme
from bot.dialogues.posts import ts
from bot.dialogues.service import DialogueService
from bot.i18n import N_, date_range, t
from bot.i18n.content import ContentTranslations
from bot.text import shorten

STATE_NAMES = {
    "draft": N_("draft"),
    "scheduled": N_("scheduled"),
    "open": N_("open"),
    "closed": N_("closed"),
    "published": N_("published"),
}

#: What the bot needs in a dialogue's channel: (discord.py flag, name shown to moderators).
REQUIRED_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_channel", N_("View Channel")),
    ("send_messages", N_("Send Messages")),
    ("create_public_threads", N_("Create Public Threads")),
    ("send_messages_in_threads", N_("Send Messages in Threads")),
    ("embed_links", N_("Embed Links")),
)


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    """The names (msgids) of the permissions the bot lacks in ``channel``."""
    have = channel.permissions_for(me)
    return [name for flag, name in REQUIRED_PERMISSIONS if not getattr(have, flag)]


def too_long_questions(
    dialogue: Dialogue, questions: list[Question], tr: ContentTranslations | None = None
) -> list[int]:
    """Numbers of the questions whose post (with its translations) would not fit in one Discord message."""
    return [
        q.position for q in questions
        if len(posts.question_message(dialogue, q, len(questions), tr)) > posts.MESSAGE_LIMIT
    ]


def state_name(lang: str, state: str) -> str:
    return t(lang, STATE_NAMES.get(state, state))


def summary_line(lang: str, d: Dialogue) -> str:
    return t(
        lang, "**{title}** (#{id}) · {state} · {dates} · <#{channel}>",
        title=d.title, id=d.id, state=state_name(lang, d.state),
        dates=date_range(lang, d.starts_at, d.ends_at, d.tz), channel=d.channel_id,
    )


def created(lang: str, d: Dialogue) -> str:
    return "\n".join([
        t(lang, "Dialogue **{title}** created as a draft.", title=d.title),
        t(lang, "From {start} to {end} ({timezone}), in <#{channel}>.",
          start=ts(d.starts_at), end=ts(d.ends_at), timezone=d.timezone, channel=d.channel_id),
        t(lang, "Next: add guiding questions with /dialogue question add, then /dialogue schedule."),
    ])


def question_list(lang: str, d: Dialogue, questions: list[Question], items: list[ScheduleItem]) -> str:
    if not questions:
        return t(lang, "“{title}” has no guiding questions yet.", title=d.title)
    when = {i.question_id: i.run_at for i in items if i.kind == "question" and i.status != "skipped"}
    lines = [t(lang, "**Guiding questions of “{title}”**", title=d.title)]
    for q in questions:
        at = q.post_at or when.get(q.id)
        if q.thread_id:
            status = t(lang, "posted in <#{thread}>", thread=q.thread_id)
        elif at is not None:
            status = t(lang, "posts {time}", time=ts(at))
        else:
            status = t(lang, "spread over the dialogue when scheduled")
        lines.append(f"{q.position}. {shorten(q.text, 300)} — {status}")
    return "\n".join(lines)[:2000]


def theme_list(lang: str, d: Dialogue, themes: list[Theme]) -> str:
    lines = [t(lang, "**Themes of “{title}”**", title=d.title)]
    lines += [f"{th.emoji or '•'} {DialogueService.theme_name(th, lang)}" for th in themes]
    return "\n".join(lines)


def timeline(lang: str, d: Dialogue, items: list[ScheduleItem], questions: list[Question]) -> str:
    by_id = {q.id: q for q in questions}
    lines = [t(lang, "**“{title}” is scheduled.** Timeline:", title=d.title)]
    for item in items:
        if item.status in ("pending", "claimed"):
            lines.append(f"{ts(item.run_at)} — {posts.item_label(lang, item, by_id)}")
    return "\n".join(lines)[:2000]


def status(lang: str, s: DialogueStatus) -> str:
    d = s.dialogue
    lines = [summary_line(lang, d)]
    if s.next_item is not None:
        questions = {q.id: q for q, _ in s.per_question}
        lines.append(t(lang, "Next post: {what}, {time}",
                       what=posts.item_label(lang, s.next_item, questions), time=ts(s.next_item.run_at)))
    else:
        lines.append(t(lang, "Next post: none"))
    lines += ["", t(lang, "**Contributions per question**")]
    lines += [f"{q.position}. {shorten(q.text, 80)} — {n}" for q, n in s.per_question]
    if s.outside_questions:
        lines.append(t(lang, "In the channel itself: {n}", n=s.outside_questions))
    lines += ["", t(lang, "**Contributions per theme**")]
    lines += [f"{th.emoji or '•'} {DialogueService.theme_name(th, lang)} — {n}" for th, n in s.per_theme]
    lines += [
        "",
        t(lang, "Contributions: {n}", n=s.contributions),
        t(lang, "Participants: {n}", n=s.participants),
        t(lang, "Untagged contributions: {n}", n=s.untagged),
        t(lang, "Panel questions waiting: {n}", n=s.panel_queue),
    ]
    return "\n".join(lines)[:2000]
