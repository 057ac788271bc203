"""House style: dates as the seed reports write them ("6 - 13 May 2015"), French typography."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import date_range, date_text, short_date, t, weekday_date
from bot.i18n.tools import french_typography


def utc(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "same_month", "across_months", "across_years", "one_day"),
    [
        ("en", "6 - 13 May 2015", "13 October - 2 November 2014", "29 December 2025 - 4 January 2026",
         "6 May 2015"),
        ("es", "6 - 13 de mayo de 2015", "13 de octubre - 2 de noviembre de 2014",
         "29 de diciembre de 2025 - 4 de enero de 2026", "6 de mayo de 2015"),
        ("fr", "6 - 13 mai 2015", "13 octobre - 2 novembre 2014", "29 décembre 2025 - 4 janvier 2026",
         "6 mai 2015"),
    ],
)
def test_ranges_follow_the_seeds_house_style(lang: str, same_month: str, across_months: str, across_years: str,
                                             one_day: str) -> None:
    tz = ZoneInfo("UTC")
    assert date_range(lang, utc(2015, 5, 6), utc(2015, 5, 13), tz) == same_month
    assert date_range(lang, utc(2014, 10, 13), utc(2014, 11, 2), tz) == across_months
    assert date_range(lang, utc(2025, 12, 29), utc(2026, 1, 4), tz) == across_years
    assert date_range(lang, utc(2015, 5, 6, 8), utc(2015, 5, 6, 20), tz) == one_day
    assert date_text(lang, utc(2015, 5, 6)) == one_day


def test_a_range_is_in_the_dialogues_time_zone() -> None:
    # 13 May 2015 03:00 UTC is still 12 May in New York.
    assert date_range("en", utc(2015, 5, 6), utc(2015, 5, 13, 3), ZoneInfo("America/New_York")) == "6 - 12 May 2015"


def test_day_labels() -> None:
    day = date(2026, 1, 4)
    assert [short_date(lang, day) for lang in ("en", "es", "fr")] == ["4 Jan", "4 ene", "4 janv."]
    assert weekday_date("en", day) == "Sunday, 4 January 2026"
    assert weekday_date("es", day) == "domingo, 4 de enero de 2026"
    assert weekday_date("fr", day) == "dimanche 4 janvier 2026"


@pytest.mark.parametrize(
    ("written", "typeset"),
    [
        ("Langue : {value}", "Langue\u202f: {value}"),
        ("Merci ! Votre question", "Merci\u202f! Votre question"),
        ("Fusionner avec quelle question? Le texte", "Fusionner avec quelle question\u202f? Le texte"),
        ("clos ; son rapport", "clos\u202f; son rapport"),
        ("Note\u00a0: {link}", "Note\u202f: {link}"),
        # Left alone: times, URLs, Discord tags and mentions, signs already typeset.
        ("AAAA-MM-JJ HH:MM", "AAAA-MM-JJ HH:MM"),
        ("https://example.org/spip.php?article9517", "https://example.org/spip.php?article9517"),
        ("le <t:1768082400:F> (<t:1768082400:R>)", "le <t:1768082400:F> (<t:1768082400:R>)"),
        ("</dialogue translate:123>", "</dialogue translate:123>"),
        ("Quoi\u202f?!", "Quoi\u202f?!"),
    ],
)
def test_french_typography(written: str, typeset: str) -> None:
    assert french_typography(written) == typeset


def test_every_french_string_is_typeset_and_summaries_are_named_for_the_week() -> None:
    assert problems_of_typography() == []
    # "Resumen de fin de semana" would be a *weekend* summary.
    assert t("es", "End-of-week summary") == "Resumen de la semana"
    assert t("fr", "End-of-week summary") == "Résumé de la semaine"


def problems_of_typography() -> list[str]:
    from babel.messages.pofile import read_po

    from bot.i18n.tools import po_path

    with po_path("fr").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    return [m.string for m in catalog if m.id and isinstance(m.string, str) and french_typography(m.string) != m.string]
