"""The report as data: what :mod:`bot.report.compile` builds and every renderer reads.

A :class:`Report` is language-independent: members' words as written, times in UTC, default theme
names as catalog msgids (``ThemeSection.translated``). Renderers localize headings, dates and numbers for
one language at a time, so one compile serves every language of the dialogue.

Privacy is settled before a Report exists: it only ever holds what may be published (no deleted,
opted-out or forgotten members' words, no rejected or merged-away questions, anonymous askers
without a name). Renderers still neutralise mentions in members' text (``bot.report.text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.i18n.content import ContentTranslations

KeyPointSource = Literal["moderator", "marked", "suggested"]


@dataclass(frozen=True)
class Quote:
    """A member's contribution as quoted in the report."""

    contribution_id: int
    text: str
    credit: str | None  # "Name, Organisation" per the member's /profile choice; None when anonymous
    url: str | None  # the Discord message (linked in the Discord and HTML versions)
    support: int = 0  # members who reacted in support
    question: int | None = None  # the guiding question's position
    notes: tuple[int, ...] = ()  # footnote numbers of the links shared in it
    created_at: datetime | None = None
    agree: int = 0  # members who reacted with the dialogue's agreement emoji
    disagree: int = 0  # … with its disagreement emoji


@dataclass(frozen=True)
class KeyPoint:
    text: str
    source: KeyPointSource
    credit: str | None = None  # for marked / suggested contributions
    url: str | None = None
    notes: tuple[int, ...] = ()
    support: int = 0
    contribution_id: int | None = None  # the contribution it quotes (marked, suggested)
    agree: int = 0
    disagree: int = 0

    @property
    def suggested(self) -> bool:
        return self.source == "suggested"


@dataclass(frozen=True)
class Group:
    """Similar contributions to one guiding question, shown by a representative quote, with every source."""

    question: int
    representative: Quote
    sources: tuple[Quote, ...]  # every contribution of the group (the representative first)
    supporters: int = 0  # distinct members who supported any of them (authors excluded)
    agree: int = 0  # distinct members who agreed with any of them
    disagree: int = 0

    @property
    def size(self) -> int:
        return len(self.sources)


@dataclass(frozen=True)
class ConsensusItem:
    """A group (or a single contribution) with its agreement figures."""

    group: Group
    agreement: float  # agree / (agree + disagree)
    divisiveness: float  # 0: one-sided; 1: evenly split between many


@dataclass(frozen=True)
class Consensus:
    agree_emoji: str = "👍"
    disagree_emoji: str = "👎"
    agreed: tuple[ConsensusItem, ...] = ()
    divided: tuple[ConsensusItem, ...] = ()


@dataclass(frozen=True)
class PastDialogue:
    title: str
    starts_at: datetime
    url: str | None = None  # its published report, when there is one


@dataclass(frozen=True)
class Section:
    title: str
    body: str


@dataclass(frozen=True)
class FrontMatter:
    """What moderators wrote for the report in one language (``/report edit``)."""

    about: str = ""  # the community
    introduction: str = ""  # replaces the dialogue's description when given
    sections: tuple[Section, ...] = ()  # free sections, after the introduction
    panel_link: str | None = None  # the recording or webinar
    moderator: str | None = None


@dataclass(frozen=True)
class GuidingQuestion:
    position: int
    text: str
    key_points: tuple[KeyPoint, ...] = ()  # moderators' and marked contributions
    suggested: tuple[KeyPoint, ...] = ()  # for the moderators' review only: never published
    contributions: int = 0
    groups: tuple[Group, ...] = ()  # similar contributions grouped (bot.report.synthesis)


@dataclass(frozen=True)
class Speaker:
    name: str
    title: str | None = None
    organisation: str | None = None
    points: tuple[str, ...] = ()  # the presentation's key points

    @property
    def heading(self) -> str:
        """``Name, Title, Organisation`` as the seed report introduces a speaker."""
        return ", ".join(p for p in (self.name, self.title, self.organisation) if p)


@dataclass(frozen=True)
class PanelAnswer:
    panellist: str
    text: str


