"""The caps a frame is drawn under: looked up once a second, faded to unless the lamp is dark."""

import pytest

from calmkit.core.cues import CAPS_FADE_S, Caps
from calmkit.shell.caps import LOOKUP_EVERY_S, CapsLookup

DAY = Caps(1.0, 1.0, 1.0)
NIGHT = Caps(0.3, 0.2, 0.5)


class Wanted:
    def __init__(self, caps: Caps) -> None:
        self.caps = caps
        self.asked = 0

    def __call__(self) -> Caps:
        self.asked += 1
        return self.caps


def test_the_caps_wanted_are_asked_for_at_most_once_a_second():
    wanted = Wanted(DAY)
    caps = CapsLookup(wanted, lambda: True)
    for k in range(100):
        assert caps.at(k / 50) == DAY  # two seconds of frames
    assert wanted.asked == 2
    assert LOOKUP_EVERY_S == 1.0


def test_a_lit_lamp_fades_to_new_caps_and_a_dark_one_takes_them_at_once():
    wanted = Wanted(DAY)
    dark = [False]
    caps = CapsLookup(wanted, lambda: dark[0])
    assert caps.at(0.0) == DAY  # the first caps apply at once
    wanted.caps = NIGHT
    assert caps.at(1.0) == DAY  # looked up at 1.0: lit, so a fade begins there
    halfway = caps.at(1.0 + CAPS_FADE_S / 2)
    assert caps.fading(1.0 + CAPS_FADE_S / 2)
    assert halfway.brightness == pytest.approx((1.0 + 0.3) / 2, abs=0.05)
    assert caps.fade_at(1.0 + CAPS_FADE_S) == NIGHT
    again = CapsLookup(Wanted(DAY), lambda: True)
    again.at(0.0)
    again.wanted = Wanted(NIGHT)
    dark[0] = True
    assert again.at(1.0) == NIGHT and not again.fading(1.0)  # nothing lit: nothing to fade
