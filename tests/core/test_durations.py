"""One way to say a length of time: a clock rounds to the nearest second, a countdown rounds up."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from calmkit.core.durations import clock_text, countdown_text

SECONDS = st.floats(min_value=0, max_value=4 * 3600, allow_nan=False)


def test_a_clock_shows_minutes_and_seconds_then_hours():
    assert clock_text(0) == "0:00"
    assert clock_text(4) == "0:04"
    assert clock_text(76) == "1:16"
    assert clock_text(504) == "8:24"
    assert clock_text(295.4) == "4:55"
    assert clock_text(3599.4) == "59:59"
    assert clock_text(3600) == "1:00:00"
    assert clock_text(4 * 3600 - 63) == "3:58:57"


def test_a_clock_rounds_to_the_nearest_second_a_half_up():
    assert clock_text(4.003) == "0:04"  # a phase due at 4 s, handled 3 ms late on the real clock
    assert clock_text(3.6) == "0:04"
    assert clock_text(16.5) == "0:17" and clock_text(17.5) == "0:18"  # a half goes up
    assert clock_text(150.5) == "2:31"
    assert clock_text(59.5) == "1:00"


def test_float_noise_below_a_microsecond_is_forgiven():
    assert clock_text(2.5 - 1e-9) == "0:03"  # a sum of steps that means 2.5 s
    assert countdown_text(4 + 1e-9) == "4 s"  # 4 s left, not 5
    assert countdown_text(0.1 + 0.2 - 0.3) == "0 s"


def test_a_countdown_rounds_up_and_says_seconds_under_a_minute():
    assert countdown_text(3.2) == "4 s"
    assert countdown_text(0.01) == "1 s"  # time is left: never "0 s" before the phase changes
    assert countdown_text(0) == "0 s"
    assert countdown_text(59.5) == "1:00"
    assert countdown_text(59) == "59 s"
    assert countdown_text(64.2) == "1:05"
    assert countdown_text(3600.5) == "1:00:01"


def test_nothing_below_zero():
    assert clock_text(-3) == "0:00"
    assert countdown_text(-0.5) == "0 s"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(SECONDS)
def test_the_two_rules_are_nearest_and_up(seconds):
    parts = [int(p) for p in clock_text(seconds).split(":")]
    shown = sum(value * 60**k for k, value in enumerate(reversed(parts)))
    assert abs(shown - seconds) <= 0.5 + 1e-6
    words = countdown_text(seconds)
    if words.endswith(" s"):
        left = int(words[:-2])
    else:
        left = sum(int(p) * 60**k for k, p in enumerate(reversed(words.split(":"))))
    assert -1e-6 <= left - seconds < 1 + 1e-6 and left == max(0, math.ceil(seconds - 1e-6))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.integers(min_value=1, max_value=3 * 3600),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
)
def test_elapsed_and_the_countdown_add_up_to_the_end(end, share):
    """Any moment in a step ending at a whole second: elapsed (down) + left (up) is the end."""
    from calmkit.core.durations import elapsed_text

    elapsed = end * share
    left = countdown_text(end - elapsed)
    seconds = int(left[:-2]) if left.endswith(" s") else _seconds(left)
    assert _seconds(elapsed_text(elapsed)) + seconds == end


def _seconds(text: str) -> int:
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return total


def test_elapsed_rounds_down():
    from calmkit.core.durations import elapsed_text

    assert [elapsed_text(s) for s in (0.0, 5.6, 59.999, 60.0, 3600.2)] == [
        "0:00",
        "0:05",
        "0:59",
        "1:00",
        "1:00:00",
    ]
