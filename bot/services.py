"""The services of one bot process, built once at start-up over one database connection.

Services are plain async classes over the store (no discord import); cogs reach them through
``bot.services``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.community.guilds import GuildSettingsService
from bot.community.privacy import PrivacyService
from bot.community.profiles import ProfileService
from bot.config import Config
from bot.contributions.key_points import KeyPointService
from bot.contributions.service import ContributionService
from bot.contributions.tagging import TaggingService
from bot.dialogues.content import DialogueContentService
from bot.dialogues.lifecycle import DialogueScheduleService
from bot.dialogues.service import DialogueService
from bot.dialogues.translations import TranslationService
from bot.panel.questions import PanelQuestionService
from bot.panel.record import PanelRecordService
from bot.panel.service import PanelService
from bot.report.service import ReportService
from bot.scheduling.runner import ScheduleRunner
from bot.store import Database


@dataclass
class Services:
    db: Database
    config: Config
    clock: Clock
    guilds: GuildSettingsService
    profiles: ProfileService
    contributions: ContributionService
    tagging: TaggingService
    key_points: KeyPointService
    privacy: PrivacyService
    panel: PanelService
    panel_questions: PanelQuestionService
    panel_record: PanelRecordService
    dialogues: DialogueService
    dialogue_schedule: DialogueScheduleService
    dialogue_content: DialogueContentService
    translations: TranslationService
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
        dialogue_schedule=(dialogue_schedule := DialogueScheduleService(db, dialogues, config, clock)),
        dialogue_content=DialogueContentService(db, clock, dialogues, dialogue_schedule),
        translations=TranslationService(db, clock, dialogues),
        schedule=ScheduleRunner(db, dialogue_schedule, config, clock),
        profiles=(profiles := ProfileService(db, clock)),
        # One ProfileService: the message hot path reads its in-memory opt-out set.
        contributions=(contributions := ContributionService(db, config.contributions, clock, profiles)),
        tagging=TaggingService(db, clock, profiles, contributions),
        key_points=KeyPointService(db, clock, contributions),
        privacy=PrivacyService(db, clock, profiles, contributions),
        panel=(panel := PanelService(db, clock)),
        panel_questions=(panel_questions := PanelQuestionService(db, config, clock, profiles, panel)),
        panel_record=(panel_record := PanelRecordService(db, panel, panel_questions)),
        report=ReportService(db, clock, panel_record, contributions),
    )
