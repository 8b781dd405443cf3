"""Light eases between levels, vibration speaks the phase, sounds follow the steps, night caps."""

import itertools
from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calmkit.core.cues import (
    BLINK_LEVEL,
    CAPS_FADE_S,
    PEAK,
    QUIET_LEVEL,
    Caps,
    CapsFade,
    LightTrack,
    caps_at,
    ease,
    in_window,
    motor_on,
    sound_for,
)
from calmkit.core.programs import Program, Quiet, Step, Steps, expand

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


def test_caps_are_the_night_ones_at_any_hour_when_the_clock_is_not_trusted():
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
    assert caps_at(time(14), trusted=False, **kw) == caps_at(time(2), **kw)


DAY, NIGHT = Caps(1.0, 0.6, 0.7), Caps(0.07, 0.3, 0.5)


def test_caps_fade_starts_where_it_is_told_then_moves_in_a_straight_line():
    fade = CapsFade()
    fade.aim(NIGHT, 100.0)
    assert fade.at(100.0) == NIGHT and not fade.fading(100.0)  # the first caps apply at once
    fade.aim(DAY, 200.0)
    assert fade.at(200.0) == NIGHT and fade.fading(200.0)
    half = fade.at(200.0 + CAPS_FADE_S / 2)
    assert half.brightness == pytest.approx((1.0 + 0.07) / 2)
    assert half.volume == pytest.approx(0.45) and half.vibration == pytest.approx(0.6)
    assert fade.at(200.0 + CAPS_FADE_S) == DAY and not fade.fading(200.0 + CAPS_FADE_S)
    fade.aim(NIGHT, 300.0)
    fade.aim(DAY, 300.0 + CAPS_FADE_S / 4)  # turned back mid-way: from where it stands
    assert fade.at(300.0 + CAPS_FADE_S / 4).brightness == pytest.approx(1.0 - 0.93 / 4)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.floats(0, 30), st.sampled_from([DAY, NIGHT])), max_size=12))
def test_caps_never_move_faster_than_a_tenth_of_the_change_a_second(aims):
    fade = CapsFade()
    fade.aim(DAY, 0.0)
    t, last = 0.0, DAY
    for dt, target in aims:
        for _ in range(10):
            t += dt / 10
            now = fade.at(t)
            assert abs(now.brightness - last.brightness) <= 0.93 / 10 * (dt / 10) + 1e-9
            last = now
        fade.aim(target, t)


# --- the whole device: the caps the runner draws with, frame by frame ---------------------------


def cap_track(r) -> list[tuple[float, float]]:
    """Record (time, brightness cap) of every frame the runner works out."""
    track: list[tuple[float, float]] = []
    work_out = r.app.runner._work_out

    def recording(t, caps):
        track.append((t, caps.brightness))
        return work_out(t, caps)

    r.app.runner._work_out = recording
    return track


def assert_fades(track, start: float, end: float) -> None:
    """From ``start`` to ``end``, never faster than a tenth of the change a second."""
    change = abs(end - start)
    assert track[0][1] == pytest.approx(start) and track[-1][1] == pytest.approx(end)
    drawn = sorted(set(track))
    for (t0, c0), (t1, c1) in itertools.pairwise(drawn):
        if t1 > t0:
            assert abs(c1 - c0) <= change / 10 * (t1 - t0) + 1e-9, (t0, c0, t1, c1)
    assert any(start != c != end for _, c in drawn)  # a fade was drawn, not just two levels


