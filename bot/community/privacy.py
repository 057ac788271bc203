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
class ForgetResult:
    contributions: int
    panel_questions: int
    votes: int
    support: int
    profiles: int


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
            counts = await self.repo.forget_member(user_id)
            profiles = await self.repo.profile_count(user_id)
        await self.profiles.forget(user_id)
        return ForgetResult(
            contributions=contributions,
            panel_questions=counts["panel_questions"],
            votes=counts["panel_votes"],
            support=counts["contribution_support"],
            profiles=profiles,
        )

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything held about ``user_id``, as JSON-ready data."""
        await self.contributions.flush()
        sections = await self.repo.export(user_id)
        for row in sections["contributions"]:
            row["attachments"] = json.loads(row["attachments"])
            row["is_key_point"] = bool(row["is_key_point"])
        return {"user_id": user_id, "exported_at": iso(self.clock()), **sections}
