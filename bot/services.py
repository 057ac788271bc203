"""The services of one bot process, built once at start-up over one database connection.

Services are plain async classes over the store (no discord import); cogs reach them through
``bot.services``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Config
from bot.contributions import ContributionService
from bot.dialogues import DialogueService
from bot.guilds import GuildSettingsService
from bot.panel import PanelService
from bot.privacy import PrivacyService
from bot.profiles import ProfileService
from bot.report.service import ReportService
from bot.schedule import ScheduleRunner
from bot.store import Database


@dataclass
class Services:
    db: Database
    config: Config
    clock: Clock
    guilds: GuildSettingsService
    profiles: ProfileService
    contributions: ContributionService
    privacy: PrivacyService
    panel: PanelService
    dialogues: DialogueService
    schedule: ScheduleRunner
    report: ReportService
    # Feature services add themselves here (one field and one line in build_services each).


def build_services(db: Database, config: Config, clock: Clock) -> Services:
    return Services(
        db=db,
        config=config,
        clock=clock,
        guilds=GuildSettingsService(db, config, clock),
        dialogues=(dialogues := DialogueService(db, config, clock)),
        schedule=ScheduleRunner(db, dialogues, config, clock),
        profiles=(profiles := ProfileService(db, clock)),
        # One ProfileService: the message hot path reads its in-memory opt-out set.
        contributions=(contributions := ContributionService(db, config.contributions, clock, profiles)),
        privacy=PrivacyService(db, clock, profiles, contributions),
        panel=(panel := PanelService(db, config, clock, profiles)),
        report=ReportService(db, clock, panel, contributions),
    )
