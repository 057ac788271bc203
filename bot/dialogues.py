"""Dialogues: lifecycle (draft → scheduled → open → closed), guiding questions, themes, schedule items.

The service validates everything before writing anything, and keeps the ``schedule_items`` rows in
step with the dialogue; posting them is :mod:`bot.schedule`'s job. Other features read through the
stable public methods here (``get``, ``resolve``, ``list_for_guild``, ``questions``, ``themes``,
``theme_name``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock, iso, parse_iso
from bot.config import SUPPORTED_LANGUAGES, Config
from bot.errors import UserError
from bot.i18n import N_, t
from bot.store import Database
from bot.timeline import KIND_ORDER, PlannedItem, parse_local, plan, zone

STATES = ("draft", "scheduled", "open", "closed", "published")
MAX_TITLE = 100
MAX_QUESTION = 1900  # the rendered post (headers in each language) must also fit 2000: checked at schedule
MAX_THEME_NAME = 60
MAX_DESCRIPTION = 3000

#: Default themes (from the seed reports): key, English name (a msgid), emoji.
DEFAULT_THEMES: tuple[tuple[str, str, str], ...] = (
    ("understanding", N_("Understanding and conceptualising"), "💡"),
    ("challenges", N_("Challenges"), "⚠️"),
    ("recommendations", N_("Recommendations"), "✅"),
    ("good_practices", N_("Good practices"), "🌟"),
    ("resources", N_("Resources"), "📚"),
)
_DEFAULT_NAMES = {key: name for key, name, _ in DEFAULT_THEMES}


class ContributionFigures(Protocol):
    """What the status needs from the contributions feature (``bot.contributions.Counts``)."""

    total: int
    per_question: dict[int | None, int]
    per_theme: dict[int, int]
    participants: int
    untagged: int


@dataclass(frozen=True)
class Dialogue:
    id: int
    guild_id: int
    title: str
    description: str
    concept_note: str | None
    languages: tuple[str, ...]
    timezone: str
    starts_at: datetime
    ends_at: datetime
    channel_id: int
    channel_kind: str
    state: str
    publish_mode: str
    opening_message_id: int | None
    created_by: int | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def language(self) -> str:
        """The main language (the first listed)."""
        return self.languages[0]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Question:
    id: int
    dialogue_id: int
    position: int
    text: str
    post_at: datetime | None
    thread_id: int | None
    message_id: int | None

    @property
    def posted(self) -> bool:
        return self.message_id is not None


@dataclass(frozen=True)
class Theme:
    id: int
    dialogue_id: int
    key: str
    name: str
    emoji: str | None
    position: int


@dataclass(frozen=True)
class ScheduleItem:
    id: int
    dialogue_id: int
    kind: str
    question_id: int | None
    week: int | None
    run_at: datetime
    status: str
    claimed_at: datetime | None
    done_at: datetime | None
    message_id: int | None
    thread_id: int | None
    attempts: int
    last_error: str | None

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.run_at, KIND_ORDER.get(self.kind, 9), self.id)


@dataclass(frozen=True)
class DialogueStatus:
    dialogue: Dialogue
    next_item: ScheduleItem | None
    per_question: list[tuple[Question, int]]
    outside_questions: int
    per_theme: list[tuple[Theme, int]]
    contributions: int
    participants: int
    untagged: int
    panel_queue: int


@dataclass
class CloseOutcome:
    """What ``close`` decided: post the closing message now, or the dialogue never opened."""

    dialogue: Dialogue
    post_closing: bool
    cancelled: int = 0
    items: list[ScheduleItem] = field(default_factory=list)


class MissingPermissions(UserError):
    """The bot lacks channel permissions; their names are translated when rendered."""

    def __init__(self, permissions: Sequence[str]) -> None:
        super().__init__(N_("In that channel I am missing these permissions: {permissions}."))
        self.permission_names = tuple(permissions)

    def render(self, language: str | None) -> str:
        names = ", ".join(t(language, name) for name in self.permission_names)
        return t(language, self.msgid, permissions=names)


async def _x(conn: Any, sql: str, params: Sequence[Any] = ()) -> tuple[int, int | None]:
    """Run one statement inside a transaction and close its cursor: (rowcount, lastrowid)."""
    async with conn.execute(sql, params) as cur:
        return cur.rowcount, cur.lastrowid


def theme_key(name: str) -> str:
    """A stable slug for a custom theme: ``"Good practices!"`` → ``"good_practices"``."""
    slug = re.sub(r"[^\w]+", "_", name.strip().lower()).strip("_")
    return slug[:40] or "theme"


def parse_languages(text: str | None, default: str) -> tuple[str, ...]:
    """``"en es"``, ``"en,fr"`` → ``("en", "es")``; the first is the main language."""
    if text is None or not text.strip():
        return (default,)
    wanted = [part for part in re.split(r"[\s,;/]+", text.strip().lower()) if part]
    unknown = [w for w in wanted if w not in SUPPORTED_LANGUAGES]
    if unknown:
        raise UserError(N_("Unknown language “{value}”: use en, es or fr."), value=" ".join(unknown))
    return tuple(dict.fromkeys(wanted))


def _dialogue(row: object) -> Dialogue:
    r = row  # aiosqlite.Row
    return Dialogue(
        id=r["id"], guild_id=r["guild_id"], title=r["title"], description=r["description"],  # type: ignore[index]
        concept_note=r["concept_note"], languages=tuple(r["languages"].split()),  # type: ignore[index]
        timezone=r["timezone"], starts_at=parse_iso(r["starts_at"]),  # type: ignore[index,arg-type]
        ends_at=parse_iso(r["ends_at"]), channel_id=r["channel_id"],  # type: ignore[index,arg-type]
        channel_kind=r["channel_kind"], state=r["state"], publish_mode=r["publish_mode"],  # type: ignore[index]
        opening_message_id=r["opening_message_id"], created_by=r["created_by"],  # type: ignore[index]
        created_at=parse_iso(r["created_at"]), closed_at=parse_iso(r["closed_at"]),  # type: ignore[index,arg-type]
    )


def _question(r: object) -> Question:
    return Question(
        id=r["id"], dialogue_id=r["dialogue_id"], position=r["position"], text=r["text"],  # type: ignore[index]
        post_at=parse_iso(r["post_at"]), thread_id=r["thread_id"], message_id=r["message_id"],  # type: ignore[index]
    )


def _theme(r: object) -> Theme:
    return Theme(
        id=r["id"], dialogue_id=r["dialogue_id"], key=r["key"], name=r["name"],  # type: ignore[index]
        emoji=r["emoji"], position=r["position"],  # type: ignore[index]
    )


def schedule_item(r: object) -> ScheduleItem:
    """A ``schedule_items`` row as a :class:`ScheduleItem`."""
    return ScheduleItem(
        id=r["id"], dialogue_id=r["dialogue_id"], kind=r["kind"], question_id=r["question_id"],  # type: ignore[index]
        week=r["week"], run_at=parse_iso(r["run_at"]), status=r["status"],  # type: ignore[index,arg-type]
        claimed_at=parse_iso(r["claimed_at"]), done_at=parse_iso(r["done_at"]),  # type: ignore[index]
        message_id=r["message_id"], thread_id=r["thread_id"], attempts=r["attempts"],  # type: ignore[index]
        last_error=r["last_error"],  # type: ignore[index]
    )


class DialogueService:
    """Dialogues, their questions, themes and schedule rows. Raises :class:`UserError` before writing."""

    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.db = db
        self.config = config
        self.clock = clock

    # -- reading -----------------------------------------------------------------------------------

    async def get(self, dialogue_id: int) -> Dialogue | None:
        """The dialogue with this id, or ``None``."""
        row = await self.db.fetchone("SELECT * FROM dialogues WHERE id = ?", (dialogue_id,))
        return _dialogue(row) if row else None

    async def require(self, dialogue_id: int) -> Dialogue:
        """Like :meth:`get`, but a missing dialogue is a :class:`UserError`."""
        dialogue = await self.get(dialogue_id)
        if dialogue is None:
            raise UserError(N_("There is no dialogue “{value}” in this server."), value=str(dialogue_id))
        return dialogue

    async def resolve(self, guild_id: int, name_or_id: str) -> Dialogue:
        """The guild's dialogue named ``name_or_id`` (its title, case-insensitive, or its id)."""
        value = (name_or_id or "").strip()
        row = None
        if value.isdigit():
            row = await self.db.fetchone(
                "SELECT * FROM dialogues WHERE id = ? AND guild_id = ?", (int(value), guild_id)
            )
        if row is None:
            row = await self.db.fetchone(
                "SELECT * FROM dialogues WHERE guild_id = ? AND title = ? COLLATE NOCASE", (guild_id, value)
            )
        if row is None:
            raise UserError(N_("There is no dialogue “{value}” in this server."), value=value[:100])
        return _dialogue(row)

    async def list_for_guild(self, guild_id: int) -> list[Dialogue]:
        """The guild's dialogues, the most recent start first."""
        rows = await self.db.fetchall(
            "SELECT * FROM dialogues WHERE guild_id = ? ORDER BY starts_at DESC, id DESC", (guild_id,)
        )
        return [_dialogue(r) for r in rows]

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[Dialogue]:
        """Dialogues whose title contains ``text`` (autocomplete), open ones first."""
        rows = await self.db.fetchall(
            """SELECT * FROM dialogues WHERE guild_id = ? AND title LIKE ? ESCAPE '\\'
               ORDER BY state IN ('closed', 'published'), starts_at DESC LIMIT ?""",
            (guild_id, "%" + re.sub(r"([%_\\])", r"\\\1", text.strip()) + "%", limit),
        )
        return [_dialogue(r) for r in rows]

    async def for_channel(self, channel_id: int) -> list[Dialogue]:
        """Dialogues whose home channel is ``channel_id``."""
        rows = await self.db.fetchall("SELECT * FROM dialogues WHERE channel_id = ?", (channel_id,))
        return [_dialogue(r) for r in rows]

    async def questions(self, dialogue_id: int) -> list[Question]:
        """The guiding questions in order."""
        rows = await self.db.fetchall(
            "SELECT * FROM questions WHERE dialogue_id = ? ORDER BY position", (dialogue_id,)
        )
        return [_question(r) for r in rows]

    async def question(self, dialogue_id: int, number: int) -> Question:
        """Guiding question ``number`` (1-based), or a :class:`UserError`."""
        row = await self.db.fetchone(
            "SELECT * FROM questions WHERE dialogue_id = ? AND position = ?", (dialogue_id, number)
        )
        if row is None:
            count = await self.db.fetchval("SELECT count(*) FROM questions WHERE dialogue_id = ?", (dialogue_id,))
            raise UserError(
                N_("There is no question {number}: this dialogue has {count} question(s)."),
                number=number, count=count,
            )
        return _question(row)

    async def themes(self, dialogue_id: int) -> list[Theme]:
        """The dialogue's themes in order."""
        rows = await self.db.fetchall("SELECT * FROM themes WHERE dialogue_id = ? ORDER BY position", (dialogue_id,))
        return [_theme(r) for r in rows]

    @staticmethod
    def theme_name(theme: Theme, language: str | None) -> str:
        """A theme's name for readers of ``language``: default themes are translated by key."""
        default = _DEFAULT_NAMES.get(theme.key)
        if default is not None and theme.name == default:
            return t(language, default)
        return theme.name

    async def items(self, dialogue_id: int) -> list[ScheduleItem]:
        """All schedule rows of the dialogue, in running order."""
        rows = await self.db.fetchall("SELECT * FROM schedule_items WHERE dialogue_id = ?", (dialogue_id,))
        return sorted((schedule_item(r) for r in rows), key=lambda i: i.sort_key)

    async def opening_thread_id(self, dialogue_id: int) -> int | None:
        """The thread of a forum dialogue's opening post (``None`` in a text channel or before it)."""
        return await self.db.fetchval(
            "SELECT thread_id FROM schedule_items WHERE dialogue_id = ? AND kind = 'opening' AND thread_id IS NOT NULL",
            (dialogue_id,),
        )

    async def item(self, item_id: int) -> ScheduleItem | None:
        row = await self.db.fetchone("SELECT * FROM schedule_items WHERE id = ?", (item_id,))
        return schedule_item(row) if row else None

    # -- creating and editing ----------------------------------------------------------------------

    async def create(
        self,
        guild_id: int,
        *,
        title: str,
        starts: str,
        ends: str,
        timezone: str | None,
        channel_id: int,
        channel_kind: str,
        languages: str | None = None,
        concept_note: str | None = None,
        description: str | None = None,
        created_by: int | None = None,
    ) -> Dialogue:
        """A new draft dialogue with the default themes. Every problem is reported at once."""
        settings_row = await self.db.fetchone(
            "SELECT language, timezone FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        default_lang = (settings_row and settings_row["language"]) or self.config.defaults.language
        default_tz = (settings_row and settings_row["timezone"]) or self.config.defaults.timezone
        problems: list[UserError] = []
        title = (title or "").strip()
        if not title:
            problems.append(UserError(N_("A dialogue needs a title.")))
        elif len(title) > MAX_TITLE:
            problems.append(UserError(N_("A title can be at most {n} characters."), n=MAX_TITLE))
        elif await self.db.fetchval(
            "SELECT 1 FROM dialogues WHERE guild_id = ? AND title = ? COLLATE NOCASE", (guild_id, title)
        ):
            problems.append(UserError(N_("A dialogue called “{title}” already exists in this server."), title=title))
        tz_name = (timezone or default_tz).strip()
        tz: ZoneInfo | None = None
        try:
            tz = zone(tz_name)
        except UserError as exc:
            problems.append(exc)
        start_at = end_at = None
        if tz is not None:
            try:
                start_at = parse_local(starts, tz)
            except UserError as exc:
                problems.append(exc)
            try:
                end_at = parse_local(ends, tz, end_of_day=True)
            except UserError as exc:
                problems.append(exc)
        if start_at and end_at and end_at <= start_at:
            problems.append(UserError(N_("The dialogue must end after it starts.")))
        if channel_kind not in ("text", "forum"):
            problems.append(UserError(N_("A dialogue needs a text channel or a forum channel.")))
        langs: tuple[str, ...] = (default_lang,)
        try:
            langs = parse_languages(languages, default_lang)
        except UserError as exc:
            problems.append(exc)
        if description and len(description) > MAX_DESCRIPTION:
            problems.append(UserError(N_("The description can be at most {n} characters."), n=MAX_DESCRIPTION))
        if concept_note and len(concept_note) > 500:
            problems.append(UserError(N_("The concept note link can be at most {n} characters."), n=500))
        if problems:
            raise UserError.many(problems)
        assert start_at is not None and end_at is not None
        async with self.db.transaction() as conn:
            cur = await _x(conn,
                """INSERT INTO dialogues (guild_id, title, description, concept_note, languages, timezone,
                                          starts_at, ends_at, channel_id, channel_kind, created_by, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (guild_id, title, (description or "").strip(), (concept_note or "").strip() or None,
                 " ".join(langs), tz_name, iso(start_at), iso(end_at), channel_id, channel_kind,
                 created_by, iso(self.clock())),
            )
            dialogue_id = cur[1]
            await conn.executemany(
                "INSERT INTO themes (dialogue_id, key, name, emoji, position) VALUES (?, ?, ?, ?, ?)",
                [(dialogue_id, key, name, emoji, i) for i, (key, name, emoji) in enumerate(DEFAULT_THEMES, 1)],
            )
        return await self.require(int(dialogue_id))  # type: ignore[arg-type]

    def _editable(self, dialogue: Dialogue) -> None:
        if dialogue.state in ("closed", "published"):
            raise UserError(N_("“{title}” is closed and can no longer be changed."), title=dialogue.title)

    async def add_question(self, dialogue_id: int, text: str, post_at: str | None = None) -> Question:
        """Append a guiding question; a scheduled or open dialogue's timeline is updated."""
        dialogue = await self.require(dialogue_id)
        self._editable(dialogue)
        text = (text or "").strip()
        problems: list[UserError] = []
        if not text:
            problems.append(UserError(N_("A question needs some text.")))
        elif len(text) > MAX_QUESTION:
            problems.append(UserError(N_("A question can be at most {n} characters."), n=MAX_QUESTION))
        at = None
        if post_at:
            try:
                at = parse_local(post_at, dialogue.tz)
            except UserError as exc:
                problems.append(exc)
            if at is not None and not dialogue.starts_at <= at <= dialogue.ends_at:
                problems.append(UserError(N_("A question must be posted while the dialogue runs.")))
            elif at is not None and dialogue.state in ("scheduled", "open") and at < self.clock():
                problems.append(UserError(N_("That time has already passed.")))
        if problems:
            raise UserError.many(problems)
        async with self.db.transaction() as conn:
            cur = await _x(conn,
                """INSERT INTO questions (dialogue_id, position, text, post_at)
                   VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM questions WHERE dialogue_id = ?), ?, ?)""",
                (dialogue_id, dialogue_id, text, iso(at) if at else None),
            )
            question_id = cur[1]
            await self._replan(conn, dialogue)
        row = await self.db.fetchone("SELECT * FROM questions WHERE id = ?", (question_id,))
        return _question(row)

    async def remove_question(self, dialogue_id: int, number: int) -> Question:
        """Remove question ``number`` if it was not posted; later ones move up."""
        dialogue = await self.require(dialogue_id)
        self._editable(dialogue)
        question = await self.question(dialogue_id, number)
        started = await self.db.fetchval(
            "SELECT 1 FROM schedule_items WHERE question_id = ? AND status IN ('claimed', 'done')", (question.id,)
        )
        if question.posted or started:
            raise UserError(N_("Question {number} was already posted and cannot be removed."), number=number)
        async with self.db.transaction() as conn:
            await _x(conn, "DELETE FROM questions WHERE id = ?", (question.id,))
            # Two steps keep UNIQUE (dialogue_id, position) true after every statement.
            await _x(conn,
                "UPDATE questions SET position = -position WHERE dialogue_id = ? AND position > ?",
                (dialogue_id, number),
            )
            await _x(conn,
                "UPDATE questions SET position = -position - 1 WHERE dialogue_id = ? AND position < 0",
                (dialogue_id,),
            )
            await self._replan(conn, dialogue)
        return question

    async def add_theme(self, dialogue_id: int, name: str, emoji: str | None = None) -> Theme:
        dialogue = await self.require(dialogue_id)
        self._editable(dialogue)
        name = (name or "").strip()
        if not name or len(name) > MAX_THEME_NAME:
            raise UserError(N_("A theme name needs 1 to {n} characters."), n=MAX_THEME_NAME)
        existing = await self.themes(dialogue_id)
        key = theme_key(name)
        lowered = name.lower()
        for theme in existing:
            names = {theme.name.lower(), *(self.theme_name(theme, lang).lower() for lang in SUPPORTED_LANGUAGES)}
            if theme.key == key or lowered in names:
                raise UserError(N_("This dialogue already has a theme “{name}”."), name=name)
        emoji = (emoji or "").strip() or None
        if emoji and any(theme.emoji == emoji for theme in existing):
            raise UserError(N_("Another theme already uses {emoji}."), emoji=emoji)
        position = max((th.position for th in existing), default=0) + 1
        cur = await self.db.execute(
            "INSERT INTO themes (dialogue_id, key, name, emoji, position) VALUES (?, ?, ?, ?, ?)",
            (dialogue_id, key, name, emoji, position),
        )
        return Theme(int(cur.lastrowid or 0), dialogue_id, key, name, emoji, position)

    async def find_theme(self, dialogue_id: int, name: str) -> Theme:
        """A theme by key, shown name (in any language) or emoji."""
        wanted = (name or "").strip().lower()
        for theme in await self.themes(dialogue_id):
            names = {theme.key, theme.name.lower(), (theme.emoji or "\0")}
            names |= {self.theme_name(theme, lang).lower() for lang in SUPPORTED_LANGUAGES}
            if wanted in names:
                return theme
        raise UserError(N_("This dialogue has no theme “{name}”."), name=name)

    async def remove_theme(self, dialogue_id: int, name: str) -> Theme:
        """Remove a theme (and its tags)."""
        dialogue = await self.require(dialogue_id)
        self._editable(dialogue)
        theme = await self.find_theme(dialogue_id, name)
        await self.db.execute("DELETE FROM themes WHERE id = ?", (theme.id,))
        return theme

    # -- scheduling --------------------------------------------------------------------------------

    def _plan(self, dialogue: Dialogue, questions: list[Question]) -> list[PlannedItem]:
        return plan(
            dialogue.starts_at, dialogue.ends_at, dialogue.tz,
            [(q.id, q.post_at) for q in questions],
            self.config.schedule.reminder_hours_before_close,
        )

    async def _replan(self, conn: object, dialogue: Dialogue) -> None:
        """After a question change: re-time the unposted questions of a scheduled/open dialogue."""
        if dialogue.state not in ("scheduled", "open"):
            return
        db = conn  # the transaction's connection
        await _x(db,
            "DELETE FROM schedule_items WHERE dialogue_id = ? AND kind = 'question' AND status = 'pending'",
            (dialogue.id,),
        )
        async with db.execute(  # type: ignore[attr-defined]
            "SELECT * FROM questions WHERE dialogue_id = ? ORDER BY position", (dialogue.id,)
        ) as cur:
            questions = [_question(r) for r in await cur.fetchall()]
        async with db.execute(  # type: ignore[attr-defined]
            "SELECT question_id FROM schedule_items WHERE dialogue_id = ? AND kind = 'question'", (dialogue.id,)
        ) as cur:
            started = {r[0] for r in await cur.fetchall()}
        now = self.clock()
        rows = [
            (dialogue.id, "question", item.question_id, None, iso(max(item.run_at, now)))
            for item in self._plan(dialogue, questions)
            if item.kind == "question" and item.question_id not in started
        ]
        await db.executemany(  # type: ignore[attr-defined]
            "INSERT INTO schedule_items (dialogue_id, kind, question_id, week, run_at) VALUES (?, ?, ?, ?, ?)", rows
        )

    async def check_schedulable(
        self, dialogue: Dialogue, *, missing_permissions: Sequence[str] = (), too_long: Sequence[int] = ()
    ) -> None:
        """Every reason ``dialogue`` cannot run, in one :class:`UserError` (or nothing).

        ``missing_permissions`` (permission msgids) and ``too_long`` (question numbers whose post would
        not fit in a Discord message) come from the Discord side.
        """
        problems: list[UserError] = []
        if dialogue.state not in ("draft", "scheduled"):
            problems.append(UserError(N_("“{title}” has already started."), title=dialogue.title))
        questions = await self.questions(dialogue.id)
        if not questions:
            problems.append(UserError(N_("It has no guiding questions yet (/dialogue question add).")))
        if dialogue.ends_at <= dialogue.starts_at:
            problems.append(UserError(N_("The dialogue must end after it starts.")))
        if dialogue.starts_at < self.clock():
            problems.append(UserError(N_("Its start is in the past.")))
        for q in questions:
            if q.post_at is not None and not dialogue.starts_at <= q.post_at <= dialogue.ends_at:
                problems.append(UserError(N_("Question {number} is timed outside the dialogue."), number=q.position))
        for number in too_long:
            problems.append(
                UserError(N_("Question {number} is too long for one Discord message: shorten it."), number=number)
            )
        if missing_permissions:
            problems.append(MissingPermissions(missing_permissions))
        if problems:
            raise UserError.many(
                problems, N_("“{title}” cannot be scheduled yet:"), title=dialogue.title
            )

    async def schedule(
        self, dialogue_id: int, *, missing_permissions: Sequence[str] = (), too_long: Sequence[int] = ()
    ) -> list[ScheduleItem]:
        """Check, then write the timeline and move to *scheduled*. Returns the items in order."""
        dialogue = await self.require(dialogue_id)
        await self.check_schedulable(dialogue, missing_permissions=missing_permissions, too_long=too_long)
        questions = await self.questions(dialogue_id)
        planned = self._plan(dialogue, questions)
        async with self.db.transaction() as conn:
            await _x(conn,
                "DELETE FROM schedule_items WHERE dialogue_id = ? AND status = 'pending'", (dialogue_id,)
            )
            await conn.executemany(
                "INSERT INTO schedule_items (dialogue_id, kind, question_id, week, run_at) VALUES (?, ?, ?, ?, ?)",
                [(dialogue_id, p.kind, p.question_id, p.week, iso(p.run_at)) for p in planned],
            )
            await _x(conn, "UPDATE dialogues SET state = 'scheduled' WHERE id = ?", (dialogue_id,))
        return await self.items(dialogue_id)

    async def close(self, dialogue_id: int) -> CloseOutcome:
        """Close now. An open dialogue's closing post is made due immediately; other pending posts
        are cancelled. A dialogue that never opened is simply marked closed."""
        dialogue = await self.require(dialogue_id)
        if dialogue.state in ("closed", "published"):
            raise UserError(N_("“{title}” is already closed."), title=dialogue.title)
        now = iso(self.clock())
        post_closing = dialogue.state == "open"
        async with self.db.transaction() as conn:
            cur = await _x(conn,
                """UPDATE schedule_items SET status = 'skipped', last_error = 'cancelled: closed early'
                   WHERE dialogue_id = ? AND status = 'pending' AND (kind != 'closing' OR ? = 0)""",
                (dialogue_id, int(post_closing)),
            )
            cancelled = cur[0]
            if post_closing:
                cur = await _x(conn,
                    "UPDATE schedule_items SET run_at = ? WHERE dialogue_id = ? AND kind = 'closing' "
                    "AND status = 'pending'",
                    (now, dialogue_id),
                )
                updated = cur[0]
                if not updated:
                    await _x(conn,
                        "INSERT INTO schedule_items (dialogue_id, kind, run_at) VALUES (?, 'closing', ?)",
                        (dialogue_id, now),
                    )
            else:
                await _x(conn,
                    "UPDATE dialogues SET state = 'closed', closed_at = ? WHERE id = ?", (now, dialogue_id)
                )
        return CloseOutcome(await self.require(dialogue_id), post_closing, cancelled)

    async def complete_item(self, item: ScheduleItem, message_id: int | None, thread_id: int | None) -> None:
        """Record a posted item and its effect on the dialogue, in one transaction."""
        now = iso(self.clock())
        async with self.db.transaction() as conn:
            await _x(conn,
                """UPDATE schedule_items SET status = 'done', done_at = ?, message_id = ?, thread_id = ?,
                          last_error = NULL WHERE id = ?""",
                (now, message_id, thread_id, item.id),
            )
            await self._apply_effect(conn, item, now, message_id, thread_id)

    async def skip_item(self, item: ScheduleItem, reason: str) -> None:
        """Mark an item skipped; the dialogue still opens or closes as it would have."""
        now = iso(self.clock())
        async with self.db.transaction() as conn:
            await _x(conn,
                "UPDATE schedule_items SET status = 'skipped', done_at = ?, last_error = ? WHERE id = ?",
                (now, reason, item.id),
            )
            await self._apply_effect(conn, item, now, None, None)

    async def _apply_effect(
        self, conn: object, item: ScheduleItem, now: str, message_id: int | None, thread_id: int | None
    ) -> None:
        db = conn
        if item.kind == "opening":
            await _x(db,
                """UPDATE dialogues SET opening_message_id = coalesce(?, opening_message_id),
                          state = CASE WHEN state IN ('draft', 'scheduled') THEN 'open' ELSE state END
                   WHERE id = ?""",
                (message_id, item.dialogue_id),
            )
        elif item.kind == "question" and message_id is not None:
            await _x(db,
                "UPDATE questions SET message_id = ?, thread_id = ? WHERE id = ?",
                (message_id, thread_id, item.question_id),
            )
        elif item.kind == "closing":
            await _x(db,
                """UPDATE dialogues SET state = 'closed', closed_at = ?
                   WHERE id = ? AND state NOT IN ('closed', 'published')""",
                (now, item.dialogue_id),
            )

    # -- status ------------------------------------------------------------------------------------

    async def status(self, dialogue_id: int, figures: ContributionFigures) -> DialogueStatus:
        """State and next post, with the contribution ``figures`` (``ContributionService.counts``, which
        also counts the messages still in its write-behind batch)."""
        dialogue = await self.require(dialogue_id)
        row = await self.db.fetchone(
            """SELECT * FROM schedule_items WHERE dialogue_id = ? AND status IN ('pending', 'claimed')
               ORDER BY run_at, id LIMIT 1""",
            (dialogue_id,),
        )
        questions = await self.questions(dialogue_id)
        themes = await self.themes(dialogue_id)
        counts = figures.per_question
        theme_counts = figures.per_theme
        panel_queue = await self.db.fetchval(
            """SELECT count(*) FROM panel_questions pq JOIN panels p ON p.id = pq.panel_id
               WHERE p.dialogue_id = ? AND pq.status IN ('pending', 'approved')""",
            (dialogue_id,),
        )
        return DialogueStatus(
            dialogue=dialogue,
            next_item=schedule_item(row) if row else None,
            per_question=[(q, counts.get(q.id, 0)) for q in questions],
            outside_questions=counts.get(None, 0),
            per_theme=[(th, theme_counts.get(th.id, 0)) for th in themes],
            contributions=figures.total,
            participants=figures.participants,
            untagged=figures.untagged,
            panel_queue=panel_queue or 0,
        )


