"""Languages: Babel catalogs, locale resolution, localized dates and numbers.

Messages are gettext msgids written in English (``locales/colloquy.pot``); ``es`` and ``fr`` are
full translations. Catalogs are compiled from the ``.po`` files with Babel when first needed, so a
translator's edit is live at the next start without a separate build step (``pybabel compile``
still works and is how translators check their file). Placeholders use ``str.format`` names:
``t("es", "Dialogue {title} created.", title=...)``.

Nothing here imports discord: the slash-command translator lives in :mod:`bot.i18n.translator`.
"""

from __future__ import annotations

import functools
import gettext
import io
from datetime import date, datetime, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

DOMAIN = "colloquy"
LANGUAGES = ("en", "es", "fr")
DEFAULT_LANGUAGE = "en"
#: The catalogs: the ``locales`` package (the repository's ``locales/`` folder, installed as package data).
LOCALES_DIR = Path(str(resources.files("locales")))

LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, in the reader's language."""
    return message


@functools.cache
def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog for ``language`` (``en`` falls back to the msgids themselves)."""
    po = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        cat = read_po(fh, locale=language, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def normalize(locale: str | None) -> str | None:
    """``"es-ES"`` → ``"es"``; ``None`` or an unsupported locale → ``None``."""
    if not locale:
        return None
    lang = str(locale).replace("_", "-").split("-")[0].lower()
    return lang if lang in LANGUAGES else None


def resolve(*candidates: str | None) -> str:
    """The first supported language among ``candidates`` (user, guild, …), else English."""
    for candidate in candidates:
        lang = normalize(candidate)
        if lang:
            return lang
    return DEFAULT_LANGUAGE


def t(language: str | None, message: str, /, **params: Any) -> str:
    """Translate ``message`` into ``language`` and fill its ``{placeholders}``."""
    text = catalog(resolve(language)).gettext(message)
    return text.format(**params) if params else text


def tn(language: str | None, singular: str, plural: str, n: int, /, **params: Any) -> str:
    """Plural-aware :func:`t`; ``{n}`` is available to the message, formatted for the language."""
    lang = resolve(language)
    text = catalog(lang).ngettext(singular, plural, n)
    return text.format(n=number(lang, n), **params)


def has_translation(language: str, message: str) -> bool:
    return catalog(language).gettext(message) != message or language == DEFAULT_LANGUAGE


# -- formatting ---------------------------------------------------------------------------------

def number(language: str | None, value: float) -> str:
    return format_decimal(value, locale=resolve(language))


#: The house style writes dates as the seed reports do, day first in every language ("6 May 2015"):
#: English dates use British English's patterns.
_DATE_LOCALES = {"en": "en_GB"}
#: Between the two ends of a range, as the seeds write it: "6 - 13 May 2015".
RANGE_SEPARATOR = " - "


def date_locale(language: str | None) -> str:
    """The Babel locale for dates in ``language``'s house style."""
    lang = resolve(language)
    return _DATE_LOCALES.get(lang, lang)


def date_text(language: str | None, value: date | datetime, tz: tzinfo | None = None,
              fmt: str = "long") -> str:
    """A date in the house style: ``"long"`` is ``6 May 2015`` / ``6 de mayo de 2015`` / ``6 mai 2015``."""
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    day = value.date() if isinstance(value, datetime) else value
    if fmt == "long":
        return format_skeleton("yMMMMd", day, locale=date_locale(language))
    return format_date(day, format=fmt, locale=date_locale(language))


def weekday_date(language: str | None, value: date) -> str:
    """``Monday 4 January 2026`` / ``lunes, 4 de enero de 2026`` / ``lundi 4 janvier 2026``."""
    return format_date(value, format="full", locale=date_locale(language))


def short_date(language: str | None, value: date) -> str:
    """``4 Jan`` / ``4 ene`` / ``4 janv.``: a chart label or a transcript's day."""
    return format_skeleton("MMMd", value, locale=date_locale(language))


def datetime_text(language: str | None, value: datetime, tz: tzinfo, fmt: str = "long") -> str:
    return format_datetime(value, format=fmt, tzinfo=tz, locale=date_locale(language))


def time_text(language: str | None, value: datetime, tz: tzinfo, fmt: str = "short") -> str:
    return format_time(value, format=fmt, tzinfo=tz, locale=resolve(language))


def clock_text(language: str | None, value: datetime, tz: tzinfo) -> str:
    """A time of day on the 24-hour clock of the house style (``09:00``, ``9:00`` in Spanish)."""
    return format_time(value, format="short", tzinfo=tz, locale=date_locale(language))


def date_range(language: str | None, start: datetime, end: datetime, tz: tzinfo) -> str:
    """The dates of a dialogue or a week in the seeds' house style, full month names:
    ``6 - 13 May 2015``, ``6 - 13 de mayo de 2015``, ``6 - 13 mai 2015``; across months
    ``13 October - 2 November 2014``; across years both dates in full; one day as one date.

    Babel's skeletons give each language's own order and words ("de", the month's name); the range
    repeats only what differs, like Babel's interval formats (which lack full-month ranges in en/fr).
    """
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    loc = date_locale(language)
    whole = format_skeleton("yMMMMd", last, locale=loc)
    if first == last:
        return whole
    if first.year != last.year:
        head = format_skeleton("yMMMMd", first, locale=loc)
    elif first.month != last.month:
        head = format_skeleton("MMMMd", first, locale=loc)
    else:
        head = format_skeleton("d", first, locale=loc)
    return f"{head}{RANGE_SEPARATOR}{whole}"


def language_name(language: str, in_language: str | None = None) -> str:
    return Locale.parse(language).get_display_name(resolve(in_language)) or language
