"""The clocks: FakeClock moves only when told; ScaledClock runs real time ``speed`` times faster
(its real time is faked here, never slept); MonotonicClock is the builtin. Each says how long
its deadlines really take and how long real time lasts on it: the clock owns speed."""

import time
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from calmkit.core import clock as clock_module
from calmkit.core.clock import FakeClock, MonotonicClock, ScaledClock

START = datetime(2026, 3, 2, 23, 59, 30).astimezone()


class RealTime:
    """Stands in for the time module inside calmkit.core.clock: monotonic() reads ``t``."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def monotonic(self) -> float:
        return self.t


@pytest.fixture
def real(monkeypatch):
    fake = RealTime()
    monkeypatch.setattr(clock_module, "time", SimpleNamespace(monotonic=fake.monotonic))
    return fake


def test_a_fake_clock_moves_only_when_advanced_and_its_wall_clock_with_it():
    clock = FakeClock(start=5.0, wall_start=START)
    assert clock.now() == 5.0 and clock.wall() == START
    assert clock.advance(2.5) == 7.5
    assert clock.now() == 7.5 and clock.wall() == START + timedelta(seconds=2.5)
    assert clock.advance_to(60.0) == 60.0
    assert clock.wall() == START + timedelta(seconds=55)  # across midnight, as a night run does
    assert clock.wall().date() > START.date()


def test_a_fake_clock_never_goes_backwards():
    clock = FakeClock()
    clock.advance(10)
    assert clock.advance_to(3.0) == 10.0  # a time already past is a no-op
    with pytest.raises(ValueError, match="never goes backwards"):
        clock.advance(-0.1)
    assert clock.now() == 10.0


def test_a_fake_clocks_wall_time_is_local_and_aware_by_default():
    wall = FakeClock().wall()
    assert wall.tzinfo is not None and wall.utcoffset() is not None


def test_a_scaled_clock_runs_speed_times_faster_than_real_time(real):
    clock = ScaledClock(10)
    start = clock.now()
    assert start == 1000.0  # it starts where the real clock stands
    real.t += 1.5
    assert clock.now() == pytest.approx(start + 15.0)
    real.t += 0.5
    assert clock.now() == pytest.approx(start + 20.0)
    real.t += 0.0
    assert clock.now() == pytest.approx(start + 20.0)  # monotonic: no time, no change


def test_a_scaled_clocks_wall_time_runs_as_fast_as_its_now(real):
    clock = ScaledClock(6)
    wall0 = clock.wall()
    real.t += 10.0  # ten real seconds are a minute on this clock, and on its wall clock too
    assert clock.wall() - wall0 == pytest.approx(timedelta(seconds=60), abs=timedelta(0))
    assert clock.wall().tzinfo is not None


def test_a_scaled_clock_at_speed_1_keeps_real_time(real):
    clock = ScaledClock(1)
    real.t += 3.25
    assert clock.now() == pytest.approx(1003.25)
    assert clock.speed == 1.0 and isinstance(clock.speed, float)


@pytest.mark.parametrize("speed", [0, -2, float("nan")])
def test_a_scaled_clock_refuses_a_speed_that_is_not_above_0(speed):
    with pytest.raises(ValueError, match="speed must be above 0"):
        ScaledClock(speed)


def test_a_scaled_clock_says_how_long_its_deadlines_really_take(real):
    clock = ScaledClock(4)
    now = clock.now()
    assert clock.deadline_to_sleep_time(now + 10.0) == pytest.approx(2.5)
    real.t += 1.0  # four of its seconds gone
    assert clock.deadline_to_sleep_time(now + 10.0) == pytest.approx(1.5)
    assert clock.deadline_to_sleep_time(now + 4.0) == 0.0  # due now
    assert clock.deadline_to_sleep_time(now) == 0.0  # past: no wait, never a negative one


def test_a_scaled_clock_says_how_long_real_time_lasts_on_it(real):
    clock = ScaledClock(4)
    assert clock.from_real(1.5) == pytest.approx(6.0)  # a 1.5 s hold, on a 4x clock
    assert clock.from_real(0.0) == 0.0
    start = clock.now()
    real.t += 1.5
    assert clock.now() - start == pytest.approx(clock.from_real(1.5))  # what it measures


def test_the_monotonic_clock_runs_at_real_speed_and_waits_to_the_deadline():
    clock = MonotonicClock()
    assert clock.speed == 1.0 and clock.from_real(1.5) == 1.5
    now = time.monotonic()
    assert 9.0 < clock.deadline_to_sleep_time(now + 10.0) <= 10.0
    assert clock.deadline_to_sleep_time(now - 5.0) == 0.0


def test_a_fake_clock_stands_for_a_run_at_its_speed_and_never_moves_by_itself():
    clock = FakeClock(start=100.0)
    assert clock.speed == 1.0 and clock.from_real(0.4) == 0.4
    assert clock.deadline_to_sleep_time(103.0) == 3.0
    fast = FakeClock(start=100.0, speed=20)
    assert fast.from_real(0.4) == pytest.approx(8.0)  # a double press's window, at --speed 20
    assert fast.deadline_to_sleep_time(110.0) == pytest.approx(0.5)
    assert fast.deadline_to_sleep_time(50.0) == 0.0
    assert fast.now() == 100.0  # asking moved nothing
    with pytest.raises(ValueError, match="speed must be above 0"):
        FakeClock(speed=0)


def test_on_every_clock_a_wait_turned_into_real_time_and_back_is_itself():
    from calmkit.core.clock import Clock

    def round_trip(clock: Clock, seconds: float) -> float:
        return clock.from_real(clock.deadline_to_sleep_time(clock.now() + seconds))

    for clock in (MonotonicClock(), FakeClock(speed=3), ScaledClock(3), ScaledClock(0.5)):
        assert round_trip(clock, 6.0) == pytest.approx(6.0, rel=1e-3), clock


def test_the_monotonic_clock_is_the_builtin_and_its_wall_time_is_aware():
    clock = MonotonicClock()
    assert MonotonicClock.now is time.monotonic  # no wrapper: it is read several times a frame
    before = time.monotonic()
    assert before <= clock.now() <= time.monotonic()
    wall = clock.wall()
    assert wall.tzinfo is not None
    assert abs(wall - datetime.now().astimezone()) < timedelta(seconds=5)


def test_a_held_scaled_clock_stands_still_through_the_start_up_until_first_waited_for(real):
    clock = ScaledClock(1000, held=True)
    start = clock.now()
    real.t += 0.05  # a slow start-up: 50 ms of real time, 50 s at --speed 1000
    assert clock.now() == start and clock.wall() - clock.wall() == timedelta(0)
    assert clock.deadline_to_sleep_time(start + 4.0) == pytest.approx(0.004)  # first wait
    real.t += 0.004
    assert clock.now() == pytest.approx(start + 4.0)  # the inhale took its 4 s, no more
    real.t += 0.001
    assert clock.now() == pytest.approx(start + 5.0)


def test_a_held_scaled_clock_runs_by_itself_at_the_latest_after_its_hold(real):
    from calmkit.core.clock import HOLD_MAX_S

    clock = ScaledClock(10, held=True)
    start = clock.now()
    real.t += HOLD_MAX_S + 1.0  # never waited for (an idle box waits with no deadline)
    assert clock.now() == pytest.approx(start + 10.0)  # running since the hold ran out
    clock.deadline_to_sleep_time(start + 100.0)  # a late first wait moves nothing back
    assert clock.now() == pytest.approx(start + 10.0)


def test_a_scaled_clock_not_held_runs_from_its_start(real):
    clock = ScaledClock(1000)
    start = clock.now()
    real.t += 0.05
    assert clock.now() == pytest.approx(start + 50.0)
