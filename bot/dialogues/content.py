"""Editing a dialogue's guiding questions and themes (reading them is :class:`bot.dialogues.service.DialogueService`'s).

Adding or removing a question of a scheduled or open dialogue re-times its unposted questions, in the
same transaction, through :meth:`bot.dialogues.lifecycle.DialogueScheduleService.replan`.
"""

from __future__ import annotations

import re

from bot.clock import Clock, iso
from bot.config import SUPPORTED_LANGUAGES
from bot.dialogues.lifecycle import DialogueScheduleService
from bot.dialogues.model import Dialogue, Question, Theme
from bot.dialogues.service import DialogueService
from bot.dialogues.timeline import parse_local
from bot.errors import UserError
from bot.i18n import N_
from bot.store import Database
from bot.store.repositories.dialogues import DialogueRepository
from bot.store.repositories.scheduling import ScheduleRepository
from bot.text import one_emoji, shorten

MAX_QUESTION = 1900  # the rendered post (headers in each language) must also fit 2000: checked at schedule
MAX_THEME_NAME = 60


def theme_key(name: str) -> str:
    """A stable slug for a custom theme: ``"Good practices!"`` → ``"good_practices"``."""
    slug = re.sub(r"[^\w]+", "_", name.strip().lower()).strip("_")
    return slug[:40] or "theme"


class DialogueContentService:
    """Adds and removes a dialogue's guiding questions and themes. Raises :class:`UserError` before writing."""

    def __init__(
        self, db: Database, clock: Clock, dialogues: DialogueService, dialogue_schedule: DialogueScheduleService
    ) -> None:
        self.db = db
        self.repo = DialogueRepository(db)
        self.schedule_repo = ScheduleRepository(db)
        self.clock = clock
        self.dialogues = dialogues
        self.dialogue_schedule = dialogue_schedule

    def _editable(self, dialogue: Dialogue) -> None:
        if dialogue.state in ("closed", "published"):
            raise UserError(N_("“{title}” is closed and can no longer be changed."), title=dialogue.title)

    # -- guiding questions -------------------------------------------------------------------------

    async def add_question(self, dialogue_id: int, text: str, post_at: str | None = None) -> Question:
        """Append a guiding question; a scheduled or open dialogue's timeline is updated."""
        dialogue = await self.dialogues.require(dialogue_id)
        self._editable(dialogue)
        text = (text or "").strip()
        problems: list[UserError] = []
        if not text:
            problems.append(UserError(N_("A question needs some text.")))
        elif len(text) > MAX_QUESTION:
            problems.append(UserError(N_("A question can be at most {n} characters."), n=MAX_QUESTION))
        at = None
        if post_at:
            try:
                at = parse_local(post_at, dialogue.tz)
            except UserError as exc:
                problems.append(exc)
            if at is not None and not dialogue.starts_at <= at <= dialogue.ends_at:
                problems.append(UserError(N_("A question must be posted while the dialogue runs.")))
            elif at is not None and dialogue.state in ("scheduled", "open") and at < self.clock():
                problems.append(UserError(N_("That time has already passed.")))
        if problems:
            raise UserError.many(problems)
        async with self.db.transaction():
            question_id = await self.repo.append_question(dialogue_id, text, iso(at) if at else None)
            await self.dialogue_schedule.replan(dialogue)
        question = await self.repo.question(question_id)
        assert question is not None
        return question

    async def remove_question(self, dialogue_id: int, number: int) -> Question:
        """Remove question ``number`` if it was not posted; later ones move up."""
        dialogue = await self.dialogues.require(dialogue_id)
        self._editable(dialogue)
        question = await self.dialogues.question(dialogue_id, number)
        started = await self.schedule_repo.question_started(question.id)
        if question.posted or started:
            raise UserError(N_("Question {number} was already posted and cannot be removed."), number=number)
        async with self.db.transaction():
            await self.repo.delete_question(dialogue_id, question.id, number)
            await self.dialogue_schedule.replan(dialogue)
        return question

    # -- themes ------------------------------------------------------------------------------------

    async def add_theme(self, dialogue_id: int, name: str, emoji: str | None = None) -> Theme:
        dialogue = await self.dialogues.require(dialogue_id)
        self._editable(dialogue)
        name = (name or "").strip()
        if not name or len(name) > MAX_THEME_NAME:
            raise UserError(N_("A theme name needs 1 to {n} characters."), n=MAX_THEME_NAME)
        existing = await self.dialogues.themes(dialogue_id)
        key = theme_key(name)
        lowered = name.lower()
        for theme in existing:
            shown = (self.dialogues.theme_name(theme, lang).lower() for lang in SUPPORTED_LANGUAGES)
            names = {theme.name.lower(), *shown}
            if theme.key == key or lowered in names:
                raise UserError(N_("This dialogue already has a theme “{name}”."), name=name)
        emoji = (emoji or "").strip() or None
        if emoji is not None and not one_emoji(emoji):
            raise UserError(N_("“{value}” is not one emoji: give a single emoji, such as 💡, or a server emoji."),
                            value=shorten(emoji, 40))
        if emoji and any(theme.emoji == emoji for theme in existing):
            raise UserError(N_("Another theme already uses {emoji}."), emoji=emoji)
        position = max((th.position for th in existing), default=0) + 1
        theme_id = await self.repo.insert_theme(dialogue_id, key, name, emoji, position)
        return Theme(theme_id, dialogue_id, key, name, emoji, position)

    async def find_theme(self, dialogue_id: int, name: str) -> Theme:
        """A theme by key, shown name (in any language) or emoji."""
        wanted = (name or "").strip().lower()
        for theme in await self.dialogues.themes(dialogue_id):
            names = {theme.key, theme.name.lower(), (theme.emoji or "\0")}
            names |= {self.dialogues.theme_name(theme, lang).lower() for lang in SUPPORTED_LANGUAGES}
            if wanted in names:
                return theme
        raise UserError(N_("This dialogue has no theme “{name}”."), name=name)

    async def remove_theme(self, dialogue_id: int, name: str) -> Theme:
        """Remove a theme (and its tags)."""
        dialogue = await self.dialogues.require(dialogue_id)
        self._editable(dialogue)
        theme = await self.find_theme(dialogue_id, name)
        await self.repo.delete_theme(theme.id)
        return theme
