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
from bot.dialogues.model import Dialogue, Question, Theme
from bot.dialogues.timeline import parse_local, zone
from bot.errors import UserError
from bot.i18n import N_, t
from bot.ids import parse_id
from bot.store import Database
from bot.store.repositories.community import CommunityRepository
from bot.store.repositories.dialogues import DialogueRepository

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
#: A dialogue id as typed: digits (at most 19: a 64-bit integer), optionally after ``#``.
_ID = re.compile(r"#?([0-9]{1,19})")


def parse_languages(text: str | None, default: str) -> tuple[str, ...]:
    """``"en es"``, ``"en,fr"`` → ``("en", "es")``; the first is the main language."""
    if text is None or not text.strip():
        return (default,)
    wanted = [part for part in re.split(r"[\s,;/]+", text.strip().lower()) if part]
    unknown = [w for w in wanted if w not in SUPPORTED_LANGUAGES]
    if unknown:
        raise UserError(N_("Unknown language “{value}”: use en, es or fr."), value=" ".join(unknown))
    return tuple(dict.fromkeys(wanted))


async def resolve_dialogue(repo: DialogueRepository, ref: str | int, guild_id: int | None) -> Dialogue:
    """The one way to find the dialogue a person named, by id or title, everywhere (every ``dialogue:``
    option, ``/report``, ``colloquy report --dialogue``).

    ``ref`` is a title (case-insensitive), an id (digits), or ``#id`` (an id only: what autocomplete
    sends). The search is within ``guild_id`` (``None``: every guild, for the command line). Bare digits
    may be both a dialogue's id and another's title, and a title may be carried by dialogues of several
    guilds: whenever more than one dialogue matches, the reference is refused, never guessed, with the
    same message listing the candidates.
    """
    text = str(ref).strip()
    found: list[Dialogue] = []
    number = _ID.fullmatch(text)
    id_only = number is not None and text.startswith("#")
    dialogue_id = parse_id(number[1]) if number is not None else None
    if dialogue_id is not None:
        by_id = await (repo.get(dialogue_id) if guild_id is None else repo.in_guild(guild_id, dialogue_id))
        found.extend([by_id] if by_id is not None else [])
    if text and not id_only:
        found.extend(d for d in await repo.with_title(guild_id, text) if all(d.id != f.id for f in found))
    if not found:
        raise UserError(N_("There is no dialogue “{value}” in this server."), value=text[:100])
    if len(found) > 1:
        raise UserError(
            N_("Several dialogues match “{value}”: {matches}. Choose one from the list, or give its id as #id."),
            value=text[:100],
            matches=", ".join(f"“{d.title}” (#{d.id})" for d in found[:5]),
        )
    return found[0]


class DialogueService:
    """Dialogues and what they hold, read; a new dialogue, validated before anything is written."""

    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.db = db
        self.repo = DialogueRepository(db)
        self.config = config
        self.clock = clock

    # -- reading -----------------------------------------------------------------------------------

    async def get(self, dialogue_id: int) -> Dialogue | None:
        """The dialogue with this id, or ``None``."""
        return await self.repo.get(dialogue_id)

    async def require(self, dialogue_id: int) -> Dialogue:
        """Like :meth:`get`, but a missing dialogue is a :class:`UserError`."""
        dialogue = await self.get(dialogue_id)
        if dialogue is None:
            raise UserError(N_("There is no dialogue “{value}” in this server."), value=str(dialogue_id))
        return dialogue

    async def resolve(self, guild_id: int | None, name_or_id: str | int) -> Dialogue:
        """The dialogue a member or moderator named: see :func:`resolve_dialogue`."""
        return await resolve_dialogue(self.repo, name_or_id, guild_id)

    async def list_for_guild(self, guild_id: int) -> list[Dialogue]:
        """The guild's dialogues, the most recent start first."""
        return await self.repo.list_for_guild(guild_id)

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[Dialogue]:
        """Dialogues whose title contains ``text`` (autocomplete), open ones first."""
        return await self.repo.search(guild_id, text, limit)

    async def for_channel(self, channel_id: int) -> list[Dialogue]:
        """Dialogues whose home channel is ``channel_id``."""
        return await self.repo.for_channel(channel_id)

    async def questions(self, dialogue_id: int) -> list[Question]:
        """The guiding questions in order."""
        return await self.repo.questions(dialogue_id)

    async def question(self, dialogue_id: int, number: int) -> Question:
        """Guiding question ``number`` (1-based), or a :class:`UserError`."""
        question = await self.repo.question_at(dialogue_id, number)
        if question is None:
            raise UserError(
                N_("There is no question {number}: this dialogue has {count} question(s)."),
                number=number,
                count=await self.repo.question_count(dialogue_id),
            )
        return question

    async def themes(self, dialogue_id: int) -> list[Theme]:
        """The dialogue's themes in order."""
        return await self.repo.themes(dialogue_id)

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
        settings_row = await CommunityRepository(self.db).guild_settings(guild_id)
        default_lang = (settings_row and settings_row["language"]) or self.config.defaults.language
        default_tz = (settings_row and settings_row["timezone"]) or self.config.defaults.timezone
        problems: list[UserError] = []
        title = (title or "").strip()
        if not title:
            problems.append(UserError(N_("A dialogue needs a title.")))
        elif len(title) > MAX_TITLE:
            problems.append(UserError(N_("A title can be at most {n} characters."), n=MAX_TITLE))
        elif await self.repo.title_taken(guild_id, title):
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
        async with self.db.transaction():
            dialogue_id = await self.repo.insert(
                guild_id,
                title=title,
                description=(description or "").strip(),
                concept_note=(concept_note or "").strip() or None,
                languages=" ".join(langs),
                timezone=tz_name,
                starts_at=iso(start_at),
                ends_at=iso(end_at),
                channel_id=channel_id,
                channel_kind=channel_kind,
                created_by=created_by,
                created_at=iso(self.clock()),
            )
            await self.repo.insert_themes(dialogue_id, DEFAULT_THEMES)
        return await self.require(dialogue_id)
