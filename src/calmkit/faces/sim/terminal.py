"""The device in a terminal: one updating status line, and keys that press the button.

What it shows is read back from the devices (the light's level, the motor's drive), and a key
press drives the button's mock pin low and high, so the terminal shows what the box would do.
When stdout is not a terminal (a pipe, CI, journald) it prints a plain line per phase instead.
In a terminal, whenever what the button does changes, it prints the hint from flow_table.py.

Keys go to one finger thread through a one-place mailbox: a key that comes while the finger is
still pressing (faster than a button could be pressed) is dropped, so a storm of keys is a few
presses, one thread and no growing queue.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from calmkit.core.clock import FakeClock
from calmkit.core.durations import clock_text
from calmkit.core.events import Event, EventKind
from calmkit.core.flow_table import State
from calmkit.core.gestures import LONG_HOLD_RATIO
from calmkit.faces.launch import RunSettings, launch
from calmkit.shell.journal import episode_note

BAR_WIDTH = 20
#: What the box is waiting for, in a word or two (the hint line says which gesture does what).
WAITING = {State.OFFER_QUIET: "quiet time?", State.ASK_HELPED: "did that help?"}
REDRAW_S = 0.1  # the status line redraws ten times a second at most (real time)

#: Key -> (what it does, pin drive pattern as (low_s, high_s) pairs in real seconds).
PRESS = ((0.12, 0.0),)
DOUBLE = ((0.1, 0.1), (0.1, 0.0))


def level_bar(level: float, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` cells for a 0..1 level, with eighth-cell resolution."""
    level = min(1.0, max(0.0, level))
    eighths = round(level * width * 8)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part and full < width else ""
    return ("█" * full + partial).ljust(width)


class StatusLine:
    """Keeps one line up to date from events and what the devices show."""

    def __init__(self, app: Any, out: TextIO | None = None, tty: bool | None = None) -> None:
        self.app = app
        self.out = out or sys.stdout
        self.tty = self.out.isatty() if tty is None else tty
        self.phase = "idle"
        self.label = ""
        self.program = ""
        self.muted = False
        self.message = ""
        self._last_draw = 0.0
        self._width = 0
        self._hint = ""
        self.gone = False  # the reader went away (`calmkit play ... | head`)

    def on_event(self, event: Event) -> None:
        data = event.data
        if event.kind == EventKind.PHASE:
            self.phase = data["phase"]
            self.label = data.get("label", "")
            if not self.tty:
                label = f" ({self.label})" if self.label else ""
                self._print(f"{clock_text(event.t)}  {self.phase}{label}  {data['duration_s']:g} s")
        elif event.kind == EventKind.SESSION_START:
            self.program = data["program"]
            if not self.tty:
                self._print(f"{clock_text(event.t)}  {self.program}: {data['planned_s']:g} s")
        elif event.kind == EventKind.STATE:
            if data["state"] != State.RUNNING:
                self.phase = WAITING.get(data["state"], "idle")
                self.label = ""
        elif event.kind == EventKind.PAUSE:
            self.phase = "paused"
        elif event.kind == EventKind.RESUME:
            session = self.app.flow.session
            self.phase = session.current.phase if session and session.current else self.phase
        elif event.kind == EventKind.MUTE:
            self.muted = data["muted"]
        elif event.kind == EventKind.SELECTED:
            self.program = data["program"]
            self.phase = f"selected {data['number']}: {data['program']}"
        elif event.kind == EventKind.REACH_OUT:
            self._print(data.get("message", ""))
        elif event.kind == EventKind.SAFETY_PLAN:  # shown always; read aloud only with a voice
            self._print(data.get("text", ""))
        elif event.kind == EventKind.SESSION_END and not self.tty:
            self._print(f"{clock_text(event.t)}  end: {data['status']}")
        elif event.kind == EventKind.EPISODE_END and not self.tty:
            virtual = isinstance(self.app.clock, FakeClock)  # --fast: nothing is saved
            self._print(episode_note(self.app.journal, data["helped"], virtual))
        self.show_hint()
        self.draw(force=True)

    def show_hint(self) -> None:
        """In a terminal: a line saying what the button does now, each time that changes."""
        if not self.tty or self.app is None:
            return
        words = self.app.flow.hint()
        if words and words != self._hint:
            self._hint = words
            self._print(f"  button: {words}")

    def on_frame(self, now: float) -> None:
        self.draw()

    def text(self) -> str:
        shown = self.app.devices.shown()
        level = max(shown.light, default=0.0)
        motor = (shown.motor or 0.0) > 0
        session = self.app.flow.session
        left = ""
        if session is not None and session.current is not None:
            left = f" · {session.step_remaining():4.1f} s left"
        label = f" ({self.label})" if self.label else ""
        marks = ("≋ " if motor else "  ") + ("muted " if self.muted else "")
        program = f"{self.program} · " if self.program else ""
        return f"▕{level_bar(level)}▏ {marks}{program}{self.phase}{label}{left}"

    def draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        real = time.monotonic()
        if not force and real - self._last_draw < REDRAW_S:
            return
        self._last_draw = real
        line = self.text()
        pad = max(0, self._width - len(line))
        self._width = len(line)
        self._write("\r" + line + " " * pad)

    def _print(self, text: str) -> None:
        self._write(("\r" + " " * self._width + "\r" if self.tty else "") + text + "\n")

    def _write(self, text: str) -> None:
        """Write, or, once nobody reads any more, stop the session the way a stop key would.

        A closed pipe is someone who stopped watching: the session ends as "stopped" and is
        journaled like any other, instead of the device dying mid-breath on a BrokenPipeError.
        """
        if self.gone:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.gone = True
            if self.out is sys.stdout:  # nothing for Python to flush into the closed pipe at exit
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            self.app.runner.request_stop("the output was closed")

    def close(self) -> None:
        if self.tty:
            self.phase, self.label = "stopped", ""
            self.draw(force=True)  # the pins as they are left: off
            self._write("\n")


