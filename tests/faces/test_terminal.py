"""The terminal face: keys press the mock button through one finger thread; hints from the table."""

from __future__ import annotations

import errno
import io
import threading

import pytest

from calmkit.core.events import Event, EventKind
from calmkit.core.flow_table import Mode
from calmkit.faces.launch import RunSettings
from calmkit.faces.sim.terminal import (
    BAR_WIDTH,
    DOUBLE,
    PRESS,
    ButtonFinger,
    KeyReader,
    StatusLine,
    TerminalFace,
    run_headless,
)
from calmkit.faces.words import hint_text, words_for
from calmkit.shell.journal import Journal
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
    idle = hint_text(words_for("en"), Mode.IDLE, {"program": "calm"})
    assert f"button: {idle}" in text and "double press: next program" in idle
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
    assert "calm · 8:24 long · program 1 of 2" in shown[0]


# --- what a person relies on: the status line, the keys, the plain lines ------------------------


class Recorder:
    """A runner and a finger that write down what they were asked."""

    def __init__(self) -> None:
        self.asked: list = []
        self.hold = ((1.9, 0.0),)
        self.long_hold = ((6.4, 0.0),)

    def press(self, pattern) -> None:
        self.asked.append(("press", pattern))

    def toggle_mute(self) -> None:
        self.asked.append(("mute",))

    def request_stop(self, reason: str) -> None:
        self.asked.append(("stop", reason))


class RecordingApp:
    def __init__(self, runner) -> None:
        self.runner = runner


def test_each_key_does_what_the_help_line_says():
    recorder = Recorder()
    keys = KeyReader(RecordingApp(recorder), recorder, stream=io.StringIO())
    for key in ("\n", "\r", " ", "h", "l", "d", "m", "q", "\x03", "\x04", "x", "H"):
        keys.handle(key)
    assert recorder.asked == [
        ("press", PRESS),  # Enter
        ("press", PRESS),  # Enter as a carriage return (a terminal in raw mode)
        ("press", PRESS),  # space
        ("press", recorder.hold),  # h: a hold (pause or "not helping")
        ("press", recorder.long_hold),  # l: a long hold (stop)
        ("press", DOUBLE),  # d: a double press
        ("mute",),  # m
        ("stop", "quit"),  # q
        ("stop", "quit"),  # Ctrl+C in cbreak mode
        ("stop", "quit"),  # Ctrl+D
    ]  # any other key does nothing


def test_keys_typed_in_a_real_terminal_reach_the_box_and_the_terminal_is_put_back():
    import os
    import termios

    leader, follower = os.openpty()
    stream = os.fdopen(follower, "r")
    try:
        before = termios.tcgetattr(follower)
        muted = threading.Event()

        class Muting(Recorder):
            def toggle_mute(self) -> None:
                super().toggle_mute()
                muted.set()

        recorder = Muting()
        keys = KeyReader(RecordingApp(recorder), recorder, stream=stream)
        keys.start()
        assert not termios.tcgetattr(follower)[3] & termios.ICANON  # a key counts without Enter
        os.write(leader, b"dm")
        assert muted.wait(10.0)
        keys.stop()
        keys._thread.join(10.0)
        assert recorder.asked == [("press", DOUBLE), ("mute",)]
        assert termios.tcgetattr(follower) == before  # the terminal as it was
    finally:
        stream.close()
        os.close(leader)


def test_keys_are_not_read_when_stdin_is_not_a_terminal():
    keys = KeyReader(RecordingApp(Recorder()), Recorder(), stream=io.StringIO("q"))
    keys.start()
    assert keys._thread is None


def status_at(times, program="box", yaml_text="", **kw):
    """The status line's text at each time of a session of ``program`` on the fake clock."""
    r = rig(yaml_text)
    status = StatusLine(r.app, out=io.StringIO(), tty=True)
    r.app.runner.on_event = status.on_event
    shown = {}
    for t in times:
        r.at(t, lambda t=t: shown.setdefault(t, status.text()))
    r.at(max(times) + 0.5, lambda: r.app.runner.request_stop("test"))
    r.app.runner.start(program)
    r.run()
    return shown, status


