"""The panel's read model for the report: :class:`PanelRecord`, read by :class:`PanelRecordService`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.panel.model import Panel, Panellist, QuestionRecord
from bot.panel.questions import PanelQuestionService
from bot.panel.service import PanelService
from bot.store import Database


@dataclass(frozen=True)
class PanelRecord:
    """Everything the report renders about a panel.

    ``relayed`` is in relay order (a relayed question may have no answers); ``unanswered`` holds the
    approved or relayed questions nobody answered, most voted first ("Questions for further discussion").
    """

    panel: Panel
    panellists: tuple[Panellist, ...]
    relayed: tuple[QuestionRecord, ...]
    unanswered: tuple[QuestionRecord, ...]

    @property
    def total_votes(self) -> int:
        return sum(r.votes for r in (*self.relayed, *self.unanswered))


class PanelRecordService:
    """Reads a dialogue's whole panel, in the stable shape the report depends on."""

    def __init__(self, db: Database, panels: PanelService, questions: PanelQuestionService) -> None:
        self.db = db
        self.panels = panels
        self.questions = questions

    async def panel_for_dialogue(self, dialogue_id: int) -> PanelRecord | None:
        """The whole panel of a dialogue for its report, or ``None`` when it has none.

        Panellists come in the order they were added, with their key points; relayed questions in
        the order they were posed, each with its askers (merges included) and its answers in the order
        given; then the unanswered questions (see :meth:`PanelQuestionService.unanswered`). Stable: the
        report depends on it.
        """
        panel_id = await self.panels.repo.panel_id_of(dialogue_id)
        if panel_id is None:
            return None
        panel = await self.panels.get(panel_id)
        questions = self.questions
        relayed = [
            QuestionRecord(q, await questions.askers(q), tuple(await questions.answers(q.id)))
            for q in await questions.relayed(panel_id)
        ]
        unanswered = [QuestionRecord(q, await questions.askers(q)) for q in await questions.unanswered(panel_id)]
        return PanelRecord(panel, tuple(await self.panels.panellists(panel_id)), tuple(relayed), tuple(unanswered))
