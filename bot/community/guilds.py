"""Per-guild settings (``/setup``): moderator role, mod and summary channels, language, time zone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.clock import Clock, iso
from bot.config import SUPPORTED_LANGUAGES, Config, valid_timezone
from bot.errors import UserError
from bot.i18n import N_
from bot.store import Database
from bot.store.repositories.community import CommunityRepository


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    language: str
    timezone: str
    moderator_role_id: int | None = None
    mod_channel_id: int | None = None
    summary_channel_id: int | None = None
    configured: bool = False  # False until /setup was run once


_UNSET = object()


class GuildSettingsService:
    """Reads are served from memory (every interaction needs the guild's language)."""

    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.db = db
        self.repo = CommunityRepository(db)
        self.config = config
        self.clock = clock
        self._cache: dict[int, GuildSettings] = {}

    def _defaults(self, guild_id: int) -> GuildSettings:
        return GuildSettings(guild_id, self.config.defaults.language, self.config.defaults.timezone)

    async def get(self, guild_id: int) -> GuildSettings:
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        row = await self.repo.guild_settings(guild_id)
        settings = self._defaults(guild_id)
        if row is not None:
            settings = GuildSettings(
                guild_id=guild_id,
                language=row["language"] or settings.language,
                timezone=row["timezone"] or settings.timezone,
                moderator_role_id=row["moderator_role_id"],
                mod_channel_id=row["mod_channel_id"],
                summary_channel_id=row["summary_channel_id"],
                configured=True,
            )
        self._cache[guild_id] = settings
        return settings

    def cached(self, guild_id: int) -> GuildSettings | None:
        return self._cache.get(guild_id)

    async def update(
        self,
        guild_id: int,
        *,
        moderator_role_id: int | object | None = _UNSET,
        mod_channel_id: int | object | None = _UNSET,
        summary_channel_id: int | object | None = _UNSET,
        language: str | object = _UNSET,
        timezone: str | object = _UNSET,
    ) -> GuildSettings:
        """Change the given settings, validating all before writing any."""
        problems: list[UserError] = []
        if language is not _UNSET and language not in SUPPORTED_LANGUAGES:
            problems.append(UserError(N_("Unknown language “{value}”: use en, es or fr."), value=language))
        if timezone is not _UNSET and not valid_timezone(str(timezone)):
            problems.append(
                UserError(N_("Unknown time zone “{value}”: use a name like Europe/Paris."), value=timezone)
            )
        if problems:
            raise UserError.many(problems)
        current = await self.get(guild_id)
        changes: dict[str, Any] = {
            k: v
            for k, v in {
                "moderator_role_id": moderator_role_id,
                "mod_channel_id": mod_channel_id,
                "summary_channel_id": summary_channel_id,
                "language": language,
                "timezone": timezone,
            }.items()
            if v is not _UNSET
        }
        new = replace(current, configured=True, **changes)
        await self.repo.save_guild_settings(
            guild_id,
            moderator_role_id=new.moderator_role_id,
            mod_channel_id=new.mod_channel_id,
            summary_channel_id=new.summary_channel_id,
            language=new.language,
            timezone=new.timezone,
            updated_at=iso(self.clock()),
        )
        self._cache[guild_id] = new
        return new
