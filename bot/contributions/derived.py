"""What a contribution's text implies, stored beside it: its language, links and keyword suggestions.

Links are credited to the first member who shared them and passed on when that message goes;
suggestions are themes the keyword rules propose, awaiting a moderator. The repository
(:mod:`bot.store.repositories.contributions`) stores them with the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.contributions.text import KeywordRules, detect_language, extract_urls


@dataclass
class Derived:
    """A message's detected language, its links (text URLs, then attachments) and suggested theme keys."""

    language: str
    urls: list[str]
    theme_keys: set[str] = field(default_factory=set)


def derive(rules: KeywordRules, languages: tuple[str, ...], content: str, attachments: Sequence[str]) -> Derived:
    language, keys = detect_language(rules, languages, content)
    urls = extract_urls(content)
    urls += [u for u in attachments if u not in urls]
    return Derived(language, urls, keys)
