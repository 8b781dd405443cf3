"""The haptic patterns (core/haptics.py): the breath felt in amplitude, the phase codes kept, and
grounding, thumb press and "switch hands" each distinct by feel."""

from __future__ import annotations

import pytest

from calmkit.config import parse_config
from calmkit.core import haptics
from calmkit.core.comfort import MAX_ON_S, STEADY_S
from calmkit.core.cues import VIBRATION
from calmkit.core.haptics import HapticTrack, longest_steady_s, touches
from calmkit.core.programs import expand

LIBRARY = parse_config("", "test.yaml").programs


def levels(found):
    return [touch.level for touch in found]


def test_an_inhale_is_its_code_then_taps_that_rise_and_an_exhale_taps_that_fall():
    inhale, exhale = touches("inhale", 4.0), touches("exhale", 4.0)
    assert [(t.on, t.off) for t in inhale[:1]] == list(VIBRATION["inhale"])  # 1 pulse = in
    assert [(t.on, t.off) for t in exhale[:2]] == list(VIBRATION["exhale"])  # 2 = out
    rising, falling = levels(inhale[1:]), levels(exhale[2:])
    assert len(rising) == 5 and rising == sorted(rising) and rising[0] < 0.5 < rising[-1]
    assert falling == sorted(falling, reverse=True) and falling[0] > 0.5 > falling[-1]
    assert all(t.off - t.on == pytest.approx(haptics.TAP_S) for t in inhale[1:])
    assert inhale[-1].off <= 4.0 - haptics.TAP_GAP_S + 1e-9  # the next phase's code is apart


def test_a_hold_is_stillness_after_one_soft_long_mark():
    (mark,) = touches("hold", 7.0)
    assert (mark.on, mark.off) == VIBRATION["hold"][0]  # the long code, kept
    assert mark.level == haptics.SOFT_LEVEL < haptics.CODE_LEVEL
    track = HapticTrack(expand("478", LIBRARY))
    assert [track.drive(1, t) for t in (0.7, 2.0, 6.9)] == [0.0, 0.0, 0.0]


def test_the_cyclic_sighs_top_up_is_felt_as_the_last_strongest_taps():
    track = HapticTrack(expand("sigh", LIBRARY))
    first, top_up = track.steps[0], track.steps[1]
    assert max(levels(first[1:])) < min(levels(top_up[1:]) or [1.0])
    assert levels(first[1:]) == sorted(levels(first[1:]))


def test_grounding_press_release_and_switch_are_distinct_by_feel():
    prompt = touches("prompt", 40.0)
    assert len(prompt) == 2 and all(t.level == haptics.SOFT_LEVEL for t in prompt)
    assert all(t.off - t.on < 0.1 for t in prompt)  # a soft double tap, then stillness
    press = touches("press", 10.0)
    assert [t.shape for t in press] == [haptics.SWELL, haptics.SWELL]  # slow squeezes
    assert press[0].at(press[0].on + haptics.SWELL_S / 2) == pytest.approx(haptics.SWELL_LEVEL)
    assert press[0].at(press[0].on + 0.1) < 0.1  # it swells: no sudden start
    (release,) = touches("release", 5.0)
    assert release.shape == haptics.FADE and release.at(0.0) > release.at(0.9)
    switch = touches("switch", 4.0)
    assert levels(switch) == [0.4, 0.7, 1.0, 0.4, 0.7, 1.0]  # twice three rising taps
    signatures = {
        phase: tuple((round(t.off - t.on, 2), t.shape) for t in touches(phase, 10.0))
        for phase in ("inhale", "exhale", "hold", "prompt", "press", "release", "switch")
    }
    assert len(set(signatures.values())) == len(signatures)  # no two feel alike


def test_blink_quiet_and_rest_are_still():
    assert touches("blink", 1.0) == touches("quiet", 60.0) == touches("rest", 10.0) == ()


def test_a_step_shorter_than_its_code_cuts_the_code_at_its_end():
    assert all(t.off <= 0.2 for t in touches("exhale", 0.2))
    assert all(t.off <= 0.4 for t in touches("hold", 0.4))


def test_no_touch_is_steady_longer_than_the_comfort_guards_margin_nor_lasts_too_long():
    every = [touches(p, s) for p in haptics.CODES | {"press": ()} for s in (0.4, 1.0, 4.0, 30.0)]
    every.append(haptics.LOW_BATTERY)
    assert max(longest_steady_s(found) for found in every) <= STEADY_S + 1e-9
    assert all(t.off - t.on <= MAX_ON_S for found in every for t in found)


def test_the_low_battery_notice_is_three_soft_taps_each_softer():
    assert levels(haptics.LOW_BATTERY) == sorted(levels(haptics.LOW_BATTERY), reverse=True)
    assert haptics.notice_at("low_battery", 0.05) == 0.5
    assert haptics.notice_at("low_battery", 0.3) == 0.0
    assert haptics.notice_length("low_battery") == pytest.approx(1.15)
