"""The scheduling maths: local dates, spreading questions, the order of posts, DST edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dialogues.timeline import parse_local, plan, spread, to_utc, week_ends
from bot.errors import UserError

PARIS = ZoneInfo("Europe/Paris")
UTC_ZONE = ZoneInfo("UTC")


def test_dates_are_read_in_the_dialogue_time_zone() -> None:
    assert parse_local("2026-05-06 09:00", PARIS) == datetime(2026, 5, 6, 7, 0, tzinfo=UTC)  # CEST = UTC+2
    assert parse_local("2026-01-06 09:00", PARIS) == datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # CET = UTC+1
    assert parse_local("2026-05-06", PARIS) == datetime(2026, 5, 5, 22, 0, tzinfo=UTC)
    assert parse_local("2026-05-13", PARIS, end_of_day=True) == datetime(2026, 5, 13, 21, 59, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-13-01", "2026-02-30 10:00", "2026-05-06 25:00", "06/05/2026"])
def test_malformed_dates_are_user_errors_naming_the_input(text: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_local(text, PARIS)
    assert raised.value.params["value"] == text


def test_a_time_in_the_spring_gap_lands_just_after_the_change() -> None:
    # 29 March 2026, 02:30 does not exist in Paris (clocks jump from 02:00 to 03:00).
    assert to_utc(datetime(2026, 3, 29, 2, 30), PARIS) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_four_questions_are_spread_over_a_week_at_the_starting_hour() -> None:
    start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 12, 9, tzinfo=UTC)
    times = spread(start, end, 4, UTC_ZONE)
    assert times == [start + timedelta(days=d) for d in (0, 1, 3, 5)]
    assert spread(start, end, 0, UTC_ZONE) == []


def test_a_dialogue_shorter_than_its_questions_spreads_them_over_its_hours() -> None:
    start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 5, 17, tzinfo=UTC)
    times = spread(start, end, 3, UTC_ZONE)
    assert times == [start, start + timedelta(hours=2, minutes=40), start + timedelta(hours=5, minutes=20)]


def test_spreading_keeps_the_local_hour_across_a_dst_change() -> None:
    # Thursday 26 March → Thursday 2 April 2026 in Paris; summer time starts on Sunday 29 March.
    start = parse_local("2026-03-26 09:00", PARIS)
    end = parse_local("2026-04-02 09:00", PARIS)
    times = spread(start, end, 7, PARIS)
    assert [t.astimezone(PARIS).hour for t in times] == [9] * 7
    assert [t.hour for t in times] == [8, 8, 8, 7, 7, 7, 7]  # UTC moves, local time does not
    assert end - start == timedelta(days=7, hours=-1)


def test_the_plan_lists_every_post_in_running_order() -> None:
    start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 12, 9, tzinfo=UTC)
    fixed = datetime(2026, 1, 6, 12, tzinfo=UTC)
    items = plan(start, end, UTC_ZONE, [(1, None), (2, fixed), (3, None)], reminder_hours_before_close=24)
    assert [(i.kind, i.question_id) for i in items] == [
        ("opening", None), ("question", 1), ("question", 2), ("question", 3), ("reminder", None), ("closing", None),
    ]
    assert items[1].run_at == start  # right after the opening post
    assert items[2].run_at == fixed
    assert items[3].run_at == start + timedelta(days=3)  # the unset ones share the days, at the starting hour
    assert items[4].run_at == end - timedelta(hours=24)


def test_no_reminder_when_it_would_fall_before_the_start() -> None:
    start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 5, 20, tzinfo=UTC)
    kinds = [i.kind for i in plan(start, end, UTC_ZONE, [(1, None)], reminder_hours_before_close=24)]
    assert kinds == ["opening", "question", "closing"]


def test_multi_week_dialogues_get_a_summary_at_the_end_of_each_full_week() -> None:
    start = parse_local("2026-03-20 09:00", PARIS)
    end = parse_local("2026-04-06 09:00", PARIS)
    weeks = week_ends(start, end, PARIS)
    assert [w for w, _ in weeks] == [1, 2]
    assert [at.astimezone(PARIS).hour for _, at in weeks] == [9, 9]  # across the DST change too
    assert week_ends(start, start + timedelta(days=7), PARIS) == []
    kinds = [i.kind for i in plan(start, end, PARIS, [(1, None)], 24)]
    assert kinds.count("week_summary") == 2 and kinds[-1] == "closing"
