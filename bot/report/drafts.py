"""The report's editorial draft: what moderators write (``/report edit``), hide and restore
(``/report hide|restore``), and decide on suggested key points (Accept, Edit, Dismiss), and the
reactions that count as agreement (``/report reactions``). No discord import.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Literal, TypeVar

from bot.clock import Clock, iso
from bot.contributions.tagging import disagrees
from bot.errors import UserError
from bot.i18n import N_
from bot.ids import parse_id
from bot.report.compile import PARALLEL_READS
from bot.report.consensus import reaction_kind
from bot.report.csvout import CsvInputs
from bot.report.editorial import DEFAULT_AGREE, DEFAULT_DISAGREE, EditorialInputs, cited
from bot.report.model import Report
from bot.report.text import safe_url
from bot.store import Database
from bot.store.repositories.report_drafts import ReportDraftRepository

Part = Literal["introduction", "about", "panel", "section"]
PARTS: tuple[Part, ...] = ("introduction", "about", "panel", "section")
MAX_BODY = 4000  # a modal's paragraph field
MAX_TITLE = 100
MAX_NAME = 100
T = TypeVar("T")

SAMPLE = 150  # contributions per guiding question the synthesis reads (most supported, then recent)
UNTAGGED = 10  # well-supported untagged comments shown
UNTAGGED_MIN_SUPPORT = 2
_CUSTOM_EMOJI = re.compile(r"<a?:\w{2,32}:\d{15,21}>")


@dataclass(frozen=True)
class PartText:
    """A part as the modal shows it (empty when not written yet)."""

    title: str = ""
    body: str = ""
    link: str = ""
    moderator: str = ""


#: Discord shows at most 25 autocomplete choices.
CHOICES = 25


@dataclass(frozen=True)
class QuotedItem:
    """An item the report quotes: a member's contribution, or a panel question (with its answers)."""

    id: int  # the contribution's, or the panel question's when ``question``
    text: str
    author: str
    question: bool = False

    @property
    def value(self) -> str:
        """How ``item:`` names it: the contribution's id, or ``q`` and the panel question's id."""
        return f"q{self.id}" if self.question else str(self.id)

    @property
    def label(self) -> str:
        return f"Q{self.id}" if self.question else f"#{self.id}"


def valid_emoji(value: str) -> str:
    """One emoji: a Unicode emoji (no letters, digits or spaces) or a custom ``<:name:id>``."""
    value = value.strip()
    if _CUSTOM_EMOJI.fullmatch(value):
        return value
    if not value or len(value) > 16 or any(ch.isspace() or ch.isalnum() or ch in "<>@#:" for ch in value):
        raise UserError(N_("“{value}” is not one emoji."), value=value[:40])
    return value


