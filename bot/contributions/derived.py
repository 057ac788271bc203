"""What a contribution's text implies, stored beside it: its language, links and keyword suggestions.

Links are credited to the first member who shared them and passed on when that message goes;
suggestions are themes the keyword rules propose, awaiting a moderator. Functions here run inside
the write path's transactions (they take its connection).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.contributions.text import KeywordRules, detect_language, extract_urls
from bot.store import Executor

_SQL_CHUNK = 500


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


def chunks(values: Sequence[Any], size: int = _SQL_CHUNK) -> Iterable[Sequence[Any]]:
    """``values`` in slices small enough for one ``IN (...)`` list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def marks(n: int) -> str:
    return ",".join("?" * n)


async def theme_keys_of(conn: Executor, dialogue_ids: set[int]) -> dict[int, dict[str, int]]:
    """dialogue id → theme key → theme id."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    ids = sorted(dialogue_ids)
    for chunk in chunks(ids):
        sql = f"SELECT id, dialogue_id, key FROM themes WHERE dialogue_id IN ({marks(len(chunk))})"  # noqa: S608
        for row in await conn.fetchall(sql, tuple(chunk)):
            found[row["dialogue_id"]][row["key"]] = row["id"]
    return found


async def insert_links(conn: Executor, links: list[tuple[Any, ...]]) -> None:
    if links:
        await conn.executemany(
            """INSERT INTO links (dialogue_id, url, contribution_id, shared_by, shared_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (dialogue_id, url) DO NOTHING""",
            links,
        )


async def insert_suggestions(conn: Executor, tags: list[tuple[Any, ...]]) -> None:
    if tags:
        await conn.executemany(
            """INSERT INTO contribution_tags (contribution_id, theme_id, source, status, tagged_by, created_at)
               VALUES (?, ?, 'suggestion', 'suggested', NULL, ?)
               ON CONFLICT (contribution_id, theme_id) DO NOTHING""",
            tags,
        )


async def recredit(conn: Executor, dialogue_id: int, urls: Iterable[str]) -> None:
    """A link whose first sharer's message is gone is credited to the next one who shared it."""
    for url in urls:
        row = await conn.fetchone(
            """SELECT id, author_id, created_at FROM contributions
               WHERE dialogue_id = ? AND (instr(content, ?) > 0 OR instr(attachments, ?) > 0)
               ORDER BY message_id LIMIT 1""",
            (dialogue_id, url, json.dumps(url)),
        )
        if row is not None:
            await insert_links(conn, [(dialogue_id, url, row["id"], row["author_id"], row["created_at"])])