def test_the_status_line_shows_the_light_the_program_the_phase_and_the_seconds_left():
    shown, _ = status_at([0.05, 2.0, 6.0, 14.0])
    # plain words, elapsed and total, whole seconds that add up (2 s in + 2 s left = 0:04)
    assert shown[2.0].endswith("box breathing · Breathe in · 0:02 of 4:00 · 2 s")
    bar = shown[2.0][1 : 1 + BAR_WIDTH]
    assert 0 < len(bar.rstrip()) < BAR_WIDTH  # half way up the inhale: a part-filled bar
    assert shown[6.0][1 : 1 + BAR_WIDTH] == "█" * BAR_WIDTH  # the hold at the top: full
    assert shown[6.0].endswith("box breathing · Hold · 0:06 of 4:00 · 2 s")
    assert len(shown[14.0][1 : 1 + BAR_WIDTH].strip()) <= 1  # the hold at the floor: dim
    assert "≋" in shown[0.05]  # the motor pulses as the inhale begins


def test_the_status_line_says_paused_and_muted():
    r = rig()
    status = StatusLine(r.app, out=io.StringIO(), tty=True)
    r.app.runner.on_event = status.on_event
    shown = {}
    r.at(1.0, r.app.runner.toggle_mute)
    r.press(2.0)  # a press while breathing pauses (once no second press makes it a double)
    r.at(5.0, lambda: shown.setdefault("paused", status.text()))
    r.press(6.0)  # and another resumes
    r.at(7.5, lambda: shown.setdefault("resumed", status.text()))
    r.at(8.0, lambda: r.app.runner.request_stop("test"))
    r.app.runner.start("box")
    r.run()
    assert "muted box breathing · Paused · 0:02 of 4:00" in shown["paused"]
    assert (
        "muted box breathing · Breathe in · " in shown["resumed"]
    )  # resumed in the phase it paused in


def test_the_status_line_is_one_line_redrawn_in_place_and_left_at_stopped():
    r = rig()
    out = io.StringIO()
    status = StatusLine(r.app, out=out, tty=True)
    r.app.runner.on_event = status.on_event
    r.at(3.0, lambda: r.app.runner.request_stop("test"))
    r.app.runner.start("box")
    r.run()
    status.close()
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") <= 3  # the hints; the status is redrawn
    last = text.rstrip("\n").split("\r")[-1]
    assert "stopped" in last and last.startswith("▕" + " " * BAR_WIDTH + "▏")  # the pins: off


def test_without_a_terminal_each_phase_is_a_plain_line():
    r = rig("programs:\n  tiny:\n    steps: [{inhale: 2, label: slow}, {exhale: 2}]\n")
    out = io.StringIO()
    status = StatusLine(r.app, out=out, tty=False)
    r.app.runner.on_event = status.on_event
    r.app.runner.start("tiny")
    r.run()
    lines = out.getvalue().splitlines()
    assert lines[:4] == [
        "0:00  tiny: 4 s",
        "0:00  Breathe in (slow)  2 s",
        "0:02  Breathe out  2 s",
        "0:04  end: completed",
    ]
    assert "\r" not in out.getvalue()  # no status line on a pipe


def test_the_plain_lines_say_what_the_window_says_and_count_the_things_named():
    """Issue 12: "ground · see 2 of 5", never "prompt (see)"; "Switch hands", not "switch"."""
    r = rig("programs:\n  g:\n    steps: [{prompt: 5, label: see, items: 5}, {switch: 4}]\n")
    out = io.StringIO()
    status = StatusLine(r.app, out=out, tty=False)
    r.app.runner.on_event = status.on_event
    r.app.runner.start("g")
    r.press(3.0)
    r.press(4.0)
    r.run()
    lines = out.getvalue().splitlines()
    assert lines[1:4] == [
        "0:00  Name 5 things you can see  5 s",
        "0:03  see 1 of 5",
        "0:04  see 2 of 5",
    ]
    assert "0:05  Switch hands  4 s" in lines
    assert "prompt" not in out.getvalue()


def test_a_plain_line_says_the_second_a_late_phase_was_due_near():
    """On the real clock events come a few ms late: a phase at 4.003 s is at 0:04, not 0:05."""
    out = io.StringIO()
    status = StatusLine(None, out=out, tty=False)
    status.on_event(Event(EventKind.PHASE, 4.003, 4.0, {"phase": "hold", "duration_s": 4.0}))
    assert out.getvalue() == "0:04  Hold  4 s\n"


