"""The one start-up and shut-down path every face goes through (faces/launch.py)."""

import os
import signal

import pytest

import calmkit.shell.service
from calmkit.config import parse_config
from calmkit.faces.launch import RunSettings, combine, launch

TINY = """
sound: false
journal: false
programs:
  tiny:
    steps: [{inhale: 2}, {exhale: 2}]
    cycles: 1
"""


class Notifier(calmkit.shell.service.Notifier):
    """sd_notify with no socket, writing down what systemd would be told and what was up then."""

    def __init__(self, seen: list) -> None:
        super().__init__(None)
        self.seen = seen

    def ready(self, status: str) -> None:
        self.seen.append(("ready", status))

    def stopping(self) -> None:
        self.seen.append(("stopping", ours(signal.SIGTERM)))


def ours(signum) -> bool:
    """Whether our handler (not Python's default) has the signal."""
    return signal.getsignal(signum) not in (signal.SIG_DFL, signal.default_int_handler)


class Face:
    """A face that writes down what the launch asks of it, in order."""

    ready_words = "waiting for a test"
    on_event = None
    on_frame = None

    def __init__(self, seen: list, show=None) -> None:
        self.seen = seen
        self._show = show
        self.app = None

    def attach(self, app) -> None:
        self.app = app
        self.seen.append(("attach", ours(signal.SIGTERM)))
        close = app.close

        def closing() -> None:
            self.seen.append(("close", ours(signal.SIGTERM)))
            close()

        app.close = closing

    def on_stop_signal(self, reason: str) -> None:
        self.seen.append(("signal", reason))
        self.app.runner.request_stop(reason)

    def show(self, ready) -> None:
        self.seen.append(("show", ours(signal.SIGTERM)))
        ready()
        if self._show is not None:
            self._show(self)
        self.app.runner.run()


@pytest.fixture
def seen(monkeypatch):
    told: list = []
    monkeypatch.setattr(
        calmkit.shell.service.Notifier, "from_environ", classmethod(lambda cls: Notifier(told))
    )
    return told


def test_start_up_and_shut_down_in_order_signals_caught_until_the_app_is_closed(seen):
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    config = parse_config(TINY, "test.yaml")
    settings = RunSettings(fast=True, program="tiny")  # `play`: no systemd notifications
    assert launch(config, settings, Face(seen)) == 0
    assert seen == [("attach", False), ("show", True), ("close", True)]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_the_appliance_tells_systemd_when_the_face_is_ready_and_when_it_stops(seen):
    config = parse_config(TINY, "test.yaml")
    face = Face(seen, show=lambda face: os.kill(os.getpid(), signal.SIGTERM))
    assert launch(config, RunSettings(fast=True), face) == 0  # `run`: waits for a press
    assert seen == [
        ("attach", False),
        ("show", True),
        ("ready", "waiting for a test"),
        ("signal", "SIGTERM"),  # the face's own stop, from the signal handler
        ("stopping", True),
        ("close", True),
    ]
    assert not ours(signal.SIGTERM)


def test_a_face_that_fails_still_closes_the_app_and_puts_the_signals_back(seen):
    config = parse_config(TINY, "test.yaml")

    def fail(face):
        raise RuntimeError("the face broke")

    with pytest.raises(RuntimeError, match="the face broke"):
        launch(config, RunSettings(fast=True), Face(seen, show=fail))
    assert seen[-2:] == [("stopping", True), ("close", True)]
    assert not ours(signal.SIGTERM)


def test_the_settings_choose_mock_pins_for_the_window_the_virtual_clock_and_when_asked():
    assert not RunSettings().mock_pins
    assert RunSettings(mock=True).mock_pins
    assert RunSettings(fast=True).mock_pins
    assert RunSettings(window=True).mock_pins  # the window (or the terminal standing in for it)


def test_combine_calls_each_listener_and_is_none_without_any():
    heard: list = []
    assert combine(None, None) is None
    both = combine(heard.append, None, lambda e: heard.append(("again", e)))
    both("e")
    assert heard == ["e", ("again", "e")]


def test_a_speed_demo_counts_none_of_its_start_up_as_the_programs_time(seen, monkeypatch):
    """At --speed 1000, 20 ms of start-up would be 20 s of the program gone before it began:
    the demo's clock stands still until the runner first waits for it."""
    from types import SimpleNamespace

    from calmkit.core import clock as clock_module

    real = [1000.0]  # the clock's real time, faked: nothing here waits for it
    monkeypatch.setattr(clock_module, "time", SimpleNamespace(monotonic=lambda: real[0]))
    found: dict = {}

    class Looking(Face):
        def show(self, ready) -> None:
            ready()
            clock = self.app.clock
            found["held"] = clock.held
            real[0] += 0.05  # the rest of a slow start-up (the face, the first draw)
            found["origin_then_now"] = (self.app.flow.origin, clock.now())

    config = parse_config(TINY, "test.yaml")
    launch(config, RunSettings(program="tiny", speed=1000, mock=True), Looking(seen))
    origin, now = found["origin_then_now"]
    assert found["held"] and now == origin  # no program time passed in the start-up
