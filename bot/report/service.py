"""The report feature's service: compile, record what was published, publish mode, further questions.

No discord import: the cog renders and posts; this class reads and writes the store.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.clock import Clock, iso
from bot.dialogues.model import Dialogue
from bot.dialogues.service import resolve_dialogue
from bot.errors import UserError
from bot.i18n import N_
from bot.report.compile import compile_report, compile_week
from bot.report.csvout import render_csv
from bot.report.drafts import DraftService
from bot.report.editorial import EditorialInputs, GroupedSample, edit, group_sample
from bot.report.model import Report, WeekSummary
from bot.store import Database
from bot.store.repositories.dialogues import DialogueRepository
from bot.store.repositories.report import ReportRepository

if TYPE_CHECKING:
    from bot.contributions.service import ContributionService
    from bot.panel.record import PanelRecordService

PublishMode = Literal["auto", "manual"]
MAX_FURTHER_QUESTION = 500


@dataclass(frozen=True)
class DialogueInfo:
    """What the cog needs to know about a dialogue to post its report."""

    id: int
    guild_id: int
    title: str
    channel_id: int
    languages: tuple[str, ...]
    state: str
    publish_mode: PublishMode

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else "en"


def info(dialogue: Dialogue) -> DialogueInfo:
    """What the report needs of a dialogue."""
    return DialogueInfo(
        id=dialogue.id, guild_id=dialogue.guild_id, title=dialogue.title, channel_id=dialogue.channel_id,
        languages=dialogue.languages or ("en",), state=dialogue.state,
        publish_mode=dialogue.publish_mode,  # type: ignore[arg-type]
    )


def _info(row: object) -> DialogueInfo:
    r = row
    return DialogueInfo(
        id=r["id"], guild_id=r["guild_id"], title=r["title"], channel_id=r["channel_id"],  # type: ignore[index]
        languages=tuple((r["languages"] or "en").split()), state=r["state"],  # type: ignore[index]
        publish_mode=r["publish_mode"],  # type: ignore[index]
    )


async def compile_edited(
    db: Database, dialogue_id: int, drafts: DraftService, *, panel: PanelRecordService | None = None,
    draft: bool = False,
) -> Report:
    """The compiled report with the editorial pass (:mod:`bot.report.editorial`) run off the loop.

    The editorial pass's reads and its grouping of the sample (text work, in a worker thread) run while
    the report compiles, on another read connection: they need only the dialogue, not the compiled
    report. Only the final edit (assembly) waits for both."""
    head = await ReportRepository(db).dialogue(dialogue_id)
    if head is None:
        raise UserError(N_("There is no dialogue “{value}” in this server."), value=str(dialogue_id))

    async def prepare() -> tuple[EditorialInputs, GroupedSample]:
        inputs = await drafts.inputs(dialogue_id, head["guild_id"], head["starts_at"])
        return inputs, await asyncio.to_thread(group_sample, inputs)

    editorial = asyncio.ensure_future(prepare())
    try:
        report = await compile_report(db, dialogue_id, panel=panel, suggestions=0)
        inputs, grouped = await editorial
    finally:
        editorial.cancel()  # the compile failed: its reads are not needed (a no-op once done)
    return await asyncio.to_thread(edit, report, inputs, draft=draft, grouped=grouped)


async def csv_export(drafts: DraftService, dialogue_id: int, guild_id: int, language: str) -> str:
    """The CSV export (:mod:`bot.report.csvout`), built off the loop."""
    data = await drafts.csv_inputs(dialogue_id, guild_id)
    return await asyncio.to_thread(render_csv, data, language)


class ReportService:
    def __init__(
        self, db: Database, clock: Clock, panel: PanelRecordService | None = None,
        contributions: ContributionService | None = None,
    ) -> None:
        self.db = db
        self.repo = ReportRepository(db)
        self.clock = clock
        self.panel = panel
        self.contributions = contributions
        self.drafts = DraftService(db, clock)

    async def dialogue(self, guild_id: int, ref: str | int) -> DialogueInfo:
        """The guild's dialogue by id or title (:func:`bot.dialogues.service.resolve_dialogue`)."""
        return info(await resolve_dialogue(DialogueRepository(self.db), ref, guild_id))

    async def get(self, dialogue_id: int) -> DialogueInfo | None:
        row = await self.repo.dialogue(dialogue_id)
        return _info(row) if row else None

    async def _flush(self) -> None:
        """Messages still in the contributions' write-behind batch belong in the report."""
        if self.contributions is not None:
            await self.contributions.flush()

    async def compile(self, dialogue_id: int, *, draft: bool = False) -> Report:
        """The report as it stands, edited by the moderators' draft. ``draft=True`` (the preview) adds
        the suggested key points awaiting review; any other report never holds one."""
        await self._flush()
        return await compile_edited(self.db, dialogue_id, self.drafts, panel=self.panel, draft=draft)

    async def csv(self, dialogue_id: int, language: str) -> str:
        """Every contribution the report may show, one CSV row each (:mod:`bot.report.csvout`)."""
        await self._flush()
        found = await self.get(dialogue_id)
        if found is None:
            raise UserError(N_("There is no dialogue “{value}” in this server."), value=str(dialogue_id))
        return await csv_export(self.drafts, dialogue_id, found.guild_id, language)

    async def week(self, dialogue_id: int, week: int) -> WeekSummary:
        await self._flush()
        return await compile_week(self.db, dialogue_id, week)

    @staticmethod
    def language(dialogue: DialogueInfo, wanted: str | None) -> str:
        """``wanted`` if it is one of the dialogue's languages (None: its main one)."""
        if wanted is None:
            return dialogue.language
        if wanted not in dialogue.languages:
            raise UserError(
                N_("“{title}” is not held in that language; its languages are: {languages}."),
                title=dialogue.title, languages=", ".join(dialogue.languages),
            )
        return wanted

    # -- publishing --------------------------------------------------------------------------------

    async def set_publish_mode(self, dialogue_id: int, mode: str) -> None:
        if mode not in ("auto", "manual"):
            raise UserError(N_("Publishing must be auto or manual."))
        await self.repo.set_publish_mode(dialogue_id, mode)

    async def published(self, dialogue_id: int, kind: str, language: str, week: int | None = None) -> bool:
        """Whether this report (final, or week ``week``) was already posted in ``language``."""
        return await self.repo.published(dialogue_id, kind, language, week)

    @staticmethod
    def require_publishable(dialogue: DialogueInfo) -> None:
        """The final report is published once the dialogue is closed (again, once published)."""
        if dialogue.state not in ("closed", "published"):
            raise UserError(N_("“{title}” is still running: close it first (or use /report preview)."),
                            title=dialogue.title)

    async def unpublished_languages(self, dialogue: DialogueInfo) -> tuple[str, ...]:
        """The dialogue's languages whose final report is not posted yet (the final report's schedule
        item posts only these: never a language twice)."""
        return tuple([lang for lang in dialogue.languages if not await self.published(dialogue.id, "final", lang)])

    async def final_message_ids(self, dialogue_id: int) -> list[int] | None:
        """The messages of the final report as first recorded, or ``None`` if it was not published."""
        found = await self.repo.final_message_ids(dialogue_id)
        return None if found is None else list(json.loads(found))

    async def week_message_ids(self, dialogue_id: int, week: int) -> list[int] | None:
        """The messages of week ``week``'s summary as first recorded, or ``None`` if none was."""
        found = await self.repo.week_message_ids(dialogue_id, week)
        return None if found is None else list(json.loads(found))

    async def record(
        self, dialogue_id: int, kind: str, language: str, channel_id: int, message_ids: list[int],
        week: int | None = None,
    ) -> None:
        """Remember a posted report; a final report also marks the dialogue ``published``."""
        await self.repo.record(
            dialogue_id, kind, week, language, channel_id, json.dumps(message_ids), iso(self.clock())
        )

    # -- questions for further discussion ----------------------------------------------------------

    async def add_further_question(self, dialogue_id: int, text: str, user_id: int) -> int:
        """Add a question for further discussion; its number in the list."""
        text = " ".join(text.split())
        if not text:
            raise UserError(N_("Write the question."))
        if len(text) > MAX_FURTHER_QUESTION:
            raise UserError(N_("A question can be at most {n} characters."), n=MAX_FURTHER_QUESTION)
        return await self.repo.add_further_question(dialogue_id, text, user_id, iso(self.clock()))

    async def further_questions(self, dialogue_id: int) -> list[tuple[int, str]]:
        rows = await self.repo.further_questions(dialogue_id)
        return [(r["id"], r["text"]) for r in rows]

    async def remove_further_question(self, dialogue_id: int, number: int) -> str:
        questions = await self.further_questions(dialogue_id)
        if not 1 <= number <= len(questions):
            raise UserError(N_("There is no question {number}: this dialogue has {count} question(s)."),
                            number=number, count=len(questions))
        question_id, text = questions[number - 1]
        await self.repo.delete_further_question(question_id)
        return text
