"""Command mentions in replies: known command paths become mentions; URLs and unknown commands stay."""

from __future__ import annotations

from bot.i18n.mentions import CommandMentions


def mentions() -> CommandMentions:
    m = CommandMentions()
    m.set_paths(["dialogue question add", "dialogue schedule", "dialogue create", "profile set", "ask", "setup"])
    m.set_ids({"dialogue": 11, "profile": 22, "ask": 33})
    return m


def test_known_commands_become_mentions_longest_path_first() -> None:
    text = "Next: add guiding questions with /dialogue question add, then /dialogue schedule."
    assert mentions().link(text) == (
        "Next: add guiding questions with </dialogue question add:11>, then </dialogue schedule:11>."
    )
    assert mentions().link("(/profile set)") == "(</profile set:22>)"
    assert mentions().link("Ask with /ask.") == "Ask with </ask:33>."


def test_urls_groups_unknown_ids_and_existing_mentions_stay_as_they_are() -> None:
    m = mentions()
    for text in [
        "https://example.org/ask and https://example.org/profile set",
        "use /profile to choose",  # a group, not a command one can run
        "/setup summary_channel",  # no id known for setup
        "</dialogue schedule:11>",
        "/asking is not /ask-me",
    ]:
        assert m.link(text) == text
    assert CommandMentions().link("/ask") == "/ask"  # before any sync: plain text
