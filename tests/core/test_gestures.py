"""Gesture detection on exact times: every rule at its boundary, then random button mashing.

Times are exact binary fractions where a boundary is tested (0.25, 0.5, ...) or computed with the
same sum the detector uses, so "exactly at the deadline" means exactly.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calmkit.core.gestures import Gesture, GestureDetector

HOLD = 1.5
DOUBLE = 0.4
DEBOUNCE = 0.03


def kinds(gestures: list[Gesture]) -> list[str]:
    return [g.kind for g in gestures]


def tap(det: GestureDetector, down: float, up: float) -> list[Gesture]:
    return det.edge(True, down) + det.edge(False, up)


@pytest.fixture
def det() -> GestureDetector:
    return GestureDetector(hold_s=HOLD, double_s=DOUBLE, debounce_s=DEBOUNCE)


# -- down and up ---------------------------------------------------------------------------------


def test_down_and_up_are_immediate(det: GestureDetector) -> None:
    assert det.edge(True, 10.0) == [Gesture("down", 10.0)]
    assert det.is_down
    assert det.edge(False, 10.25) == [Gesture("up", 10.25, 0.25)]
    assert not det.is_down


def test_a_release_with_nothing_down_and_repeated_levels_are_harmless(det: GestureDetector) -> None:
    assert det.edge(False, 1.0) == []
    assert det.next_deadline() is None
    assert kinds(det.edge(True, 2.0)) == ["down"]
    assert det.edge(True, 2.5) == []  # pressed twice with no release in between
    assert det.edge(False, 3.0) == [Gesture("up", 3.0, 1.0)]
    assert det.edge(False, 3.25) == []


# -- press ---------------------------------------------------------------------------------------


def test_press_is_confirmed_exactly_double_s_after_the_release(det: GestureDetector) -> None:
    assert kinds(tap(det, 1.0, 1.25)) == ["down", "up"]
    due = 1.25 + DOUBLE
    assert det.next_deadline() == due
    assert det.poll(math.nextafter(due, 0.0)) == []
    assert det.poll(due) == [Gesture("press", due)]
    assert det.next_deadline() is None
    assert det.poll(due + 100.0) == []


def test_a_late_poll_reports_the_press_at_its_due_time(det: GestureDetector) -> None:
    tap(det, 1.0, 1.25)
    assert det.poll(7200.0) == [Gesture("press", 1.25 + DOUBLE)]


def test_a_press_just_under_hold_s_is_a_press(det: GestureDetector) -> None:
    up = math.nextafter(1.0 + HOLD, 0.0)
    det.edge(True, 1.0)
    assert det.poll(up) == []
    assert det.edge(False, up) == [Gesture("up", up, up - 1.0)]
    assert det.poll(up + DOUBLE) == [Gesture("press", up + DOUBLE)]


def test_an_edge_after_a_missed_deadline_emits_the_overdue_press_first(
    det: GestureDetector,
) -> None:
    tap(det, 1.0, 1.25)
    out = det.edge(True, 5.0)
    assert out == [Gesture("press", 1.25 + DOUBLE), Gesture("down", 5.0)]


def test_a_quick_tap_shorter_than_the_debounce_still_counts(det: GestureDetector) -> None:
    assert kinds(det.edge(True, 1.0)) == ["down"]
    assert det.edge(False, 1.01) == []  # inside the lock-out: taken as a bounce for now
    assert det.next_deadline() == 1.0 + DEBOUNCE
    end = 1.0 + DEBOUNCE
    assert det.poll(end) == [Gesture("up", end, end - 1.0)]
    assert det.poll(10.0) == [Gesture("press", 1.0 + DEBOUNCE + DOUBLE)]


# -- hold ----------------------------------------------------------------------------------------


def test_hold_fires_while_held_and_the_release_is_only_an_up(det: GestureDetector) -> None:
    det.edge(True, 2.0)
    assert det.next_deadline() == 2.0 + HOLD
    assert det.poll(math.nextafter(2.0 + HOLD, 0.0)) == []
    assert det.poll(2.0 + HOLD) == [Gesture("hold", 2.0 + HOLD, HOLD)]
    assert det.is_down
    assert det.next_deadline() is None  # held on: nothing more to come
    assert det.poll(60.0) == []
    assert det.edge(False, 62.0) == [Gesture("up", 62.0, 60.0)]
    assert det.next_deadline() is None
    assert det.poll(1000.0) == []


def test_a_release_exactly_at_hold_s_comes_after_the_hold(det: GestureDetector) -> None:
    det.edge(True, 2.0)
    out = det.edge(False, 2.0 + HOLD)
    assert out == [Gesture("hold", 2.0 + HOLD, HOLD), Gesture("up", 2.0 + HOLD, HOLD)]
    assert det.poll(100.0) == []


def test_an_unpolled_hold_is_reported_at_its_due_time_on_release(det: GestureDetector) -> None:
    det.edge(True, 0.0)
    assert kinds(det.edge(False, 5.0)) == ["hold", "up"]


def test_a_press_after_a_hold_starts_fresh(det: GestureDetector) -> None:
    det.edge(True, 0.0)
    det.edge(False, 2.0)
    assert kinds(tap(det, 2.25, 2.5)) == ["down", "up"]  # within double_s of the hold's release
    assert det.poll(2.5 + DOUBLE) == [Gesture("press", 2.5 + DOUBLE)]


# -- double --------------------------------------------------------------------------------------


def test_double_is_emitted_at_the_second_down(det: GestureDetector) -> None:
    tap(det, 1.0, 1.125)
    assert det.edge(True, 1.5) == [Gesture("down", 1.5), Gesture("double", 1.5)]
    assert det.next_deadline() is None  # the second press can give no hold
    assert det.edge(False, 1.625) == [Gesture("up", 1.625, 0.125)]
    assert det.next_deadline() is None  # nor a press
    assert det.poll(100.0) == []


def test_a_long_second_press_gives_no_hold(det: GestureDetector) -> None:
    tap(det, 1.0, 1.125)
    det.edge(True, 1.25)
    assert det.poll(1.25 + HOLD + 10.0) == []
    assert kinds(det.edge(False, 30.0)) == ["up"]
    assert det.poll(100.0) == []


def test_a_second_down_exactly_double_s_after_the_release_is_a_new_press(
    det: GestureDetector,
) -> None:
    tap(det, 1.0, 1.25)
    second = 1.25 + DOUBLE
    assert det.edge(True, second) == [Gesture("press", second), Gesture("down", second)]
    det.edge(False, second + 0.25)
    assert kinds(det.poll(100.0)) == ["press"]


def test_a_third_quick_press_starts_fresh(det: GestureDetector) -> None:
    tap(det, 1.0, 1.125)
    assert kinds(tap(det, 1.25, 1.375)) == ["down", "double", "up"]
    assert kinds(tap(det, 1.5, 1.625)) == ["down", "up"]
    assert det.next_deadline() == 1.625 + DOUBLE
    assert det.poll(1.625 + DOUBLE) == [Gesture("press", 1.625 + DOUBLE)]


def test_four_quick_presses_are_two_doubles(det: GestureDetector) -> None:
    out = tap(det, 1.0, 1.125) + tap(det, 1.25, 1.375) + tap(det, 1.5, 1.625)
    out += tap(det, 1.75, 1.875) + det.poll(100.0)
    assert [g.kind for g in out if g.kind not in ("down", "up")] == ["double", "double"]


# -- debounce ------------------------------------------------------------------------------------


def test_a_bouncing_press_gives_one_down(det: GestureDetector) -> None:
    out = []
    for i, t in enumerate([1.0, 1.002, 1.005, 1.009, 1.014, 1.02]):
        out += det.edge(i % 2 == 0, t)  # down, up, down, up, down, up ... ends up
    out += det.edge(True, 1.025)  # ... and finally settles down
    assert out == [Gesture("down", 1.0)]
    assert det.next_deadline() == 1.0 + HOLD  # raw agrees with the accepted level: no lock wake
    # the person lets go, with a bouncing release
    out = []
    for i, t in enumerate([1.5, 1.501, 1.504, 1.51]):
        out += det.edge(i % 2 == 1, t)  # up, down, up, down ... ends down
    out += det.edge(False, 1.52)
    assert out == [Gesture("up", 1.5, 0.5)]
    assert det.poll(1.5 + DOUBLE) == [Gesture("press", 1.5 + DOUBLE)]
    assert det.poll(100.0) == []


def test_the_lock_out_resolves_to_the_true_level(det: GestureDetector) -> None:
    det.edge(True, 1.0)
    det.edge(False, 1.25)
    det.edge(True, 1.26)  # bounce that ends pressed
    assert not det.is_down
    assert det.next_deadline() == 1.25 + DEBOUNCE
    assert det.poll(1.27) == []
    assert det.poll(1.25 + DEBOUNCE) == [
        Gesture("down", 1.25 + DEBOUNCE),
        Gesture("double", 1.25 + DEBOUNCE),
    ]
    assert det.is_down


def test_a_lock_out_resolution_starts_a_new_lock_out(det: GestureDetector) -> None:
    det.edge(True, 1.0)
    det.edge(False, 1.01)
    first = 1.0 + DEBOUNCE
    assert kinds(det.poll(first)) == ["up"]
    assert det.edge(True, first + 0.01) == []  # a bounce of the resolved release
    assert det.next_deadline() == first + DEBOUNCE
    assert det.poll(first + DEBOUNCE) == [
        Gesture("down", first + DEBOUNCE),
        Gesture("double", first + DEBOUNCE),
    ]


def test_an_edge_exactly_at_the_end_of_the_lock_out_counts(det: GestureDetector) -> None:
    det.edge(True, 1.0)
    end = 1.0 + DEBOUNCE
    assert det.edge(False, end) == [Gesture("up", end, end - 1.0)]


def test_a_press_due_as_a_lock_out_ends_goes_first() -> None:
    """A tie between a timed gesture and a lock-out resolution: the timed gesture wins."""
    det = GestureDetector(double_s=0.25, debounce_s=0.25)
    det.edge(True, 1.0)
    det.edge(False, 1.5)
    det.edge(True, 1.625)  # a bounce that stays down
    assert det.poll(1.75) == [Gesture("press", 1.75), Gesture("down", 1.75)]
    det = GestureDetector(hold_s=0.25, debounce_s=0.25)
    det.edge(True, 1.0)
    det.edge(False, 1.125)  # a bounce that stays up
    assert det.poll(1.25) == [Gesture("hold", 1.25, 0.25), Gesture("up", 1.25, 0.25)]


def test_zero_debounce_takes_every_edge() -> None:
    det = GestureDetector(debounce_s=0.0)
    out = []
    for i in range(6):  # down, up, down, up, down, up, a millisecond apart
        out += det.edge(i % 2 == 0, 1.0 + i * 0.001)
    assert kinds(out) == ["down", "up", "down", "double", "up", "down", "up"]


# -- time ----------------------------------------------------------------------------------------


def test_an_edge_stamped_before_the_last_poll_is_taken_at_the_poll_time(
    det: GestureDetector,
) -> None:
    det.poll(5.0)
    assert det.edge(True, 4.9) == [Gesture("down", 5.0)]
    det.poll(5.5)
    assert det.edge(False, 5.25) == [Gesture("up", 5.5, 0.5)]
    assert det.poll(1.0) == []  # a poll back in time is a no-op
    assert det.next_deadline() == 5.5 + DOUBLE


def test_an_edge_racing_a_confirmed_press_starts_a_new_press(det: GestureDetector) -> None:
    tap(det, 1.0, 1.125)
    assert kinds(det.poll(2.0)) == ["press"]
    assert det.edge(True, 1.25) == [Gesture("down", 2.0)]  # stamped earlier, seen later


def test_non_finite_times_do_not_move_the_clock(det: GestureDetector) -> None:
    det.edge(True, 1.0)
    assert det.poll(math.inf) == []
    assert det.poll(1.25) == []
    assert det.poll(math.nan) == []
    assert det.edge(False, math.nan) == [Gesture("up", 1.25, 0.25)]


def test_times_hours_apart(det: GestureDetector) -> None:
    t = 3600.0 * 24 * 30
    assert kinds(tap(det, t, t + 0.25) + det.poll(t + 3600.0)) == ["down", "up", "press"]
    assert kinds(det.edge(True, t + 7200.0) + det.poll(t + 99999.0)) == ["down", "hold"]


# -- reset and settings --------------------------------------------------------------------------


def test_reset_drops_a_pending_press(det: GestureDetector) -> None:
    tap(det, 1.0, 1.125)
    det.reset()
    assert det.next_deadline() is None
    assert kinds(tap(det, 1.25, 1.375)) == ["down", "up"]  # no double: the window is gone
    assert kinds(det.poll(10.0)) == ["press"]


def test_reset_while_held_keeps_the_level_but_drops_the_hold(det: GestureDetector) -> None:
    det.edge(True, 1.0)
    det.reset()
    assert det.is_down
    assert det.next_deadline() is None
    assert det.poll(10.0) == []
    assert det.edge(False, 10.0) == [Gesture("up", 10.0, 9.0)]  # down/up still pair up
    assert det.poll(20.0) == []
    assert kinds(tap(det, 21.0, 21.25) + det.poll(30.0)) == ["down", "up", "press"]


def test_settings_are_used() -> None:
    det = GestureDetector(hold_s=3.0, double_s=0.25, debounce_s=0.01)
    det.edge(True, 0.0)
    assert det.next_deadline() == 3.0
    det.edge(False, 0.5)
    assert det.next_deadline() == 0.75


@pytest.mark.parametrize(
    "kwargs",
    [{"hold_s": 0.0}, {"hold_s": -1.0}, {"double_s": -0.1}, {"debounce_s": math.nan}],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        GestureDetector(**kwargs)


def test_zero_double_s_confirms_a_press_on_release() -> None:
    det = GestureDetector(double_s=0.0)
    det.edge(True, 1.0)
    assert kinds(det.edge(False, 1.25)) == ["up", "press"]
    assert kinds(det.edge(True, 1.25 + DEBOUNCE)) == ["down"]


# -- button mashing (hypothesis) -----------------------------------------------------------------

gaps = st.one_of(
    st.floats(0.0, 0.05),  # bounces
    st.floats(0.0, 3.0),  # ordinary pressing
    st.floats(0.0, 4 * 3600.0),  # hours in a drawer
)
ops = st.lists(
    st.one_of(
        st.tuples(st.just("edge"), st.booleans(), gaps),
        st.tuples(st.just("late"), st.booleans(), st.floats(0.0, 0.05)),  # stamped before now
        st.tuples(st.just("poll"), st.just(False), gaps),
        st.tuples(st.just("deadline"), st.just(False), st.just(0.0)),
    ),
    max_size=60,
)
settings_ = st.tuples(st.floats(0.1, 3.0), st.floats(0.0, 1.0), st.floats(0.0, 0.1))


@settings(max_examples=300, deadline=None)
@given(setting=settings_, script=ops)
def test_mashing_keeps_every_promise(
    setting: tuple[float, float, float], script: list[tuple[str, bool, float]]
) -> None:
    hold_s, double_s, debounce_s = setting
    det = GestureDetector(hold_s=hold_s, double_s=double_s, debounce_s=debounce_s)
    now = 0.0
    seen: list[Gesture] = []
    raw = False

    def check_quiet_until_deadline(t: float) -> None:
        """Nothing can be emitted before next_deadline(), and it never lies in the past."""
        deadline = det.next_deadline()
        assert deadline is None or deadline > t
        if deadline is None or t < deadline:
            assert det.poll(t) == []

    for op, pressed, value in script:
        if op == "edge":
            now += value
            seen += det.edge(pressed, now)
            raw = pressed
        elif op == "late":
            seen += det.edge(pressed, now - value)
            raw = pressed
        elif op == "poll":
            check_quiet_until_deadline(now)
            nxt = det.next_deadline()
            if nxt is not None and nxt > now + value:
                mid = now + value
                assert det.poll(mid) == []
            now += value
            seen += det.poll(now)
        else:
            nxt = det.next_deadline()
            if nxt is not None:
                now = max(now, nxt)
                got = det.poll(now)
                assert got, "poll at next_deadline() emitted nothing"
                seen += got
        check_quiet_until_deadline(now)
    # let go and wait
    now += 1.0
    seen += det.edge(False, now)
    raw = False
    seen += det.poll(now + 24 * 3600.0)
    assert det.next_deadline() is None
    assert det.is_down == raw

    times = [g.t for g in seen]
    assert times == sorted(times)
    assert all(g.kind in ("down", "up", "press", "hold", "double") for g in seen)

    edges = [g for g in seen if g.kind in ("down", "up")]
    assert [g.kind for g in edges] == ["down", "up"] * (len(edges) // 2)
    for a, b in itertools.pairwise(edges):  # debounced: transitions at least debounce_s apart
        assert b.t - a.t >= debounce_s - 1e-9
    for down, up in zip(edges[::2], edges[1::2], strict=True):
        assert up.held_s == pytest.approx(up.t - down.t)

    # between one down and the next: at most one press, hold or double, and a hold before its up
    downs = 0
    outcome = 0
    for i, g in enumerate(seen):
        if g.kind == "down":
            downs += 1
            outcome = 0
        elif g.kind in ("press", "hold", "double"):
            outcome += 1
            assert outcome <= 1
        if g.kind == "hold":
            assert any(h.kind == "up" for h in seen[i + 1 :])
            assert g.held_s == pytest.approx(hold_s)
    meaningful = sum(g.kind in ("press", "hold", "double") for g in seen)
    assert meaningful <= downs


@settings(max_examples=200, deadline=None)
@given(
    presses=st.lists(
        st.tuples(st.floats(0.06, 4.0), st.floats(0.06, 4.0)),  # (gap before, time held)
        min_size=1,
        max_size=20,
    )
)
def test_clean_presses_are_classified_like_a_person_would(
    presses: list[tuple[float, float]],
) -> None:
    """Without bounces, each press is exactly one of press, hold, or half of a double."""
    det = GestureDetector()
    out: list[Gesture] = []
    expected: list[str] = []
    now = 0.0
    last_up: float | None = None
    first_half_open = False
    for gap, held in presses:
        down = now + gap
        double = first_half_open and last_up is not None and down < last_up + det.double_s
        if first_half_open and not double:
            expected.append("press")
        out += det.edge(True, down)
        now = down + held
        out += det.edge(False, now)
        if double:
            expected.append("double")
            first_half_open = False
        elif down + det.hold_s <= now:
            expected.append("hold")
            first_half_open = False
        else:
            first_half_open = True
        last_up = now
    if first_half_open:
        expected.append("press")
    out += det.poll(now + 10.0)
    assert [g.kind for g in out if g.kind not in ("down", "up")] == expected


# -- what the flow wants: no double (a press at release), a long hold ----------------------------


def test_where_no_double_is_wanted_a_release_is_a_press_at_once(det: GestureDetector) -> None:
    det.wanted = lambda: {"press", "hold"}
    assert kinds(tap(det, 1.0, 1.125)) == ["down", "up", "press"]
    out = tap(det, 1.25, 1.375)  # well inside double_s of the last release: a second press
    assert out == [Gesture("down", 1.25), Gesture("up", 1.375, 0.125), Gesture("press", 1.375)]
    assert det.next_deadline() is None


def test_a_long_hold_comes_only_where_it_is_wanted(det: GestureDetector) -> None:
    det.edge(True, 0.0)
    assert kinds(det.poll(10.0)) == ["hold"]  # usually nothing after the hold
    det.edge(False, 10.0)
    det.wanted = lambda: {"press", "hold", "long_hold"}
    det.edge(True, 20.0)
    assert det.poll(20.0 + HOLD) == [Gesture("hold", 20.0 + HOLD, HOLD)]
    assert det.next_deadline() == 20.0 + det.long_hold_s == 24.0
    assert det.poll(24.0) == [Gesture("long_hold", 24.0, 4.0)]
    assert det.next_deadline() is None
    assert kinds(det.edge(False, 30.0)) == ["up"]


def test_a_long_hold_must_be_longer_than_a_hold() -> None:
    with pytest.raises(ValueError, match="long_hold_s"):
        GestureDetector(hold_s=2.0, long_hold_s=2.0)


def test_a_first_edge_with_no_usable_time_is_taken_at_zero() -> None:
    for bad in (math.nan, math.inf, -math.inf):
        fresh = GestureDetector()
        assert fresh.edge(True, bad) == [Gesture("down", 0.0)]
        assert fresh.poll(bad) == [] and fresh.next_deadline() == 1.5  # the hold, from 0


def test_any_hold_time_above_zero_is_a_valid_setting() -> None:
    for hold_s in (0.5, 1.0, 2.0):
        assert GestureDetector(hold_s=hold_s).hold_s == hold_s
    with pytest.raises(ValueError, match="hold_s must be above 0"):
        GestureDetector(hold_s=0.0, long_hold_s=1.0)
