"""Colloquy: run moderated Virtual Dialogues in Discord."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import ColloquyBot
    from bot.config import Config


def create_bot(config: Config) -> ColloquyBot:
    """Build the bot from a :class:`bot.config.Config` (see ``bot.config.load``)."""
    from bot.client import create_bot as _create

    return _create(config)


__all__ = ["create_bot"]
