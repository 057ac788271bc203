"""Questions already asked: the closest matches of a question among a panel's others.

Offline and language-blind (:mod:`bot.similarity`, TF-IDF over character n-grams): at ``/ask`` a
member sees the approved questions most like theirs and can upvote one instead; in the review queue
each question shows its closest match and score, and **Merge** proposes it first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from bot.panel.model import PanelQuestion
from bot.similarity import cosine, tfidf

#: From this score a question is shown as similar (to the member at /ask, to moderators in the queue).
SIMILAR = 0.3
SHOWN = 3


class Match(NamedTuple):
    question: PanelQuestion
    score: float  # cosine similarity, 0–1


def matches(text: str, candidates: Sequence[PanelQuestion], *, exclude: int | None = None,
            minimum: float = SIMILAR, limit: int = SHOWN) -> list[Match]:
    """``candidates`` most similar to ``text`` first (at least ``minimum``), ``exclude`` left out."""
    others = [q for q in candidates if q.id != exclude]
    if not others or not text.strip():
        return []
    vectors = tfidf([text, *(q.text for q in others)])
    scored = [Match(q, round(cosine(vectors[0], v), 4)) for q, v in zip(others, vectors[1:], strict=True)]
    found = sorted((m for m in scored if m.score >= minimum), key=lambda m: (-m.score, m.question.id))
    return found[:limit]


def closest(question: PanelQuestion, candidates: Sequence[PanelQuestion]) -> Match | None:
    """The one question most like ``question`` (any score above zero), for the review queue."""
    found = matches(question.text, candidates, exclude=question.id, minimum=0.01, limit=1)
    return found[0] if found else None
