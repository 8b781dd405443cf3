"""Light eases between levels, vibration speaks the phase, sounds follow the steps, night caps."""

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmkit.cues import (
    BLINK_LEVEL,
    PEAK,
    QUIET_LEVEL,
    LightTrack,
    caps_at,
    ease,
    in_window,
    motor_on,
    sound_for,
)
from calmkit.programs import Program, Quiet, Step, Steps, expand

BOX = Program(
    "box",
    blocks=(
        Steps((Step("inhale", 4), Step("hold", 4), Step("exhale", 4), Step("hold", 4)), cycles=2),
    ),
)


def box_track(floor=0.03):
    return LightTrack(expand("box", {"box": BOX}), floor=floor)


def test_breathing_light_rises_holds_falls_and_holds_low():
    track = box_track()
    assert track.level(0, 0) == 0.0
    assert track.level(0, 2) == pytest.approx(0.5)
    assert track.level(0, 4) == PEAK
    assert track.level(1, 0) == track.level(1, 4) == PEAK
    assert track.level(2, 4) == pytest.approx(0.03)
    assert track.level(3, 2) == pytest.approx(0.03)
    assert track.level(4, 4) == PEAK  # the second cycle starts from the floor


def test_easing_is_gentle_at_both_ends():
    assert ease(0) == 0 and ease(1) == 1 and ease(0.5) == pytest.approx(0.5)
    assert ease(0.01) < 0.001 and ease(0.99) > 0.999


@given(st.integers(0, 7), st.floats(0, 4))
def test_levels_stay_within_zero_and_one(index, t):
    assert 0.0 <= box_track().level(index, t) <= 1.0


def test_a_blink_is_one_soft_cue_at_the_start_of_its_second():
    track = LightTrack(
        expand("b", {"b": Program("b", blocks=(Steps((Step("blink", 1),), cycles=3),))})
    )
    assert track.level(0, 0) == 0
    assert track.level(0, 0.15) == pytest.approx(BLINK_LEVEL)
    assert track.level(0, 0.3) == pytest.approx(0, abs=1e-9)
    assert track.level(0, 0.6) == 0
    # sampled at 100 Hz, the light rises at most once per step: never above 3 Hz
    rises = 0
    previous = 0.0
    for k in range(300):
        index, t = divmod(k / 100, 1.0)
        level = track.level(int(index), t)
        if level > 0.01 >= previous:
            rises += 1
        previous = level
    assert rises == 3


def test_quiet_time_settles_dim_and_fades_to_off():
    plan = expand("q", {"q": Program("q", blocks=(Quiet(300, fade_out_s=30),))})
    track = LightTrack(plan)
    assert track.level(0, 0) == 0
    assert track.level(0, 100) == pytest.approx(QUIET_LEVEL)
    assert track.level(1, 0) == pytest.approx(QUIET_LEVEL)
    assert track.level(1, 15) == pytest.approx(QUIET_LEVEL / 2)
    assert track.level(1, 30) == 0


def test_vibration_one_pulse_in_two_out_long_hold():
    def pulses(phase):
        samples = [motor_on(phase, k / 100) for k in range(200)]
        return sum(1 for a, b in zip([0.0, *samples], samples) if b > a), sum(samples) / 100

    assert pulses("inhale")[0] == 1
    assert pulses("exhale")[0] == 2
    count, on_s = pulses("hold")
    assert count == 1 and on_s == pytest.approx(0.6)
    assert pulses("quiet") == (0, 0)


def test_sounds_follow_the_phase_and_the_steps_own_choice():
    plan = expand("box", {"box": BOX})
    assert [sound_for(plan, i) for i in range(4)] == [
        "chime_in",
        "chime_hold",
        "chime_out",
        "chime_hold",
    ]
    press = Program(
        "p",
        blocks=(
            Steps(
                (
                    Step("press", 10),
                    Step("release", 5),
                    Step("switch", 4),
                    Step("press", 10),
                    Step("prompt", 5, sound=""),
                )
            ),
        ),
    )
    plan = expand("p", {"p": press})
    assert [sound_for(plan, i) for i in range(5)] == [
        "say_press",
        "chime_out",
        "say_switch_hands",
        "chime_in",
        None,
    ]
    assert [sound_for(plan, i, voice=False) for i in range(3)] == [
        "chime_in",
        "chime_out",
        "bell_interval",
    ]


def test_night_window_wraps_midnight():
    start, end = time(21), time(7)
    assert in_window(start, end, time(23, 30))
    assert in_window(start, end, time(3))
    assert not in_window(start, end, time(7))
    assert not in_window(start, end, time(12))
    assert not in_window(time(9), time(9), time(9))
    assert in_window(time(13), time(14), time(13, 59))


def test_caps_lower_everything_at_night_only():
    kw = dict(
        brightness=1.0,
        volume=0.6,
        vibration=0.7,
        night_start=time(21),
        night_end=time(7),
        night_brightness=0.3,
        night_volume=0.3,
        night_vibration=0.5,
    )
    night = caps_at(time(2), **kw)
    assert (night.brightness, night.volume, night.vibration) == (0.3, 0.3, 0.5)
    day = caps_at(time(14), **kw)
    assert (day.brightness, day.volume, day.vibration) == (1.0, 0.6, 0.7)


def test_a_top_up_inhale_is_a_last_small_rise():
    sigh = Program(
        "sigh", blocks=(Steps((Step("inhale", 2), Step("inhale", 1), Step("exhale", 6)), cycles=2),)
    )
    track = LightTrack(expand("sigh", {"sigh": sigh}), floor=0.0)
    assert track.level(0, 2) == pytest.approx(2 / 3)  # the first breath in: two thirds of the way
    assert track.level(1, 1) == PEAK  # the top-up finishes it
    assert track.level(2, 6) == 0.0
    assert track.level(3, 2) == pytest.approx(2 / 3)  # and again from the floor
