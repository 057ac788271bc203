"""Tagging: themes on contributions from moderators, reactions and keyword suggestions; support; the untagged queue."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from bot.clock import Clock, iso
from bot.community.profiles import ProfileService
from bot.contributions.model import Contribution, contribution_of
from bot.contributions.service import ContributionService
from bot.errors import UserError
from bot.i18n import N_
from bot.store import Database
from bot.store.repositories.contributions import ContributionRepository
from bot.store.repositories.reactions import Change, ReactionEvent, ReactionRepository, ReactionTarget

#: Reactions applied per transaction when they pile up.
REACTION_BATCH = 2000


@dataclass(frozen=True)
class ThemeRef:
    """A dialogue's theme, as tagging needs it."""

    id: int
    key: str
    name: str
    emoji: str | None
    position: int


@dataclass(frozen=True)
class Tag:
    """A theme on a contribution: its source (moderator, reaction, self, suggestion) and status."""

    theme_id: int
    source: str
    status: str
    tagged_by: int | None


@dataclass(frozen=True)
class QueueItem:
    """One contribution of the untagged queue, with its question's number and pending suggestions."""

    contribution: Contribution
    question_position: int | None
    suggested: tuple[int, ...]  # theme ids suggested by keyword rules, awaiting a moderator


@dataclass(frozen=True)
class UntaggedPage:
    """What the untagged queue shows: how many are left, and the one at hand."""

    total: int
    item: QueueItem | None


ReactionOutcome = Literal["tag", "self", "support", "disagreement"]

#: 👎 (in every skin tone) records disagreement, not support.
DISAGREE = "\N{THUMBS DOWN SIGN}"


def is_disagreement(emoji: str) -> bool:
    """👎, with or without a skin-tone modifier."""
    return emoji.startswith(DISAGREE) and all(0x1F3FB <= ord(c) <= 0x1F3FF or c == "\ufe0f" for c in emoji[1:])


_VARIANTS = dict.fromkeys([*range(0x1F3FB, 0x1F400), 0xFE0F])


def disagrees(emoji: str, custom: str | None) -> bool:
    """Whether a reaction with ``emoji`` is disagreement: 👎, or the dialogue's own disagreement emoji
    (``custom``, from ``/report reactions``), skin tones aside."""
    return is_disagreement(emoji) or (custom is not None and emoji.translate(_VARIANTS) == custom.translate(_VARIANTS))


