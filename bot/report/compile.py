"""Store → :class:`~bot.report.model.Report`: the report's repository. No discord import.

Reports read across features (dialogues, contributions, tags, support, links, key points, panel),
so this module reads the tables of ``001_initial.sql`` directly, except the panel, which comes through
:meth:`bot.panel.record.PanelRecordService.panel_for_dialogue` (its stable read model) when a panel
service is given.

What never reaches a Report (privacy, settled here once for every format):
- contributions of members who opted out (``members.opted_out``), and links and key points that
  came from them; deleted contributions and forgotten members are already gone from the store;
- panel questions that were rejected or merged away (only relayed and approved ones are read);
  anonymous askers are never named, and askers who opted out are not named either.

Performance (DESIGN.md): counting is done in SQL; the per-contribution work (grouping by theme and
day, footnote numbering, suggestions) runs in ``asyncio.to_thread`` on rows already fetched, so
compiling a large dialogue does not stall the event loop. The reads go through one queue, longest
first, :data:`PARALLEL_READS` at a time.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from bot.clock import iso, parse_iso
from bot.community.profiles import credit
from bot.dialogues.service import DEFAULT_THEMES
from bot.dialogues.timeline import week_ends
from bot.dialogues.translations import content_translations
from bot.errors import UserError
from bot.i18n import N_
from bot.i18n.content import ContentTranslations
from bot.report import suggest
from bot.report.model import (
    FurtherQuestion,
    GuidingQuestion,
    KeyPoint,
    Note,
    PanelAnswer,
    PanelExchange,
    PanelSection,
    Participation,
    Quote,
    Report,
    Speaker,
    ThemeSection,
    WeekSummary,
)
from bot.report.text import safe_url
from bot.store import Database
from bot.store.repositories.report import ReportRepository

if TYPE_CHECKING:
    from bot.panel.record import PanelRecord, PanelRecordService

#: Quotes per theme in "Comments from the online discussion", most supported first.
QUOTE_LIMIT = 30
SUGGESTIONS = 3
WEEK_TOP = 3
_DEFAULT_NAMES = {key: name for key, name, _ in DEFAULT_THEMES}
T = TypeVar("T")

def message_url(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


@dataclass
class _Raw:
    """What SQL aggregated and chose, handed to the worker thread (a few hundred rows at most, whatever
    the size of the dialogue: counts, the quotes shown, key points, the suggestion samples)."""

    dialogue: Any
    questions: list[Any]
    themes: list[Any]
    key_points: list[Any]
    links: list[Any]
    further: list[Any]
    opted_out: frozenset[int]
    per_question: list[tuple[int | None, int]] = field(default_factory=list)  # question id → contributions
    participants: int = 0
    buckets: list[tuple[str, int]] = field(default_factory=list)  # created_at prefix → contributions
    theme_counts: dict[int, int] = field(default_factory=dict)  # theme id → tagged contributions
    quotes: list[tuple[int, int, int]] = field(default_factory=list)  # (theme id, id, support), ranked per theme
    shown: dict[int, Any] = field(default_factory=dict)  # id → SHOWN columns: the quoted and suggested
    featured: list[Any] = field(default_factory=list)  # SHOWN columns: key point contributions
    suggested: dict[int, list[Any]] = field(default_factory=dict)  # position → SHOWN rows of the picks
    members: dict[int, Any] = field(default_factory=dict)
    bucket_len: int = 13
    panel: PanelRecord | None = None
    quote_limit: int | None = QUOTE_LIMIT
    suggestions: int = SUGGESTIONS
    extra: dict[str, Any] = field(default_factory=dict)
    translations: ContentTranslations | None = None


#: Statements one compile runs at once, per store. On PostgreSQL its independent reads overlap (the
#: server runs them, and Python's own work, side by side). SQLite runs them in this process's threads,
#: on the cores the bot's members' commands need: one at a time, so a report does not hold up
#: ``/dialogue status`` (measured: ten at once during a report took twice as long with two).
PARALLEL_READS = {"sqlite": 1, "postgresql": 2}


async def compile_report(
    db: Database,
    dialogue_id: int,
    *,
    panel: PanelRecordService | None = None,
    quote_limit: int | None = QUOTE_LIMIT,
    suggestions: int = SUGGESTIONS,
) -> Report:
    """The dialogue's report as it stands now (the same call serves preview, publish and export)."""
    repo = ReportRepository(db)
    dialogue = await repo.dialogue(dialogue_id)
    if dialogue is None:
        raise UserError(N_("There is no dialogue “{value}” in this server."), value=str(dialogue_id))
    guild_id = dialogue["guild_id"]
    bucket_len = _bucket_len(dialogue)
    gate = asyncio.Semaphore(PARALLEL_READS.get(db.dialect, 1))

    async def read(work: Awaitable[T]) -> T:
        async with gate:
            return await work

    async def nothing() -> None:
        return None

    # The semaphore serves in this order: the longest statements first, then the small tables.
    found: list[Any] = list(await asyncio.gather(
        read(repo.quote_ranks(dialogue_id, guild_id, quote_limit)),
        read(repo.counts(dialogue_id, guild_id, bucket_len)),
        read(repo.participants(dialogue_id, guild_id)),
        read(repo.count_per_theme(dialogue_id, guild_id)),
        read(repo.questions(dialogue_id)),
        read(repo.themes(dialogue_id)),
        read(repo.key_points(dialogue_id)),
        read(repo.links(dialogue_id, guild_id)),
        read(repo.further_questions(dialogue_id)),
        read(repo.opted_out(guild_id)),
        read(repo.members(guild_id)),
        read(repo.featured(dialogue_id, guild_id)),
        read(panel.panel_for_dialogue(dialogue_id)) if panel is not None else nothing(),
        read(content_translations(db, dialogue_id, (dialogue["languages"] or "en").split()[0])),
    ))
    (raw_quotes, counts, participants, theme_counts, questions, themes, key_points, links, further, opted_out,
     members, featured, record, translations) = found
    raw = _Raw(
        dialogue=dialogue,
        questions=_shown_questions(dialogue, questions),
        themes=themes,
        key_points=key_points,
        links=links,
        further=further,
        opted_out=opted_out,
        participants=participants,
        theme_counts=theme_counts,
        quotes=raw_quotes,
        featured=featured,
        members=members,
        bucket_len=bucket_len,
        panel=record,
        quote_limit=quote_limit,
        suggestions=suggestions,
        translations=translations,
    )
    picks: dict[int, list[int]] = {}
    if suggestions:
        position = {q["id"]: q["position"] for q in raw.questions}
        points, marked = _points(raw, position, {r["id"]: r for r in raw.featured})
        wanting = [q["id"] for q in raw.questions if not points.get(q["position"])]
        pools = await repo.suggestion_samples(dialogue_id, guild_id, wanting, suggest.MIN_WORDS - 1, suggest.SAMPLE)

        def choose() -> dict[int, list[int]]:
            exclude = frozenset(marked)
            return {
                position[q]: [c.contribution_id for c in suggest.suggest(pools[q], suggestions, exclude=exclude)]
                for q in wanting
            }

        picks = await asyncio.to_thread(choose)
    raw.per_question = [(q, n) for q, _, n in counts]
    buckets: dict[str, int] = defaultdict(int)
    for _, bucket, n in counts:
        buckets[bucket] += n
    raw.buckets = list(buckets.items())
    wanted = sorted({cid for _, cid, _ in raw.quotes} | {cid for ids in picks.values() for cid in ids})
    raw.shown = {r["id"]: r for r in await repo.shown(dialogue_id, wanted)}
    raw.suggested = {pos: [raw.shown[cid] for cid in ids if cid in raw.shown] for pos, ids in picks.items()}
    return await asyncio.to_thread(assemble, raw)