def test_a_closed_pipe_stops_the_session_once_and_writes_no_more():
    class Closed(io.StringIO):
        writes = 0

        def write(self, text):
            Closed.writes += 1
            raise BrokenPipeError

    recorder = Recorder()
    status = StatusLine(RecordingApp(recorder), out=Closed(), tty=False)
    for t in (0.0, 4.0, 8.0):
        status.on_event(Event(EventKind.PHASE, t, t, {"phase": "hold", "duration_s": 4.0}))
    assert status.gone and Closed.writes == 1
    assert recorder.asked == [("stop", "the output was closed")]


def test_run_headless_in_a_terminal_prints_the_keys_and_the_hint_then_runs():
    r = rig("programs:\n  tiny:\n    steps: [{inhale: 2}, {exhale: 2}]\n")
    out = io.StringIO()
    status = StatusLine(r.app, out=out, tty=True)
    r.app.runner.on_event = status.on_event
    r.app.runner.on_frame = status.on_frame
    r.at(1.0, lambda: r.app.runner.request_stop("test"))
    r.app.runner.start("tiny")
    assert run_headless(r.app, status, interactive=True) == "test"
    text = out.getvalue()
    assert "Enter or space = press · h = hold · l = long hold · d = double press" in text
    assert "m = mute · q = quit" in text and "button: " in text


def test_the_terminal_face_keeps_quiet_under_events_and_prints_plain_lines_when_fast():
    assert TerminalFace(RunSettings(events=True)).on_event is None
    fast = TerminalFace(RunSettings(program="box", fast=True))
    assert fast.status is not None and not fast.status.tty and not fast.interactive
    assert TerminalFace(RunSettings(), interactive=True).interactive


def test_a_reach_out_message_is_its_own_line_in_a_terminal_and_on_a_pipe():
    for tty in (True, False):
        out = io.StringIO()
        status = StatusLine(None, out=out, tty=tty)
        status.draw = lambda force=False: None  # no app: only the line itself
        status.on_event(Event(EventKind.REACH_OUT, 0.0, None, {"message": "call a friend?"}))
        assert out.getvalue().endswith("call a friend?\n")


def test_play_in_a_terminal_never_says_the_idle_hint_of_a_box_waiting_for_a_press():
    """`calmkit play box`: no "press: start calm" line before box's own hint."""
    r = rig("programs:\n  tiny:\n    steps: [{inhale: 2}, {exhale: 2}]\n", program="tiny")
    out = io.StringIO()
    status = StatusLine(r.app, out=out, tty=True)
    r.app.runner.on_event = status.on_event
    run_headless(r.app, status, interactive=False)
    text = out.getvalue()
    assert "start calm" not in text
    assert "button: press: pause" in text


def test_the_status_line_is_rewritten_only_when_it_changes_in_whole_seconds(monkeypatch):
    """No flickering tenths: every frame asks, but a line is written only when its words
    change, and the countdown is whole seconds (box: 3 s in, about one rewrite a second)."""
    import itertools
    import re

    from calmkit.faces.sim import terminal

    monkeypatch.setattr(terminal, "REDRAW_S", 0.0)  # every frame may draw
    r = rig()
    out = io.StringIO()
    status = StatusLine(r.app, out=out, tty=True)
    r.app.runner.on_event = status.on_event
    frames = []
    r.app.runner.on_frame = lambda now: (frames.append(now), status.on_frame(now))
    r.at(3.0, lambda: r.app.runner.request_stop("test"))
    r.app.runner.start("box")
    r.run()
    lines = [part.rstrip() for part in out.getvalue().split("\r") if part.startswith("▕")]
    assert len(frames) > 30  # many frames were drawn on the pins ...
    words = [line[BAR_WIDTH + 2 :] for line in lines]
    assert all(a != b for a, b in itertools.pairwise(lines))  # ... but no line written twice
    assert not any(re.search(r"\d\.\d s", line) for line in lines)
    assert {
        "box breathing · Breathe in · 0:01 of 4:00 · 3 s",
        "box breathing · Breathe in · 0:02 of 4:00 · 2 s",
    } <= {w.strip().lstrip("≋ ").strip() for w in words}