@pytest.mark.parametrize(
    ("hour", "start", "end"), [(20, 1.0, 0.3), (6, 0.3, 1.0)], ids=["into 21:00", "out at 07:00"]
)
def test_night_starting_or_ending_mid_session_fades_the_light_cap(hour, start, end):
    from helpers import NOON, rig

    r = rig(wall=NOON.replace(hour=hour, minute=59, second=30))  # the window turns at 30 s
    track = cap_track(r)
    r.app.runner.start("box")
    r.at(90, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert_fades(track, start, end)
    turned = [t for t, c in track if c != start]
    assert 30.0 <= turned[0] <= 31.0
    assert next(t for t, c in track if c == pytest.approx(end)) >= 30.0 + 10.0


def test_a_wall_clock_jump_or_the_clock_becoming_trusted_fades_too():
    from helpers import NOON, rig

    r = rig(wall=NOON)
    track = cap_track(r)
    r.app.runner.start("box")
    r.at(20, lambda: r.clock.jump_wall(10 * 3600))  # noon -> 22:00
    r.at(100, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert_fades(track, 1.0, 0.3)

    r = rig(wall=NOON)
    r.clock.synced = False  # no RTC and no network yet: night caps at noon ...
    track = cap_track(r)
    r.app.runner.start("box")
    r.at(20, lambda: setattr(r.clock, "synced", True))  # ... until the clock is synchronised
    r.at(100, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert_fades(track, 0.3, 1.0)


def test_a_session_started_after_the_night_began_is_dim_from_its_first_frame():
    """The box idled dark across 21:00: there is nothing to fade, the night caps apply at once."""
    from helpers import NOON, rig

    r = rig(wall=NOON.replace(hour=20, minute=59, second=30))
    track = cap_track(r)
    r.at(60, lambda: r.app.runner.start("box"))  # 21:00:30
    r.at(90, lambda: r.app.runner.request_stop("test"))
    r.run()
    caps = [c for t, c in track if t >= 60]
    assert caps and caps == pytest.approx([0.3] * len(caps))
    assert max(duty for t, duty, _ in r.frames if t >= 60) == pytest.approx(
        0.3**2.2, abs=0.5 / 1024
    )  # PWM_STEPS


def test_every_level_and_colour_is_one_a_warm_lamp_can_show():
    from calmkit.core.cues import (
        COLOURS,
        IDLE_COLOUR,
        PRESS_LEVEL,
        PROMPT_LEVEL,
        RELEASE_LEVEL,
        SWITCH_LEVEL,
    )

    levels = (
        PEAK,
        BLINK_LEVEL,
        PRESS_LEVEL,
        RELEASE_LEVEL,
        PROMPT_LEVEL,
        QUIET_LEVEL,
        SWITCH_LEVEL,
    )
    assert all(0 < level <= 1 for level in levels)
    assert RELEASE_LEVEL < PRESS_LEVEL  # letting go of a squeeze: the light sinks
    for colour in (*COLOURS.values(), IDLE_COLOUR):
        red, green, blue = colour
        assert red == 1.0 and blue < green < red, colour  # warm: red first, the least blue


def test_windows_begin_on_their_first_minute_and_end_before_their_last():
    from datetime import time

    assert in_window(time(21), time(7), time(21)) and not in_window(time(21), time(7), time(7))
    assert in_window(time(9), time(17), time(9)) and not in_window(time(9), time(17), time(17))


def test_caps_with_no_target_are_full_and_with_no_fade_time_move_at_once():
    assert CapsFade().at(0.0) == Caps(1.0, 1.0, 1.0)
    fade = CapsFade(fade_s=0)
    fade.aim(Caps(1.0, 1.0, 1.0), 0.0)
    fade.aim(Caps(0.3, 0.3, 0.5), 5.0)
    assert fade.at(5.0) == Caps(0.3, 0.3, 0.5)


def test_the_motors_pulses_come_at_a_phases_start_each_shorter_than_a_buzz():
    from calmkit.core.cues import VIBRATION
    from calmkit.core.safety import MAX_BUZZ_S

    for phase, pulses in VIBRATION.items():
        ends = [0.0]
        for on, off in pulses:
            assert ends[-1] <= on < off <= 1.0, phase  # in order, apart, within the first second
            assert off - on < MAX_BUZZ_S
            ends.append(off)