class DraftService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.repo = ReportDraftRepository(db)
        self.clock = clock

    # -- front matter ------------------------------------------------------------------------------

    async def part_text(self, dialogue_id: int, part: str, language: str, title: str = "") -> PartText:
        if part == "section":
            row = await self.repo.section_by_title(dialogue_id, language, title) if title else None
        else:
            row = await self.repo.part(dialogue_id, part, language)
        if row is None:
            return PartText(title=title)
        return PartText(row["title"], row["body"], row["link"] or "", row["moderator"] or "")

    async def save_part(
        self, dialogue_id: int, part: str, language: str, user_id: int, *, title: str = "", body: str = "",
        link: str = "", moderator: str = "",
    ) -> bool:
        """Save a part; an emptied part (a section without text) is removed. True when saved."""
        if part not in PARTS:
            raise UserError(N_("The part must be introduction, about, panel or section."))
        title, body = " ".join(title.split()), body.strip()
        link, moderator = link.strip(), " ".join(moderator.split())
        if len(body) > MAX_BODY:
            raise UserError(N_("The text can be at most {n} characters."), n=MAX_BODY)
        if len(title) > MAX_TITLE or len(moderator) > MAX_NAME:
            raise UserError(N_("A title or a name can be at most {n} characters."), n=MAX_TITLE)
        if link and not safe_url(link):
            raise UserError(N_("The link must be a web address (https://…)."))
        now = iso(self.clock())
        if part == "section":
            if not title:
                raise UserError(N_("A section needs a title."))
            row = await self.repo.section_by_title(dialogue_id, language, title)
            position = row["position"] if row is not None else await self.repo.next_section(dialogue_id, language)
        else:
            position = 0
        if not (body or link or moderator):
            await self.repo.delete_part(dialogue_id, part, language, position)
            return False
        await self.repo.save_part(dialogue_id, part, language, position, title=title, body=body,
                                  link=link or None, moderator=moderator or None, user_id=user_id, now=now)
        return True

    # -- hidden items ------------------------------------------------------------------------------

    async def _item(self, dialogue_id: int, value: str | int, *, questions: bool = True) -> QuotedItem:
        """The item ``value`` names: a contribution's id (``12``, ``#12``), or a panel question's
        (``q7``, ``Q7``) where ``questions``."""
        text = str(value).strip().lstrip("#")
        if questions and text[:1] in ("q", "Q"):
            question_id = parse_id(text[1:])
            found = await self.repo.panel_question(dialogue_id, question_id) if question_id is not None else None
            if found is not None:
                return QuotedItem(found["id"], found["text"], found["asker_name"] or "", question=True)
        else:
            contribution_id = parse_id(text)
            row = await self.repo.contribution(dialogue_id, contribution_id) if contribution_id is not None else None
            if row is not None:
                return QuotedItem(row["id"], row["content"], row["author_name"])
        raise UserError(N_("There is no such item in this report: choose one from the list."))

    async def hide(self, dialogue_id: int, value: str | int, user_id: int) -> QuotedItem:
        item = await self._item(dialogue_id, value)
        now = iso(self.clock())
        if item.question:
            hidden = await self.repo.hide_question(dialogue_id, item.id, user_id, now)
        else:
            hidden = int(item.id not in await self.repo.hidden(dialogue_id))
            if hidden:
                await self.repo.hide(dialogue_id, [item.id], "moderator", user_id, now)
        if not hidden:
            raise UserError(N_("That item is already left out of the report."))
        return item

    async def hide_missing(self, dialogue_id: int, contribution_ids: Iterable[int]) -> None:
        """Items whose message was gone (or whose author opted out) when the report was checked."""
        await self.repo.hide(dialogue_id, contribution_ids, "missing", None, iso(self.clock()))

    async def citations(self, report: Report) -> tuple[dict[int, tuple[int, int]], set[int]]:
        """What the report cites, to check before publication: (contribution → (channel, message)) of
        those still stored from members still in, and the contributions to drop already (their row is
        gone, or their author opted out)."""
        cited_ids = list(cited(report))
        stored = await self.repo.authors(cited_ids)
        out = await self.repo.opted_out(report.guild_id, (a for a, _, _ in stored.values()))
        drop = {cid for cid in cited_ids if cid not in stored or stored[cid][0] in out}
        keep = {cid: (ch, msg) for cid, (_, ch, msg) in stored.items() if cid not in drop}
        return keep, drop

    async def restore(self, dialogue_id: int, value: str | int) -> QuotedItem:
        item = await self._item(dialogue_id, value)
        if item.question:
            restored = await self.repo.restore_question(dialogue_id, item.id)
        else:
            restored = await self.repo.restore(dialogue_id, item.id)
        if not restored:
            raise UserError(N_("That item is not left out of the report."))
        return item

    async def items(self, dialogue_id: int, current: str, *, hidden: bool) -> list[QuotedItem]:
        """Contributions and panel questions matching ``current``, hidden ones or shown ones."""
        rows = await self.repo.search(dialogue_id, current.strip(), hidden=hidden)
        asked = await self.repo.search_questions(dialogue_id, current.strip(), hidden=hidden)
        found = [QuotedItem(r["id"], r["text"], r["asker_name"] or "", question=True) for r in asked] + [
            QuotedItem(r["id"], r["content"], r["author_name"]) for r in rows
        ]
        return found[:CHOICES]

    # -- suggestions -------------------------------------------------------------------------------

    async def decide(self, dialogue_id: int, contribution_id: int, accept: bool, user_id: int,
                     text: str | None = None) -> QuotedItem:
        """Accept (as a key point keeping its source link, with ``text`` if edited) or dismiss."""
        item = await self._item(dialogue_id, contribution_id, questions=False)
        row = await self.repo.contribution(dialogue_id, contribution_id)
        assert row is not None
        point = " ".join((text or item.text).split())
        if accept and not point:
            raise UserError(N_("Write the key point."))
        if len(point) > MAX_BODY:
            raise UserError(N_("The text can be at most {n} characters."), n=MAX_BODY)
        done = await self.repo.decide(
            dialogue_id, contribution_id, "accepted" if accept else "dismissed",
            question_id=row["question_id"], text=point, user_id=user_id, now=iso(self.clock()),
        )
        if not done:
            raise UserError(N_("Another moderator already decided on this suggestion."))
        return item

    async def suggestion_text(self, dialogue_id: int, contribution_id: int) -> str:
        """The words of a suggested key point a moderator is about to reword (refused once decided)."""
        if contribution_id in await self.repo.decisions(dialogue_id):
            raise UserError(N_("Another moderator already decided on this suggestion."))
        row = await self.repo.contribution(dialogue_id, contribution_id)
        if row is None:
            raise UserError(N_("There is no such item in this report: choose one from the list."))
        return str(row["content"])

    # -- reactions ---------------------------------------------------------------------------------

    async def reactions(self, dialogue_id: int) -> tuple[str, str]:
        return await self.repo.reactions(dialogue_id) or (DEFAULT_AGREE, DEFAULT_DISAGREE)

    async def set_reactions(self, dialogue_id: int, agree: str, disagree: str) -> tuple[str, str]:
        agree, disagree = valid_emoji(agree), valid_emoji(disagree)
        if agree == disagree:
            raise UserError(N_("Agreement and disagreement need two different emoji."))
        await self.repo.set_reactions(dialogue_id, agree, disagree, iso(self.clock()),
                                      partial(disagrees, custom=disagree))
        return agree, disagree

    async def csv_inputs(self, dialogue_id: int, guild_id: int) -> CsvInputs:
        agree, disagree = await self.reactions(dialogue_id)
        return CsvInputs(
            guild_id=guild_id,
            rows=await self.repo.all_rows(dialogue_id),
            tags=await self.repo.theme_tags(dialogue_id),
            reactions=await self.repo.dialogue_reactions(dialogue_id),
            hidden=set(await self.repo.hidden(dialogue_id)),
            positions=await self.repo.question_positions(dialogue_id),
            agree=agree,
            disagree=disagree,
        )

    # -- what the editorial pass reads -------------------------------------------------------------

    async def inputs(self, dialogue_id: int, guild_id: int, starts_at: str) -> EditorialInputs:
        """What the editorial pass reads, the longest reads first, as many at once as the report's
        compile reads (:data:`~bot.report.compile.PARALLEL_READS`: two on PostgreSQL, one on SQLite)."""
        gate = asyncio.Semaphore(PARALLEL_READS.get(self.repo.db.dialect, 1))

        async def read(work: Awaitable[T]) -> T:
            async with gate:
                return await work

        sample, untagged, parts, hidden, hidden_questions, decisions = await asyncio.gather(
            read(self.repo.sample(dialogue_id, SAMPLE)),
            read(self.repo.untagged_supported(dialogue_id, UNTAGGED_MIN_SUPPORT, UNTAGGED)),
            read(self.repo.parts(dialogue_id)),
            read(self.repo.hidden(dialogue_id)),
            read(self.repo.hidden_questions(dialogue_id)),
            read(self.repo.decisions(dialogue_id)),
        )
        earlier, positions, emoji = await asyncio.gather(
            read(self.repo.earlier_dialogues(guild_id, dialogue_id, starts_at)),
            read(self.repo.question_positions(dialogue_id)),
            read(self.reactions(dialogue_id)),
        )
        agree, disagree = emoji
        rows = await self.repo.reactions_of(r["id"] for r in sample)
        reactions = [(r[0], r[1], reaction_kind(r[2], bool(r[3]), agree, disagree)) for r in rows]
        return EditorialInputs(
            parts=parts,
            hidden=hidden,
            hidden_questions=hidden_questions,
            decisions=decisions,
            sample=sample,
            reactions=reactions,
            untagged=untagged,
            earlier=earlier,
            positions=positions,
            agree=agree,
            disagree=disagree,
        )
