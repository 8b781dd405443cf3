"""The terminal face: keys press the mock button through one finger thread; hints from the table."""

from __future__ import annotations

import io
import threading

from calmkit.core.flow_table import Mode, hint
from calmkit.faces.sim.terminal import DOUBLE, PRESS, ButtonFinger, KeyReader, StatusLine
from helpers import rig


class Pin:
    """A stand-in for the button's mock pin that counts its drives."""

    def __init__(self) -> None:
        self.lows = 0
        self.highs = 0

    def drive_low(self) -> None:
        self.lows += 1

    def drive_high(self) -> None:
        self.highs += 1


class Gate:
    """A sleep that blocks the finger until the test lets it go (no real time passes)."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = threading.Event()

    def __call__(self, seconds: float) -> None:
        self.entered.set()
        assert self.open.wait(10.0), "the test never opened the gate"


class Runner:
    def toggle_mute(self) -> None: ...
    def request_stop(self, reason: str) -> None: ...


class App:
    runner = Runner()


def test_a_storm_of_keys_is_one_thread_and_a_few_presses():
    pin, gate = Pin(), Gate()
    finger = ButtonFinger(pin, 1.5, sleep=gate)
    keys = KeyReader(App(), finger, stream=io.StringIO())
    before = threading.active_count()
    keys.handle("\n")
    assert gate.entered.wait(10.0)  # the first press is being driven, its finger down
    for _ in range(2000):
        keys.handle(" ")
    assert threading.active_count() - before <= 1  # one finger thread, whatever the storm
    gate.open.set()
    finger.close(timeout=10.0)
    assert not finger._thread.is_alive()
    # the press under way and one waiting: the rest came faster than a button can be pressed
    assert pin.lows == pin.highs == 2
    assert finger.dropped == 1999


def test_the_finger_drives_a_double_and_a_hold_as_patterns():
    pin = Pin()
    slept: list[float] = []
    finger = ButtonFinger(pin, 1.5, sleep=slept.append)
    finger.press(DOUBLE)
    finger.close(timeout=10.0)
    assert pin.lows == pin.highs == 2
    assert slept == [0.1, 0.1, 0.1, 0.0]
    assert finger.hold[0][0] > 1.5 and finger.long_hold[0][0] > 4.0
    assert PRESS[0][0] < 0.4


def test_the_terminal_prints_the_hint_from_the_table_when_it_changes():
    r = rig("programs:\n  g:\n    steps: [{prompt: 5, items: 2}]\n")
    out = io.StringIO()
    status = StatusLine(r.app, out=out, tty=True)
    r.app.runner.on_event = status.on_event
    status.show_hint()
    r.app.runner.start("g")
    r.press(1.0)
    r.run()
    text = out.getvalue()
    assert f"button: {hint(Mode.IDLE, {'program': 'calm'})}" in text
    assert "button: press: one thing named" in text
    assert "keep holding: stop" in text
    assert text.count("button: press: one thing named") == 1  # printed when it changes only


def test_an_idle_hold_shows_the_selected_program_in_the_terminal():
    r = rig("menu: [calm, box]\n")
    status = StatusLine(r.app, out=io.StringIO(), tty=True)
    r.app.runner.on_event = status.on_event
    shown = []
    r.at(1.0, r.button_pin.drive_low)
    r.at(2.6, lambda: shown.append(status.text()))  # the hold fell due at 2.5
    r.at(3.0, r.button_pin.drive_high)
    r.at(3.2, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert "calm · selected 1: calm" in shown[0]
