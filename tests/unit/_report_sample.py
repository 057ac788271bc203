"""A Report built by hand, for the renderers' unit tests (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.report.model import (
    FurtherQuestion,
    GuidingQuestion,
    KeyPoint,
    Note,
    PanelAnswer,
    PanelExchange,
    PanelSection,
    Participation,
    Quote,
    Report,
    Speaker,
    ThemeSection,
)

MSG = "https://discord.com/channels/1/2/{}"


def sample_report(*, quotes_per_theme: int = 2) -> Report:
    challenges = tuple(
        Quote(100 + i, f"Funding for long training programmes is scarce (point {i}).", "Ana Gómez, UN Women",
              MSG.format(100 + i), support=3 - min(i, 3), question=1, notes=(1,) if i == 0 else ())
        for i in range(quotes_per_theme)
    )
    recommendations = (
        Quote(200, "Link training to a broader process of transformation <script>alert(1)</script> @everyone",
              None, MSG.format(200), question=2),
        Quote(201, "Repositories of materials are vital, ask <@42> and <@&7>.", "Genre en Action",
              MSG.format(201), question=2, notes=(2,)),
    )
    return Report(
        dialogue_id=1,
        guild_id=1,
        title="Resistances in Training",
        description="Virtual Dialogues are online discussions.\n\nThe objective was to reflect on resistances.",
        concept_note="https://example.org/concept-note.pdf",
        languages=("en", "es"),
        timezone="Europe/Madrid",
        starts_at=datetime(2015, 5, 6, 7, 0, tzinfo=UTC),
        ends_at=datetime(2015, 5, 13, 20, 0, tzinfo=UTC),
        questions=(
            GuidingQuestion(1, "What kinds of resistances are manifested?",
                            key_points=(KeyPoint("Resistance is born from fear.", "moderator"),
                                        KeyPoint("Funding is scarce.", "marked", "Ana Gómez, UN Women",
                                                 MSG.format(100))),
                            contributions=5),
            GuidingQuestion(2, "What tools can be shared?",
                            suggested=(KeyPoint("Repositories of materials are vital.", "suggested",
                                                "Genre en Action", MSG.format(201), support=2),),
                            contributions=3),
        ),
        panel=PanelSection(
            starts_at=datetime(2015, 5, 6, 13, 0, tzinfo=UTC),
            panellists=(
                Speaker("Elisabeth Prügl", "Director", "Graduate Institute",
                          ("Gender training is politics.", "Resistance results from politics.")),
                Speaker("Lut Mergaert", "Research Director", "Yellow Window", ("Understand what is resisted.",)),
            ),
            questions=(
                PanelExchange("Is the training of trainers a good way to start?", "Elisabeth Robert, UN Women",
                              (PanelAnswer("Lut Mergaert", "This is a good way to start."),
                               PanelAnswer("Elisabeth Prügl", "The debate needs to be institution-wide."))),
                PanelExchange("Is gender balance common in trainer teams?", None,
                              (PanelAnswer("Lut Mergaert", "Not systematically."),)),
            ),
        ),
        themes=(
            ThemeSection("understanding", "Understanding and conceptualising", "🧠", True, (), 0),
            ThemeSection("challenges", "Challenges", "⚠️", True, challenges, len(challenges)),
            ThemeSection("recommendations", "Recommendations", "💡", True, recommendations, 2),
            ThemeSection("local", "Francophone contexts", None, False, (), 0),
        ),
        further_questions=(
            FurtherQuestion("How can resistances be incorporated into methods?"),
            FurtherQuestion("What standards are required?", "Elena V., CoP member", from_panel=True),
        ),
        notes=(
            Note(1, "https://www.kit.nl/gender/revisiting.pdf", "Ana Gómez, UN Women", MSG.format(100)),
            Note(2, "http://www.genreenaction.net/spip.php?article9517", "Genre en Action", MSG.format(201)),
        ),
        participation=Participation(
            participants=4,
            contributions=8,
            per_question=((1, 5), (2, 3)),
            per_theme=(("challenges", 2), ("recommendations", 2)),
            per_day=tuple((date(2015, 5, d), d - 5) for d in range(6, 14)),
        ),
    )
