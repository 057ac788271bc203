"""Similar contributions grouped, offline, across en/es/fr (the vectors: :mod:`bot.similarity`,
TF-IDF over character n-grams plus a small glossary of the field's words in three languages).

No model is downloaded and nothing is invented: a group is shown by one of its own contributions (the
one closest to the group's centre, support breaking ties) with a link to every message in it.

The grouping is greedy and deterministic: contributions are taken most supported first; each joins
the existing group whose centre it is most similar to (cosine ≥ :data:`THRESHOLD`) or starts a new
one. It runs over a bounded sample per question (chosen in SQL, see
``ReportDraftRepository.sample``), in a worker thread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.similarity import Vector, cosine, fold, tfidf

THRESHOLD = 0.32  # cosine to a group's centre to join it (tuned on the demo's en/es/fr week)
MIN_LENGTH = 12  # shorter texts ("+1", "I agree!") are never grouped with anything


@dataclass
class Cluster:
    members: list[int] = field(default_factory=list)  # indexes into the input, in joining order
    centre: Vector = field(default_factory=dict)  # sum of the members' vectors
    norm: float = 1.0  # the centre's length (kept with it: a similarity is asked far more often than an add)

    def similarity(self, v: Vector) -> float:
        return cosine(v, self.centre) / self.norm

    def add(self, index: int, v: Vector) -> None:
        self.members.append(index)
        centre = self.centre
        for k, x in v.items():
            centre[k] = centre.get(k, 0.0) + x
        self.norm = math.sqrt(sum(x * x for x in centre.values())) or 1.0


def group(texts: Sequence[str], support: Sequence[int], threshold: float = THRESHOLD) -> list[list[int]]:
    """Indexes of ``texts`` in groups of similar ones; each group's representative first. Groups come
    largest first (then most supported); singletons included."""
    vectors = tfidf(texts)
    long_enough = [len(fold(text).strip()) >= MIN_LENGTH for text in texts]
    order = sorted(range(len(texts)), key=lambda i: (-support[i], i))
    clusters: list[Cluster] = []
    for i in order:
        v = vectors[i]
        best, best_sim = None, threshold
        if long_enough[i] and v:
            for cluster in clusters:
                if not long_enough[cluster.members[0]]:
                    continue
                sim = cluster.similarity(v)
                if sim >= best_sim:
                    best, best_sim = cluster, sim
        if best is None:
            best = Cluster()
            clusters.append(best)
        best.add(i, v)
    groups = []
    for cluster in clusters:
        members = cluster.members
        if len(members) > 1:
            rep = max(members, key=lambda i: (round(cluster.similarity(vectors[i]), 6), support[i], -i))
            members = [rep, *(i for i in members if i != rep)]
        groups.append(members)
    groups.sort(key=lambda g: (-len(g), -sum(support[i] for i in g), g[0]))
    return groups
