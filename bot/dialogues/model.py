"""The records of a dialogue (the dialogue, its guiding questions, themes and schedule items), read from their rows.

Shared by :mod:`bot.dialogues.service`, :mod:`bot.dialogues.content`, :mod:`bot.dialogues.lifecycle` and the
poster; plain data, no queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import parse_iso
from bot.dialogues.timeline import KIND_ORDER

STATES = ("draft", "scheduled", "open", "closed", "published")


@dataclass(frozen=True)
class Dialogue:
    """One dialogue: its title, languages, time span, home channel and lifecycle state."""

    id: int
    guild_id: int
    title: str
    description: str
    concept_note: str | None
    languages: tuple[str, ...]
    timezone: str
    starts_at: datetime
    ends_at: datetime
    channel_id: int
    channel_kind: str
    state: str
    publish_mode: str
    opening_message_id: int | None
    created_by: int | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def language(self) -> str:
        """The main language (the first listed)."""
        return self.languages[0]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_closed(self) -> bool:
        """Closed (its closing post made), or closed and its report published."""
        return self.state in ("closed", "published")

    def closes_early(self, now: datetime) -> bool:
        """Whether closing it at ``now`` cuts it short of its planned end: moderators confirm that
        first (the closing post cannot be taken back)."""
        return not self.is_closed and now < self.ends_at


@dataclass(frozen=True)
class Question:
    """A guiding question: its number in the dialogue, text, time and (once posted) message and thread."""

    id: int
    dialogue_id: int
    position: int
    text: str
    post_at: datetime | None
    thread_id: int | None
    message_id: int | None

    @property
    def posted(self) -> bool:
        return self.message_id is not None


@dataclass(frozen=True)
class Theme:
    """A theme contributions are tagged with: key, name, emoji and order."""

    id: int
    dialogue_id: int
    key: str
    name: str
    emoji: str | None
    position: int


@dataclass(frozen=True)
class ScheduleItem:
    """One post of a dialogue's timeline (opening, question, reminder, closing) and how it went."""

    id: int
    dialogue_id: int
    kind: str
    question_id: int | None
    week: int | None
    run_at: datetime
    status: str
    claimed_at: datetime | None
    done_at: datetime | None
    message_id: int | None
    thread_id: int | None
    attempts: int
    last_error: str | None

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.run_at, KIND_ORDER.get(self.kind, 9), self.id)


def dialogue_from_row(row: object) -> Dialogue:
    """A ``dialogues`` row as a :class:`Dialogue`."""
    r = row  # aiosqlite.Row
    return Dialogue(
        id=r["id"], guild_id=r["guild_id"], title=r["title"], description=r["description"],  # type: ignore[index]
        concept_note=r["concept_note"], languages=tuple(r["languages"].split()),  # type: ignore[index]
        timezone=r["timezone"], starts_at=parse_iso(r["starts_at"]),  # type: ignore[index,arg-type]
        ends_at=parse_iso(r["ends_at"]), channel_id=r["channel_id"],  # type: ignore[index,arg-type]
        channel_kind=r["channel_kind"], state=r["state"], publish_mode=r["publish_mode"],  # type: ignore[index]
        opening_message_id=r["opening_message_id"], created_by=r["created_by"],  # type: ignore[index]
        created_at=parse_iso(r["created_at"]), closed_at=parse_iso(r["closed_at"]),  # type: ignore[index,arg-type]
    )


def question_from_row(r: object) -> Question:
    """A ``questions`` row as a :class:`Question`."""
    return Question(
        id=r["id"], dialogue_id=r["dialogue_id"], position=r["position"], text=r["text"],  # type: ignore[index]
        post_at=parse_iso(r["post_at"]), thread_id=r["thread_id"], message_id=r["message_id"],  # type: ignore[index]
    )


def theme_from_row(r: object) -> Theme:
    """A ``themes`` row as a :class:`Theme`."""
    return Theme(
        id=r["id"], dialogue_id=r["dialogue_id"], key=r["key"], name=r["name"],  # type: ignore[index]
        emoji=r["emoji"], position=r["position"],  # type: ignore[index]
    )


def schedule_item(r: object) -> ScheduleItem:
    """A ``schedule_items`` row as a :class:`ScheduleItem`."""
    return ScheduleItem(
        id=r["id"], dialogue_id=r["dialogue_id"], kind=r["kind"], question_id=r["question_id"],  # type: ignore[index]
        week=r["week"], run_at=parse_iso(r["run_at"]), status=r["status"],  # type: ignore[index,arg-type]
        claimed_at=parse_iso(r["claimed_at"]), done_at=parse_iso(r["done_at"]),  # type: ignore[index]
        message_id=r["message_id"], thread_id=r["thread_id"], attempts=r["attempts"],  # type: ignore[index]
        last_error=r["last_error"],  # type: ignore[index]
    )
