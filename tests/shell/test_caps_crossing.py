"""The night comes in the middle of a session: the caps follow within seconds, and fade.

The runner looks the caps up once a second (not every frame); a session begun at 20:59:50 must
be at the night cap soon after 21:00, not at the next look-up hours later.
"""

from datetime import datetime

import pytest

from calmkit.devices.pwm import PWM_STEPS
from helpers import rig

BEFORE_NINE = datetime(2026, 3, 2, 20, 59, 50).astimezone()  # 21:00 is 10 s in
NIGHT_DUTY = 0.3**2.2  # night.brightness 0.3 through the light's gamma 2.2
STOP_AT = 90.0
CAPS_FADE_S = 20.0  # cues.CAPS_FADE_S, written out: the night must be in within 21 s of 21:00


def brightest(r, start: float, end: float) -> float:
    return max(duty for t, duty, _ in r.frames if start <= t < end)


def test_a_session_that_crosses_into_the_night_is_capped_within_seconds():
    r = rig(wall=BEFORE_NINE)
    r.app.runner.start("box")  # in 4, hold 4 at full, out 4, hold 4: full light every 16 s
    r.at(STOP_AT, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert brightest(r, 0, 10) == pytest.approx(1.0)  # the day's cap before 21:00
    settled = 10 + 1 + CAPS_FADE_S  # seen within a second of 21:00, then faded in
    assert brightest(r, settled, STOP_AT) == pytest.approx(NIGHT_DUTY, abs=0.5 / PWM_STEPS)
    # faded, not stepped: halfway through the fade the light is still above the night cap
    assert NIGHT_DUTY * 1.5 < brightest(r, 10, 10 + CAPS_FADE_S / 2) < 1.0
