"""Duplicate questions on the Discord side: at ``/ask`` the similar questions already approved, each
with an **Upvote instead** button; in the review queue, each question's closest match and score.

**Upvote instead** (``colloquy:pq:instead:<mine>:<theirs>``, persistent) folds the member's own pending
question into the one they chose, as a moderator's merge would (they are credited among its askers,
and the review post says so), and counts their vote. Only the asker of ``<mine>`` can press it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import discord
from babel.numbers import format_percent

from bot.i18n import resolve, t
from bot.panel.duplicates import Match, closest, matches
from bot.panel.model import PanelQuestion
from bot.text import shorten
from cogs.kit.reply import bot_of
from cogs.kit.ui import button_label, guarded
from cogs.panel import render
from cogs.panel.views import PANEL_COG

if TYPE_CHECKING:
    from bot.client import ColloquyBot


def score(lang: str, value: float) -> str:
    return format_percent(value, locale=resolve(lang))


def similar_block(lang: str, mine: PanelQuestion, found: list[Match]) -> tuple[str, discord.ui.View] | None:
    """What the member sees after asking, when similar questions were already approved."""
    if not found:
        return None
    lines = [t(lang, "Similar questions were already asked: you can upvote one of them instead of yours.")]
    view = discord.ui.View(timeout=None)
    for i, match in enumerate(found, 1):
        q = match.question
        lines.append(t(lang, "{n}. {text} ({votes}, {score} similar)", n=i,
                       text=render.safe(shorten(q.text, 300), lang), votes=render.votes_text(lang, q.votes),
                       score=score(lang, match.score)))
        view.add_item(InsteadButton(mine.id, q.id, t(lang, "Upvote {n} instead", n=i)))
    return "\n".join(lines), view


def closest_line(lang: str, question: PanelQuestion, others: list[PanelQuestion]) -> str | None:
    """``Closest match: question #12 (62% similar)`` for a question awaiting review (by number only: the
    queue's posts are found by their own words)."""
    match = closest(question, others)
    if match is None:
        return None
    return t(lang, "Closest match: question #{number} ({score} similar)", number=match.question.id,
             score=score(lang, match.score))


def propose_first(question: PanelQuestion, targets: list[PanelQuestion]) -> tuple[list[PanelQuestion], Match | None]:
    """Merge targets with the closest match first (what **Merge** proposes)."""
    match = closest(question, targets)
    if match is None:
        return targets, None
    return [match.question, *(q for q in targets if q.id != match.question.id)], match


async def similar_approved(bot: ColloquyBot, question: PanelQuestion) -> list[Match]:
    approved = await bot.services.panel_questions.questions(question.panel_id, ("approved",))
    return matches(question.text, approved, exclude=question.id)


@runtime_checkable
class InsteadActions(Protocol):
    """The panel cog provides it (delegating to :func:`cogs.panel.flow.upvote_instead`)."""

    async def upvote_instead(self, interaction: discord.Interaction, mine_id: int, target_id: int) -> None: ...


class InsteadButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"colloquy:pq:instead:(?P<mine>\d+):(?P<target>\d+)"
):
    def __init__(self, mine_id: int, target_id: int, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(
            label=(label or "Upvote instead")[:80], emoji="👍", style=discord.ButtonStyle.secondary,
            custom_id=f"colloquy:pq:instead:{mine_id}:{target_id}",
        ))
        self.mine_id, self.target_id = mine_id, target_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> InsteadButton:
        return cls(int(match["mine"]), int(match["target"]), button_label(item))

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = bot_of(interaction).get_cog(PANEL_COG)
        if not isinstance(cog, InsteadActions):
            raise RuntimeError("the panel cog is not loaded")
        await guarded(interaction, cog.upvote_instead(interaction, self.mine_id, self.target_id))
