"""The light outside a session: it answers the button at once, fades, never goes dark at once."""

from datetime import datetime

import pytest

from calmkit.core.ambient import (
    ACK_LEVEL,
    ASK_LEVEL,
    ASK_PERIOD_S,
    FADE_S,
    MENU_LEVEL,
    MENU_PULSE_S,
    Fade,
    ask_level,
    menu_end,
    menu_level,
    offer_level,
)
from calmkit.core.clock import FakeClock
from calmkit.core.flow import ASK_HELPED, OFFER_QUIET, Flow, FlowSettings
from calmkit.core.gestures import Gesture
from calmkit.core.programs import Program, Quiet, Step, Steps

LIB = {
    "calm": Program("calm", blocks=(Steps((Step("inhale", 2), Step("exhale", 3)), cycles=2),)),
    "box": Program("box", blocks=(Steps((Step("inhale", 4), Step("hold", 4)), cycles=1),)),
    "quiet": Program("quiet", blocks=(Quiet(60, fade_out_s=10),)),
}
SETTINGS = FlowSettings(default_program="calm", menu=("calm", "box"), quiet_offer_s=20, helped_s=30)


def make():
    clock = FakeClock(wall_start=datetime(2026, 3, 1, 23, 0).astimezone())
    return Flow(LIB, clock, SETTINGS), clock


def g(flow, clock, kind, held=0.0):
    return flow.handle(Gesture(kind, clock.now(), held))


def until(flow, clock, state):
    while flow.state != state:
        clock.advance_to(flow.next_deadline())
        flow.tick()


def test_the_light_acknowledges_a_press_at_once_in_idle():
    flow, clock = make()
    assert flow.frame().level == 0
    g(flow, clock, "down")
    assert flow.frame().level == ACK_LEVEL
    g(flow, clock, "up", 0.1)
    assert flow.frame().level == 0


@pytest.mark.parametrize("state", [OFFER_QUIET, ASK_HELPED])
def test_the_light_keeps_moving_softly_after_a_session(state):
    flow, clock = make()
    g(flow, clock, "press")
    until(flow, clock, state)
    assert flow.animating()
    assert 0 <= flow.frame().level <= 0.2


def test_a_fade_goes_out_from_its_level_over_fade_s_and_then_stays_dark():
    fade = Fade(0.5, 10.0)
    assert fade.level(10.0) == 0.5
    assert fade.level(10.0 + FADE_S / 2) == pytest.approx(0.5 * 0.25)  # eased: (1 - x)²
    assert fade.level(10.0 + FADE_S) == 0.0 and fade.level(99.0) == 0.0
    assert fade.moving(10.0) and fade.moving(10.0 + FADE_S - 1e-6)
    assert not fade.moving(10.0 + FADE_S)
    assert Fade().level(0.0) == 0.0 and not Fade().moving(0.0)  # nothing fading yet


def test_the_quiet_offer_lets_the_light_go_over_its_grace_time():
    assert offer_level(0.4, 0.0, 20.0) == 0.4
    assert offer_level(0.4, 5.0, 20.0) == pytest.approx(0.3)  # linear
    assert offer_level(0.4, 20.0, 20.0) == 0.0 and offer_level(0.4, 30.0, 20.0) == 0.0
    assert offer_level(0.4, 1.0, 0.0) == 0.0  # no grace time: dark, no division by zero


def test_the_question_breathes_slowly_up_to_its_level():
    assert ask_level(0.0) == 0.0
    assert ask_level(ASK_PERIOD_S / 2) == pytest.approx(ASK_LEVEL)
    assert ask_level(ASK_PERIOD_S / 4) == pytest.approx(ASK_LEVEL / 2)
    assert ask_level(ASK_PERIOD_S) == pytest.approx(0.0, abs=1e-12)


def test_menu_pulses_one_a_second_for_the_programs_number():
    assert menu_end(3.0, 2) == 3.0 + 2 * MENU_PULSE_S
    assert menu_level(0.0) == 0.0
    assert menu_level(MENU_PULSE_S / 2) == pytest.approx(MENU_LEVEL)
    assert menu_level(MENU_PULSE_S * 1.5) == pytest.approx(MENU_LEVEL)  # the second pulse
    assert menu_level(MENU_PULSE_S / 4) == pytest.approx(MENU_LEVEL / 2)
    assert MENU_PULSE_S >= 1 / 3  # at most 3 flashes a second, by a wide margin
