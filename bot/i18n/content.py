"""A dialogue's own content in its other languages, as a lookup for posts and reports.

Moderators give the title, description, guiding questions, themes, key points, questions for further
discussion and presentations in each of the dialogue's languages (``/dialogue translate``,
:mod:`bot.dialogues.translations`). Posts and reports look a text up by what it is (``kind``) and its
original wording, so a translation made for an earlier wording never shows. Members' words are never
looked up: they appear as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.i18n import language_name, t

#: What can be translated, in the order moderators see the items.
KINDS = ("title", "description", "question", "theme", "key_point", "further_question", "presentation")


@dataclass(frozen=True)
class ContentTranslations:
    """``(kind, original text) → {language: text}`` for one dialogue whose original language is ``main``."""

    main: str
    texts: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def build(cls, main: str, rows: Iterable[tuple[str, str, str, str]]) -> ContentTranslations:
        """From ``(kind, source, language, text)`` rows."""
        texts: dict[tuple[str, str], dict[str, str]] = {}
        for kind, source, language, text in rows:
            texts.setdefault((kind, source), {})[language] = text
        return cls(main, texts)

    def get(self, kind: str, original: str, language: str) -> str | None:
        """The text in ``language`` (the original in the main language); ``None`` when not translated."""
        if language == self.main:
            return original
        return self.texts.get((kind, original), {}).get(language)

    def pick(self, kind: str, original: str, language: str) -> str:
        """The text in ``language``, else the original."""
        return self.get(kind, original, language) or original

    def marked(self, kind: str, original: str, language: str) -> str:
        """The text in ``language``; else the original with a visible marker naming its language."""
        found = self.get(kind, original, language)
        if found is not None or not original:
            return found or original
        return f"{original} {untranslated(language, self.main)}"


def untranslated(language: str, original_language: str) -> str:
    """The marker after a text shown in its original language: "(in English)", "(en inglés)"."""
    return t(language, "(in {language})", language=language_name(original_language, language))


EMPTY = ContentTranslations("en")
