"""Suggested key points: representative, supported, diverse, and only ever members' own words."""

from __future__ import annotations

from bot.report.suggest import Candidate, suggest, tokens

CENTRAL = [
    "Training must be linked to a broader organisational process of transformation and change.",
    "Without a broader organisational process, training alone cannot bring transformation.",
    "Organisational change and transformation need more than a single training session.",
    "Trainers should connect training to organisational transformation processes over time.",
]
TANGENT = "My cat enjoys sleeping on sunny windowsills during long summer afternoons."
FUNDING = [
    "Funding for longer training programmes is scarce, donors rarely pay for follow-up sessions.",
    "Donors rarely fund longer training programmes or the follow-up that training needs.",
]


def _pool(texts: list[str], support: dict[int, int] | None = None) -> list[Candidate]:
    support = support or {}
    return [Candidate(i, text, support.get(i, 0)) for i, text in enumerate(texts, 1)]


def test_picks_what_the_discussion_is_about_not_a_tangent() -> None:
    picks = suggest(_pool([*CENTRAL, TANGENT]), k=1)
    assert picks[0].text in CENTRAL


def test_members_support_lifts_a_representative_contribution() -> None:
    pool = _pool([*CENTRAL, *FUNDING], support={6: 9})
    picks = suggest(pool, k=1)
    assert picks[0].contribution_id == 6  # central enough, and clearly supported


def test_picks_are_diverse() -> None:
    duplicate = CENTRAL[0]
    pool = _pool([CENTRAL[0], duplicate, *CENTRAL[1:], *FUNDING])
    picks = suggest(pool, k=2)
    texts = [p.text for p in picks]
    assert len(set(texts)) == 2, "the same words twice are never two suggestions"
    assert any(t in FUNDING for t in texts), "the second pick covers another strand of the discussion"


def test_suggestions_are_extractive_and_skip_excluded_and_short_ones() -> None:
    pool = _pool([*CENTRAL, "Agreed!", *FUNDING])
    picks = suggest(pool, k=10, exclude=frozenset({1}))
    by_id = {c.contribution_id: c for c in pool}
    assert all(p == by_id[p.contribution_id] for p in picks)  # members' exact words, never rewritten
    assert 1 not in {p.contribution_id for p in picks}
    assert 5 not in {p.contribution_id for p in picks}  # too short to be a key point


def test_nothing_to_suggest_from_nothing() -> None:
    assert suggest([], k=3) == []
    assert suggest(_pool(["Yes.", "Me too."]), k=3) == []


def test_a_large_discussion_is_handled_within_a_bounded_sample() -> None:
    strands = [*CENTRAL, *FUNDING, TANGENT]
    texts = [f"{strands[i % len(strands)]} Note {i}." for i in range(20_000)]
    picks = suggest(_pool(texts, support={7: 3}), k=3)
    assert 2 <= len(picks) <= 3
    assert len({p.text.rsplit(" Note", 1)[0] for p in picks}) == len(picks)  # no strand twice


def test_tokens_drop_stopwords_in_the_three_languages() -> None:
    assert tokens("The training and the process") == ["training", "process"]
    assert tokens("Los desafíos para la capacitación") == ["desafíos", "capacitación"]
    assert tokens("Les défis pour la formation") == ["défis", "formation"]


def test_an_off_topic_contribution_is_never_suggested_even_when_there_is_room() -> None:
    picks = suggest(_pool([*CENTRAL, TANGENT], support={5: 5}), k=5)
    assert TANGENT not in [p.text for p in picks]
