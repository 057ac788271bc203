"""The live panel itself: panels, panellists and their presentations, closing, and the live-question map.

A panel belongs to a dialogue (one each). While a question is live (see
:meth:`bot.panel.questions.PanelQuestionService.relay`), panellists' messages in the panel channel are
its answers: :meth:`PanelService.live_answerer` tells the message listener so from memory.
Members' questions are :mod:`bot.panel.questions`; the report's read model is :mod:`bot.panel.record`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import Clock, iso, parse_iso
from bot.dialogues.timeline import parse_local, zone
from bot.errors import UserError
from bot.i18n import N_
from bot.panel.model import DialogueLike, DialogueRef, Panel, Panellist
from bot.store import Database
from bot.store.repositories.panel import PanelRepository

MAX_PRESENTATION = 4000
MAX_PANELLIST_FIELD = 120
DEFAULT_DURATION = timedelta(minutes=90)


@dataclass(frozen=True)
class _Live:
    """A panel channel's live question and who may answer it."""

    panel_id: int
    question_id: int
    panellists: dict[int, int]  # user id → panellist id


def key_points(text: str | None) -> tuple[str, ...]:
    """One key point per non-empty line; leading list markers (``-``, ``*``, ``•``) are dropped."""
    if not text:
        return ()
    points = (re.sub(r"^\s*(?:[-*•]\s+)?", "", line).strip() for line in text.splitlines())
    return tuple(p for p in points if p)


