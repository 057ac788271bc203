"""Suggested key points: an extractive choice among a question's contributions. Never invented text.

For a question the moderators wrote no key point for, pick a few contributions that are
- **representative**: central to the question's discussion — TF-IDF cosine similarity to the
  centroid of the other contributions (words many share weigh in, a lone tangent does not);
- **supported**: members' support reactions raise a contribution's relevance (log-damped, so a few
  reactions matter and a pile-on does not swamp centrality);
- **diverse**: Maximal Marginal Relevance — each next pick trades relevance against similarity to
  the picks already made, so three suggestions do not say the same thing three times.

Cost is bounded whatever the size of the dialogue: at most :data:`SAMPLE` contributions (the most
supported, then an even spread of the rest) form the corpus, and MMR runs over the :data:`POOL` most
relevant (the next ones come in only when near-duplicates used those up). Pure Python, no discord;
callers run it off the event loop.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import NamedTuple

SAMPLE = 1500
POOL = 120
MIN_WORDS = 6
LAMBDA = 0.7  # relevance vs. novelty in MMR
DUPLICATE = 0.8  # a candidate this similar to a pick is skipped outright
SUPPORT_WEIGHT = 0.3
MIN_CENTRALITY = 0.3  # relative to the most central: below it a contribution is off-topic, whatever its support

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOPWORDS = (
    # English
    "the and for are but not you all any can had her was one our out has him his how its may new now "
    "see two who did get let say she too use that with have this will your from they been were when "
    "what which their there them then than also into more some such only other very just about would "
    "could should these those because being where while does here after before over most many much "
    "think agree really like make need well even each both through same "
    # Spanish
    "los las del una uno unos unas por con para como más pero sus les nos ese esa eso esto esta este "
    "estos estas son fue han hay muy sin sobre entre cuando también donde desde todo todos todas "
    "porque puede pueden ser sino ante tiene tienen hace hacer sólo solo cada otro otra otros otras "
    "que qué nuestra nuestro está están creo "
    # French
    "les des une est pour pas par sur dans avec que qui son ses aux mais plus ont été tout tous toutes "
    "comme cette ces elle elles ils nous vous leur leurs être avoir fait faire sont aussi très peut "
    "entre sans même bien donc quand dont encore autre autres notre nos votre car ainsi"
)
STOPWORDS = frozenset(_STOPWORDS.split())


class Candidate(NamedTuple):
    contribution_id: int
    text: str
    support: int = 0


Suggestible = Candidate | tuple[int, str, int]


def tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def _sample(items: Sequence[Suggestible]) -> list[Candidate]:
    """At most SAMPLE: the most supported half, then an even spread of the rest (deterministic)."""
    if len(items) > SAMPLE:
        supported = [c for c in items if c[2]]
        head = heapq.nsmallest(SAMPLE // 2, supported, key=lambda c: (-c[2], c[0]))
        taken = {c[0] for c in head}
        rest = [c for c in items if c[0] not in taken]
        step = len(rest) / (SAMPLE - len(head))
        items = head + [rest[int(i * step)] for i in range(SAMPLE - len(head))]
    return [Candidate(*c) for c in items]


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(term, 0.0) for term, w in a.items())


def _vectors(corpus: list[list[str]]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors (sublinear tf, smoothed idf)."""
    df: Counter[str] = Counter()
    for words in corpus:
        df.update(set(words))
    n = len(corpus)
    idf = {term: math.log((1 + n) / (1 + count)) + 1.0 for term, count in df.items()}
    vectors = []
    for words in corpus:
        weights = {term: (1.0 + math.log(tf)) * idf[term] for term, tf in Counter(words).items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({term: w / norm for term, w in weights.items()})
    return vectors


def suggest(items: Sequence[Suggestible], k: int = 3, *, exclude: frozenset[int] = frozenset()) -> list[Candidate]:
    """Up to ``k`` representative, diverse, supported contributions, best first.

    ``items`` are :class:`Candidate` or plain ``(contribution_id, text, support)`` tuples (cheaper to
    build for a large discussion)."""
    eligible = [c for c in items if c[1].count(" ") >= MIN_WORDS - 1 and c[0] not in exclude]
    if not eligible or k <= 0:
        return []
    corpus = _sample(eligible)
    words = [tokens(c.text) for c in corpus]
    keep = [i for i, w in enumerate(words) if w]
    corpus = [corpus[i] for i in keep]
    if not corpus:
        return []
    vectors = _vectors([words[i] for i in keep])

    # Leave-one-out centrality: each contribution against the centroid of all the *others*, so that
    # in a small discussion a tangent does not count itself as part of the consensus.
    total: Counter[str] = Counter()
    for vector in vectors:
        total.update(vector)
    total_sq = sum(w * w for w in total.values())
    centrality = []
    for vector in vectors:
        dot = _cosine(vector, total)
        rest = math.sqrt(max(total_sq - 2 * dot + 1.0, 0.0))
        centrality.append((dot - 1.0) / rest if rest > 1e-9 else 0.0)
    top_c = max(centrality) or 1.0
    top_s = math.log1p(max(c.support for c in corpus)) or 1.0
    relevance = [
        (1 - SUPPORT_WEIGHT) * centrality[i] / top_c + SUPPORT_WEIGHT * math.log1p(c.support) / top_s
        for i, c in enumerate(corpus)
    ]

    on_topic = [i for i in range(len(corpus)) if centrality[i] >= MIN_CENTRALITY * top_c]
    ranked = sorted(on_topic, key=lambda i: (-relevance[i], corpus[i].contribution_id))
    chosen: list[int] = []
    # MMR over the POOL most relevant; when near-duplicates use them up, the next POOL come in.
    for start in range(0, len(ranked), POOL):
        pool = ranked[start:start + POOL]
        while pool and len(chosen) < k:
            best, best_score = None, -math.inf
            for i in pool:
                similarity = max((_cosine(vectors[i], vectors[j]) for j in chosen), default=0.0)
                if similarity >= DUPLICATE:
                    continue
                score = LAMBDA * relevance[i] - (1 - LAMBDA) * similarity
                if score > best_score:
                    best, best_score = i, score
            if best is None:
                break
            chosen.append(best)
            pool.remove(best)
        if len(chosen) >= k:
            break
    return [corpus[i] for i in chosen]
