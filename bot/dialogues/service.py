"""Dialogues: creating one (a draft with the default themes), finding one, and reading its questions and themes.

Other features read through the stable public methods here (``get``, ``resolve``, ``list_for_guild``,
``questions``, ``themes``, ``theme_name``). Editing questions and themes is
:mod:`bot.dialogues.content`'s; the schedule rows and the lifecycle after the draft are
:mod:`bot.dialogues.lifecycle`'s; the records themselves are in :mod:`bot.dialogues.model`.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from bot.clock import Clock, iso
from bot.config import SUPPORTED_LANGUAGES, Config
from bot.dialogues.model import (
    Dialogue,
    Question,
    Theme,
    dialogue_from_row,
    question_from_row,
    theme_from_row,
)
from bot.dialogues.timeline import parse_local, zone
from bot.errors import UserError
from bot.i18n import N_, t
from bot.store import Database

MAX_TITLE = 100
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


def parse_languages(text: str | None, default: str) -> tuple[str, ...]:
    """``"en es"``, ``"en,fr"`` → ``("en", "es")``; the first is the main language."""
    if text is None or not text.strip():
        return (default,)
    wanted = [part for part in re.split(r"[\s,;/]+", text.strip().lower()) if part]
    unknown = [w for w in wanted if w not in SUPPORTED_LANGUAGES]
    if unknown:
        raise UserError(N_("Unknown language “{value}”: use en, es or fr."), value=" ".join(unknown))
    return tuple(dict.fromkeys(wanted))


class DialogueService:
    """Dialogues and what they hold, read; a new dialogue, validated before anything is written."""

    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.db = db
        self.config = config
        self.clock = clock

    # -- reading -----------------------------------------------------------------------------------

    async def get(self, dialogue_id: int) -> Dialogue | None:
        """The dialogue with this id, or ``None``."""
        row = await self.db.fetchone("SELECT * FROM dialogues WHERE id = ?", (dialogue_id,))
        return dialogue_from_row(row) if row else None

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
        return dialogue_from_row(row)

    async def list_for_guild(self, guild_id: int) -> list[Dialogue]:
        """The guild's dialogues, the most recent start first."""
        rows = await self.db.fetchall(
            "SELECT * FROM dialogues WHERE guild_id = ? ORDER BY starts_at DESC, id DESC", (guild_id,)
        )
        return [dialogue_from_row(r) for r in rows]

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[Dialogue]:
        """Dialogues whose title contains ``text`` (autocomplete), open ones first."""
        rows = await self.db.fetchall(
            """SELECT * FROM dialogues WHERE guild_id = ? AND title LIKE ? ESCAPE '\\'
               ORDER BY state IN ('closed', 'published'), starts_at DESC LIMIT ?""",
            (guild_id, "%" + re.sub(r"([%_\\])", r"\\\1", text.strip()) + "%", limit),
        )
        return [dialogue_from_row(r) for r in rows]

    async def for_channel(self, channel_id: int) -> list[Dialogue]:
        """Dialogues whose home channel is ``channel_id``."""
        rows = await self.db.fetchall("SELECT * FROM dialogues WHERE channel_id = ?", (channel_id,))
        return [dialogue_from_row(r) for r in rows]

    async def questions(self, dialogue_id: int) -> list[Question]:
        """The guiding questions in order."""
        rows = await self.db.fetchall("SELECT * FROM questions WHERE dialogue_id = ? ORDER BY position", (dialogue_id,))
        return [question_from_row(r) for r in rows]

    async def question(self, dialogue_id: int, number: int) -> Question:
        """Guiding question ``number`` (1-based), or a :class:`UserError`."""
        row = await self.db.fetchone(
            "SELECT * FROM questions WHERE dialogue_id = ? AND position = ?", (dialogue_id, number)
        )
        if row is None:
            count = await self.db.fetchval("SELECT count(*) FROM questions WHERE dialogue_id = ?", (dialogue_id,))
            raise UserError(
                N_("There is no question {number}: this dialogue has {count} question(s)."),
                number=number,
                count=count,
            )
        return question_from_row(row)

    async def themes(self, dialogue_id: int) -> list[Theme]:
        """The dialogue's themes in order."""
        rows = await self.db.fetchall("SELECT * FROM themes WHERE dialogue_id = ? ORDER BY position", (dialogue_id,))
        return [theme_from_row(r) for r in rows]

    @staticmethod
    def theme_name(theme: Theme, language: str | None) -> str:
        """A theme's name for readers of ``language``: default themes are translated by key."""
        default = _DEFAULT_NAMES.get(theme.key)
        if default is not None and theme.name == default:
            return t(language, default)
        return theme.name

    # -- creating ----------------------------------------------------------------------------------

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
            dialogue_id = await conn.fetchval(
                """INSERT INTO dialogues (guild_id, title, description, concept_note, languages, timezone,
                                          starts_at, ends_at, channel_id, channel_kind, created_by, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (
                    guild_id,
                    title,
                    (description or "").strip(),
                    (concept_note or "").strip() or None,
                    " ".join(langs),
                    tz_name,
                    iso(start_at),
                    iso(end_at),
                    channel_id,
                    channel_kind,
                    created_by,
                    iso(self.clock()),
                ),
            )
            await conn.executemany(
                "INSERT INTO themes (dialogue_id, key, name, emoji, position) VALUES (?, ?, ?, ?, ?)",
                [(dialogue_id, key, name, emoji, i) for i, (key, name, emoji) in enumerate(DEFAULT_THEMES, 1)],
            )
        return await self.require(int(dialogue_id))