@dataclass(frozen=True)
class PanelExchange:
    text: str
    credit: str | None  # None: anonymous
    answers: tuple[PanelAnswer, ...] = ()
    question_id: int | None = None  # the panel question (a moderator can leave it out: /report hide)


@dataclass(frozen=True)
class PanelSection:
    starts_at: datetime | None
    panellists: tuple[Speaker, ...] = ()
    questions: tuple[PanelExchange, ...] = ()  # relayed, in the order they were posed


@dataclass(frozen=True)
class ThemeSection:
    key: str
    name: str  # a catalog msgid when ``translated`` (a default theme), else the moderators' own name
    emoji: str | None = None
    translated: bool = False
    quotes: tuple[Quote, ...] = ()  # most supported first
    contributions: int = 0


@dataclass(frozen=True)
class FurtherQuestion:
    text: str
    credit: str | None = None  # the asker, for a panel question left unanswered
    from_panel: bool = False
    question_id: int | None = None  # the panel question, for one from the panel


@dataclass(frozen=True)
class Note:
    """A link a member shared, as a numbered footnote."""

    number: int
    url: str
    credit: str | None = None
    source_url: str | None = None  # the Discord message it was shared in


@dataclass(frozen=True)
class Participation:
    participants: int = 0
    contributions: int = 0
    per_question: tuple[tuple[int, int], ...] = ()  # (question position, count); 0 = the dialogue channel
    per_theme: tuple[tuple[str, int], ...] = ()  # (theme key, count)
    per_day: tuple[tuple[date, int], ...] = ()  # local dates in the dialogue's time zone, every day of it


@dataclass(frozen=True)
class Report:
    dialogue_id: int
    guild_id: int
    title: str
    description: str
    concept_note: str | None
    languages: tuple[str, ...]
    timezone: str
    starts_at: datetime
    ends_at: datetime
    questions: tuple[GuidingQuestion, ...] = ()
    panel: PanelSection | None = None
    themes: tuple[ThemeSection, ...] = ()
    further_questions: tuple[FurtherQuestion, ...] = ()
    notes: tuple[Note, ...] = ()
    participation: Participation = field(default_factory=Participation)
    general_key_points: tuple[KeyPoint, ...] = ()  # key points not tied to a guiding question
    #: The moderators' translations of the dialogue's content; renderers apply them per language
    #: (:func:`bot.report.localized.localized`).
    translations: ContentTranslations | None = None
    front: tuple[tuple[str, FrontMatter], ...] = ()  # (language, front matter)
    series: tuple[PastDialogue, ...] = ()  # the guild's earlier dialogues, latest first
    untagged: tuple[Quote, ...] = ()  # well-supported comments no theme was given to
    consensus: Consensus = field(default_factory=Consensus)

    def front_matter(self, language: str) -> FrontMatter:
        """The front matter in ``language``, each part falling back to the main language's."""
        parts = dict(self.front)
        own, main = parts.get(language), parts.get(self.language)
        if own is None:
            return main or FrontMatter()
        if main is None or main is own:
            return own
        return FrontMatter(
            about=own.about or main.about,
            introduction=own.introduction or main.introduction,
            sections=own.sections or main.sections,
            panel_link=own.panel_link or main.panel_link,
            moderator=own.moderator or main.moderator,
        )

    @property
    def language(self) -> str:
        """The dialogue's main language."""
        return self.languages[0] if self.languages else "en"

    def theme(self, key: str) -> ThemeSection | None:
        return next((th for th in self.themes if th.key == key), None)


@dataclass(frozen=True)
class WeekSummary:
    """The end-of-week post: one line of figures, the most-supported contributions, new key points."""

    dialogue_id: int
    title: str
    languages: tuple[str, ...]
    timezone: str
    week: int
    starts_at: datetime
    ends_at: datetime
    contributions: int = 0
    participants: int = 0
    per_theme: tuple[tuple[str, int], ...] = ()
    theme_names: tuple[tuple[str, str, bool], ...] = ()  # (key, name, translated)
    top: tuple[Quote, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    translations: ContentTranslations | None = None  # the dialogue's content in its other languages
