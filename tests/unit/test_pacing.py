"""When the write-behind timer derives stored text (:class:`bot.contributions.pacing.DerivePacing`)."""

from __future__ import annotations

from bot.contributions.pacing import DerivePacing


def test_a_quiet_interval_derives_a_busy_one_waits() -> None:
    pacing = DerivePacing(flood=200, at_least_every=10.0)
    pacing.arrivals += 199
    assert pacing.may_derive(0.5)  # fewer than a flood's arrivals: a pace a chunk a tick keeps up with
    pacing.derived()
    pacing.arrivals += 200
    assert not pacing.may_derive(1.0)  # as many or more in the interval: a flood
    assert pacing.may_derive(1.5)  # nothing arrived since: it is over


def test_each_tick_counts_its_own_interval() -> None:
    pacing = DerivePacing(flood=10, at_least_every=10.0)
    for tick in range(1, 6):
        pacing.arrivals += 6  # 30 in all, but never a flood's worth in one interval
        assert pacing.may_derive(tick * 0.5)


def test_a_long_flood_still_derives_at_least_every_so_often() -> None:
    pacing = DerivePacing(flood=10, at_least_every=10.0)
    derived_at = []
    for tick in range(1, 61):  # 30 s of half-second ticks, each interval flooded
        now = tick * 0.5
        pacing.arrivals += 50
        if pacing.may_derive(now):
            pacing.derived()
            derived_at.append(now)
    assert derived_at == [10.5, 21.0]  # 10 s after the text was first left waiting, each time


def test_a_quiet_tick_ends_the_wait() -> None:
    pacing = DerivePacing(flood=10, at_least_every=10.0)
    pacing.arrivals += 50
    assert not pacing.may_derive(100.0)  # the wait starts: hours of quiet before do not count
    assert pacing.may_derive(100.5)  # quiet again
    pacing.derived()
    pacing.arrivals += 50
    assert not pacing.may_derive(200.0)
    pacing.arrivals += 50
    assert not pacing.may_derive(209.5)
    pacing.arrivals += 50
    assert pacing.may_derive(210.0)
