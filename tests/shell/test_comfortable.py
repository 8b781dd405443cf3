"""The comfort limit on what the motor's pin and the haptic driver's bus really received: at most
40 % of any 10 s on, no stretch over MAX_ON_S, for every built-in program and random custom
ones, on the box's PWM motor and on the wearable's DRV2605L."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.helpers import NOON

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.core.comfort import MAX_ON_S, MAX_SHARE, STEADY_S, WINDOW_S, on_share
from calmkit.core.errors import ConfigError
from calmkit.devices.hardware import PinChoice, mock_factory
from calmkit.devices.simbus import SimBus, attach
from calmkit.shell.app import build

WEARABLE = "hardware:\n  light: null\n  vibration: null\n  outputs: [{kind: haptic}]\n"
BOX = ""  # the packaged defaults: a lamp and a PWM motor on pin 13
BUILT_IN = ["calm", "sigh", "box", "478", "coherent", "winddown", "ground", "press", "blink"]


def on_stretches(changes, end):
    """(start, end) of every stretch a signal of (time, value) changes was above 0."""
    found, since = [], None
    for t, value in changes:
        if value > 0 and since is None:
            since = t
        elif value <= 0 and since is not None:
            if t > since:
                found.append((since, t))
            since = None
    if since is not None:
        found.append((since, end))
    return found


def received(yaml, program):
    """Run ``program`` on the fake clock; the stretches the vibration was really on."""
    config = parse_config(yaml, "test.yaml")
    clock = FakeClock(wall_start=NOON)
    factory = mock_factory()
    bus = attach(factory, SimBus(clock.now))
    motor_pin = []

    def on_frame(now):
        pin = app.devices.motor_pin
        if pin is not None:
            motor_pin.append((now, pin.state))

    app = build(
        config,
        clock=clock,
        pins=PinChoice(factory, True),
        program=program,
        journal=False,
        on_frame=on_frame,
    )
    assert app.runner.run() == "finished"
    end = clock.now()
    changes = [(w.time, w.value) for w in bus.chips[90].rtp] if 90 in bus.chips else motor_pin
    app.close()
    return on_stretches(changes, end)


def within_limit(found):
    assert on_share(found) <= MAX_SHARE * WINDOW_S + 1e-6
    assert all(end - start <= MAX_ON_S + 1e-6 for start, end in found)


@pytest.mark.parametrize("yaml", [WEARABLE, BOX], ids=["haptic", "motor"])
@pytest.mark.parametrize("program", BUILT_IN)
def test_every_built_in_program_keeps_the_comfort_limit(yaml, program):
    found = received(yaml, program)
    assert found or program == "blink"  # it is felt (blinking is seen only)
    within_limit(found)


PHASES = ["inhale", "exhale", "hold", "press", "release", "switch", "prompt", "blink", "rest"]


@st.composite
def programs(draw):
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(PHASES),
                st.sampled_from([0.4, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0]),
            ),
            min_size=1,
            max_size=6,
        )
    )
    cycles = draw(st.integers(1, 12))
    written = ", ".join(f"{{{phase}: {seconds}}}" for phase, seconds in steps)
    return f"programs:\n  fuzz:\n    steps: [{written}]\n    cycles: {cycles}\n"


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(programs(), st.sampled_from([WEARABLE, BOX]), st.sampled_from([50, 25, 2]))
def test_random_custom_programs_keep_the_comfort_limit_on_the_pin_and_the_bus(program, device, fps):
    yaml = device + program + f"light:\n  fps: {fps}\n"
    try:
        parse_config(yaml, "test.yaml")
    except ConfigError:
        assume(False)  # the config refuses it already (a flash, a long hold, a buzz)
    within_limit(received(yaml, "fuzz"))


def test_a_program_that_asks_for_too_much_is_cut_at_the_bus():
    """Back-to-back thumb-press swells ask for 93 % vibration: the bus gets at most 40 %."""
    found = received(
        WEARABLE + "programs:\n  fuzz:\n    steps: [{press: 1.5}]\n    cycles: 20\n", "fuzz"
    )
    asked = 20 * 1.4
    assert sum(end - start for start, end in found) < 0.5 * asked
    within_limit(found)


@pytest.mark.parametrize("fps", [50, 2])
def test_the_guard_allows_for_a_frame_of_the_configured_rate_between_writes(fps):
    """Between two writes the amplitude holds for a pattern's steady touch and a frame: at 2
    frames a second, half a second more than at 50."""
    config = parse_config(f"{WEARABLE}light:\n  fps: {fps}\n", "test.yaml")
    app = build(config, clock=FakeClock(wall_start=NOON), journal=False)
    try:
        (guarded,) = [o for o in app.runner.outputs if hasattr(o, "guard")]
        assert guarded.guard.margin_s == pytest.approx(STEADY_S + 1 / fps)
    finally:
        app.close()