def test_the_terminal_names_the_selected_program_at_idle_and_says_ground_plainly():
    r = rig()
    status = StatusLine(r.app, out=io.StringIO(), tty=True)
    assert status.text().endswith("calm · 8:24 long · program 1 of 10")
    shown, _ = status_at([7.0], program="ground")
    assert "grounding · see 0 of 5 · 0:07 of 3:20 · 33 s" in shown[7.0]


# --- a terminal that goes away (closed, an SSH connection dropped) is the person leaving -------


class Vanishing(io.StringIO):
    """A terminal that is closed at some moment: every write after that fails with ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code
        self.closed_now = False
        self.tries_after = 0

    def write(self, text: str) -> int:
        if self.closed_now:
            self.tries_after += 1
            raise OSError(self.code, "gone")
        return super().write(text)


@pytest.mark.parametrize("code", [errno.EIO, errno.EPIPE, errno.ENOSPC])
def test_a_terminal_gone_mid_session_stops_it_gently_and_journals_it_stopped(
    tmp_path, monkeypatch, code
):
    monkeypatch.setattr("calmkit.faces.sim.terminal.REDRAW_S", float("inf"))  # events draw only
    journal = Journal(tmp_path / "j.db")
    r = rig(journal=journal)
    out = Vanishing(code)
    status = StatusLine(r.app, out=out, tty=True)
    r.app.runner.on_event = status.on_event
    r.app.runner.on_frame = status.on_frame
    r.at(10.0, lambda: setattr(out, "closed_now", True))
    r.app.runner.start("box")
    reason = run_headless(r.app, status, interactive=False)  # no traceback, no OSError
    assert reason == {errno.ENOSPC: "the output could not be written"}.get(
        code, "the terminal was closed" if code == errno.EIO else "the output was closed"
    )
    assert out.tries_after == 1  # the close() at the end writes nothing more
    journal.close()
    records = Journal(tmp_path / "j.db").read()
    assert [r["status"] for r in records] == ["stopped"]
    assert records[0]["actual_s"] == 12.0  # the first write after 10 s: the phase at 12 s
    assert Journal(tmp_path / "j.db").in_flight() == []


def test_a_terminal_gone_under_the_key_reader_stops_the_session(monkeypatch):
    recorder = Recorder()
    keys = KeyReader(RecordingApp(recorder), recorder, stream=io.StringIO())

    def hung_up(fd, n):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("calmkit.faces.sim.terminal.select.select", lambda r, w, x, t: (r, w, x))
    monkeypatch.setattr("calmkit.faces.sim.terminal.os.read", hung_up)
    monkeypatch.setattr(keys.stream, "fileno", lambda: 0)
    keys._loop()  # returns: no thread dies with a traceback
    assert recorder.asked == [("stop", "the terminal was closed")]


def test_the_seconds_count_on_in_a_hold_where_no_frames_are_drawn(monkeypatch):
    """The runner draws only when an output changes: a box hold (4 s to 8 s) draws nothing, and
    the status line's own tick still counts its seconds down."""
    from calmkit.faces.sim.terminal import SecondTick

    monkeypatch.setattr("calmkit.faces.sim.terminal.REDRAW_S", 0.0)  # real time: not throttled
    r = rig()
    out = io.StringIO()
    status = StatusLine(r.app, out=out, tty=True)
    r.app.runner.on_event = status.on_event
    r.app.runner.chores.add(SecondTick(status, r.app))
    r.at(7.6, lambda: r.app.runner.request_stop("seen"))
    r.app.runner.start("box")
    r.run()
    shown = out.getvalue()
    for elapsed, left in (("0:05", "3 s"), ("0:06", "2 s"), ("0:07", "1 s")):
        assert f"Hold · {elapsed} of 4:00 · {left}" in shown


def test_a_terminal_face_ticks_its_status_line_and_a_pipe_does_not():
    from calmkit.faces.sim.terminal import SecondTick, TerminalFace

    for tty, ticks in ((True, 1), (False, 0)):
        r = rig()
        face = TerminalFace(RunSettings(), interactive=False)
        assert face.status is not None
        face.status.tty = tty
        face.attach(r.app)
        added = [c for c in r.app.runner.chores.others if isinstance(c, SecondTick)]
        assert len(added) == ticks
        assert all(tick.due is None for tick in added)  # idle: it wakes the box for nothing
