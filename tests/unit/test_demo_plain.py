"""The demo transcript's plain text: Discord Markdown and tags made readable in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.demo.plain import plain

NOW = datetime(2026, 1, 9, 22, 0, tzinfo=UTC)
CLOSES = int(datetime(2026, 1, 10, 22, 0, tzinfo=UTC).timestamp())  # 17:00 in New York


def render(text: str, language: str = "en") -> str:
    names = {1: "virtual-dialogue", 2: "Lucy Ferguson", 3: "Facilitators"}
    return plain(text, language, ZoneInfo("America/New_York"), NOW, channel=names.get, user=names.get,
                 role=names.get)


def test_markdown_marks_are_removed() -> None:
    assert render("## **Week 1** of *“Title”*") == "Week 1 of “Title”"
    assert render("***Q: How do we start?*** (Zoe)") == "Q: How do we start? (Zoe)"
    assert render("> quoted\n-# small print") == "  quoted\nsmall print"
    assert render("- a point [↗](<https://discord.com/channels/1/2/3>)") == "- a point"
    assert render("the [Concept Note](https://example.org/cn)") == "the Concept Note"
    assert render("see <https://example.org/x> and \\<b\\>") == "see https://example.org/x and <b>"
    assert render("file_name_with_underscores stays") == "file_name_with_underscores stays"


def test_discord_tags_become_names_and_dates() -> None:
    assert render("in <#1> by <@2> for <@&3>") == "in #virtual-dialogue by @Lucy Ferguson for @Facilitators"
    assert render("use </dialogue schedule:123>") == "use /dialogue schedule"
    closes = "closes Saturday, 10 January 2026 17:00 (in 1 day)"
    assert render(f"closes <t:{CLOSES}:F> (<t:{CLOSES}:R>)") == closes
    assert render(f"closes <t:{CLOSES}:F>", "es") == "closes sábado, 10 de enero de 2026 17:00"
    assert render(f"<t:{CLOSES}:f> · <t:{CLOSES}:D> · <t:{CLOSES}:t>", "fr") == \
        "10 janvier 2026 17:00 · 10 janvier 2026 · 17:00"
