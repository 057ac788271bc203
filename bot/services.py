"""The services of one bot process, built once at start-up over one database connection.

Services are plain async classes over the store (no discord import); cogs reach them through
``bot.services``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Config
from bot.guilds import GuildSettingsService
from bot.profiles import ProfileService
from bot.store import Database


@dataclass
class Services:
    db: Database
    config: Config
    clock: Clock
    guilds: GuildSettingsService
    profiles: ProfileService
    # Feature services add themselves here (one field and one line in build_services each).


def build_services(db: Database, config: Config, clock: Clock) -> Services:
    return Services(
        db=db,
        config=config,
        clock=clock,
        guilds=GuildSettingsService(db, config, clock),
        profiles=ProfileService(db, clock),
    )
