"""Contribution values shared by the write path, tagging and key points (no database, no discord)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import parse_iso


@dataclass(frozen=True)
class Place:
    """Where a channel or thread belongs: a dialogue, and a question unless it is the dialogue's channel."""

    dialogue_id: int
    question_id: int | None
    guild_id: int
    languages: tuple[str, ...]


@dataclass(slots=True)
class Incoming:
    """A member's message as the cog hands it over (plain values, no discord objects)."""

    message_id: int
    channel_id: int
    guild_id: int
    author_id: int
    author_name: str
    content: str
    attachments: tuple[str, ...]
    created_at: datetime
    edited_at: datetime | None = None


@dataclass(frozen=True)
class Contribution:
    """A stored contribution: a member's message in a dialogue's channel or question thread."""

    id: int
    dialogue_id: int
    question_id: int | None
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    author_name: str
    content: str
    attachments: tuple[str, ...]
    language: str | None
    created_at: datetime
    edited_at: datetime | None
    is_key_point: bool


def contribution_of(row: Any) -> Contribution:
    """A ``contributions`` row as a :class:`Contribution`."""
    return Contribution(
        id=row["id"],
        dialogue_id=row["dialogue_id"],
        question_id=row["question_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        content=row["content"],
        attachments=tuple(json.loads(row["attachments"])),
        language=row["language"],
        created_at=parse_iso(row["created_at"]),  # type: ignore[arg-type]
        edited_at=parse_iso(row["edited_at"]),
        is_key_point=bool(row["is_key_point"]),
    )
