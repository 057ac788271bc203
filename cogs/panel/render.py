"""The panel's messages as text: announcement, review post, public question, relay line, queue.

Pure functions of the service's dataclasses and a language. Members' words are quoted as written,
through :mod:`bot.text`'s escape (never markup, never a mention); nothing here is ever sent with pings
(the senders pass ``cogs.kit.reply.NO_MENTIONS``).
"""

from __future__ import annotations

from bot import text as escape
from bot.dialogues.posts import ts
from bot.i18n import N_, number, t
from bot.panel.model import Panel, Panellist, PanelQuestion, QuestionRecord

STATUS_NAMES = {
    "pending": N_("waiting for review"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "merged": N_("merged"),
    "relayed": N_("posed to the panel"),
}


def quote(text: str, lang: str = "en") -> str:
    """A member's text as a Markdown quote block."""
    return escape.quote_block(text, lang)


def safe(text: str, lang: str) -> str:
    """A member's (or moderator's) words on one line, escaped for a Discord message."""
    return escape.for_discord(text, lang, single_line=True)


def votes_text(lang: str, votes: int) -> str:
    # Counts are phrased "Votes: 3" rather than pluralized: the catalogs hold no plural forms yet.
    return t(lang, "Votes: {n}", n=number(lang, votes))


def when(lang: str, panel: Panel) -> str:
    """The panel's time as Discord timestamps: each member sees it in their own time zone and language."""
    return t(
        lang, "{start} – {end} ({relative})",
        start=ts(panel.starts_at, "F"), end=ts(panel.ends_at, "t"), relative=ts(panel.starts_at, "R"),
    )


def event_url(panel: Panel) -> str | None:
    """The link to the panel's Discord scheduled event (members mark it "Interested" there)."""
    return f"https://discord.com/events/{panel.guild_id}/{panel.event_id}" if panel.event_id else None


def event_line(lang: str, panel: Panel) -> str | None:
    url = event_url(panel)
    return t(lang, "📅 Discord event: {link}", link=url) if url else None


def event_name(lang: str, panel: Panel) -> str:
    return t(lang, "Live panel: {title}", title=escape.one_line(panel.dialogue.title))[:100]


def event_description(lang: str, panellists: list[Panellist]) -> str:
    lines = [t(lang, "Members' questions to the panel, posed by the moderators. Ask yours with /ask.")]
    if panellists:
        lines += ["", t(lang, "Panellists:"), *(f"- {escape.one_line(p.heading)}" for p in panellists)]
    return "\n".join(lines)[:1000]


def announcement(lang: str, panel: Panel, panellists: list[Panellist]) -> str:
    lines = [f"**{safe(event_name(lang, panel), lang)}**", when(lang, panel)]
    if (event := event_line(lang, panel)) is not None:
        lines.append(event)
    if panellists:
        lines += ["", t(lang, "**Panellists**"), *(f"- {safe(p.heading, lang)}" for p in panellists)]
    lines.append("")
    if panel.closed:
        lines.append(t(lang, "The panel is over. Thank you for your questions!"))
    else:
        lines.append(
            t(lang, "Ask the panel a question with the button below or /ask. The moderators review questions "
                    "before they appear here; upvote the ones you want answered.")
        )
    return "\n".join(lines)


def credits_text(record: QuestionRecord, lang: str = "en") -> str:
    """``Name, Organisation; Other, Org`` for the named askers (anonymous askers are never named)."""
    return "; ".join(safe(credit, lang) for credit in record.credits)


def relay_line(lang: str, record: QuestionRecord) -> str:
    """``Q: <question> (<Name>, <Organisation>)``, the seed report's format."""
    text = safe(record.question.text, lang)
    credits = credits_text(record, lang)
    if credits:
        return t(lang, "Q: {question} ({credit})", question=text, credit=credits)
    return t(lang, "Q: {question}", question=text)


def public_question(lang: str, record: QuestionRecord) -> str:
    q = record.question
    credits = credits_text(record, lang)
    head = t(lang, "**Question #{number}**", number=q.id)
    if credits:
        head += f" ({credits})"
    lines = [head, quote(q.text, lang), votes_text(lang, q.votes)]
    if q.status == "relayed":
        lines.append(t(lang, "Posed to the panel."))
    elif q.status == "merged" and q.merged_into:
        lines.append(t(lang, "Merged into question #{number}.", number=q.merged_into))
    elif q.status == "rejected":
        lines.append(t(lang, "Withdrawn by the moderators."))
    return "\n".join(lines)


def asked_by(lang: str, record: QuestionRecord, *, private_channel: bool) -> str:
    """Who asked, for moderators. An anonymous asker is shown as a mention only in a private mod
    channel (so moderators can follow up on abuse); where members could read it, not at all."""
    parts = []
    for asker in record.askers:
        if asker.credit:
            parts.append(safe(asker.credit, lang))
        elif private_channel:
            parts.append(t(lang, "anonymous (asked by <@{user}>, visible to moderators only)", user=asker.user_id))
        else:
            parts.append(t(lang, "anonymous"))
    return t(lang, "Asked by: {who}", who="; ".join(parts))


def review_post(lang: str, panel: Panel, record: QuestionRecord, *, private_channel: bool) -> str:
    q = record.question
    lines = [
        t(lang, "**Question #{number}** for the panel of “{title}” — {status}", number=q.id,
          title=safe(panel.dialogue.title, lang), status=t(lang, STATUS_NAMES[q.status])),
        quote(q.text, lang),
        asked_by(lang, record, private_channel=private_channel),
    ]
    if q.status in ("approved", "relayed"):
        lines.append(votes_text(lang, q.votes))
    if q.status == "merged" and q.merged_into:
        lines.append(t(lang, "Merged into question #{number}.", number=q.merged_into))
    return "\n".join(lines)


def queue_text(lang: str, panel: Panel, approved: list[PanelQuestion], pending: int) -> str:
    lines = [t(lang, "**Questions for the panel of “{title}”**", title=safe(panel.dialogue.title, lang))]
    if not approved:
        lines.append(t(lang, "No approved question yet."))
    for q in approved:
        lines.append(f"{votes_text(lang, q.votes)} · #{q.id} {safe(escape.shorten(q.text, 90), lang)}")
    lines.append(t(lang, "Waiting for review: {n}", n=number(lang, pending)))
    return "\n".join(lines)