# -- the worker-thread part ----------------------------------------------------------------------


def _credit_of(row: Any) -> str | None:
    name = row["display_name"] or row["author_name"]
    return credit(row["attribution"] or "name", name, row["organisation"])


def _theme(row: Any) -> ThemeSection:
    translated = _DEFAULT_NAMES.get(row["key"]) == row["name"]
    return ThemeSection(key=row["key"], name=row["name"], emoji=row["emoji"], translated=translated)


def _bucket_len(dialogue: Any) -> int:
    """Count per UTC hour (``2026-05-06T09``) when every local midnight of the dialogue falls on an hour,
    by minute otherwise (India, Nepal…)."""
    tz = ZoneInfo(dialogue["timezone"])
    starts, ends = parse_iso(dialogue["starts_at"]), parse_iso(dialogue["ends_at"])
    offsets = {tz.utcoffset(moment.replace(tzinfo=None)) for moment in (starts, ends) if moment is not None}
    whole = all(o is not None and o.total_seconds() % 3600 == 0 for o in offsets)
    return 13 if whole else 16


def _days(buckets: dict[str, int], starts: datetime, ends: datetime, tz: ZoneInfo) -> tuple[tuple[date, int], ...]:
    """Contributions per local day, every day of the dialogue (and any day with contributions)."""
    counts: dict[date, int] = defaultdict(int)
    for bucket, n in buckets.items():
        moment = datetime.fromisoformat(bucket + (":00" if len(bucket) == 13 else "")).replace(tzinfo=UTC)
        counts[moment.astimezone(tz).date()] += n
    first = min([starts.astimezone(tz).date(), *counts])
    last = max([ends.astimezone(tz).date(), *counts])
    days = []
    day = first
    while day <= last:
        days.append((day, counts.get(day, 0)))
        day += timedelta(days=1)
    return tuple(days)


