"""The panel's buttons, select and modals.

Buttons and the merge select are :class:`discord.ui.DynamicItem` s whose ``custom_id`` carries the
panel or question id (``colloquy:pq:approve:42``): registered once with ``bot.add_dynamic_items``, they
work on every message ever posted, after a restart too, without keeping a view per message.

discord.py only logs a dynamic item's exception, so each callback hands failures to the command
tree's error handler, the one place where a failure becomes an answer to the user.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import discord

from bot.i18n import N_, t
from bot.panel.model import Panellist, PanelQuestion
from bot.panel.questions import MAX_QUESTION, MIN_QUESTION
from bot.panel.service import MAX_PRESENTATION
from bot.text import shorten
from cogs.kit.reply import bot_of
from cogs.kit.ui import button_label, guarded, select_state
from cogs.panel.render import STATUS_NAMES

REVIEW_ACTIONS = ("approve", "reject", "merge", "relay")
#: The cog that answers the panel's components (:class:`cogs.panel.cog.PanelCog`).
PANEL_COG = "PanelCog"


@runtime_checkable
class PanelActions(Protocol):
    """What the panel's buttons, select and modals ask for.

    The panel cog provides it (delegating to :mod:`cogs.panel.flow`), found through the bot at press
    time: the flow builds these views and the views call the flow, without importing each other.
    """

    async def review_action(self, interaction: discord.Interaction, action: str, question_id: int) -> None: ...
    async def merge(self, interaction: discord.Interaction, source_id: int, target_id: int) -> None: ...
    async def upvote(self, interaction: discord.Interaction, question_id: int) -> None: ...
    async def open_ask_modal(self, interaction: discord.Interaction, panel_id: int) -> None: ...
    async def submit_question(
        self, interaction: discord.Interaction, panel_id: int, text: str, attribution: str | None
    ) -> None: ...
    async def save_presentation(self, interaction: discord.Interaction, panellist_id: int, text: str) -> None: ...


def panel_actions(interaction: discord.Interaction) -> PanelActions:
    cog = bot_of(interaction).get_cog(PANEL_COG)
    if not isinstance(cog, PanelActions):
        raise RuntimeError("the panel cog is not loaded")
    return cog


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
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        return cls(match["action"], int(match["id"]), button_label(item))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, panel_actions(interaction).review_action(interaction, self.action, self.question_id))


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
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MergeSelect:
        options, placeholder = select_state(item)
        return cls(int(match["id"]), options, placeholder)

    async def callback(self, interaction: discord.Interaction) -> None:
        values = self.item.values
        target = int(values[0]) if values else 0
        await guarded(interaction, panel_actions(interaction).merge(interaction, self.question_id, target))


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
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> UpvoteButton:
        return cls(int(match["id"]), button_label(item))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, panel_actions(interaction).upvote(interaction, self.question_id))


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
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AskButton:
        return cls(int(match["id"]), button_label(item))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, panel_actions(interaction).open_ask_modal(interaction, self.panel_id))


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
            label=f"#{q.id} · {shorten(q.text, 80)}"[:100], value=str(q.id),
            description=t(lang, STATUS_NAMES[q.status])[:100],
        )
        for q in targets[:25]
    ]
    view = discord.ui.View(timeout=None)
    view.add_item(MergeSelect(source.id, options, t(lang, "Merge question #{number} into…", number=source.id)))
    return view


# -- modals (failures go to the one error handler through ``guarded``, like the buttons') -----------

ATTRIBUTION_LABELS = {
    "name": N_("My name and organisation"),
    "organisation": N_("My organisation only"),
    "anonymous": N_("Anonymous"),
}


class AskModal(discord.ui.Modal):
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
        await guarded(
            interaction,
            panel_actions(interaction).submit_question(interaction, self.panel_id, self.question.value, attribution),
        )


class PresentationModal(discord.ui.Modal):
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
        await guarded(
            interaction, panel_actions(interaction).save_presentation(interaction, self.panellist_id, self.points.value)
        )