Pattern = tuple[tuple[float, float], ...]


class ButtonFinger:
    """Presses the box's button by driving its mock pin, in real time, on one thread of its own.

    It holds at most one press waiting while it drives another: more keys than that come faster
    than a finger could press, and are dropped (``dropped`` counts them).
    """

    def __init__(
        self, pin: Any, hold_s: float, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.pin = pin
        self.hold: Pattern = ((hold_s + 0.4, 0.0),)
        self.long_hold: Pattern = ((hold_s * LONG_HOLD_RATIO + 0.4, 0.0),)
        self.dropped = 0
        self._sleep = sleep
        self._waiting: queue.Queue[Pattern | None] = queue.Queue(maxsize=1)
        self._thread: threading.Thread | None = None

    def press(self, pattern: Pattern) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="calmkit-finger", daemon=True)
            self._thread.start()
        try:
            self._waiting.put_nowait(pattern)
        except queue.Full:
            self.dropped += 1

    def close(self, timeout: float | None = None) -> None:
        """Finish the presses given (the button is left up), then end the thread."""
        if self._thread is None:
            return
        with contextlib.suppress(queue.Full):
            self._waiting.put(None, timeout=timeout)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while (pattern := self._waiting.get()) is not None:
            for low_s, high_s in pattern:
                self.pin.drive_low()
                self._sleep(low_s)
                self.pin.drive_high()
                self._sleep(high_s)


class KeyReader:
    """Reads keys from a terminal (Enter or space = press, h = hold, l = long hold, d = double,
    m = mute, q = quit) and turns them into pin drives and runner requests."""

    def __init__(self, app: Any, finger: ButtonFinger, stream: TextIO | None = None) -> None:
        self.app = app
        self.finger = finger
        self.stream = stream or sys.stdin
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved: Any = None

    def handle(self, key: str) -> None:
        runner = self.app.runner
        if key in ("\n", "\r", " "):
            self.finger.press(PRESS)
        elif key == "h":
            self.finger.press(self.finger.hold)
        elif key == "l":
            self.finger.press(self.finger.long_hold)
        elif key == "d":
            self.finger.press(DOUBLE)
        elif key == "m":
            runner.toggle_mute()
        elif key in ("q", "\x03", "\x04"):
            runner.request_stop("quit")

    def start(self) -> None:
        if not self.stream.isatty():
            return
        with contextlib.suppress(Exception):
            import termios
            import tty

            fd = self.stream.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        fd = self.stream.fileno()
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                data = os.read(fd, 1)
                if not data:
                    return
                self.handle(data.decode(errors="ignore"))

    def stop(self) -> None:
        self._stop.set()
        if self._saved is not None:
            import termios

            with contextlib.suppress(Exception):
                termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)


def run_headless(app: Any, status: StatusLine, interactive: bool = True) -> str:
    """Run the app with the status line and (in a terminal) the keys."""
    keys: KeyReader | None = None
    if interactive and app.pins.mock:
        finger = ButtonFinger(app.devices.button_pin, app.config.gestures.hold_s)
        keys = KeyReader(app, finger)
        keys.start()
        if status.tty:
            status._print(
                "Enter or space = press · h = hold · l = long hold · d = double press · "
                "m = mute · q = quit"
            )
    if not app.flow.single:  # `play` starts its session at once, and says that session's hint
        status.show_hint()
    try:
        return app.runner.run()
    finally:
        if keys is not None:
            keys.stop()
            keys.finger.close(timeout=5.0)
        status.close()


class TerminalFace:
    """The device in the terminal, for launch: a status line (or plain lines), keys in a tty.

    The terminal shows a status line, or plain phase lines for --fast and pipes, and nothing of
    its own under --events (stdout is the JSON lines').
    """

    ready_words = "waiting for a press"

    def __init__(self, settings: RunSettings, interactive: bool | None = None) -> None:
        self.settings = settings
        self.status: StatusLine | None = None
        if not settings.events:
            self.status = StatusLine(None, tty=False if settings.fast else None)
        self.on_event = self.status.on_event if self.status is not None else None
        self.on_frame = self.status.on_frame if self.status is not None else None
        #: keys are read only from a terminal, and never on the virtual clock
        self.interactive = (
            not settings.fast and sys.stdin.isatty() if interactive is None else interactive
        )
        self.app: Any = None

    def attach(self, app: Any) -> None:
        self.app = app
        if self.status is not None:
            self.status.app = app

    def on_stop_signal(self, reason: str) -> None:
        self.app.runner.request_stop(reason)  # puts on a SimpleQueue: safe in a signal handler

    def show(self, ready: Callable[[], None]) -> None:
        ready()
        if self.status is None:
            self.app.runner.run()
        else:
            run_headless(self.app, self.status, interactive=self.interactive)


def run_terminal(
    config: Any, settings: RunSettings, on_event: Callable[[Event], None] | None = None
) -> int:
    """``calmkit run`` / ``calmkit play NAME``: the device in the terminal (or on a pipe)."""
    return launch(config, settings, TerminalFace(settings), on_event)
