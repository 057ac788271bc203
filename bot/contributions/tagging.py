"""Tagging: themes on contributions from moderators, reactions and keyword suggestions; support; the untagged queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from bot.clock import Clock, iso
from bot.community.profiles import ProfileService
from bot.contributions.model import Contribution, contribution_of
from bot.contributions.service import ContributionService
from bot.errors import UserError
from bot.i18n import N_
from bot.store import Database


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


ReactionOutcome = Literal["tag", "self", "support"]


class TaggingService:
    """Tags, support reactions, the review of keyword suggestions and the untagged queue."""

    def __init__(
        self, db: Database, clock: Clock, profiles: ProfileService, contributions: ContributionService
    ) -> None:
        self.db = db
        self.clock = clock
        self.profiles = profiles
        #: Reads that must see pending messages flush the write path first.
        self.contributions = contributions

    # ------------------------------------------------------------------------------- reading

    async def themes(self, dialogue_id: int) -> list[ThemeRef]:
        rows = await self.db.fetchall(
            "SELECT id, key, name, emoji, position FROM themes WHERE dialogue_id = ? ORDER BY position, id",
            (dialogue_id,),
        )
        return [ThemeRef(r["id"], r["key"], r["name"], r["emoji"], r["position"]) for r in rows]

    async def tags(self, contribution_id: int) -> list[Tag]:
        rows = await self.db.fetchall(
            "SELECT theme_id, source, status, tagged_by FROM contribution_tags WHERE contribution_id = ?",
            (contribution_id,),
        )
        return [Tag(r["theme_id"], r["source"], r["status"], r["tagged_by"]) for r in rows]

    async def support(self, contribution_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT count(DISTINCT user_id) FROM contribution_support WHERE contribution_id = ?",
                (contribution_id,),
            )
        )

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
        now = iso(self.clock())
        async with self.db.transaction() as conn:
            for theme_id in wanted:
                await conn.execute(
                    """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
                       VALUES (?, ?, 'moderator', 'confirmed', ?, ?)
                       ON CONFLICT (contribution_id, theme_id) DO UPDATE
                       SET source = 'moderator', status = 'confirmed', tagged_by = excluded.tagged_by,
                           created_at = excluded.created_at
                       WHERE status != 'confirmed'""",
                    (contribution_id, theme_id, moderator_id, now),
                )
            others = sorted(known - wanted)
            if others:
                marks = ",".join("?" * len(others))
                await conn.execute(
                    f"""DELETE FROM contribution_tags WHERE contribution_id = ? AND status = 'confirmed'
                        AND theme_id IN ({marks})""",  # noqa: S608
                    (contribution_id, *others),
                )
                await conn.execute(
                    f"""UPDATE contribution_tags SET status = 'rejected', tagged_by = ?
                        WHERE contribution_id = ? AND status = 'suggested' AND theme_id IN ({marks})""",  # noqa: S608
                    (moderator_id, contribution_id, *others),
                )
        return await self.tags(contribution_id)

    async def add_tag(self, contribution_id: int, theme_id: int, moderator_id: int) -> None:
        """A moderator confirms one theme (a button in the untagged queue)."""
        contribution = await self.contributions.get(contribution_id)
        await self._theme_of(contribution.dialogue_id, theme_id)
        await self.db.execute(
            """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
               VALUES (?, ?, 'moderator', 'confirmed', ?, ?)
               ON CONFLICT (contribution_id, theme_id) DO UPDATE
               SET source = 'moderator', status = 'confirmed', tagged_by = excluded.tagged_by
               WHERE status != 'confirmed'""",
            (contribution_id, theme_id, moderator_id, iso(self.clock())),
        )

    async def reject_suggestions(self, contribution_id: int, moderator_id: int) -> int:
        await self.contributions.get(contribution_id)
        done = await self.db.execute(
            """UPDATE contribution_tags SET status = 'rejected', tagged_by = ?
               WHERE contribution_id = ? AND status = 'suggested'""",
            (moderator_id, contribution_id),
        )
        return done.rowcount

    async def _reaction_context(self, message_id: int, emoji: str) -> tuple[Any, int] | None:
        if self.contributions.is_pending(message_id):
            await self.contributions.flush()
        row = await self.db.fetchone(
            "SELECT id, dialogue_id, guild_id, author_id FROM contributions WHERE message_id = ?", (message_id,)
        )
        if row is None:
            return None
        theme_id = await self.db.fetchval(
            "SELECT id FROM themes WHERE dialogue_id = ? AND emoji = ? ORDER BY position LIMIT 1",
            (row["dialogue_id"], emoji),
        )
        return None if theme_id is None else (row, theme_id)

    async def react(self, message_id: int, emoji: str, user_id: int, *, moderator: bool) -> ReactionOutcome | None:
        """A reaction with a theme's emoji: a moderator's tags, the author's self-tags, anyone else's
        counts as support. Other reactions (and other messages) are ignored."""
        found = await self._reaction_context(message_id, emoji)
        if found is None:
            return None
        row, theme_id = found
        if self.profiles.is_opted_out(row["guild_id"], user_id):
            return None
        now = iso(self.clock())
        if moderator or user_id == row["author_id"]:
            source: ReactionOutcome = "tag" if moderator else "self"
            await self.db.execute(
                """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
                   VALUES (?, ?, ?, 'confirmed', ?, ?)
                   ON CONFLICT (contribution_id, theme_id) DO UPDATE
                   SET source = excluded.source, status = 'confirmed', tagged_by = excluded.tagged_by
                   WHERE status = 'suggested' OR (status = 'rejected' AND excluded.source = 'reaction')""",
                (row["id"], theme_id, "reaction" if moderator else "self", user_id, now),
            )
            return source
        await self.db.execute(
            "INSERT OR IGNORE INTO contribution_support (contribution_id, user_id, emoji) VALUES (?, ?, ?)",
            (row["id"], user_id, emoji),
        )
        return "support"

    async def unreact(self, message_id: int, emoji: str, user_id: int) -> bool:
        """Removing a reaction removes what it added (a reaction tag, a self-tag, or support)."""
        found = await self._reaction_context(message_id, emoji)
        if found is None:
            return False
        row, theme_id = found
        async with self.db.transaction() as conn:
            tags = (await conn.execute(
                """DELETE FROM contribution_tags WHERE contribution_id = ? AND theme_id = ? AND tagged_by = ?
                   AND source IN ('reaction', 'self')""",
                (row["id"], theme_id, user_id),
            )).rowcount
            support = (await conn.execute(
                "DELETE FROM contribution_support WHERE contribution_id = ? AND user_id = ? AND emoji = ?",
                (row["id"], user_id, emoji),
            )).rowcount
        return bool(tags or support)

    async def untagged(self, dialogue_id: int, after_id: int = 0) -> UntaggedPage:
        """The triage queue: how many contributions have no confirmed theme, and the next one after
        ``after_id`` (wrapping round to the first)."""
        await self.contributions.flush()
        untagged = """FROM contributions c WHERE c.dialogue_id = ? AND NOT EXISTS (
                          SELECT 1 FROM contribution_tags t
                          WHERE t.contribution_id = c.id AND t.status = 'confirmed')"""
        total = await self.db.fetchval(f"SELECT count(*) {untagged}", (dialogue_id,))
        row = await self.db.fetchone(
            f"SELECT c.* {untagged} AND c.id > ? ORDER BY c.id LIMIT 1", (dialogue_id, after_id)
        )
        if row is None and after_id:
            row = await self.db.fetchone(f"SELECT c.* {untagged} ORDER BY c.id LIMIT 1", (dialogue_id,))
        if row is None:
            return UntaggedPage(int(total or 0), None)
        contribution = contribution_of(row)
        position = None
        if contribution.question_id is not None:
            position = await self.db.fetchval(
                "SELECT position FROM questions WHERE id = ?", (contribution.question_id,)
            )
        suggested = await self.db.fetchall(
            """SELECT t.theme_id FROM contribution_tags t JOIN themes th ON th.id = t.theme_id
               WHERE t.contribution_id = ? AND t.status = 'suggested' ORDER BY th.position""",
            (contribution.id,),
        )
        item = QueueItem(contribution, position, tuple(r["theme_id"] for r in suggested))
        return UntaggedPage(int(total), item)
