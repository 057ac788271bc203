"""Guild settings: stored, read back by a fresh service (as after a restart), validated before writing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.community.guilds import GuildSettingsService
from bot.config import Config
from bot.errors import UserError
from bot.store import Database


def clock() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


async def test_settings_are_stored_and_read_back(db: Database, config: Config) -> None:
    service = GuildSettingsService(db, config, clock)
    default = await service.get(42)
    assert (default.language, default.timezone, default.configured) == ("en", "UTC", False)

    await service.update(42, mod_channel_id=7, summary_channel_id=8, moderator_role_id=9,
                         language="es", timezone="America/Lima")
    await service.update(42, summary_channel_id=None)  # cleared on purpose

    fresh = await GuildSettingsService(db, config, clock).get(42)  # nothing cached: from the database
    assert fresh.mod_channel_id == 7 and fresh.summary_channel_id is None and fresh.moderator_role_id == 9
    assert (fresh.language, fresh.timezone, fresh.configured) == ("es", "America/Lima", True)
    assert (await service.get(43)).configured is False  # other guilds untouched


async def test_bad_settings_are_refused_all_at_once_and_change_nothing(db: Database, config: Config) -> None:
    service = GuildSettingsService(db, config, clock)
    with pytest.raises(UserError) as info:
        await service.update(42, language="de", timezone="Mars/Olympus", mod_channel_id=7)
    assert len(info.value.problems) == 2
    assert "Mars/Olympus" in info.value.render("en")
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0