def _panel(record: PanelRecord | None, opted_out: frozenset[int]) -> tuple[PanelSection | None, list[FurtherQuestion]]:
    if record is None:
        return None, []

    def credits(qr: Any) -> str | None:
        named = [a.credit for a in qr.askers if a.credit and a.user_id not in opted_out]
        return "; ".join(dict.fromkeys(named)) or None

    questions = tuple(
        PanelExchange(qr.question.text, credits(qr), tuple(PanelAnswer(a.panellist_name, a.text) for a in qr.answers),
                      question_id=qr.question.id)
        for qr in record.relayed
        if qr.answers
    )
    speakers = tuple(Speaker(p.name, p.title, p.organisation, p.key_points) for p in record.panellists)
    further = [
        FurtherQuestion(qr.question.text, credits(qr), from_panel=True, question_id=qr.question.id)
        for qr in record.unanswered
        if qr.question.author_id not in opted_out
    ]
    return PanelSection(record.panel.starts_at, speakers, questions), further


def _points(
    raw: _Raw, position: dict[Any, int], featured: dict[int, Any]
) -> tuple[dict[int, list[tuple[str, str, Any]]], set[int]]:
    """Key points: the moderators' and marked contributions, by question position (0: the dialogue as
    a whole), and the ids of the contributions they came from."""
    points: dict[int, list[tuple[str, str, Any]]] = defaultdict(list)  # position → (text, source, row)
    marked: set[int] = set()
    for kp in raw.key_points:
        cid = kp["contribution_id"]
        if cid is not None and cid not in featured:
            continue  # its author opted out
        source = "marked" if cid is not None else "moderator"
        row = featured.get(cid) if cid is not None else None
        qid = kp["question_id"] if kp["question_id"] is not None else (row["question_id"] if row else None)
        points[position.get(qid, 0)].append((kp["text"], source, row))
        if cid is not None:
            marked.add(cid)
    for r in raw.featured:  # in id order
        if r["is_key_point"] and r["id"] not in marked:
            points[position.get(r["question_id"], 0)].append((r["content"], "marked", r))
            marked.add(r["id"])
    return points, marked


def _shown_questions(dialogue: Any, questions: list[Any]) -> list[Any]:
    """Once a dialogue is over, its report shows the guiding questions that were posted (one closed
    early never asked the rest); before that, a preview shows them all."""
    if dialogue["state"] in ("closed", "published"):
        return [q for q in questions if q["message_id"] is not None]
    return questions


