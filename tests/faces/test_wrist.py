"""The wearable in the simulators: the wrist view in the window (faces/sim/wrist.py, on the
dummy video driver) and the amplitude bar in the terminal (faces/sim/wristbar.py), both read
back from the devices."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame
import pytest
from tests.helpers import NOON

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.devices.hardware import PinChoice, mock_factory
from calmkit.devices.simbus import SimBus, attach
from calmkit.faces.sim.window import Window
from calmkit.faces.sim.wrist import TRACE, Trace, WristLayout, WristView, draw_wrist
from calmkit.faces.sim.wristbar import (
    amplitude_bar,
    battery_note,
    battery_text,
    is_wrist,
    wrist_bar,
)

WEARABLE = (
    "hardware:\n  light: null\n  vibration: null\n  outputs: [{kind: haptic}]\n"
    "  battery: 0x36\nsound:\n  enabled: false\n"
)


def wearable(percent=54.0):
    from calmkit.shell.app import build

    clock = FakeClock(wall_start=NOON)
    factory = mock_factory()
    bus = attach(factory, SimBus(clock.now))
    bus.fit_max17048().percent = percent
    app = build(parse_config(WEARABLE), clock=clock, pins=PinChoice(factory, True), journal=False)
    return app, clock


def lit(surface, rect, colour):
    """How many pixels of ``colour`` the rectangle holds."""
    x, y, w, h = rect
    return sum(
        1 for i in range(x, x + w) for j in range(y, y + h) if surface.get_at((i, j))[:3] == colour
    )


def test_is_wrist_means_a_haptic_and_no_lamp():
    assert is_wrist(parse_config(WEARABLE))
    assert not is_wrist(parse_config(""))  # the box: a lamp and a PWM motor
    assert not is_wrist(parse_config("hardware:\n  outputs: [{kind: haptic}]\n"))  # and a lamp


def test_the_terminal_bar_is_the_amplitude_in_eighths():
    assert amplitude_bar(0.0, 4) == "    "
    assert amplitude_bar(1.0, 4) == "████"
    assert amplitude_bar(0.5, 4) == "██  "
    assert amplitude_bar(0.53, 4) == "██▏ "
    assert amplitude_bar(7.0, 4) == "████" and len(amplitude_bar(0.99, 16)) == 16
    assert battery_text(None, "unknown") == "bat ?"
    assert battery_text(12.4, "low") == "bat 12 % low" and battery_text(80.0, "ok") == "bat 80 %"


def test_the_terminal_line_reads_the_amplitude_back_from_the_chip():
    app, _clock = wearable()
    app.flow.battery_reading(12.0)
    try:
        assert wrist_bar(app) == f"▕{' ' * 16}▏ bat 12 % low"
        app.devices.motor.write((0.5,))
        assert wrist_bar(app).startswith("▕████████ ")
    finally:
        app.close()


def test_the_wrist_view_draws_the_trace_the_battery_and_the_button():
    app, clock = wearable(54.0)
    trace = Trace()
    try:
        app.flow.battery_reading(54.0)
        for k in range(60):  # three seconds of a tap a second, felt at 0.8
            clock.advance(0.05)
            app.devices.motor.write((0.8 if k % 20 < 5 else 0.0,))
            WristView.read(app, trace)
        view = WristView.read(app, trace)
        assert view.battery == pytest.approx(54.0) and view.has_battery
        assert len(view.trace) == 61 and max(a for _, a in view.trace) == pytest.approx(
            0.8, abs=0.01
        )
        surface = pygame.Surface((480, 640))
        layout = draw_wrist(surface, view)
        assert lit(surface, layout.trace, TRACE) > 20  # the trace is drawn
        assert layout.on_button(layout.button) and not layout.on_button((0, 0))
        still = pygame.Surface((480, 640))
        draw_wrist(still, WristView.read(app, Trace()))
        assert lit(still, layout.trace, TRACE) == 0  # no trace without samples
    finally:
        app.close()


def test_the_trace_is_bounded_in_time_and_in_samples():
    trace = Trace(span_s=2.0, maxlen=50)
    for k in range(400):
        trace.add(k * 0.01, 0.5)
    assert len(trace.samples) == 50
    trace.add(0.0, 1.0)  # time never goes back
    assert trace.samples[-1][0] == pytest.approx(3.99)


def test_the_window_draws_the_wrist_for_a_wearable_and_presses_its_button():
    app, _clock = wearable()
    try:
        surface = pygame.Surface((480, 640))
        window = Window(app, surface)
        view = window.frame(force=True)
        assert isinstance(view, WristView) and isinstance(window.layout, WristLayout)
        assert window.drawn == 1
        window.press("space")
        assert window.frame(force=True).button_down
        window.release("space")
    finally:
        app.close()


def test_the_terminal_says_when_a_very_low_battery_chose_a_short_program():
    import io

    from calmkit.faces.sim.terminal import StatusLine

    app, _clock = wearable(4.0)
    try:
        out = io.StringIO()
        line = StatusLine(app, out=out, tty=False)
        app.flow.battery_reading(4.0)
        for event in app.flow.start():
            line.on_event(event)
        assert "battery very low (4 %): 478 instead of calm, the shortest" in out.getvalue()
    finally:
        app.close()
    assert battery_note({"program": "box", "instead_of": "calm"}).startswith(
        "battery very low: box instead of calm"
    )


def test_the_wrist_says_what_the_window_says_in_the_persons_language():
    """The wrist's words are the window's (faces/words.py): "Breathe in", not "inhale"."""
    app, clock = wearable(54.0)
    try:
        app.flow.start("box")  # the flow alone: the words are read from its state
        clock.advance(1.0)
        app.flow.tick()
        view = WristView.read(app, Trace())
        assert view.headline() == "Breathe in"
        assert "pause" in view.hint
    finally:
        app.close()


def test_a_trace_holds_each_value_until_the_next_write_a_tap_is_a_step_not_a_slope():
    """The runner writes only when a value changes: full at 1 s, off at 2 s. Between, the chip
    held full, so the trace is full there, not a line sloping down to the next write."""
    from calmkit.faces.sim.paint import draw_trace

    surface = pygame.Surface((300, 100))
    rect = (0, 0, 300, 100)
    draw_trace(
        pygame, surface, [(0.0, 0.0), (1.0, 1.0), (2.0, 0.0)], 3.0, 3.0, rect, (9, 9, 9), TRACE
    )
    column = round(299 - 1.5 / 3.0 * 299)  # 1.5 s: between the two writes
    assert surface.get_at((column, 3))[:3] != (0, 0, 0)  # filled to the top
    quiet = round(299 - 2.5 / 3.0 * 299)  # 2.5 s: after the write of 0
    assert surface.get_at((quiet, 50))[:3] == (0, 0, 0)
