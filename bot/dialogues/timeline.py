"""The scheduling maths of a dialogue: parse local dates, spread questions, list the posts.

Pure functions, no I/O. Times are computed on the dialogue's local wall clock and then converted to
UTC, so a question spread "one day later" goes out at the same local hour even across a daylight
saving change (a week of 7 local days is 167 or 169 hours long around one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import valid_timezone
from bot.errors import UserError
from bot.i18n import N_

#: Kinds of schedule items, in the order they run when due at the same instant.
KIND_ORDER = {"opening": 0, "question": 1, "reminder": 2, "week_summary": 3, "closing": 4, "panel": 5, "report": 6}

#: The years a date may fall in (a typo like 9999 is refused before any arithmetic can overflow).
YEARS = (2000, 2100)
_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?\s*$")


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a :class:`UserError` naming it."""
    if not valid_timezone(name):
        raise UserError(N_("Unknown time zone “{value}”: use a name like Europe/Paris."), value=name[:60])
    return ZoneInfo(name)


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive local wall-clock time in ``tz`` as an aware UTC datetime.

    An ambiguous time (autumn fold) is read as its first occurrence; a time in the spring gap is read
    with the offset in force before the gap, i.e. it lands just after the change.
    """
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def parse_local(text: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DD`` in ``tz`` → aware UTC datetime.

    A bare date means the start of that day, or its last minute (23:59) with ``end_of_day``, so that
    ``starts 2026-05-06 ends 2026-05-13`` covers both days whole.
    """
    match = _DATE.match(text or "")
    if match is None:
        raise UserError(N_("“{value}” is not a date: write YYYY-MM-DD HH:MM or YYYY-MM-DD."), value=(text or "")[:40])
    year, month, day, hour, minute = match.groups()
    if not YEARS[0] <= int(year) <= YEARS[1]:
        raise UserError(N_("“{value}” is out of range: dates must fall between the years {first} and {last}."),
                        value=text[:40], first=YEARS[0], last=YEARS[1])
    try:
        if hour is None:
            local = datetime(int(year), int(month), int(day), 23 if end_of_day else 0, 59 if end_of_day else 0)
        else:
            local = datetime(int(year), int(month), int(day), int(hour), int(minute))
    except ValueError:
        raise UserError(N_("“{value}” is not a date: write YYYY-MM-DD HH:MM or YYYY-MM-DD."), value=text) from None
    return to_utc(local, tz)


def local_naive(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def spread(starts: datetime, ends: datetime, count: int, tz: ZoneInfo) -> list[datetime]:
    """``count`` instants spread over the dialogue, the first at the start.

    Members expect a guiding question at the same local hour each time: when the dialogue has at
    least ``count`` days, question *i* goes out at the start's local time on day
    ``floor(i × days / count)`` (a week with four questions: days 1, 2, 4 and 6 at 09:00), DST
    changes included. A dialogue shorter than that spreads them evenly over its local hours,
    rounded down to the minute.
    """
    if count <= 0:
        return []
    start_l, end_l = local_naive(starts, tz), local_naive(ends, tz)
    days = 0
    while start_l + timedelta(days=days) < end_l:
        days += 1
    if days >= count:
        return [to_utc(start_l + timedelta(days=(i * days) // count), tz) for i in range(count)]
    step = (end_l - start_l) / count
    return [to_utc((start_l + step * i).replace(second=0, microsecond=0), tz) for i in range(count)]


@dataclass(frozen=True)
class PlannedItem:
    kind: str
    run_at: datetime
    question_id: int | None = None
    week: int | None = None

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.run_at, KIND_ORDER[self.kind], self.week or self.question_id or 0)


def week_ends(starts: datetime, ends: datetime, tz: ZoneInfo) -> list[tuple[int, datetime]]:
    """(week number, end) for each full local week of a dialogue longer than one week."""
    start_l, end_l = local_naive(starts, tz), local_naive(ends, tz)
    if end_l - start_l <= timedelta(days=7):
        return []
    out = []
    week = 1
    while start_l + timedelta(days=7 * week) <= end_l:
        out.append((week, to_utc(start_l + timedelta(days=7 * week), tz)))
        week += 1
    return out


def plan(
    starts: datetime,
    ends: datetime,
    tz: ZoneInfo,
    questions: list[tuple[int, datetime | None]],
    reminder_hours_before_close: float,
) -> list[PlannedItem]:
    """Every post of a dialogue, in running order.

    ``questions`` are (question id, explicit post time or ``None``) in position order; those
    without a time take the spread slots in order. The reminder is dropped when it would fall at or
    before the start.
    """
    unset = [qid for qid, at in questions if at is None]
    slots = iter(spread(starts, ends, len(unset), tz))
    items = [PlannedItem("opening", starts)]
    for qid, at in questions:
        items.append(PlannedItem("question", at if at is not None else next(slots), question_id=qid))
    reminder = ends - timedelta(hours=reminder_hours_before_close)
    if reminder_hours_before_close > 0 and reminder > starts:
        items.append(PlannedItem("reminder", reminder))
    for week, at in week_ends(starts, ends, tz):
        items.append(PlannedItem("week_summary", at, week=week))
    items.append(PlannedItem("closing", ends))
    return sorted(items, key=lambda item: item.sort_key)
