"""Text similarity and grouping without a model: the same idea in en/es/fr meets, unrelated texts do not;
consensus figures; the CSV survives a round trip through Python's csv module."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.panel.duplicates import matches
from bot.panel.model import PanelQuestion
from bot.report import synthesis
from bot.report.consensus import agreement, base_emoji, divisiveness, reaction_kind
from bot.report.csvout import COLUMNS, CsvInputs, render_csv
from bot.similarity import _URL, cosine, fold, tfidf

POWER = [
    "Resistance to gender training comes from the fear of losing power and privilege.",
    "La resistencia a la formación de género viene del miedo a perder poder y privilegios.",
    "La résistance à la formation de genre vient de la peur de perdre pouvoir et privilèges.",
]
TIME = [
    "Participants resist when the organisation gives no time for the training.",
    "Los participantes se resisten cuando la organización no da tiempo para la formación.",
]
OTHER = "Lovely weather in Geneva this morning, unrelated to anything."


def test_the_same_idea_in_three_languages_is_closer_than_another_idea() -> None:
    v = tfidf([*POWER, *TIME, OTHER])
    for i in range(3):
        for j in range(3):
            if i != j:
                assert cosine(v[i], v[j]) > cosine(v[i], v[3]) + 0.1
        assert cosine(v[i], v[5]) < 0.1


def test_groups_put_the_same_idea_together_most_supported_representative_first() -> None:
    texts = [*POWER, *TIME, OTHER]
    groups = synthesis.group(texts, [0, 3, 0, 1, 0, 5])
    as_sets = [set(g) for g in groups]
    assert {0, 1, 2} in as_sets and {3, 4} in as_sets and {5} in as_sets
    assert next(g for g in groups if set(g) == {0, 1, 2})[0] in (0, 1, 2)


def test_two_texts_alone_can_still_be_found_similar() -> None:
    q = PanelQuestion(id=1, panel_id=1, author_id=1, text=POWER[0], attribution="name", asker_name="A",
                      asker_organisation=None, status="approved", created_at=datetime(2026, 1, 5, tzinfo=UTC))
    found = matches("Does resistance to gender training come from a fear of losing power?", [q])
    assert found and found[0].question.id == 1 and found[0].score > 0.3
    assert not matches(OTHER, [q])


def test_agreement_and_divisiveness() -> None:
    assert agreement(9, 1) == 0.9 and divisiveness(9, 1) == 0.2
    assert divisiveness(5, 5) == 1.0 and divisiveness(7, 0) == 0.0 and agreement(0, 0) == 0.0
    assert base_emoji("👍🏽") == "👍"
    assert reaction_kind("👍🏿", False, "👍", "👎") == "agree"
    assert reaction_kind("🙅", True, "👍", "👎") == "disagree"  # kept apart as disagreement
    assert reaction_kind("❤️", False, "👍", "👎") == "support"


def test_the_csv_round_trips_through_pythons_csv_module() -> None:
    rows = [
        {"id": 1, "question_id": 10, "channel_id": 5, "message_id": 50, "author_id": 7, "author_name": "ana",
         "content": 'Comma, "quotes", a\nnew line, and ñ é ü', "language": "es",
         "created_at": "2026-01-05T09:00:00+00:00",
         "edited_at": None, "display_name": "Ana", "organisation": "Org", "attribution": "name", "support": 2},
        {"id": 2, "question_id": None, "channel_id": 5, "message_id": 51, "author_id": 8, "author_name": "bo",
         "content": "=1+1", "language": None, "created_at": "2026-01-05T10:00:00+00:00",
         "edited_at": "2026-01-05T11:00:00+00:00", "display_name": None, "organisation": None,
         "attribution": "anonymous", "support": 0},
    ]
    data = CsvInputs(guild_id=3, rows=rows, tags=[(1, "challenges", "Challenges"), (1, "own", "Own theme")],
                     reactions=[(1, 20, "👍", 0), (1, 21, "👎", 1), (2, 22, "👍🏽", 0)],
                     positions={10: (1, "What works?")})
    text = render_csv(data, "fr")
    assert text.startswith("\ufeff")
    back = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert back[0] == list(COLUMNS)
    first = dict(zip(COLUMNS, back[1], strict=True))
    assert first["text"] == 'Comma, "quotes", a\nnew line, and ñ é ü'
    assert first["themes"] == "Défis; Own theme" and first["credit"] == "Ana, Org"
    assert (first["question_number"], first["question"], first["language"]) == ("1", "What works?", "es")
    assert (first["support"], first["agreement"], first["disagreement"]) == ("2", "1", "1")
    assert first["message_link"] == "https://discord.com/channels/3/5/50"
    second = dict(zip(COLUMNS, back[2], strict=True))
    assert second["text"] == "'=1+1" and second["credit"] == "" and second["question"] == ""
    assert second["agreement"] == "1" and second["edited_at"] == "2026-01-05T11:00:00+00:00"


@given(st.text(max_size=80))
def test_fold_is_the_reference_fold_whatever_the_text(text: str) -> None:
    """The ASCII shortcut changes nothing: the same as lowercasing, dropping links, NFKD and dropping
    every combining mark, for any text."""
    lowered = _URL.sub(" ", text.lower())
    reference = "".join(ch for ch in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(ch))
    assert fold(text) == reference
