"""A dialogue's timeline in the store: scheduling, re-timing, recording posts, closing, and the status.

The service keeps the ``schedule_items`` rows in step with the dialogue; posting them is
:mod:`bot.scheduling.runner`'s job, which records each post here (``complete_item`` / ``skip_item``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.clock import Clock, iso
from bot.config import Config
from bot.dialogues.model import Dialogue, Question, ScheduleItem, Theme
from bot.dialogues.service import DialogueService
from bot.dialogues.timeline import PlannedItem, plan
from bot.errors import UserError
from bot.i18n import N_, t
from bot.store import Database
from bot.store.repositories.dialogues import DialogueRepository
from bot.store.repositories.scheduling import ScheduleRepository


class ContributionFigures(Protocol):
    """What the status needs from the contributions feature (``bot.contributions.service.Counts``).

    Read-only members: ``Counts`` is a frozen dataclass, and the status only reads them.
    """

    @property
    def total(self) -> int: ...
    @property
    def per_question(self) -> dict[int | None, int]: ...
    @property
    def per_theme(self) -> dict[int, int]: ...
    @property
    def participants(self) -> int: ...
    @property
    def untagged(self) -> int: ...


@dataclass(frozen=True)
class DialogueStatus:
    """A dialogue's state, next post and contribution figures, as ``/dialogue status`` shows them."""

    dialogue: Dialogue
    next_item: ScheduleItem | None
    per_question: list[tuple[Question, int]]
    outside_questions: int
    per_theme: list[tuple[Theme, int]]
    contributions: int
    participants: int
    untagged: int
    panel_queue: int


@dataclass
class CloseOutcome:
    """What ``close`` decided: post the closing message now, or the dialogue never opened."""

    dialogue: Dialogue
    post_closing: bool
    cancelled: int = 0
    items: list[ScheduleItem] = field(default_factory=list)


class MissingPermissions(UserError):
    """The bot lacks channel permissions; their names are translated when rendered."""

    def __init__(self, permissions: Sequence[str]) -> None:
        super().__init__(N_("In that channel I am missing these permissions: {permissions}."))
        self.permission_names = tuple(permissions)

    def render(self, language: str | None) -> str:
        names = ", ".join(t(language, name) for name in self.permission_names)
        return t(language, self.msgid, permissions=names)


