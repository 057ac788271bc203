"""The panel's buttons, select and modals.

Buttons and the merge select are :class:`discord.ui.DynamicItem` s whose ``custom_id`` carries the
panel or question id (``colloquy:pq:approve:42``): registered once with ``bot.add_dynamic_items``, they
work on every message ever posted, after a restart too, without keeping a view per message.

discord.py only logs a dynamic item's exception, so each callback hands failures to the command
tree's error handler, the one place where a failure becomes an answer to the user.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import N_, t
from bot.panel.model import Panellist, PanelQuestion
from bot.panel.questions import MAX_QUESTION, MIN_QUESTION
from bot.panel.service import MAX_PRESENTATION
from cogs.kit.ui import bot_of, guarded
from cogs.panel import flow

if TYPE_CHECKING:
    pass

REVIEW_ACTIONS = ("approve", "reject", "merge", "relay")


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"colloquy:pq:(?P<action>approve|reject|merge|relay):(?P<id>\d+)",
):
    """Approve / Reject / Merge / Relay now, on a question's post in the review queue (moderators)."""

    STYLES = {
        "approve": discord.ButtonStyle.success,
        "reject": discord.ButtonStyle.danger,
        "merge": discord.ButtonStyle.secondary,
        "relay": discord.ButtonStyle.primary,
    }

    def __init__(self, action: str, question_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or action, style=self.STYLES[action], custom_id=f"colloquy:pq:{action}:{question_id}"
            )
        )
        self.action = action
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ReviewButton:
        return cls(match["action"], int(match["id"]), item.label)

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, flow.review_action(bot_of(interaction), interaction, self.action, self.question_id))


class MergeSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"colloquy:pq:mergeinto:(?P<id>\d+)"
):
    """Choose the question to merge into (moderators; sent ephemerally by the Merge button)."""

    def __init__(self, question_id: int, options: list[discord.SelectOption] | None = None,
                 placeholder: str | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"colloquy:pq:mergeinto:{question_id}", options=options or [], placeholder=placeholder
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: re.Match[str], /
    ) -> MergeSelect:
        select = cls(int(match["id"]), item.options, item.placeholder)
        return select

    async def callback(self, interaction: discord.Interaction) -> None:
        values = (interaction.data or {}).get("values") or []
        target = int(values[0]) if values else 0
        await guarded(interaction, flow.merge(bot_of(interaction), interaction, self.question_id, target))


class UpvoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"colloquy:pq:vote:(?P<id>\d+)"):
    """One vote per member on an approved question; pressing again takes the vote back."""

    def __init__(self, question_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "Upvote", emoji="👍", style=discord.ButtonStyle.secondary,
                custom_id=f"colloquy:pq:vote:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> UpvoteButton:
        return cls(int(match["id"]), item.label)

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, flow.upvote(bot_of(interaction), interaction, self.question_id))


class AskButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"colloquy:panel:ask:(?P<id>\d+)"):
    """On the panel announcement: opens the ask modal."""

    def __init__(self, panel_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "Ask a question", emoji="❓", style=discord.ButtonStyle.primary,
                custom_id=f"colloquy:panel:ask:{panel_id}",
            )
        )
        self.panel_id = panel_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> AskButton:
        return cls(int(match["id"]), item.label)

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, flow.open_ask_modal(bot_of(interaction), interaction, self.panel_id))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ReviewButton, MergeSelect, UpvoteButton, AskButton)


# -- view builders ---------------------------------------------------------------------------------

def review_view(lang: str, question: PanelQuestion) -> discord.ui.View | None:
    """The buttons that still apply: all four while pending, Merge and Relay now once approved."""
    actions = {"pending": REVIEW_ACTIONS, "approved": ("merge", "relay")}.get(question.status, ())
    if not actions:
        return None
    labels = {"approve": t(lang, "Approve"), "reject": t(lang, "Reject"), "merge": t(lang, "Merge"),
              "relay": t(lang, "Relay now")}
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(ReviewButton(action, question.id, labels[action]))
    return view


def upvote_view(lang: str, question: PanelQuestion) -> discord.ui.View | None:
    if question.status != "approved":
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(UpvoteButton(question.id, t(lang, "Upvote ({n})", n=question.votes)))
    return view


def ask_view(lang: str, panel_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AskButton(panel_id, t(lang, "Ask a question")))
    return view


def merge_view(lang: str, source: PanelQuestion, targets: list[PanelQuestion]) -> discord.ui.View:
    options = [
        discord.SelectOption(
            label=f"#{q.id} · {flow.render.short(q.text, 80)}"[:100], value=str(q.id),
            description=t(lang, flow.render.STATUS_NAMES[q.status])[:100],
        )
        for q in targets[:25]
    ]
    view = discord.ui.View(timeout=None)
    view.add_item(MergeSelect(source.id, options, t(lang, "Merge question #{number} into…", number=source.id)))
    return view


# -- modals ----------------------------------------------------------------------------------------

class _Modal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        await interaction.client.tree.on_error(interaction, error)  # type: ignore[attr-defined, arg-type]


ATTRIBUTION_LABELS = {
    "name": N_("My name and organisation"),
    "organisation": N_("My organisation only"),
    "anonymous": N_("Anonymous"),
}


class AskModal(_Modal):
    """The question, and how the asker is credited (their profile's choice preselected)."""

    def __init__(self, lang: str, panel_id: int, default_attribution: str) -> None:
        super().__init__(title=t(lang, "Ask the panel")[:45], custom_id=f"colloquy:panel:askmodal:{panel_id}")
        self.panel_id = panel_id
        self.question: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t(lang, "Your question")[:45], style=discord.TextStyle.paragraph, custom_id="question",
            min_length=MIN_QUESTION, max_length=MAX_QUESTION,
        )
        self.attribution: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="attribution",
            options=[
                discord.SelectOption(label=t(lang, label), value=value, default=value == default_attribution)
                for value, label in ATTRIBUTION_LABELS.items()
            ],
        )
        self.add_item(self.question)
        self.add_item(discord.ui.Label(text=t(lang, "Credit me as")[:45], component=self.attribution))

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        attribution = self.attribution.values[0] if self.attribution.values else None
        await flow.submit_question(bot_of(interaction), interaction, self.panel_id, self.question.value, attribution)


class PresentationModal(_Modal):
    """A panellist's key points, one per line (moderators)."""

    def __init__(self, lang: str, panellist: Panellist) -> None:
        super().__init__(
            title=t(lang, "Presentation: {name}", name=panellist.name)[:45],
            custom_id=f"colloquy:panel:presentation:{panellist.id}",
        )
        self.panellist_id = panellist.id
        self.points: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t(lang, "Key points, one per line")[:45], style=discord.TextStyle.paragraph,
            custom_id="key_points", max_length=MAX_PRESENTATION, default="\n".join(panellist.key_points) or None,
        )
        self.add_item(self.points)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        await flow.save_presentation(bot_of(interaction), interaction, self.panellist_id, self.points.value)