def span(dialogue: Any) -> tuple[datetime, datetime]:
    """When the dialogue really ran: its start, and its close when it closed before the planned end."""
    starts, ends = parse_iso(dialogue["starts_at"]), parse_iso(dialogue["ends_at"])
    closed = parse_iso(dialogue["closed_at"])
    assert starts is not None and ends is not None
    if closed is not None and starts < closed < ends:
        ends = closed
    return starts, ends


def assemble(raw: _Raw) -> Report:
    """Group, number and choose: pure Python over fetched rows (runs in a worker thread)."""
    d = raw.dialogue
    tz = ZoneInfo(d["timezone"])
    starts, ends = span(d)
    guild = d["guild_id"]
    position = {q["id"]: q["position"] for q in raw.questions}
    themes = [_theme(r) for r in raw.themes]
    theme_ids = {r["id"]: i for i, r in enumerate(raw.themes)}

    opted_out = raw.opted_out
    featured = {r["id"]: r for r in raw.featured}
    support = {r[0]: r[9] for r in raw.featured}
    support.update((cid, n) for _, cid, n in raw.quotes)
    credits: dict[int, str | None] = {}

    def credit_of(r: Any) -> str | None:
        author = r["author_id"]
        if author not in credits:
            profile = raw.members.get(author)
            if profile is None:
                credits[author] = credit("name", r["author_name"], None)
            else:
                name = profile["display_name"] or r["author_name"]
                credits[author] = credit(profile["attribution"], name, profile["organisation"])
        return credits[author]

    per_question: dict[int, int] = defaultdict(int)  # position (0: the dialogue's channel) → contributions
    for question_id, n in raw.per_question:
        per_question[position.get(question_id, 0) if question_id is not None else 0] += n

    points, _ = _points(raw, position, featured)
    support.update((r[0], r[9]) for rows in raw.suggested.values() for r in rows)

    quoted: list[list[Any]] = [[] for _ in themes]
    for theme_id, cid, _ in raw.quotes:
        index = theme_ids.get(theme_id)
        if index is not None and cid in raw.shown:  # (deleted between the two reads: left out)
            quoted[index].append(raw.shown[cid])

    # Footnotes: links numbered in the order the report shows the contributions they were shared in
    # (key points, then comments), then any other link shared during the dialogue.
    links_of: dict[int, list[Any]] = defaultdict(list)
    for link in raw.links:
        if safe_url(link["url"]) and link["contribution_id"] is not None:
            links_of[link["contribution_id"]].append(link)
    number: dict[int, int] = {}

    def notes_for(row: Any | None) -> tuple[int, ...]:
        if row is None:
            return ()
        for link in links_of.get(row["id"], ()):
            number.setdefault(link["id"], len(number) + 1)
        return tuple(number[link["id"]] for link in links_of.get(row["id"], ()))

    def key_point(text: str, source: str, row: Any | None) -> KeyPoint:
        if row is None:
            return KeyPoint(text, "moderator")
        url = message_url(guild, row["channel_id"], row["message_id"])
        return KeyPoint(text, source, credit_of(row), url, notes_for(row), support.get(row["id"], 0),  # type: ignore[arg-type]
                        contribution_id=row["id"])

    questions = []
    for q in raw.questions:
        pos = q["position"]
        questions.append(GuidingQuestion(
            position=pos,
            text=q["text"],
            key_points=tuple(key_point(*p) for p in points.get(pos, ())),
            suggested=tuple(key_point(r["content"], "suggested", r) for r in raw.suggested.get(pos, ())),
            contributions=per_question.get(pos, 0),
        ))
    general = tuple(key_point(*p) for p in points.get(0, ()))

    def quote(r: Any) -> Quote:
        return Quote(
            contribution_id=r["id"], text=r["content"], credit=credit_of(r),
            url=message_url(guild, r["channel_id"], r["message_id"]), support=support.get(r["id"], 0),
            question=position.get(r["question_id"]), notes=notes_for(r), created_at=parse_iso(r["created_at"]),
        )

    report_themes = tuple(
        ThemeSection(
            th.key, th.name, th.emoji, th.translated, tuple(quote(r) for r in quoted[i]),
            raw.theme_counts.get(raw.themes[i]["id"], 0),
        )
        for i, th in enumerate(themes)
    )
    for link in raw.links:
        if safe_url(link["url"]):
            number.setdefault(link["id"], len(number) + 1)
    link_by_id = {link["id"]: link for link in raw.links}
    notes = tuple(
        Note(
            number=n,
            url=link_by_id[lid]["url"],
            credit=_credit_of(link_by_id[lid]),
            source_url=(
                message_url(guild, link["channel_id"], link["message_id"])
                if (link := link_by_id[lid])["channel_id"] is not None and link["author_id"] not in opted_out
                else None
            ),
        )
        for lid, n in sorted(number.items(), key=lambda item: item[1])
    )

    panel, panel_further = _panel(raw.panel, raw.opted_out)
    further = tuple(FurtherQuestion(r["text"]) for r in raw.further) + tuple(panel_further)

    participation = Participation(
        participants=raw.participants,
        contributions=sum(per_question.values()),
        per_question=tuple((pos, per_question[pos]) for pos in sorted(per_question, key=lambda p: (p == 0, p))),
        per_theme=tuple((th.key, th.contributions) for th in report_themes if th.contributions),
        per_day=_days(dict(raw.buckets), starts, ends, tz),
    )
    return Report(
        dialogue_id=d["id"],
        guild_id=guild,
        title=d["title"],
        description=d["description"] or "",
        concept_note=d["concept_note"],
        languages=tuple((d["languages"] or "en").split()),
        timezone=d["timezone"],
        starts_at=starts,
        ends_at=ends,
        questions=tuple(questions),
        panel=panel,
        themes=report_themes,
        further_questions=further,
        notes=notes,
        participation=participation,
        general_key_points=general,
        translations=raw.translations,
    )