class PanelService:
    """Panels and their panellists, and the in-memory map of each panel channel's live question."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.repo = PanelRepository(db)
        self.clock = clock
        self._live: dict[int, _Live] = {}  # panel channel id → its live question

    # -- start-up and the message hot path --------------------------------------------------------

    async def load(self) -> None:
        """Build the in-memory map the message listener uses (no query per message)."""
        self._live.clear()
        for panel_id in await self.repo.live_panel_ids():
            await self.refresh_live(panel_id)

    async def refresh_live(self, panel_id: int) -> None:
        """Bring the live map in step with the panel (its live question, state and panellists)."""
        panel = await self.get(panel_id)
        for channel_id, live in list(self._live.items()):
            if live.panel_id == panel_id:
                del self._live[channel_id]
        if panel.closed or panel.live_question_id is None:
            return
        panellists = {p.user_id: p.id for p in await self.panellists(panel_id) if p.user_id is not None}
        self._live[panel.channel_id] = _Live(panel_id, panel.live_question_id, panellists)

    def live_answerer(self, channel_id: int, user_id: int) -> tuple[int, int] | None:
        """(live question id, panellist id) when ``user_id`` is a panellist answering in ``channel_id``."""
        live = self._live.get(channel_id)
        if live is None or user_id not in live.panellists:
            return None
        return live.question_id, live.panellists[user_id]

    # -- panels -------------------------------------------------------------------------------------

    async def create(
        self, dialogue: DialogueLike, channel_id: int, starts: str, ends: str | None = None
    ) -> Panel:
        """The dialogue's panel; ``starts``/``ends`` as ``YYYY-MM-DD HH:MM`` in the dialogue's time zone."""
        tz = zone(dialogue.timezone)
        starts_at = parse_local(starts, tz)
        ends_at = parse_local(ends, tz) if ends else starts_at + DEFAULT_DURATION
        problems = []
        if starts_at <= self.clock():
            problems.append(UserError(N_("The panel must start in the future.")))
        if ends_at <= starts_at:
            problems.append(UserError(N_("The panel must end after it starts.")))
        existing = await self.repo.panel_id_of(dialogue.id)
        if existing is not None:
            problems.append(UserError(N_("The dialogue “{title}” already has a panel."), title=dialogue.title))
        if problems:
            raise UserError.many(problems)
        panel_id = await self.repo.create_panel(
            dialogue.id, channel_id, iso(starts_at), iso(ends_at), iso(self.clock())
        )
        return await self.get(panel_id)

    async def get(self, panel_id: int) -> Panel:
        row = await self.repo.panel(panel_id)
        if row is None:
            raise UserError(N_("This panel no longer exists."))
        return _panel(row)

    async def for_dialogue(self, dialogue: DialogueLike) -> Panel:
        panel_id = await self.repo.panel_id_of(dialogue.id)
        if panel_id is None:
            raise UserError(
                N_("The dialogue “{title}” has no panel yet: create one with /panel create."), title=dialogue.title
            )
        return await self.get(panel_id)

    async def for_asking(self, guild_id: int, channel_id: int | None) -> Panel:
        """The panel a member asks in without naming a dialogue: this channel's, else the only open one."""
        rows = await self.repo.open_panels(guild_id)
        here = [r["id"] for r in rows if r["channel_id"] == channel_id]
        if here:
            return await self.get(here[0])
        if len(rows) == 1:
            return await self.get(rows[0]["id"])
        if not rows:
            raise UserError(N_("There is no open panel to ask in right now."))
        raise UserError(N_("Several panels are open: choose one with the dialogue option."))

    async def set_event(self, panel_id: int, event_id: int | None) -> None:
        await self.repo.set_event(panel_id, event_id)

    async def set_announcement(self, panel_id: int, message_id: int) -> None:
        await self.repo.set_announcement(panel_id, message_id)

    async def close(self, panel: Panel) -> Panel:
        """Close the panel: no more questions, votes or live answers. Unanswered questions stay."""
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is already closed."), title=panel.dialogue.title)
        await self.repo.close(panel.id)
        await self.refresh_live(panel.id)
        return await self.get(panel.id)

    # -- panellists ---------------------------------------------------------------------------------

    async def add_panellist(
        self,
        panel: Panel,
        name: str,
        *,
        user_id: int | None = None,
        organisation: str | None = None,
        title: str | None = None,
    ) -> Panellist:
        name = name.strip()
        fields = {"name": name, "organisation": (organisation or "").strip(), "title": (title or "").strip()}
        problems = []
        if not name:
            problems.append(UserError(N_("A panellist needs a name.")))
        for value in fields.values():
            if len(value) > MAX_PANELLIST_FIELD:
                problems.append(
                    UserError(N_("“{value}” is too long (at most {n} characters)."), value=value[:40] + "…",
                              n=MAX_PANELLIST_FIELD)
                )
        self._require_open(panel)
        current = await self.panellists(panel.id)
        if any(p.name.casefold() == name.casefold() for p in current):
            problems.append(UserError(N_("{name} is already a panellist."), name=name))
        if user_id is not None and any(p.user_id == user_id for p in current):
            problems.append(UserError(N_("This member is already a panellist.")))
        if problems:
            raise UserError.many(problems)
        panellist_id = await self.repo.add_panellist(
            panel.id, name, fields["title"] or None, fields["organisation"] or None, user_id, len(current) + 1
        )
        await self.refresh_live(panel.id)
        return await self.panellist(panellist_id)

    async def panellists(self, panel_id: int) -> list[Panellist]:
        rows = await self.repo.panellists(panel_id)
        return [_panellist(r) for r in rows]

    async def panellist(self, panellist_id: int) -> Panellist:
        row = await self.repo.panellist(panellist_id)
        if row is None:
            raise UserError(N_("This panellist no longer exists."))
        return _panellist(row)

    async def find_panellist(self, panel: Panel, ref: str) -> Panellist:
        """A panellist of ``panel`` by name (case-insensitive) or id."""
        text = ref.strip()
        for p in await self.panellists(panel.id):
            if p.name.casefold() == text.casefold() or str(p.id) == text.lstrip("#"):
                return p
        raise UserError(N_("No panellist “{name}” on this panel."), name=text[:100])

    async def set_presentation(self, panellist_id: int, text: str) -> Panellist:
        """Store the presentation's key points, one per line (list markers and blank lines dropped)."""
        if len(text) > MAX_PRESENTATION:
            raise UserError(N_("A presentation can be at most {n} characters."), n=MAX_PRESENTATION)
        points = key_points(text)
        await self.repo.set_presentation(panellist_id, "\n".join(points) or None)
        return await self.panellist(panellist_id)

    # -- helpers ------------------------------------------------------------------------------------

    def _require_open(self, panel: Panel) -> None:
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is closed."), title=panel.dialogue.title)


def _panel(row: Any) -> Panel:
    dialogue = DialogueRef(
        id=row["dialogue_id"], guild_id=row["guild_id"], title=row["title"], timezone=row["timezone"],
        languages=tuple((row["languages"] or "en").split()), channel_id=row["dialogue_channel_id"],
    )
    starts_at = parse_iso(row["starts_at"])
    assert starts_at is not None
    return Panel(
        id=row["id"], dialogue=dialogue, channel_id=row["channel_id"], starts_at=starts_at,
        ends_at=parse_iso(row["ends_at"]) or starts_at + DEFAULT_DURATION, state=row["state"],
        event_id=row["event_id"], announcement_message_id=row["announcement_message_id"],
        live_question_id=row["live_question_id"],
    )


def _panellist(row: Any) -> Panellist:
    return Panellist(
        id=row["id"], panel_id=row["panel_id"], name=row["name"], position=row["position"], title=row["title"],
        organisation=row["organisation"], user_id=row["user_id"], key_points=key_points(row["presentation"]),
    )
