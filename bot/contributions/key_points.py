"""Key points: contributions moderators mark as key, and key points they write for a guiding question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import Clock, iso, parse_iso
from bot.contributions.service import ContributionService
from bot.errors import UserError
from bot.i18n import N_
from bot.store import Database
from bot.store.repositories.contributions import ContributionRepository

MAX_KEY_POINT = 1000


@dataclass(frozen=True)
class StoredKeyPoint:
    """A key point of a dialogue: marked from a contribution, or written by a moderator."""

    id: int
    dialogue_id: int
    question_id: int | None
    question_position: int | None
    text: str
    source: str
    contribution_id: int | None
    created_at: datetime


class KeyPointService:
    """Marks contributions as key points, stores moderators' written key points and lists them."""

    def __init__(self, db: Database, clock: Clock, contributions: ContributionService) -> None:
        self.db = db
        self.repo = ContributionRepository(db)
        self.clock = clock
        #: Marking reads the contribution through the write path (which flushes a pending message first).
        self.contributions = contributions

    async def mark_key_point(self, message_id: int, moderator_id: int) -> StoredKeyPoint:
        contribution = await self.contributions.require_by_message(message_id)
        if contribution.is_key_point:
            raise UserError(N_("That contribution is already a key point."))
        text = contribution.content.strip() or "\n".join(contribution.attachments)
        key_point_id = await self.repo.mark_key_point(contribution, moderator_id, text, iso(self.clock()))
        return await self._key_point(key_point_id)

    async def add_key_point(self, dialogue_id: int, question: int, text: str, moderator_id: int) -> StoredKeyPoint:
        """A moderator's synthesized key point for guiding question number ``question``."""
        problems = []
        text = text.strip()
        if not text:
            problems.append(UserError(N_("A key point needs some text.")))
        elif len(text) > MAX_KEY_POINT:
            problems.append(UserError(N_("A key point can be at most {n} characters."), n=MAX_KEY_POINT))
        question_id = await self.repo.question_id_at(dialogue_id, question)
        if question_id is None:
            problems.append(UserError(N_("This dialogue has no question number {number}."), number=question))
        if problems:
            raise UserError.many(problems)
        assert question_id is not None
        key_point_id = await self.repo.add_key_point(dialogue_id, question_id, text, moderator_id, iso(self.clock()))
        return await self._key_point(int(key_point_id))

    async def _key_point(self, key_point_id: int) -> StoredKeyPoint:
        return _key_points(await self.repo.key_points(key_point_id=key_point_id))[0]

    async def key_points(self, dialogue_id: int) -> list[StoredKeyPoint]:
        return _key_points(await self.repo.key_points(dialogue_id=dialogue_id))


def _key_points(rows: list[Any]) -> list[StoredKeyPoint]:
    return [
        StoredKeyPoint(
            id=r["id"], dialogue_id=r["dialogue_id"], question_id=r["question_id"], question_position=r["position"],
            text=r["text"], source=r["source"], contribution_id=r["contribution_id"],
            created_at=parse_iso(r["created_at"]),  # type: ignore[arg-type]
        )
        for r in rows
    ]