# -- the end-of-week summary ----------------------------------------------------------------------


def week_window(starts: datetime, ends: datetime, week: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Week ``week`` of the dialogue: local weeks from its start, as the schedule plans them
    (``bot.dialogues.timeline.week_ends``); the last one runs to the end."""
    bounds = [starts, *(at for _, at in week_ends(starts, ends, tz)), ends]
    week = max(1, min(week, len(bounds) - 1))
    return bounds[week - 1], bounds[week]


async def compile_week(db: Database, dialogue_id: int, week: int) -> WeekSummary:
    """Week ``week`` (1-based, counted from the dialogue's start): figures, most supported, new key points."""
    repo = ReportRepository(db)
    d = await repo.dialogue(dialogue_id)
    if d is None:
        raise UserError(N_("There is no dialogue “{value}” in this server."), value=str(dialogue_id))
    starts, ends = parse_iso(d["starts_at"]), parse_iso(d["ends_at"])
    assert starts is not None and ends is not None
    begin, end = week_window(starts, ends, week, ZoneInfo(d["timezone"]))
    window = (dialogue_id, iso(begin), iso(end))
    totals = await repo.week_totals(*window)
    top = await repo.week_top(*window, WEEK_TOP)
    themes = await repo.themes(dialogue_id)
    per_theme = await repo.week_per_theme(*window)
    points = await repo.week_key_points(*window)
    guild = d["guild_id"]
    return WeekSummary(
        dialogue_id=dialogue_id,
        title=d["title"],
        languages=tuple((d["languages"] or "en").split()),
        timezone=d["timezone"],
        week=week,
        starts_at=begin,
        ends_at=end,
        contributions=totals[0],
        participants=totals[1],
        per_theme=tuple((r[0], r[1]) for r in per_theme),
        theme_names=tuple((th.key, th.name, th.translated) for th in map(_theme, themes)),
        top=tuple(
            Quote(r["id"], r["content"], _credit_of(r), message_url(guild, r["channel_id"], r["message_id"]),
                  r["support"])
            for r in top
        ),
        key_points=tuple(
            KeyPoint(p["text"], "marked" if p["contribution_id"] is not None else "moderator") for p in points
        ),
        translations=await content_translations(db, dialogue_id, (d["languages"] or "en").split()[0]),
    )
