"""Members' own data: opt out of collection, opt back in, forget me, and my data (``/privacy``).

Opting out stops collection in that server and **deletes** the member's earlier contributions there
(with their tags, support, links and key points), so they leave every count and report; it is not
undone by opting in. ``forget`` deletes every row about a member in every server: what they wrote,
asked, voted, supported and tagged on their own messages, and their profile. Where a row is someone
else's work that merely names them as its actor (a moderator's tag, a key point they wrote, a dialogue
they created), the row stays and the reference to them is cleared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock, iso
from bot.community.profiles import ProfileService
from bot.contributions.service import ContributionService
from bot.store import Database
from bot.store.repositories.community import CommunityRepository


@dataclass(frozen=True)
class OptOutResult:
    already: bool
    removed: int  # earlier contributions deleted


@dataclass(frozen=True)
class BotPost:
    """A message the bot posted that shows a member's words, and the channels it may be in."""

    message_id: int
    channel_ids: tuple[int, ...]


@dataclass(frozen=True)
class ForgetResult:
    contributions: int
    panel_questions: int
    votes: int
    support: int
    profiles: int
    #: The bot's own posts that showed the member's panel questions: the caller deletes them in Discord.
    posts: tuple[BotPost, ...] = ()
    #: Other members' panel questions that had absorbed theirs (panel id, question id): their posts
    #: credited the member and are re-rendered.
    merged_into: tuple[tuple[int, int], ...] = ()


class PrivacyService:
    def __init__(
        self, db: Database, clock: Clock, profiles: ProfileService, contributions: ContributionService
    ) -> None:
        self.db = db
        self.repo = CommunityRepository(db)
        self.clock = clock
        self.profiles = profiles
        self.contributions = contributions

    async def opt_out(self, guild_id: int, user_id: int) -> OptOutResult:
        already = (await self.profiles.get(guild_id, user_id)).opted_out
        await self.profiles.set_opted_out(guild_id, user_id, True)  # stops the hot path at once
        removed = await self.contributions.remove_author(user_id, guild_id)
        await self.repo.delete_reactions_in_guild(guild_id, user_id)
        return OptOutResult(already, removed)

    async def opt_in(self, guild_id: int, user_id: int) -> bool:
        """Resume collection; returns whether the member had opted out."""
        was = (await self.profiles.get(guild_id, user_id)).opted_out
        await self.profiles.set_opted_out(guild_id, user_id, False)
        return was

    async def forget(self, user_id: int) -> ForgetResult:
        contributions = await self.contributions.remove_author(user_id)
        async with self.db.transaction():
            posts, merged_into = await self._bot_posts(user_id)
            counts = await self.repo.forget_member(user_id)
            profiles = await self.repo.profile_count(user_id)
        await self.profiles.forget(user_id)
        return ForgetResult(
            contributions=contributions,
            panel_questions=counts["panel_questions"],
            votes=counts["panel_votes"],
            support=counts["contribution_support"],
            profiles=profiles,
            posts=posts,
            merged_into=merged_into,
        )

    async def _bot_posts(self, user_id: int) -> tuple[tuple[BotPost, ...], tuple[tuple[int, int], ...]]:
        rows = await self.repo.panel_posts_of(user_id)
        posts: list[BotPost] = []
        for row in rows:
            panel_channel = int(row["panel_channel_id"])
            review_channels = tuple(c for c in (row["mod_channel_id"], panel_channel) if c is not None)
            if row["review_message_id"] is not None:
                posts.append(BotPost(int(row["review_message_id"]), tuple(dict.fromkeys(review_channels))))
            for column in ("public_message_id", "relay_message_id"):
                if row[column] is not None:
                    posts.append(BotPost(int(row[column]), (panel_channel,)))
        merged = await self.repo.questions_merged_from([int(r["id"]) for r in rows])
        mine = {int(r["id"]) for r in rows}
        targets = tuple((int(r["panel_id"]), int(r["id"])) for r in merged if int(r["id"]) not in mine)
        return tuple(posts), targets

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything held about ``user_id``, as JSON-ready data."""
        await self.contributions.flush()
        sections = await self.repo.export(user_id)
        for row in sections["contributions"]:
            row["attachments"] = json.loads(row["attachments"])
            row["is_key_point"] = bool(row["is_key_point"])
        return {"user_id": user_id, "exported_at": iso(self.clock()), **sections}