class TaggingService:
    """Tags, support reactions, the review of keyword suggestions and the untagged queue."""

    def __init__(
        self, db: Database, clock: Clock, profiles: ProfileService, contributions: ContributionService
    ) -> None:
        self.db = db
        self.repo = ContributionRepository(db)
        self.clock = clock
        self.profiles = profiles
        #: Reads that must see pending messages flush the write path first.
        self.contributions = contributions
        self.reactions = ReactionRepository(db)
        self._reactions: list[ReactionEvent] = []
        self._reaction_lock = asyncio.Lock()

    # ------------------------------------------------------------------------------- reading

    async def themes(self, dialogue_id: int) -> list[ThemeRef]:
        rows = await self.repo.themes(dialogue_id)
        return [ThemeRef(r["id"], r["key"], r["name"], r["emoji"], r["position"]) for r in rows]

    async def tags(self, contribution_id: int) -> list[Tag]:
        rows = await self.repo.tags(contribution_id)
        return [Tag(r["theme_id"], r["source"], r["status"], r["tagged_by"]) for r in rows]

    async def support(self, contribution_id: int) -> int:
        return await self.repo.support(contribution_id)

    # ------------------------------------------------------------------------------- tagging

    async def _theme_of(self, dialogue_id: int, theme_id: int) -> ThemeRef:
        for theme in await self.themes(dialogue_id):
            if theme.id == theme_id:
                return theme
        raise UserError(N_("That theme is not one of this dialogue's themes."))

    async def set_tags(self, contribution_id: int, theme_ids: Iterable[int], moderator_id: int) -> list[Tag]:
        """A moderator's choice of themes (the **Tag contribution** menu): the chosen themes become
        confirmed tags; other confirmed tags are removed and pending suggestions are rejected."""
        contribution = await self.contributions.get(contribution_id)
        wanted = set(theme_ids)
        known = {t.id for t in await self.themes(contribution.dialogue_id)}
        if wanted - known:
            raise UserError(N_("That theme is not one of this dialogue's themes."))
        await self.repo.set_tags(contribution_id, wanted, sorted(known - wanted), moderator_id, iso(self.clock()))
        return await self.tags(contribution_id)

    async def add_tag(self, contribution_id: int, theme_id: int, moderator_id: int) -> None:
        """A moderator confirms one theme (a button in the untagged queue)."""
        contribution = await self.contributions.get(contribution_id)
        await self._theme_of(contribution.dialogue_id, theme_id)
        await self.repo.confirm_tag(contribution_id, theme_id, moderator_id, iso(self.clock()))

    async def reject_suggestions(self, contribution_id: int, moderator_id: int) -> int:
        await self.contributions.get(contribution_id)
        return await self.repo.reject_suggestions(contribution_id, moderator_id)

    # -------------------------------------------------------------------------- reactions

    def queue_reaction(self, message_id: int, emoji: str, user_id: int, *, moderator: bool, added: bool) -> None:
        """The reaction hot path: remember the reaction (no database access); :meth:`flush_reactions`
        applies the queue in batches, in arrival order."""
        self._reactions.append(ReactionEvent(message_id, emoji, user_id, moderator, added))

    @property
    def reactions_pending(self) -> int:
        return len(self._reactions)

    async def flush_reactions(self) -> int:
        """Apply up to :data:`REACTION_BATCH` queued reactions in one transaction (one call to the
        database thread); how many. If it fails they go back in front of the queue, to be retried."""
        async with self._reaction_lock:
            batch = self._reactions[:REACTION_BATCH]
            if not batch:
                return 0
            del self._reactions[: len(batch)]
            try:
                await self._apply(batch)
            except BaseException:
                self._reactions[:0] = batch
                raise
            return len(batch)

    async def _apply(self, events: list[ReactionEvent]) -> list[tuple[str | None, bool]]:
        if any(self.contributions.is_pending(e.message_id) for e in events):
            await self.contributions.flush()  # a reaction to a message still in the write-behind batch
        return await self.reactions.apply(events, partial(self._decide, iso(self.clock())))

    def _decide(self, now: str, event: ReactionEvent, target: ReactionTarget, theme_id: int | None) -> Change | None:
        """What a reaction means. A theme's emoji: a moderator's tag, the author's self-tag, anyone
        else's support. 👎 or the dialogue's own disagreement emoji (any skin tone): disagreement. Any
        other emoji: support. An author's own
        reactions other than theme emoji count for nothing; opted-out members' reactions neither.
        Removing a reaction removes what it added."""
        if not event.added:
            return "remove", (target.contribution_id, theme_id, event.user_id, event.emoji)
        if self.profiles.is_opted_out(target.guild_id, event.user_id):
            return None
        if theme_id is not None and (event.moderator or event.user_id == target.author_id):
            source = "reaction" if event.moderator else "self"
            return "tag", (target.contribution_id, theme_id, source, event.user_id, now)
        if event.user_id == target.author_id:
            return None
        if theme_id is None and disagrees(event.emoji, target.disagree):
            return "disagree", (target.contribution_id, event.user_id, event.emoji)
        return "support", (target.contribution_id, event.user_id, event.emoji)

    async def react(self, message_id: int, emoji: str, user_id: int, *, moderator: bool) -> ReactionOutcome | None:
        """One reaction at once (see :meth:`_decide`): what it counted as, or ``None``."""
        [(kind, _)] = await self._apply([ReactionEvent(message_id, emoji, user_id, moderator, True)])
        if kind == "tag":
            return "tag" if moderator else "self"
        return {"support": "support", "disagree": "disagreement"}.get(kind or "")  # type: ignore[return-value]

    async def unreact(self, message_id: int, emoji: str, user_id: int) -> bool:
        """Removing a reaction removes what it added (a reaction tag, a self-tag, support or disagreement)."""
        [(_, changed)] = await self._apply([ReactionEvent(message_id, emoji, user_id, False, False)])
        return changed

    async def untagged(self, dialogue_id: int, after_id: int = 0) -> UntaggedPage:
        """The triage queue: how many contributions have no confirmed theme, and the next one after
        ``after_id`` (wrapping round to the first)."""
        await self.contributions.flush()
        total = await self.repo.untagged_count(dialogue_id)
        row = await self.repo.next_untagged(dialogue_id, after_id)
        if row is None:
            return UntaggedPage(int(total or 0), None)
        contribution = contribution_of(row)
        position = None
        if contribution.question_id is not None:
            position = await self.repo.question_position(contribution.question_id)
        suggested = await self.repo.suggested_themes(contribution.id)
        item = QueueItem(contribution, position, tuple(suggested))
        return UntaggedPage(int(total), item)
