"""The live panel Q&A: panellists and presentations, members' questions, review, merge, votes, relay, answers.

A panel belongs to a dialogue (one each). Members ask questions; moderators approve, reject or merge
them (every state change is one conditional ``UPDATE … WHERE status IN (…)``, so two moderators pressing
the same button produce one change); approved questions collect votes; a relayed question becomes the
panel's live question and panellists' messages in the panel channel while it is live are its answers.

The read model the report uses is :meth:`PanelService.panel_for_dialogue` (a :class:`PanelRecord`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

import aiosqlite

from bot.clock import Clock, iso, parse_iso
from bot.config import Config
from bot.errors import UserError
from bot.i18n import N_
from bot.profiles import ATTRIBUTIONS, Attribution, ProfileService, credit
from bot.store import Database
from bot.timeline import parse_local, zone

PanelState = Literal["scheduled", "live", "closed"]
QuestionStatus = Literal["pending", "approved", "rejected", "merged", "relayed"]

MIN_QUESTION = 1
MAX_QUESTION = 1000
MAX_PRESENTATION = 4000
MAX_PANELLIST_FIELD = 120
MAX_ANSWER = 4000
DEFAULT_DURATION = timedelta(minutes=90)
#: Open questions a moderator may still act on (review, merge target, relay).
OPEN_STATUSES: tuple[QuestionStatus, ...] = ("pending", "approved")

_ALREADY: dict[str, str] = {
    "approved": N_("Question #{number} was already approved."),
    "rejected": N_("Question #{number} was already rejected."),
    "merged": N_("Question #{number} was already merged into another question."),
    "relayed": N_("Question #{number} was already posed to the panel."),
    "pending": N_("Question #{number} has not been approved yet."),
}


class DialogueLike(Protocol):
    """What the panel needs of a dialogue (``bot.dialogues.Dialogue`` fits)."""

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


@dataclass(frozen=True)
class Merge:
    source: PanelQuestion
    target: PanelQuestion


@dataclass(frozen=True)
class _Live:
    panel_id: int
    question_id: int
    panellists: dict[int, int]  # user id → panellist id


def key_points(text: str | None) -> tuple[str, ...]:
    """One key point per non-empty line; leading list markers (``-``, ``*``, ``•``) are dropped."""
    if not text:
        return ()
    points = (re.sub(r"^\s*(?:[-*•]\s+)?", "", line).strip() for line in text.splitlines())
    return tuple(p for p in points if p)


_QUESTION_SQL = """SELECT q.*, (SELECT count(*) FROM panel_votes v WHERE v.question_id = q.id) AS votes
                   FROM panel_questions q"""


_SET_MESSAGE = {
    "review": "UPDATE panel_questions SET review_message_id = ? WHERE id = ?",
    "public": "UPDATE panel_questions SET public_message_id = ? WHERE id = ?",
    "relay": "UPDATE panel_questions SET relay_message_id = ? WHERE id = ?",
}
_UNANSWERED = """q.panel_id = ? AND q.status IN ('approved', 'relayed')
                 AND NOT EXISTS (SELECT 1 FROM panel_answers a WHERE a.question_id = q.id)"""
_ANSWER_SQL = """SELECT a.*, p.name AS panellist_name FROM panel_answers a
                 JOIN panellists p ON p.id = a.panellist_id"""


class PanelService:
    def __init__(self, db: Database, config: Config, clock: Clock, profiles: ProfileService) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.profiles = profiles
        self._live: dict[int, _Live] = {}  # panel channel id → its live question
        self._answer_messages: set[int] = set()

    # -- start-up and the message hot path --------------------------------------------------------

    async def load(self) -> None:
        """Build the in-memory maps the message listeners use (no query per message)."""
        self._live.clear()
        rows = await self.db.fetchall(
            "SELECT id FROM panels WHERE live_question_id IS NOT NULL AND state != 'closed'"
        )
        for row in rows:
            await self._refresh_live(row["id"])
        answers = await self.db.fetchall("SELECT message_id FROM panel_answers WHERE message_id IS NOT NULL")
        self._answer_messages = {r["message_id"] for r in answers}

    async def _refresh_live(self, panel_id: int) -> None:
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

    def is_answer_message(self, message_id: int) -> bool:
        return message_id in self._answer_messages

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
        existing = await self.db.fetchval("SELECT id FROM panels WHERE dialogue_id = ?", (dialogue.id,))
        if existing is not None:
            problems.append(UserError(N_("The dialogue “{title}” already has a panel."), title=dialogue.title))
        if problems:
            raise UserError.many(problems)
        done = await self.db.execute(
            """INSERT INTO panels (dialogue_id, channel_id, starts_at, ends_at, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            (dialogue.id, channel_id, iso(starts_at), iso(ends_at), iso(self.clock())),
        )
        assert done.lastrowid is not None
        return await self.get(done.lastrowid)

    async def get(self, panel_id: int) -> Panel:
        row = await self.db.fetchone(
            """SELECT p.*, d.guild_id, d.title, d.timezone, d.languages, d.channel_id AS dialogue_channel_id
               FROM panels p
               JOIN dialogues d ON d.id = p.dialogue_id WHERE p.id = ?""",
            (panel_id,),
        )
        if row is None:
            raise UserError(N_("This panel no longer exists."))
        return _panel(row)

    async def for_dialogue(self, dialogue: DialogueLike) -> Panel:
        panel_id = await self.db.fetchval("SELECT id FROM panels WHERE dialogue_id = ?", (dialogue.id,))
        if panel_id is None:
            raise UserError(
                N_("The dialogue “{title}” has no panel yet: create one with /panel create."), title=dialogue.title
            )
        return await self.get(panel_id)

    async def for_asking(self, guild_id: int, channel_id: int | None) -> Panel:
        """The panel a member asks in without naming a dialogue: this channel's, else the only open one."""
        rows = await self.db.fetchall(
            """SELECT p.id, p.channel_id FROM panels p JOIN dialogues d ON d.id = p.dialogue_id
               WHERE d.guild_id = ? AND p.state != 'closed' ORDER BY p.starts_at""",
            (guild_id,),
        )
        here = [r["id"] for r in rows if r["channel_id"] == channel_id]
        if here:
            return await self.get(here[0])
        if len(rows) == 1:
            return await self.get(rows[0]["id"])
        if not rows:
            raise UserError(N_("There is no open panel to ask in right now."))
        raise UserError(N_("Several panels are open: choose one with the dialogue option."))

    async def set_event(self, panel_id: int, event_id: int | None) -> None:
        await self.db.execute("UPDATE panels SET event_id = ? WHERE id = ?", (event_id, panel_id))

    async def set_announcement(self, panel_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE panels SET announcement_message_id = ? WHERE id = ?", (message_id, panel_id))

    async def close(self, panel: Panel) -> Panel:
        """Close the panel: no more questions, votes or live answers. Unanswered questions stay."""
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is already closed."), title=panel.dialogue.title)
        await self.db.execute(
            "UPDATE panels SET state = 'closed', live_question_id = NULL WHERE id = ? AND state != 'closed'",
            (panel.id,),
        )
        await self._refresh_live(panel.id)
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
        done = await self.db.execute(
            """INSERT INTO panellists (panel_id, name, title, organisation, user_id, position)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (panel.id, name, fields["title"] or None, fields["organisation"] or None, user_id, len(current) + 1),
        )
        await self._refresh_live(panel.id)
        assert done.lastrowid is not None
        return await self.panellist(done.lastrowid)

    async def panellists(self, panel_id: int) -> list[Panellist]:
        rows = await self.db.fetchall(
            "SELECT * FROM panellists WHERE panel_id = ? ORDER BY position, id", (panel_id,)
        )
        return [_panellist(r) for r in rows]

    async def panellist(self, panellist_id: int) -> Panellist:
        row = await self.db.fetchone("SELECT * FROM panellists WHERE id = ?", (panellist_id,))
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
        await self.db.execute(
            "UPDATE panellists SET presentation = ? WHERE id = ?", ("\n".join(points) or None, panellist_id)
        )
        return await self.panellist(panellist_id)

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
                UserError(N_("A question must be between {min} and {max} characters."), min=MIN_QUESTION,
                          max=MAX_QUESTION)
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
        async with self.db.transaction() as conn:
            pending = await _value(
                conn,
                "SELECT count(*) FROM panel_questions WHERE panel_id = ? AND author_id = ? AND status = 'pending'",
                (panel.id, author_id),
            )
            if pending >= limit:
                raise UserError(
                    N_("You already have {n} questions waiting for review: please wait until the moderators "
                       "have read them."),
                    n=limit,
                )
            async with conn.execute(
                """INSERT INTO panel_questions (panel_id, author_id, text, attribution, asker_name,
                                                asker_organisation, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (panel.id, author_id, text, chosen, name, organisation, iso(self.clock())),
            ) as cur:
                question_id = cur.lastrowid
        assert question_id is not None
        return await self.question(question_id)

    async def vote(self, question_id: int, user_id: int) -> tuple[bool, PanelQuestion]:
        """Toggle ``user_id``'s vote: (whether they now vote for it, the question with its new count)."""
        question = await self.question(question_id)
        if question.status != "approved":
            raise _already(question)
        panel = await self.get(question.panel_id)
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is closed."), title=panel.dialogue.title)
        removed = await self.db.execute(
            "DELETE FROM panel_votes WHERE question_id = ? AND user_id = ?", (question_id, user_id)
        )
        if not removed.rowcount:
            await self.db.execute(
                "INSERT OR IGNORE INTO panel_votes (question_id, user_id, created_at) VALUES (?, ?, ?)",
                (question_id, user_id, iso(self.clock())),
            )
        return not removed.rowcount, await self.question(question_id)

    # -- reading questions --------------------------------------------------------------------------

    async def question(self, question_id: int) -> PanelQuestion:
        row = await self.db.fetchone(f"{_QUESTION_SQL} WHERE q.id = ?", (question_id,))
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
        where = "q.panel_id = ?"
        params: list[Any] = [panel_id]
        if statuses:
            where += f" AND q.status IN ({', '.join('?' for _ in statuses)})"
            params += list(statuses)
        rows = await self.db.fetchall(f"{_QUESTION_SQL} WHERE {where} ORDER BY votes DESC, q.id", params)
        return [_question(r) for r in rows]

    async def queue(self, panel_id: int) -> list[PanelQuestion]:
        """Approved questions, most voted first: what ``/panel relay`` picks from."""
        return await self.questions(panel_id, ("approved",))

    async def askers(self, question: PanelQuestion) -> tuple[Asker, ...]:
        """The question's own asker, then the askers of the questions merged into it, in asking order."""
        rows = await self.db.fetchall(
            "SELECT * FROM panel_questions WHERE merged_into = ? ORDER BY id", (question.id,)
        )
        merged = (Asker(r["author_id"], r["attribution"], r["asker_name"], r["asker_organisation"]) for r in rows)
        return (question.asker, *merged)

    # -- moderation ---------------------------------------------------------------------------------

    async def approve(self, question_id: int, moderator_id: int) -> PanelQuestion:
        question = await self._open_question(question_id)
        done = await self.db.execute(
            "UPDATE panel_questions SET status = 'approved', reviewed_by = ? WHERE id = ? AND status = 'pending'",
            (moderator_id, question_id),
        )
        if not done.rowcount:  # someone else got there first
            raise _already(await self.question(question_id))
        return await self.question(question.id)

    async def reject(self, question_id: int, moderator_id: int) -> PanelQuestion:
        question = await self._open_question(question_id)
        done = await self.db.execute(
            "UPDATE panel_questions SET status = 'rejected', reviewed_by = ? WHERE id = ? AND status = 'pending'",
            (moderator_id, question_id),
        )
        if not done.rowcount:
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
        async with self.db.transaction() as conn:
            moved = await _rowcount(
                conn,
                """UPDATE panel_questions SET status = 'merged', merged_into = ?, reviewed_by = ?
                   WHERE id = ? AND status IN ('pending', 'approved')""",
                (target.id, moderator_id, source.id),
            )
            still_open = await _value(
                conn, "SELECT count(*) FROM panel_questions WHERE id = ? AND status IN ('pending', 'approved')",
                (target.id,),
            )
            if not moved or not still_open:
                raise _already(await self.question(source.id if not moved else target.id))
            await _rowcount(
                conn, "UPDATE panel_questions SET merged_into = ? WHERE merged_into = ?", (target.id, source.id)
            )
            await _rowcount(
                conn,
                """INSERT OR IGNORE INTO panel_votes (question_id, user_id, created_at)
                   SELECT ?, user_id, created_at FROM panel_votes WHERE question_id = ?""",
                (target.id, source.id),
            )
        return Merge(await self.question(source.id), await self.question(target.id))

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
        panel = await self.get(question.panel_id)
        async with self.db.transaction() as conn:
            done = await _rowcount(
                conn,
                """UPDATE panel_questions SET status = 'relayed', relayed_at = ?,
                       reviewed_by = coalesce(reviewed_by, ?), relay_message_id = ?,
                       relay_position = 1 + (SELECT coalesce(max(relay_position), 0) FROM panel_questions
                                             WHERE panel_id = ?)
                   WHERE id = ? AND status IN ('pending', 'approved')""",
                (iso(self.clock()), moderator_id, message_id, panel.id, question.id),
            )
            if not done:
                raise _already(await self.question(question.id))
            await _rowcount(
                conn,
                "UPDATE panels SET live_question_id = ?, state = 'live' WHERE id = ? AND state != 'closed'",
                (question.id, panel.id),
            )
        await self._refresh_live(panel.id)
        previous = await self.question(panel.live_question_id) if panel.live_question_id else None
        return await self.question(question.id), previous

    async def set_message(self, question_id: int, kind: str, message_id: int) -> None:
        """Record the review, public or relay message of a question (``kind`` names which)."""
        await self.db.execute(_SET_MESSAGE[kind], (message_id, question_id))

    # -- answers ------------------------------------------------------------------------------------

    async def record_answer(
        self, question_id: int, panellist_id: int, text: str, *, message_id: int | None = None
    ) -> Answer:
        """An answer of a panellist to a relayed question (``message_id`` when said in the channel)."""
        text = text.strip()
        if not text or len(text) > MAX_ANSWER:
            raise UserError(N_("An answer must be between 1 and {n} characters."), n=MAX_ANSWER)
        question = await self.question(question_id)
        panellist = await self.panellist(panellist_id)
        if panellist.panel_id != question.panel_id:
            raise UserError(N_("{name} is not on this question's panel."), name=panellist.name)
        if question.status != "relayed":
            raise UserError(
                N_("Question #{number} has not been posed yet: relay it first with /panel relay."),
                number=question.id,
            )
        if message_id is not None:
            existing = await self.db.fetchone(f"{_ANSWER_SQL} WHERE a.message_id = ?", (message_id,))
            if existing is not None:  # the same message seen twice (a replayed event)
                return _answer(existing)
        done = await self.db.execute(
            """INSERT INTO panel_answers (question_id, panellist_id, text, message_id, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            (question.id, panellist.id, text, message_id, iso(self.clock())),
        )
        if message_id is not None:
            self._answer_messages.add(message_id)
        row = await self.db.fetchone(f"{_ANSWER_SQL} WHERE a.id = ?", (done.lastrowid,))
        assert row is not None
        return _answer(row)

    async def edit_answer(self, message_id: int, text: str) -> None:
        """The panellist edited their answer message; an edit to nothing removes the answer."""
        if not text.strip():
            await self.delete_answer(message_id)
            return
        await self.db.execute(
            "UPDATE panel_answers SET text = ? WHERE message_id = ?", (text.strip()[:MAX_ANSWER], message_id)
        )

    async def delete_answer(self, message_id: int) -> None:
        await self.db.execute("DELETE FROM panel_answers WHERE message_id = ?", (message_id,))
        self._answer_messages.discard(message_id)

    async def answers(self, question_id: int) -> list[Answer]:
        rows = await self.db.fetchall(f"{_ANSWER_SQL} WHERE a.question_id = ? ORDER BY a.id", (question_id,))
        return [_answer(r) for r in rows]

    # -- the report's read model --------------------------------------------------------------------

    async def unanswered(self, panel_id: int) -> list[PanelQuestion]:
        """Approved or relayed questions with no answer, most voted first: "Questions for further
        discussion" once the panel is over."""
        rows = await self.db.fetchall(
            f"{_QUESTION_SQL} WHERE {_UNANSWERED} ORDER BY votes DESC, q.id",
            (panel_id,),
        )
        return [_question(r) for r in rows]

    async def panel_for_dialogue(self, dialogue_id: int) -> PanelRecord | None:
        """The whole panel of a dialogue for its report, or ``None`` when it has none.

        Panellists come in the order they were added, with their key points; relayed questions in
        the order they were posed, each with its askers (merges included) and its answers in the order
        given; then the unanswered questions (see :meth:`unanswered`). Stable: the report depends on it.
        """
        panel_id = await self.db.fetchval("SELECT id FROM panels WHERE dialogue_id = ?", (dialogue_id,))
        if panel_id is None:
            return None
        panel = await self.get(panel_id)
        rows = await self.db.fetchall(
            f"{_QUESTION_SQL} WHERE q.panel_id = ? AND q.status = 'relayed' ORDER BY q.relay_position, q.id",
            (panel_id,),
        )
        relayed = [
            QuestionRecord(q, await self.askers(q), tuple(await self.answers(q.id)))
            for q in map(_question, rows)
        ]
        unanswered = [QuestionRecord(q, await self.askers(q)) for q in await self.unanswered(panel_id)]
        return PanelRecord(panel, tuple(await self.panellists(panel_id)), tuple(relayed), tuple(unanswered))

    # -- helpers ------------------------------------------------------------------------------------

    async def _open_question(
        self, question_id: int, statuses: Sequence[str] = ("pending",)
    ) -> PanelQuestion:
        """The question, if it still exists, is in one of ``statuses`` and its panel is open."""
        question = await self.question(question_id)
        panel = await self.get(question.panel_id)
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is closed."), title=panel.dialogue.title)
        if question.status not in statuses:
            raise _already(question)
        return question

    def _require_open(self, panel: Panel) -> None:
        if panel.closed:
            raise UserError(N_("The panel of “{title}” is closed."), title=panel.dialogue.title)


def _already(question: PanelQuestion) -> UserError:
    return UserError(_ALREADY[question.status], number=question.id)


async def _rowcount(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> int:
    async with conn.execute(sql, params) as cur:
        return cur.rowcount


async def _value(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> Any:
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    return None if row is None else row[0]


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


def _question(row: Any) -> PanelQuestion:
    created = parse_iso(row["created_at"])
    assert created is not None
    return PanelQuestion(
        id=row["id"], panel_id=row["panel_id"], author_id=row["author_id"], text=row["text"],
        attribution=row["attribution"], asker_name=row["asker_name"], asker_organisation=row["asker_organisation"],
        status=row["status"], created_at=created, votes=row["votes"], merged_into=row["merged_into"],
        review_message_id=row["review_message_id"], public_message_id=row["public_message_id"],
        relay_message_id=row["relay_message_id"], reviewed_by=row["reviewed_by"],
        relayed_at=parse_iso(row["relayed_at"]),
    )


def _answer(row: Any) -> Answer:
    created = parse_iso(row["created_at"])
    assert created is not None
    return Answer(
        id=row["id"], question_id=row["question_id"], panellist_id=row["panellist_id"],
        panellist_name=row["panellist_name"], text=row["text"], created_at=created, message_id=row["message_id"],
    )
