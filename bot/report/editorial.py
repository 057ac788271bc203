"""The compiled report, edited: the moderators' front matter, hidden items, reviewed suggestions,
groups of similar contributions per question, well-supported untagged comments, consensus, series.

:func:`edit` is pure (rows in, :class:`Report` out) and runs in a worker thread. Suggested key points
are the representatives of each question's largest groups that no moderator decided on yet; they are
filled only for a draft (``/report preview``): a published report never holds one
(:func:`publishable` strips them again, whatever a caller passes).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from bot.clock import parse_iso
from bot.community.profiles import credit
from bot.report import suggest, synthesis
from bot.report.consensus import consensus
from bot.report.model import (
    FrontMatter,
    Group,
    KeyPoint,
    PastDialogue,
    Quote,
    Report,
    Section,
)

GROUPS_SHOWN = 5  # groups per guiding question in the report
SUGGESTIONS = 3  # suggested key points per guiding question in the preview
DEFAULT_AGREE = "👍"
DEFAULT_DISAGREE = "👎"


@dataclass
class EditorialInputs:
    """Everything :func:`edit` needs, fetched by :class:`bot.report.drafts.DraftService`."""

    parts: list[Any] = field(default_factory=list)
    hidden: dict[int, str] = field(default_factory=dict)
    hidden_questions: set[int] = field(default_factory=set)  # panel questions left out
    decisions: dict[int, str] = field(default_factory=dict)
    sample: list[Any] = field(default_factory=list)
    reactions: list[tuple[int, int, str]] = field(default_factory=list)  # (contribution, user, kind)
    untagged: list[Any] = field(default_factory=list)
    earlier: list[Any] = field(default_factory=list)
    positions: dict[int, tuple[int, str]] = field(default_factory=dict)
    agree: str = DEFAULT_AGREE
    disagree: str = DEFAULT_DISAGREE


def message_url(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def front_matter(parts: list[Any]) -> tuple[tuple[str, FrontMatter], ...]:
    by_language: dict[str, dict[str, Any]] = defaultdict(lambda: {"sections": []})
    for row in parts:
        fm = by_language[row["language"]]
        if row["part"] == "section":
            fm["sections"].append((row["position"], Section(row["title"], row["body"])))
        elif row["part"] == "panel":
            fm["panel_link"], fm["moderator"] = row["link"], row["moderator"]
        else:
            fm[row["part"]] = row["body"]
    out = []
    for language in sorted(by_language):
        fm = by_language[language]
        sections = tuple(s for _, s in sorted(fm.pop("sections"), key=lambda p: p[0]))
        out.append((language, FrontMatter(sections=sections, **fm)))
    return tuple(out)


def series(earlier: list[Any], guild_id: int) -> tuple[PastDialogue, ...]:
    past = []
    for row in earlier:
        url = None
        if row["report_channel"] and row["report_messages"]:
            ids = json.loads(row["report_messages"])
            if ids:
                url = message_url(guild_id, row["report_channel"], ids[0])
        starts = parse_iso(row["starts_at"])
        assert starts is not None
        past.append(PastDialogue(row["title"], starts, url))
    return tuple(past)


def _visible_points(points: tuple[KeyPoint, ...], hidden: dict[int, str]) -> tuple[KeyPoint, ...]:
    return tuple(p for p in points if p.contribution_id is None or p.contribution_id not in hidden)


@dataclass(frozen=True)
class GroupedSample:
    """The synthesis sample per guiding question's position (hidden contributions left out) and its
    groups of similar contributions (indexes into those rows, each group's representative first)."""

    rows: dict[int, list[Any]]
    groups: dict[int, list[list[int]]]


def group_sample(inputs: EditorialInputs) -> GroupedSample:
    """The text work of :func:`edit` (TF-IDF over the sample, then greedy grouping): it needs only the
    inputs, so it can run while the report compiles."""
    by_question: dict[int, list[Any]] = defaultdict(list)
    for row in inputs.sample:
        if row["id"] not in inputs.hidden and row["content"].strip():
            by_question[inputs.positions.get(row["question_id"], (0, ""))[0]].append(row)
    return GroupedSample(
        rows=dict(by_question),
        groups={position: synthesis.group([r["content"] for r in rows], [r["support"] for r in rows])
                for position, rows in by_question.items()},
    )


def edit(
    report: Report, inputs: EditorialInputs, *, draft: bool = False, grouped: GroupedSample | None = None
) -> Report:
    """The report edited (see the module's docstring); ``grouped`` is :func:`group_sample` of ``inputs``
    when the caller computed it already."""
    hidden = inputs.hidden
    guild = report.guild_id
    notes: dict[int, tuple[int, ...]] = {}
    for theme in report.themes:
        for cited_quote in theme.quotes:
            notes[cited_quote.contribution_id] = cited_quote.notes

    supporters: dict[int, set[int]] = defaultdict(set)
    agreeing: dict[int, set[int]] = defaultdict(set)
    disagreeing: dict[int, set[int]] = defaultdict(set)
    for cid, user, kind in inputs.reactions:
        if kind == "agree":
            agreeing[cid].add(user)
        elif kind == "disagree":
            disagreeing[cid].add(user)
        if kind != "disagree":
            supporters[cid].add(user)

    def quote(row: Any) -> Quote:
        name = row["display_name"] or row["author_name"]
        cid = row["id"]
        return Quote(
            contribution_id=cid, text=row["content"],
            credit=credit(row["attribution"] or "name", name, row["organisation"]),
            url=message_url(guild, row["channel_id"], row["message_id"]), support=row["support"],
            question=inputs.positions.get(row["question_id"], (None, ""))[0] if row["question_id"] else None,
            notes=notes.get(cid, ()), created_at=parse_iso(row["created_at"]),
            agree=len(agreeing[cid]), disagree=len(disagreeing[cid]),
        )

    # Groups per guiding question, over the bounded sample (hidden contributions left out).
    if grouped is None:
        grouped = group_sample(inputs)
    by_question = grouped.rows
    groups_of: dict[int, list[Group]] = {}
    for position, rows in by_question.items():
        indexes = grouped.groups[position]
        groups = []
        for members in indexes:
            sources = tuple(quote(rows[i]) for i in members)
            ids = [s.contribution_id for s in sources]
            groups.append(Group(
                question=position, representative=sources[0], sources=sources,
                supporters=len(set().union(*(supporters[i] for i in ids))),
                agree=len(set().union(*(agreeing[i] for i in ids))),
                disagree=len(set().union(*(disagreeing[i] for i in ids))),
            ))
        groups_of[position] = groups

    questions = []
    for q in report.questions:
        key_points = _visible_points(q.key_points, hidden)
        groups = groups_of.get(q.position, [])
        shown = [g for g in groups if g.size > 1][:GROUPS_SHOWN]
        if len(shown) < GROUPS_SHOWN:
            shown += [g for g in groups if g.size == 1 and g.supporters > 0][: GROUPS_SHOWN - len(shown)]
        suggested: tuple[KeyPoint, ...] = ()
        if draft:
            # Extractive and on topic (bot.report.suggest: centrality, support, diversity), among the
            # contributions no moderator decided on and that are not key points already.
            excluded = frozenset({*inputs.decisions, *(p.contribution_id for p in key_points if p.contribution_id)})
            pool = {r["id"]: r for r in by_question.get(q.position, [])}
            picks = suggest.suggest([(cid, r["content"], r["support"]) for cid, r in pool.items()], SUGGESTIONS,
                                    exclude=excluded)
            suggested = tuple(
                KeyPoint(x.text, "suggested", x.credit, x.url, x.notes, x.support, x.contribution_id, x.agree,
                         x.disagree)
                for x in (quote(pool[c.contribution_id]) for c in picks)
            )
        questions.append(replace(q, key_points=key_points, suggested=suggested, groups=tuple(shown)))

    themes = tuple(
        replace(th, quotes=tuple(x for x in th.quotes if x.contribution_id not in hidden)) for th in report.themes
    )
    untagged = tuple(quote(r) for r in inputs.untagged if r["id"] not in hidden)
    every_group = [g for groups in groups_of.values() for g in groups]
    left_out = inputs.hidden_questions
    panel = report.panel
    if panel is not None and left_out:
        panel = replace(panel, questions=tuple(x for x in panel.questions if x.question_id not in left_out))
    edited = replace(
        report,
        panel=panel,
        further_questions=tuple(f for f in report.further_questions if f.question_id not in left_out),
        questions=tuple(questions),
        general_key_points=_visible_points(report.general_key_points, hidden),
        themes=themes,
        front=front_matter(inputs.parts),
        series=series(inputs.earlier, guild),
        untagged=untagged,
        consensus=consensus(every_group, inputs.agree, inputs.disagree),
    )
    return edited if draft else publishable(edited)


def publishable(report: Report) -> Report:
    """The report without any suggestion no moderator accepted."""
    if not any(q.suggested for q in report.questions):
        return report
    return replace(report, questions=tuple(replace(q, suggested=()) for q in report.questions))


def cited(report: Report) -> dict[int, str]:
    """Every contribution the report quotes: id → message URL."""
    found: dict[int, str] = {}

    def add(cid: int | None, url: str | None) -> None:
        if cid is not None and url:
            found[cid] = url

    for q in report.questions:
        for p in (*q.key_points, *q.suggested):
            add(p.contribution_id, p.url)
        for g in q.groups:
            for s in g.sources:
                add(s.contribution_id, s.url)
    for p in report.general_key_points:
        add(p.contribution_id, p.url)
    for th in report.themes:
        for x in th.quotes:
            add(x.contribution_id, x.url)
    for x in report.untagged:
        add(x.contribution_id, x.url)
    for item in (*report.consensus.agreed, *report.consensus.divided):
        for s in item.group.sources:
            add(s.contribution_id, s.url)
    return found


__all__ = ["EditorialInputs", "GroupedSample", "cited", "edit", "group_sample", "publishable"]
