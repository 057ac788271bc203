"""The live panel's dataclasses: a panel and its dialogue, panellists, questions, askers and answers.

Shared by :mod:`bot.panel.service` (panels and panellists), :mod:`bot.panel.questions` (members' questions and
answers), :mod:`bot.panel.record` (the report's read model) and the panel cogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.community.profiles import Attribution, credit

PanelState = Literal["scheduled", "live", "closed"]
QuestionStatus = Literal["pending", "approved", "rejected", "merged", "relayed"]


class DialogueLike(Protocol):
    """What the panel needs of a dialogue (``bot.dialogues.model.Dialogue`` fits)."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class DialogueRef:
    """The panel's view of its dialogue."""

    id: int
    guild_id: int
    title: str
    timezone: str
    languages: tuple[str, ...]
    channel_id: int | None = None  # the dialogue's home channel

    @property
    def language(self) -> str:
        """The dialogue's main language: public panel posts are written in it."""
        return self.languages[0] if self.languages else "en"


@dataclass(frozen=True)
class Panel:
    """A dialogue's live panel: where and when it happens, its state and its live question."""

    id: int
    dialogue: DialogueRef
    channel_id: int
    starts_at: datetime
    ends_at: datetime
    state: PanelState
    event_id: int | None = None
    announcement_message_id: int | None = None
    live_question_id: int | None = None

    @property
    def dialogue_id(self) -> int:
        return self.dialogue.id

    @property
    def guild_id(self) -> int:
        return self.dialogue.guild_id

    @property
    def closed(self) -> bool:
        return self.state == "closed"


@dataclass(frozen=True)
class Panellist:
    """A speaker on a panel, with the key points of their presentation."""

    id: int
    panel_id: int
    name: str
    position: int
    title: str | None = None
    organisation: str | None = None
    user_id: int | None = None
    key_points: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        """``Name, Title, Organisation`` as the seed report introduces a panellist."""
        return ", ".join(p for p in (self.name, self.title, self.organisation) if p)


@dataclass(frozen=True)
class Asker:
    """Someone who asked a question (its own asker, or the asker of a question merged into it)."""

    user_id: int
    attribution: Attribution
    name: str | None
    organisation: str | None

    @property
    def credit(self) -> str | None:
        """``"Name, Organisation"``, ``"Organisation"`` or ``None`` for an anonymous asker."""
        return credit(self.attribution, self.name, self.organisation)


@dataclass(frozen=True)
class PanelQuestion:
    """A member's question to the panel, with its review status and vote count."""

    id: int
    panel_id: int
    author_id: int
    text: str
    attribution: Attribution
    asker_name: str | None
    asker_organisation: str | None
    status: QuestionStatus
    created_at: datetime
    votes: int = 0
    merged_into: int | None = None
    review_message_id: int | None = None
    public_message_id: int | None = None
    relay_message_id: int | None = None
    reviewed_by: int | None = None
    relayed_at: datetime | None = None

    @property
    def asker(self) -> Asker:
        return Asker(self.author_id, self.attribution, self.asker_name, self.asker_organisation)

    @property
    def anonymous(self) -> bool:
        return self.attribution == "anonymous"


@dataclass(frozen=True)
class Answer:
    """A panellist's answer to a relayed question."""

    id: int
    question_id: int
    panellist_id: int
    panellist_name: str
    text: str
    created_at: datetime
    message_id: int | None = None  # None when recorded with /panel answer


@dataclass(frozen=True)
class QuestionRecord:
    """A question with everyone who asked it and every answer given to it."""

    question: PanelQuestion
    askers: tuple[Asker, ...]  # the question's own asker first, then merged ones in asking order
    answers: tuple[Answer, ...] = ()

    @property
    def credits(self) -> tuple[str, ...]:
        """Distinct credits of the named askers; anonymous askers are never named."""
        seen: list[str] = []
        for asker in self.askers:
            if asker.credit and asker.credit not in seen:
                seen.append(asker.credit)
        return tuple(seen)

    @property
    def votes(self) -> int:
        return self.question.votes
