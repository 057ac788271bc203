"""Text heuristics for contributions: links, keyword rules for theme suggestions, language guess.

Pure functions over strings, used on the write path of :mod:`bot.contributions.service`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

_URL = re.compile(r"https?://[^\s<>\"'`|\[\]{}]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)*_~'\""
_WORD = re.compile(r"\w+")

#: Function words that tell the three languages apart in a sentence or two (see :func:`detect_language`).
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(["the", "and", "is", "are", "we", "our", "of", "to", "in", "that", "this", "it", "with",
                     "for", "have", "not", "be"]),
    "es": frozenset(["el", "la", "los", "las", "que", "y", "es", "son", "de", "en", "nuestro", "nuestra", "para",
                     "por", "una", "con", "no", "del", "se", "lo"]),
    "fr": frozenset(["le", "la", "les", "et", "est", "sont", "nous", "notre", "nos", "des", "une", "que", "pour",
                     "dans", "avec", "pas", "du", "ce", "il"]),
}



def extract_urls(text: str) -> list[str]:
    """URLs in ``text``, in order, without repeats and without trailing punctuation."""
    found: dict[str, None] = {}
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if len(url) > len("https://"):
            found[url] = None
    return list(found)


class KeywordRules:
    """Keyword rules per language (``[contributions.keywords]``), compiled once.

    A keyword matches at the start of a word, case-insensitively ("recommend" matches "recommended").
    """

    def __init__(self, keywords: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self._patterns: dict[str, tuple[re.Pattern[str], dict[str, set[str]]]] = {}
        for language, rules in keywords.items():
            owners: dict[str, set[str]] = defaultdict(set)
            for theme_key, words in rules.items():
                for word in words:
                    owners[word.lower()].add(theme_key)
            if not owners:
                continue
            alternatives = "|".join(re.escape(w) for w in sorted(owners, key=len, reverse=True))
            pattern = re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)
            self._patterns[language] = (pattern, dict(owners))

    def hits(self, language: str, text: str) -> tuple[int, set[str]]:
        """(number of keyword hits, theme keys hit) for ``text`` under ``language``'s rules."""
        compiled = self._patterns.get(language)
        if compiled is None:
            return 0, set()
        pattern, owners = compiled
        count = 0
        keys: set[str] = set()
        for match in pattern.finditer(text):
            count += 1
            keys |= owners.get(match.group(0).lower(), set())
        return count, keys


def detect_language(rules: KeywordRules, languages: Sequence[str], text: str) -> tuple[str, set[str]]:
    """The contribution's language and the theme keys its words suggest.

    The heuristic: a dialogue in one language is that language. Otherwise each of the dialogue's
    languages scores its keyword hits plus its function words ("the", "que", "nous"...) in the text;
    the best score wins and a tie goes to the dialogue's main (first) language. Theme suggestions
    come from the rules of every language of the dialogue, so a wrong guess loses no suggestion.
    """
    keys: set[str] = set()
    if len(languages) <= 1:
        language = languages[0] if languages else "en"
        _, keys = rules.hits(language, text)
        return language, keys
    words = _WORD.findall(text.lower())
    best, best_score = languages[0], -1
    for language in languages:
        count, hit = rules.hits(language, text)
        keys |= hit
        function_words = _FUNCTION_WORDS.get(language, frozenset())
        score = count + sum(1 for w in words if w in function_words)
        if score > best_score:
            best, best_score = language, score
    return best, keys
