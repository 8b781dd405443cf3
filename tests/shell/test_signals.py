"""Real signals to a real runner loop: SIGTERM, SIGINT, SIGHUP stop it promptly, from any wait.

Python runs signal handlers on the main thread, between two bytecodes of whatever it was doing,
so the runner runs here on the main thread (on the real clock, blocked in a real queue wait) and
the signal is sent from a timer thread. These are the only tests that wait in real time (a few
tenths of a second): there is no other way to deliver a real signal into a blocked wait. A guard
timer ends any wait that the signal failed to end, so a regression fails instead of hanging.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time

import pytest

from calmkit.config import parse_config
from calmkit.devices.hardware import PinChoice, mock_factory
from calmkit.shell.app import build
from calmkit.shell.journal import Journal
from calmkit.shell.runner import STOP_FADE_S
from calmkit.shell.service import install_stop_signals

SEND_AFTER_S = 0.2
GUARD_S = 10.0


def real_time_box(journal: Journal | bool = False):
    """A box on the real clock and mock pins, with no sound, much as `calmkit run --mock` is."""
    config = parse_config("", "test.yaml")
    app = build(config, pins=PinChoice(mock_factory(), True), sound=False, journal=journal)
    waits: list[float | None] = []
    wait = app.waiter.wait

    def recording_wait(deadline):
        waits.append(deadline)
        return wait(deadline)

    app.waiter.wait = recording_wait
    return app, waits


def run_with_signal(app, signum: int, after: float = SEND_AFTER_S) -> tuple[str, float]:
    """Run the box on this (the main) thread; a timer thread sends ``signum`` to this process."""
    # a stop signal calmkit forgot would kill the test run itself: it does nothing here instead
    # (and the test fails on the guard's reason)
    outside = signal.signal(signum, lambda signum, frame: None)
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    restore = install_stop_signals(app.runner.request_stop)
    sender = threading.Timer(after, os.kill, (os.getpid(), signum))
    guard = threading.Timer(GUARD_S, app.runner.request_stop, ("guard: the signal did nothing",))
    began = time.monotonic()
    try:
        sender.start()
        guard.start()
        reason = app.runner.run()
    finally:
        took = time.monotonic() - began
        sender.cancel()
        guard.cancel()
        restore()
        handlers = {s: signal.getsignal(s) for s in previous}
        signal.signal(signum, outside)
    assert handlers == previous  # handlers put back
    return reason, took


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"]
)
def test_a_signal_ends_an_idle_box_blocked_in_a_queue_wait_with_no_timeout(signum):
    app, waits = real_time_box()
    reason, took = run_with_signal(app, signum)
    assert reason == signal.Signals(signum).name
    assert waits == [None]  # one wait, with no timeout: the signal is what ended it
    assert took < SEND_AFTER_S + 1.0
    assert app.devices.light_pins[0].state == 0
    app.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_mid_session_fades_the_light_and_journals_it_as_stopped(tmp_path, signum):
    journal = Journal(tmp_path / "journal.db")
    app, waits = real_time_box(journal)
    app.runner.start("box")
    light = app.devices.light_pins[0]
    reason, took = run_with_signal(app, signum, after=1.0)  # a quarter into the inhale
    assert reason == signal.Signals(signum).name
    assert len(waits) > 40  # it was running frames when the signal came
    assert took < 1.0 + STOP_FADE_S + 1.0
    (record,) = Journal(journal.path).read()
    assert record["programs"] == ["box"] and record["status"] == "stopped"
    assert Journal(journal.path).in_flight() == []
    # on the way out the light came down step by step to off, not at once
    states = [s.state for s in light.states]
    top = len(states) - 1 - states[::-1].index(max(states))  # where the fade began
    tail = states[top:]
    assert tail[-1] == 0
    assert all(a >= b for a, b in itertools.pairwise(tail))
    # every step of the pin's on the way (a night-capped lamp has few: it is dim)
    assert len(set(tail)) > min(10, round(tail[0] * 1024))
    app.close()


def test_a_signal_landing_while_the_loop_holds_the_queue_lock_does_not_hang_the_box():
    """A handler runs on the main thread between two bytecodes of whatever the loop was doing.

    With a queue.Queue, the runner's wait (Queue.get) holds the queue's lock for a few bytecodes
    before and after its Condition.wait, fifty times a second during a session; a SIGTERM landing
    there would block in the handler's Queue.put for ever (systemd would SIGKILL the box with its
    light on). The runner's queue is a SimpleQueue, whose put needs no such lock; this keeps it
    so, by holding the lock (if the queue has one) while the signal lands.
    """
    app, _ = real_time_box()
    items = app.runner.items
    took: list[float] = []

    def on_stop(reason: str) -> None:
        began = time.monotonic()
        app.runner.request_stop(reason)
        took.append(time.monotonic() - began)

    restore = install_stop_signals(on_stop)
    lock = getattr(items, "mutex", None)  # a SimpleQueue has no lock to hold
    rescued: list[bool] = []

    def rescue() -> None:  # what a deadlocked box never gets: someone else releasing the lock
        rescued.append(True)
        lock.release()

    guard = threading.Timer(2.0, rescue)
    try:
        if lock is not None:
            lock.acquire()  # the loop is between two bytecodes of Queue.get ...
            guard.start()
        os.kill(os.getpid(), signal.SIGTERM)  # ... when the signal lands
        limit = time.monotonic() + GUARD_S
        while not took and time.monotonic() < limit:
            pass  # the handler runs at the next bytecode boundary of this thread
    finally:
        guard.cancel()
        if lock is not None and not rescued:
            lock.release()
        restore()
    assert took, "the handler never ran"
    assert took[0] < 0.5, f"the stop request blocked for {took[0]:.1f} s (until rescued)"
    assert app.runner.run() == "SIGTERM"
    app.close()
