"""A dialogue's own content in each of its languages: ``/dialogue translate`` and what is still missing.

The original texts (title, description, guiding questions, themes, the moderators' key points, the
questions for further discussion, the panellists' presentations) are written in the dialogue's main
language; a translation is given per item and language and stored with the original it translates,
so when an original changes its old translation counts as missing again. Key points marked from a
contribution, members' posts and panel questions are members' words: never translated.

:func:`content_translations` is the lookup posts and reports use (:class:`bot.i18n.content.ContentTranslations`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.clock import Clock, iso
from bot.dialogues import posts
from bot.dialogues.content import MAX_QUESTION, MAX_THEME_NAME
from bot.dialogues.model import Dialogue, Theme
from bot.dialogues.service import _DEFAULT_NAMES, MAX_DESCRIPTION, MAX_TITLE, DialogueService
from bot.errors import UserError
from bot.i18n import N_, t
from bot.i18n.content import ContentTranslations
from bot.store import Database
from bot.store.repositories.translations import TranslationRepository

#: The longest text of each kind (as the feature that owns the item allows it).
LIMITS = {
    "title": MAX_TITLE,
    "description": MAX_DESCRIPTION,
    "question": MAX_QUESTION,
    "theme": MAX_THEME_NAME,
    "key_point": 1000,  # bot.contributions.key_points.MAX_KEY_POINT
    "further_question": 500,  # bot.report.service.MAX_FURTHER_QUESTION
    "presentation": 4000,  # bot.panel.service.MAX_PRESENTATION
}

LABELS = {
    "title": N_("Title"),
    "description": N_("Description"),
    "question": N_("Guiding question {number}"),
    "theme": N_("Theme “{name}”"),
    "key_point": N_("Key point {number}"),
    "further_question": N_("Question for further discussion {number}"),
    "presentation": N_("Presentation of {name}"),
}


@dataclass(frozen=True)
class TranslatableItem:
    """One translatable item: what it is, its original text and its current translations."""

    kind: str
    item_id: int
    original: str
    number: int = 0
    name: str = ""
    translations: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """The value ``/dialogue translate item`` takes: ``question:12``, ``title:0``."""
        return f"{self.kind}:{self.item_id}"

    def label(self, language: str | None) -> str:
        return t(language, LABELS[self.kind], number=self.number, name=self.name)

    def missing(self, dialogue: Dialogue) -> tuple[str, ...]:
        """The dialogue's other languages this item has no text in."""
        return tuple(lang for lang in dialogue.languages[1:] if lang not in self.translations)


def normalize(kind: str, text: str) -> str:
    """A presentation keeps one key point per line, without list markers (as the panel stores it)."""
    if kind != "presentation":
        return text.strip()
    lines = (line.strip().lstrip("-•*·").strip() for line in text.replace("\\n", "\n").splitlines())
    return "\n".join(line for line in lines if line)


async def content_translations(db: Database, dialogue_id: int, main: str) -> ContentTranslations:
    """The translations of the dialogue's content, by kind and original (what posts and reports read)."""
    rows = await TranslationRepository(db).all(dialogue_id)
    return ContentTranslations.build(main, ((r.kind, r.source, r.language, r.text) for r in rows))