class DialogueScheduleService:
    """A dialogue's schedule rows: written, re-timed, recorded and cancelled. Raises :class:`UserError` first."""

    def __init__(self, db: Database, dialogues: DialogueService, config: Config, clock: Clock) -> None:
        self.db = db
        self.repo = DialogueRepository(db)
        self.items_repo = ScheduleRepository(db)
        self.dialogues = dialogues
        self.config = config
        self.clock = clock

    # -- reading -----------------------------------------------------------------------------------

    async def items(self, dialogue_id: int) -> list[ScheduleItem]:
        """All schedule rows of the dialogue, in running order."""
        return sorted(await self.items_repo.for_dialogue(dialogue_id), key=lambda i: i.sort_key)

    async def opening_thread_id(self, dialogue_id: int) -> int | None:
        """The thread of a forum dialogue's opening post (``None`` in a text channel or before it)."""
        return await self.items_repo.opening_thread_id(dialogue_id)

    async def item(self, item_id: int) -> ScheduleItem | None:
        return await self.items_repo.get(item_id)

    # -- scheduling --------------------------------------------------------------------------------

    def _plan(self, dialogue: Dialogue, questions: list[Question]) -> list[PlannedItem]:
        return plan(
            dialogue.starts_at,
            dialogue.ends_at,
            dialogue.tz,
            [(q.id, q.post_at) for q in questions],
            self.config.schedule.reminder_hours_before_close,
        )

    async def replan(self, dialogue: Dialogue) -> None:
        """After a question change: re-time the unposted questions of a scheduled/open dialogue.

        Call it inside the transaction that changed the questions."""
        if dialogue.state not in ("scheduled", "open"):
            return
        await self.items_repo.delete_pending(dialogue.id, "question")
        questions = await self.repo.questions(dialogue.id)
        started = await self.items_repo.scheduled_question_ids(dialogue.id)
        now = self.clock()
        await self.items_repo.insert_many(
            (dialogue.id, "question", item.question_id, None, iso(max(item.run_at, now)))
            for item in self._plan(dialogue, questions)
            if item.kind == "question" and item.question_id not in started
        )

    async def check_schedulable(
        self, dialogue: Dialogue, *, missing_permissions: Sequence[str] = (), too_long: Sequence[int] = ()
    ) -> None:
        """Every reason ``dialogue`` cannot run, in one :class:`UserError` (or nothing).

        ``missing_permissions`` (permission msgids) and ``too_long`` (question numbers whose post would
        not fit in a Discord message) come from the Discord side.
        """
        problems: list[UserError] = []
        if dialogue.state not in ("draft", "scheduled"):
            problems.append(UserError(N_("“{title}” has already started."), title=dialogue.title))
        questions = await self.dialogues.questions(dialogue.id)
        if not questions:
            problems.append(UserError(N_("It has no guiding questions yet (/dialogue question add).")))
        if dialogue.ends_at <= dialogue.starts_at:
            problems.append(UserError(N_("The dialogue must end after it starts.")))
        if dialogue.starts_at < self.clock():
            problems.append(UserError(N_("Its start is in the past.")))
        for q in questions:
            if q.post_at is not None and not dialogue.starts_at <= q.post_at <= dialogue.ends_at:
                problems.append(UserError(N_("Question {number} is timed outside the dialogue."), number=q.position))
        for number in too_long:
            problems.append(
                UserError(N_("Question {number} is too long for one Discord message: shorten it."), number=number)
            )
        if missing_permissions:
            problems.append(MissingPermissions(missing_permissions))
        if problems:
            raise UserError.many(problems, N_("“{title}” cannot be scheduled yet:"), title=dialogue.title)

    async def schedule(
        self, dialogue_id: int, *, missing_permissions: Sequence[str] = (), too_long: Sequence[int] = ()
    ) -> list[ScheduleItem]:
        """Check, then write the timeline and move to *scheduled*. Returns the items in order."""
        dialogue = await self.dialogues.require(dialogue_id)
        await self.check_schedulable(dialogue, missing_permissions=missing_permissions, too_long=too_long)
        questions = await self.dialogues.questions(dialogue_id)
        planned = self._plan(dialogue, questions)
        async with self.db.transaction():
            await self.items_repo.delete_pending(dialogue_id)
            await self.items_repo.insert_many(
                (dialogue_id, p.kind, p.question_id, p.week, iso(p.run_at)) for p in planned
            )
            await self.repo.set_state(dialogue_id, "scheduled")
        return await self.items(dialogue_id)

    @staticmethod
    def require_closable(dialogue: Dialogue) -> None:
        if dialogue.is_closed:
            raise UserError(N_("“{title}” is already closed."), title=dialogue.title)

    async def close(self, dialogue_id: int) -> CloseOutcome:
        """Close now. An open dialogue's closing post is made due immediately; other pending posts
        are cancelled. A dialogue that never opened is simply marked closed."""
        dialogue = await self.dialogues.require(dialogue_id)
        self.require_closable(dialogue)
        now = iso(self.clock())
        post_closing = dialogue.state == "open"
        async with self.db.transaction():
            cancelled = await self.items_repo.cancel_pending(dialogue_id, keep_closing=post_closing)
            if post_closing:
                if not await self.items_repo.move_closing(dialogue_id, now):
                    await self.items_repo.add_closing(dialogue_id, now)
            else:
                await self.repo.close(dialogue_id, now)
        return CloseOutcome(await self.dialogues.require(dialogue_id), post_closing, cancelled)

    # -- recording posts ---------------------------------------------------------------------------

    async def report_in_flight(self, dialogue_id: int) -> bool:
        """Whether the final report is due or being posted by the scheduler (``/report publish`` waits)."""
        return await self.items_repo.report_in_flight(dialogue_id)

    async def complete_item(self, item: ScheduleItem, message_id: int | None, thread_id: int | None) -> None:
        """Record a posted item and its effect on the dialogue, in one transaction."""
        now = iso(self.clock())
        async with self.db.transaction():
            await self.items_repo.mark_done(item.id, now, message_id, thread_id)
            await self._apply_effect(item, now, message_id, thread_id)

    async def skip_item(self, item: ScheduleItem, reason: str) -> None:
        """Mark an item skipped; the dialogue still opens or closes as it would have."""
        now = iso(self.clock())
        async with self.db.transaction():
            await self.items_repo.mark_skipped(item.id, now, reason)
            await self._apply_effect(item, now, None, None)

    async def _apply_effect(self, item: ScheduleItem, now: str, message_id: int | None, thread_id: int | None) -> None:
        if item.kind == "opening":
            await self.repo.mark_opened(item.dialogue_id, message_id)
        elif item.kind == "question" and message_id is not None and item.question_id is not None:
            await self.repo.set_question_post(item.question_id, message_id, thread_id)
        elif item.kind == "closing":
            await self.repo.mark_closed(item.dialogue_id, now)
            # The final report is due as soon as the dialogue is closed, written in this same
            # transaction: a kill right after the closing can neither lose it nor double it.
            dialogue = await self.dialogues.require(item.dialogue_id)
            if dialogue.publish_mode != "manual" and not await self.items_repo.has_report(item.dialogue_id):
                await self.items_repo.insert_many([(item.dialogue_id, "report", None, None, now)])

    # -- status ------------------------------------------------------------------------------------

    async def status(self, dialogue_id: int, figures: ContributionFigures) -> DialogueStatus:
        """State and next post, with the contribution ``figures`` (``ContributionService.counts``, which
        also counts the messages still in its write-behind batch)."""
        dialogue = await self.dialogues.require(dialogue_id)
        next_item = await self.items_repo.next_for_dialogue(dialogue_id)
        questions = await self.dialogues.questions(dialogue_id)
        themes = await self.dialogues.themes(dialogue_id)
        counts = figures.per_question
        theme_counts = figures.per_theme
        panel_queue = await self.repo.open_panel_questions(dialogue_id)
        return DialogueStatus(
            dialogue=dialogue,
            next_item=next_item,
            per_question=[(q, counts.get(q.id, 0)) for q in questions],
            outside_questions=counts.get(None, 0),
            per_theme=[(th, theme_counts.get(th.id, 0)) for th in themes],
            contributions=figures.total,
            participants=figures.participants,
            untagged=figures.untagged,
            panel_queue=panel_queue,
        )
