"""Members' profiles: how they are credited (``/profile set``) and whether they take part (opt-out).

Used wherever a member is quoted or credited: contributions in reports, panel questions
(``Q: … (Name, Organisation)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.clock import Clock, iso
from bot.errors import UserError
from bot.i18n import N_
from bot.store import Database
from bot.store.repositories.community import CommunityRepository

Attribution = Literal["name", "organisation", "anonymous"]
ATTRIBUTIONS: tuple[Attribution, ...] = ("name", "organisation", "anonymous")
MAX_NAME = 80
MAX_ORGANISATION = 120


@dataclass(frozen=True)
class Profile:
    guild_id: int
    user_id: int
    display_name: str | None = None
    organisation: str | None = None
    attribution: Attribution = "name"
    opted_out: bool = False


def credit(
    attribution: Attribution, name: str | None, organisation: str | None
) -> str | None:
    """The credit line for a quote or question: ``"Name, Organisation"``, ``"Organisation"``, or
    ``None`` (anonymous: say nothing about who)."""
    if attribution == "anonymous":
        return None
    if attribution == "organisation":
        return organisation or None
    parts = [p for p in (name, organisation) if p]
    return ", ".join(parts) or None


class ProfileService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.repo = CommunityRepository(db)
        self.clock = clock
        #: (guild, user) of members who opted out, kept in memory for the message hot path.
        self._opted_out: set[tuple[int, int]] | None = None

    async def get(self, guild_id: int, user_id: int) -> Profile:
        row = await self.repo.member(guild_id, user_id)
        if row is None:
            return Profile(guild_id, user_id)
        return Profile(
            guild_id=guild_id,
            user_id=user_id,
            display_name=row["display_name"],
            organisation=row["organisation"],
            attribution=row["attribution"],
            opted_out=bool(row["opted_out"]),
        )

    async def update(
        self,
        guild_id: int,
        user_id: int,
        *,
        name: str | None = None,
        organisation: str | None = None,
        attribution: str | None = None,
    ) -> Profile:
        """Change the given fields; an empty string clears a field."""
        problems = []
        if name is not None and len(name.strip()) > MAX_NAME:
            problems.append(UserError(N_("A name can be at most {n} characters."), n=MAX_NAME))
        if organisation is not None and len(organisation.strip()) > MAX_ORGANISATION:
            problems.append(UserError(N_("An organisation can be at most {n} characters."), n=MAX_ORGANISATION))
        if attribution is not None and attribution not in ATTRIBUTIONS:
            problems.append(UserError(N_("Attribution must be name, organisation or anonymous.")))
        if problems:
            raise UserError.many(problems)
        current = await self.get(guild_id, user_id)
        new_name = current.display_name if name is None else (name.strip() or None)
        new_org = current.organisation if organisation is None else (organisation.strip() or None)
        new_attr = current.attribution if attribution is None else attribution
        await self._upsert(guild_id, user_id, new_name, new_org, new_attr, current.opted_out)
        return await self.get(guild_id, user_id)

    async def _upsert(
        self, guild_id: int, user_id: int, name: str | None, org: str | None, attribution: str, opted_out: bool
    ) -> None:
        await self.repo.save_member(
            guild_id,
            user_id,
            display_name=name,
            organisation=org,
            attribution=attribution,
            opted_out=opted_out,
            updated_at=iso(self.clock()),
        )

    async def set_opted_out(self, guild_id: int, user_id: int, opted_out: bool) -> Profile:
        current = await self.get(guild_id, user_id)
        await self._upsert(
            guild_id, user_id, current.display_name, current.organisation, current.attribution, opted_out
        )
        opted = await self.opted_out_members()
        (opted.add if opted_out else opted.discard)((guild_id, user_id))
        return await self.get(guild_id, user_id)

    async def opted_out_members(self) -> set[tuple[int, int]]:
        """Loaded once, then kept in step by :meth:`set_opted_out` (no query per message)."""
        if self._opted_out is None:
            self._opted_out = await self.repo.opted_out_members()
        return self._opted_out

    def is_opted_out(self, guild_id: int, user_id: int) -> bool:
        """Synchronous check for the message hot path (after :meth:`opted_out_members` was loaded)."""
        return self._opted_out is not None and (guild_id, user_id) in self._opted_out

    async def forget(self, user_id: int) -> None:
        """Delete the profile rows of ``user_id`` in every guild (part of ``/privacy forget-me``)."""
        await self.repo.delete_profiles(user_id)
        if self._opted_out is not None:
            self._opted_out = {k for k in self._opted_out if k[1] != user_id}
