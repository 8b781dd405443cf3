"""The comfort limit's guard (core/comfort.py): at most 40 % of any 10 s on, no stretch over
MAX_ON_S, whatever is asked of it."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from calmkit.core.comfort import MAX_ON_S, REST_S, ComfortGuard, on_share


def stretches(writes, guard, end):
    """Feed (time, on) writes to the guard; the stretches the device really had on."""
    found, since = [], None
    for t, on in writes:
        allowed = guard.allow(t, on) and on
        if allowed and since is None:
            since = t
        elif not allowed and since is not None:
            found.append((since, t))
            since = None
    if since is not None:
        found.append((since, end))
    return found


def test_a_steady_half_on_pattern_is_cut_to_the_budget():
    guard = ComfortGuard(margin_s=0.5)
    writes = [(k * 0.5, k % 2 == 0) for k in range(200)]  # 0.5 s on, 0.5 s off: 50 %
    found = stretches(writes, guard, 100.0)
    assert guard.cuts > 0
    assert on_share(found) <= 4.0 + 1e-9


def test_a_pattern_inside_the_limit_is_never_cut():
    guard = ComfortGuard(margin_s=0.3)
    writes = [(k * 0.5, k % 4 == 0) for k in range(400)]  # 0.5 s on every 2 s: 25 %
    found = stretches(writes, guard, 200.0)
    assert guard.cuts == 0 and len(found) == 100


def test_a_long_stretch_is_cut_and_rests_before_it_may_start_again():
    guard = ComfortGuard(margin_s=0.1)
    writes = [(k * 0.05, True) for k in range(200)]  # asked to be on for 10 s, changing
    found = stretches(writes, guard, 10.0)
    assert max(end - start for start, end in found) <= MAX_ON_S + 1e-9
    assert all(b[0] - a[1] >= REST_S - 1e-9 for a, b in itertools.pairwise(found))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.floats(0.01, 0.6), st.booleans()),  # gap to the next write, and on or off
        min_size=1,
        max_size=300,
    )
)
def test_whatever_is_written_the_device_is_never_on_over_the_limit(steps):
    guard = ComfortGuard(margin_s=0.6)
    writes, t = [], 0.0
    for gap, on in steps:
        writes.append((t, on))
        t += gap
    found = stretches(writes, guard, t)
    assert on_share(found) <= 4.0 + 1e-9
    assert all(end - start <= MAX_ON_S + 1e-9 for start, end in found)


def test_on_share_finds_the_worst_window():
    assert on_share([(0.0, 1.0), (5.0, 6.0), (9.0, 10.0), (30.0, 31.0)]) == 3.0
    assert on_share([(0.0, 1.0), (5.0, 6.0), (9.5, 11.0)]) == 2.5  # no 10 s holds all three
    assert on_share([]) == 0.0
