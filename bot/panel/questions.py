"""Members' questions to the live panel: asking, votes, review (approve, reject), merge, relay, answers.

Members ask questions; moderators approve, reject or merge them (every state change is one conditional
``UPDATE … WHERE status IN (…)``, so two moderators pressing the same button produce one change);
approved questions collect votes; a relayed question becomes the panel's live question and panellists'
messages in the panel channel while it is live are its answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock, iso, parse_iso
from bot.community.profiles import ATTRIBUTIONS, Attribution, ProfileService
from bot.config import Config
from bot.errors import UserError
from bot.i18n import N_
from bot.panel.model import Answer, Asker, Panel, PanelQuestion, QuestionStatus
from bot.panel.service import PanelService
from bot.store import Database
from bot.store.repositories.panel import PanelRepository

MIN_QUESTION = 1
MAX_QUESTION = 1000
MAX_ANSWER = 4000
#: Open questions a moderator may still act on (review, merge target, relay).
OPEN_STATUSES: tuple[QuestionStatus, ...] = ("pending", "approved")

_ALREADY: dict[str, str] = {
    "approved": N_("Question #{number} was already approved."),
    "rejected": N_("Question #{number} was already rejected."),
    "merged": N_("Question #{number} was already merged into another question."),
    "relayed": N_("Question #{number} was already posed to the panel."),
    "pending": N_("Question #{number} has not been approved yet."),
}


@dataclass(frozen=True)
class Merge:
    """A question folded into another: both as they are after the merge."""

    source: PanelQuestion
    target: PanelQuestion


class PanelQuestionService:
    """Members' questions to a panel and the panellists' answers to them."""

    def __init__(
        self, db: Database, config: Config, clock: Clock, profiles: ProfileService, panels: PanelService
    ) -> None:
        self.db = db
        self.repo = PanelRepository(db)
        self.config = config
        self.clock = clock
        self.profiles = profiles
        self.panels = panels
        self._answer_messages: set[int] = set()

    # -- start-up and the message hot path --------------------------------------------------------

    async def load(self) -> None:
        """Build the set of answer messages the edit and delete listeners check (no query per event)."""
        self._answer_messages = await self.repo.answer_message_ids()

    def is_answer_message(self, message_id: int) -> bool:
        return message_id in self._answer_messages

    # -- asking and voting --------------------------------------------------------------------------

    async def ask(
        self,
        panel: Panel,
        author_id: int,
        text: str,
        *,
        attribution: str | None = None,
        fallback_name: str | None = None,
    ) -> PanelQuestion:
        """A member's question, pending review. Name and organisation are a snapshot of the member's
        profile (``fallback_name``, their display name, when the profile has none); anonymous
        questions store no name."""
        text = text.strip()
        problems = []
        if not MIN_QUESTION <= len(text) <= MAX_QUESTION:
            problems.append(
                UserError(
                    N_("A question must be between {min} and {max} characters."), min=MIN_QUESTION, max=MAX_QUESTION
                )
            )
        if attribution is not None and attribution not in ATTRIBUTIONS:
            problems.append(UserError(N_("Attribution must be name, organisation or anonymous.")))
        if problems:
            raise UserError.many(problems)
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is closed."), title=panel.dialogue.title)
        profile = await self.profiles.get(panel.guild_id, author_id)
        chosen: Attribution = attribution or profile.attribution  # type: ignore[assignment]
        name = profile.display_name or fallback_name
        organisation = profile.organisation
        if chosen == "organisation" and not organisation:
            raise UserError(N_("Set your organisation first with /profile set, or choose another attribution."))
        if chosen == "anonymous":
            name = organisation = None
        limit = self.config.panel.max_pending_questions_per_member
        question_id = await self.repo.ask(
            panel.id, author_id, text, chosen, name, organisation, iso(self.clock()), limit
        )
        if question_id is None:
            raise UserError(
                N_(
                    "You already have {n} questions waiting for review: please wait until the moderators "
                    "have read them."
                ),
                n=limit,
            )
        return await self.question(question_id)

    async def vote(self, question_id: int, user_id: int) -> tuple[bool, PanelQuestion]:
        """Toggle ``user_id``'s vote: (whether they now vote for it, the question with its new count)."""
        question = await self.question(question_id)
        if question.status != "approved":
            raise _already(question)
        panel = await self.panels.get(question.panel_id)
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is closed."), title=panel.dialogue.title)
        voted = await self.repo.toggle_vote(question_id, user_id, iso(self.clock()))
        return voted, await self.question(question_id)

    # -- reading questions --------------------------------------------------------------------------

    async def question(self, question_id: int) -> PanelQuestion:
        row = await self.repo.question(question_id)
        if row is None:
            raise UserError(N_("This question no longer exists."))
        return _question(row)

    async def question_of(self, panel: Panel, question_id: int) -> PanelQuestion:
        question = await self.question(question_id)
        if question.panel_id != panel.id:
            raise UserError(N_("Question #{number} is not on this panel."), number=question_id)
        return question

    async def questions(self, panel_id: int, statuses: Sequence[str] | None = None) -> list[PanelQuestion]:
        """Questions of a panel, most voted first, then oldest first."""
        rows = await self.repo.questions(panel_id, statuses)
        return [_question(r) for r in rows]

    async def queue(self, panel_id: int) -> list[PanelQuestion]:
        """Approved questions, most voted first: what ``/panel relay`` picks from."""
        return await self.questions(panel_id, ("approved",))

    async def askers(self, question: PanelQuestion) -> tuple[Asker, ...]:
        """The question's own asker, then the askers of the questions merged into it, in asking order."""
        rows = await self.repo.merged_into(question.id)
        merged = (Asker(r["author_id"], r["attribution"], r["asker_name"], r["asker_organisation"]) for r in rows)
        return (question.asker, *merged)

    # -- moderation ---------------------------------------------------------------------------------

    async def approve(self, question_id: int, moderator_id: int) -> PanelQuestion:
        question = await self._open_question(question_id)
        if not await self.repo.review(question_id, "approved", moderator_id):  # someone else got there first
            raise _already(await self.question(question_id))
        return await self.question(question.id)

    async def reject(self, question_id: int, moderator_id: int) -> PanelQuestion:
        question = await self._open_question(question_id)
        if not await self.repo.review(question_id, "rejected", moderator_id):
            raise _already(await self.question(question_id))
        return await self.question(question.id)

    async def merge_targets(self, question_id: int) -> list[PanelQuestion]:
        """Where ``question_id`` may be merged: the other open questions of its panel, most voted first."""
        question = await self._open_question(question_id, statuses=OPEN_STATUSES)
        return [q for q in await self.questions(question.panel_id, OPEN_STATUSES) if q.id != question.id]

    async def merge(self, question_id: int, target_id: int, moderator_id: int) -> Merge:
        """Fold ``question_id`` into ``target_id``: the target keeps its text, gains the source's voters
        (a distinct union) and credits its askers (questions merged earlier into the source follow)."""
        source = await self._open_question(question_id, statuses=OPEN_STATUSES)
        target = await self.question(target_id)
        if target.panel_id != source.panel_id:
            raise UserError(N_("Question #{number} is not on this panel."), number=target_id)
        if target.id == source.id:
            raise UserError(N_("A question cannot be merged into itself."))
        if target.status not in OPEN_STATUSES:
            raise _already(target)
        moved, still_open = await self.repo.merge(source.id, target.id, moderator_id)
        if not moved or not still_open:
            raise _already(await self.question(source.id if not moved else target.id))
        return Merge(await self.question(source.id), await self.question(target.id))

    async def upvote_instead(self, question_id: int, target_id: int, user_id: int) -> Merge:
        """A member folds their own question, still awaiting review, into a similar one: their vote
        counts for it (kept if they had voted already) and they are credited among its askers."""
        mine = await self.question(question_id)
        if mine.author_id != user_id:
            raise UserError(N_("Only the member who asked this question can do that."))
        if mine.status != "pending":
            raise UserError(N_("Your question was already reviewed: upvote the other one from the panel channel."))
        voted, _ = await self.vote(target_id, user_id)
        if not voted:  # they had voted for it already: keep the vote
            await self.vote(target_id, user_id)
        return await self.merge(question_id, target_id, user_id)

    async def top_question(self, panel: Panel) -> PanelQuestion:
        queue = await self.queue(panel.id)
        if not queue:
            raise UserError(N_("There is no approved question to relay."))
        return queue[0]

    async def relayable(self, question_id: int) -> PanelQuestion:
        """The question, if it can be posed now (checked before anything is posted in Discord)."""
        return await self._open_question(question_id, statuses=OPEN_STATUSES)

    async def relay(
        self, question_id: int, moderator_id: int, *, message_id: int | None = None
    ) -> tuple[PanelQuestion, PanelQuestion | None]:
        """Pose the question to the panel: it becomes the live question (a pending one is approved on
        the way), with ``message_id`` its post in the panel channel, recorded in the same transaction.
        Returns (the question, the previously live question or ``None``)."""
        question = await self.relayable(question_id)
        panel = await self.panels.get(question.panel_id)
        if not await self.repo.relay(question.id, panel.id, moderator_id, message_id, iso(self.clock())):
            raise _already(await self.question(question.id))
        await self.panels.refresh_live(panel.id)
        previous = await self.question(panel.live_question_id) if panel.live_question_id else None
        return await self.question(question.id), previous

    async def set_message(self, question_id: int, kind: str, message_id: int) -> None:
        """Record the review, public or relay message of a question (``kind`` names which)."""
        await self.repo.set_message(question_id, kind, message_id)

    # -- answers ------------------------------------------------------------------------------------

    async def record_answer(
        self, question_id: int, panellist_id: int, text: str, *, message_id: int | None = None
    ) -> Answer:
        """An answer of a panellist to a relayed question (``message_id`` when said in the channel)."""
        text = text.strip()
        if not text or len(text) > MAX_ANSWER:
            raise UserError(N_("An answer must be between 1 and {n} characters."), n=MAX_ANSWER)
        question = await self.question(question_id)
        panellist = await self.panels.panellist(panellist_id)
        if panellist.panel_id != question.panel_id:
            raise UserError(N_("{name} is not on this question's panel."), name=panellist.name)
        if question.status != "relayed":
            raise UserError(
                N_("Question #{number} has not been posed yet: relay it first with /panel relay."),
                number=question.id,
            )
        if message_id is not None:
            existing = await self.repo.answer(message_id=message_id)
            if existing is not None:  # the same message seen twice (a replayed event)
                return _answer(existing)
        answer_id = await self.repo.add_answer(question.id, panellist.id, text, message_id, iso(self.clock()))
        if message_id is not None:
            self._answer_messages.add(message_id)
        row = await self.repo.answer(answer_id=answer_id)
        assert row is not None
        return _answer(row)

    async def edit_answer(self, message_id: int, text: str) -> None:
        """The panellist edited their answer message; an edit to nothing removes the answer."""
        if not text.strip():
            await self.delete_answer(message_id)
            return
        await self.repo.edit_answer(message_id, text.strip()[:MAX_ANSWER])

    async def delete_answer(self, message_id: int) -> None:
        await self.repo.delete_answer(message_id)
        self._answer_messages.discard(message_id)

    async def answers(self, question_id: int) -> list[Answer]:
        rows = await self.repo.answers(question_id)
        return [_answer(r) for r in rows]

    # -- what the report reads -------------------------------------------------------------------

    async def unanswered(self, panel_id: int) -> list[PanelQuestion]:
        """Approved or relayed questions with no answer, most voted first: "Questions for further
        discussion" once the panel is over."""
        rows = await self.repo.unanswered(panel_id)
        return [_question(r) for r in rows]

    async def relayed(self, panel_id: int) -> list[PanelQuestion]:
        """Relayed questions in the order they were posed."""
        rows = await self.repo.relayed(panel_id)
        return [_question(r) for r in rows]

    # -- helpers ------------------------------------------------------------------------------------

    async def _open_question(self, question_id: int, statuses: Sequence[str] = ("pending",)) -> PanelQuestion:
        """The question, if it still exists, is in one of ``statuses`` and its panel is open."""
        question = await self.question(question_id)
        panel = await self.panels.get(question.panel_id)
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is closed."), title=panel.dialogue.title)
        if question.status not in statuses:
            raise _already(question)
        return question


def _already(question: PanelQuestion) -> UserError:
    return UserError(_ALREADY[question.status], number=question.id)


def _question(row: Any) -> PanelQuestion:
    created = parse_iso(row["created_at"])
    assert created is not None
    return PanelQuestion(
        id=row["id"],
        panel_id=row["panel_id"],
        author_id=row["author_id"],
        text=row["text"],
        attribution=row["attribution"],
        asker_name=row["asker_name"],
        asker_organisation=row["asker_organisation"],
        status=row["status"],
        created_at=created,
        votes=row["votes"],
        merged_into=row["merged_into"],
        review_message_id=row["review_message_id"],
        public_message_id=row["public_message_id"],
        relay_message_id=row["relay_message_id"],
        reviewed_by=row["reviewed_by"],
        relayed_at=parse_iso(row["relayed_at"]),
    )


def _answer(row: Any) -> Answer:
    created = parse_iso(row["created_at"])
    assert created is not None
    return Answer(
        id=row["id"],
        question_id=row["question_id"],
        panellist_id=row["panellist_id"],
        panellist_name=row["panellist_name"],
        text=row["text"],
        created_at=created,
        message_id=row["message_id"],
    )