class TranslationService:
    """Lists a dialogue's translatable items and stores their translations. Raises :class:`UserError` first."""

    def __init__(self, db: Database, clock: Clock, dialogues: DialogueService) -> None:
        self.db = db
        self.clock = clock
        self.dialogues = dialogues
        self.repo = TranslationRepository(db)

    async def lookup(self, dialogue: Dialogue) -> ContentTranslations:
        return await content_translations(self.db, dialogue.id, dialogue.language)

    async def themes(self, dialogue_id: int, language: str | None) -> list[Theme]:
        """The dialogue's themes named for readers of ``language`` (menus, queues): a default theme from
        the catalog, the moderators' own as translated with ``/dialogue translate``, else as written."""
        themes = await self.dialogues.themes(dialogue_id)
        dialogue = await self.dialogues.get(dialogue_id)
        tr = await self.lookup(dialogue) if dialogue is not None and language else None
        named = []
        for theme in themes:
            name = DialogueService.theme_name(theme, language)
            if name == theme.name and tr is not None and language is not None:  # the moderators' own
                name = tr.pick("theme", theme.name, language)
            named.append(replace(theme, name=name))
        return named

    async def items(self, dialogue: Dialogue) -> list[TranslatableItem]:
        """Every translatable item in the order moderators read the dialogue, with its current translations."""
        current: dict[tuple[str, int], dict[str, str]] = {}
        sources: dict[tuple[str, int, str], str] = {}
        for row in await self.repo.all(dialogue.id):
            current.setdefault((row.kind, row.item_id), {})[row.language] = row.text
            sources[(row.kind, row.item_id, row.language)] = row.source

        def item(kind: str, item_id: int, original: str, number: int = 0, name: str = "") -> TranslatableItem:
            done = {
                lang: text for lang, text in current.get((kind, item_id), {}).items()
                if sources[(kind, item_id, lang)] == original and lang in dialogue.languages[1:]
            }
            return TranslatableItem(kind, item_id, original, number, name, done)

        found = [item("title", 0, dialogue.title)]
        if dialogue.description:
            found.append(item("description", 0, dialogue.description))
        found += [item("question", q.id, q.text, q.position) for q in await self.dialogues.questions(dialogue.id)]
        found += [
            item("theme", th.id, th.name, th.position, th.name)
            for th in await self.dialogues.themes(dialogue.id)
            if _DEFAULT_NAMES.get(th.key) != th.name  # the default themes are in every language already
        ]
        found += [item("key_point", r.item_id, r.text, r.number) for r in await self.repo.key_points(dialogue.id)]
        found += [
            item("further_question", r.item_id, r.text, r.number)
            for r in await self.repo.further_questions(dialogue.id)
        ]
        found += [
            item("presentation", r.item_id, r.text, r.number, name)
            for r, name in await self.repo.presentations(dialogue.id)
        ]
        return found

    async def missing(self, dialogue: Dialogue) -> list[tuple[TranslatableItem, tuple[str, ...]]]:
        """The items that lack a language, with the languages they lack."""
        if len(dialogue.languages) < 2:
            return []
        return [(it, lacks) for it in await self.items(dialogue) if (lacks := it.missing(dialogue))]

    async def find(self, dialogue: Dialogue, ref: str) -> TranslatableItem:
        """An item by its reference (``question:12``), as the autocomplete offers it."""
        wanted = (ref or "").strip()
        for it in await self.items(dialogue):
            if it.ref == wanted or (it.item_id == 0 and it.kind == wanted):
                return it
        raise UserError(N_("Choose the item to translate from the list."))

    async def _fits(self, dialogue: Dialogue, item: TranslatableItem, lang: str, text: str) -> list[UserError]:
        """A question's post carries every language: with this translation it must still fit one message."""
        questions = await self.dialogues.questions(dialogue.id)
        question = next(q for q in questions if q.id == item.item_id)
        current = await self.lookup(dialogue)
        texts = {key: dict(value) for key, value in current.texts.items()}
        texts.setdefault(("question", item.original), {})[lang] = text
        post = posts.question_message(dialogue, question, len(questions), ContentTranslations(dialogue.language, texts))
        if len(post) <= posts.MESSAGE_LIMIT:
            return []
        return [UserError(
            N_("With this translation the post of question {number} would be too long for one Discord message "
               "({length} characters of {limit}): shorten it."),
            number=item.number, length=len(post), limit=posts.MESSAGE_LIMIT,
        )]

    async def translate(self, dialogue: Dialogue, ref: str, language: str, text: str) -> TranslatableItem:
        """Store ``text`` as the item's text in ``language``; every problem is reported at once."""
        problems: list[UserError] = []
        lang = (language or "").strip().lower()
        if lang not in dialogue.languages:
            problems.append(UserError(
                N_("“{title}” is not held in that language; its languages are: {languages}."),
                title=dialogue.title, languages=", ".join(dialogue.languages),
            ))
        elif lang == dialogue.language:
            problems.append(UserError(N_("The dialogue is written in that language: change the item itself instead.")))
        item = await self.find(dialogue, ref)
        text = normalize(item.kind, text or "")
        if not text:
            problems.append(UserError(N_("Write the translation.")))
        elif len(text) > LIMITS[item.kind]:
            problems.append(UserError(N_("This text can be at most {n} characters."), n=LIMITS[item.kind]))
        if not problems and item.kind == "question":
            problems += await self._fits(dialogue, item, lang, text)
        if problems:
            raise UserError.many(problems)
        await self.repo.put(dialogue.id, item.kind, item.item_id, lang, text, item.original, iso(self.clock()))
        return TranslatableItem(
            item.kind, item.item_id, item.original, item.number, item.name, {**item.translations, lang: text}
        )
