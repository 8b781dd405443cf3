"""The device in a terminal: one updating status line, and keys that press the button.

What it shows is read back from the devices (the light's level, the motor's drive), and a key
press drives the button's mock pin low and high, so the terminal shows what the box would do.
Its words are the window's (faces/words.py, through view.ViewState): "box · Breathe in · 0:02
of 4:00 · 2 s", whole seconds that add up, and the line is rewritten only when it changes (no
flickering tenths). The plain lines on a pipe stay a log with the phases' names.
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
from calmkit.faces import words as w
from calmkit.faces.launch import RunSettings, launch
from calmkit.faces.sim.view import ViewState
from calmkit.faces.sim.wristbar import battery_note, is_wrist, wrist_bar
from calmkit.faces.stdout import Stdout
from calmkit.shell.journal import episode_note

BAR_WIDTH = 20
#: What the box is waiting for, in a word or two (the hint line says which gesture does what).
WAITING = {State.OFFER_QUIET: w.OFFER, State.ASK_HELPED: w.ASK}
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

    def __init__(
        self, app: Any, out: TextIO | Stdout | None = None, tty: bool | None = None
    ) -> None:
        self.app = app
        self.out = out if isinstance(out, Stdout) else Stdout(out)
        self.out.on_gone = self._stop
        self.tty = self.out.isatty() if tty is None else tty
        self.phase = ""
        self.label = ""
        self.program = ""
        self.muted = False
        self.message = ""
        self._last_draw = 0.0
        self._width = 0
        self._hint = ""
        self._line = ""  # the status line as last written
        self.stopped = False

    def on_event(self, event: Event) -> None:
        data = event.data
        if event.kind == EventKind.PHASE:
            self.phase = data["phase"]
            self.label = data.get("label", "")
            if not self.tty:  # a log for pipes and --fast, in the window's words
                self._print(
                    f"{clock_text(event.t)}  {self._phase_words()}  {data['duration_s']:g} s"
                )
        elif event.kind == EventKind.SESSION_START:
            self.program = data["program"]
            if not self.tty:
                self._print(f"{clock_text(event.t)}  {self.program}: {data['planned_s']:g} s")
        elif event.kind == EventKind.ITEM and not self.tty:  # a thing named: "see 2 of 5"
            said = w.phase_short(self.words, self.phase, self.label, data["of"], data["count"])
            self._print(f"{clock_text(event.t)}  {said}")
        elif event.kind == EventKind.MUTE:
            self.muted = data["muted"]
        elif event.kind == EventKind.REACH_OUT:
            self._print(self.words(data.get("message", "").strip()))
        elif event.kind == EventKind.SAFETY_PLAN:  # shown always; read aloud only with a voice
            self._print(data.get("text", ""))
        elif event.kind == EventKind.BATTERY:  # a very low battery chose a short program
            self._print(battery_note(data))
        elif event.kind == EventKind.SESSION_END and not self.tty:
            self._print(f"{clock_text(event.t)}  end: {data['status']}")
        elif event.kind == EventKind.EPISODE_END and not self.tty:
            virtual = isinstance(self.app.clock, FakeClock)  # --fast: nothing is saved
            self._print(episode_note(self.app.journal, data["helped"], virtual))
        self.show_hint()
        self.draw(force=True)

    def _phase_words(self) -> str:
        """The phase begun, as the window says it ("Breathe in", "Name 5 things you can see");
        the machine-readable names are in ``--events``."""
        session = getattr(getattr(self.app, "flow", None), "session", None)
        current = session.current if session is not None else None
        items = current.step.items if current is not None else 0
        return w.phase_start(self.words, self.phase, self.label, items)

    def show_hint(self) -> None:
        """In a terminal: a line saying what the button does now, each time that changes."""
        if not self.tty or self.app is None:
            return
        flow = self.app.flow
        words = w.hint_text(self.words, flow.mode(), flow.hint_values())
        if words and words != self._hint:
            self._hint = words
            self._print(f"  {self.words(w.BUTTON, hint=words)}")

    def on_frame(self, now: float) -> None:
        self.draw()

    @property
    def words(self) -> w.Words:
        config = getattr(self.app, "config", None)
        return w.words_for(getattr(config, "language", "en"))

    def text(self) -> str:
        """The status line: the light as a bar, the motor, then what the window would say."""
        shown = self.app.devices.shown()
        level = max(shown.light, default=0.0)
        motor = (shown.motor or 0.0) > 0
        marks = ("≋ " if motor else "  ") + (self.words(w.MUTED) + " " if self.muted else "")
        bar = f"▕{level_bar(level)}▏"
        if is_wrist(getattr(self.app, "config", None)):  # a wearable: faces/sim/wristbar.py
            bar = wrist_bar(self.app)
        return f"{bar} {marks}{self.saying(ViewState.read(self.app))}"

    def saying(self, view: ViewState) -> str:
        """The window's words on one line: "box · Breathe in · 0:02 of 4:00 · 2 s"; at idle the
        program a press starts, with its length and place in the menu."""
        if view.state == State.RUNNING:
            if view.paused or not view.phase:
                doing = view.headline()
            else:
                doing = w.phase_short(view.words, view.phase, view.label, view.items, view.counted)
            parts = [view.title(), doing, view.progress(), view.countdown()]
        else:
            parts = [view.headline(), view.details()]
        return " · ".join(part for part in parts if part)

    def draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        real = time.monotonic()
        if not force and real - self._last_draw < REDRAW_S:
            return
        self._last_draw = real
        line = self.text() if not self.stopped else self._stopped_text()
        if line == self._line:
            return  # nothing changed: no rewrite, no flicker
        self._line = line
        pad = max(0, self._width - len(line))
        self._width = len(line)
        self._write("\r" + line + " " * pad)

    def _print(self, text: str) -> None:
        self._write(("\r" + " " * self._width + "\r" if self.tty else "") + text + "\n")

    @property
    def gone(self) -> bool:
        """The output went away (`| head`, a closed terminal, a full disk): nothing is written."""
        return self.out.gone

    def _write(self, text: str) -> None:
        """Write, or, once the output is gone, stop the session the way a stop key would.

        A closed pipe or terminal (EPIPE, EIO: an SSH connection dropped) is someone who stopped
        watching, and a full disk cannot take the log: either way the session ends as "stopped"
        and is journaled like any other, instead of the device dying mid-breath (faces/stdout.py).
        """
        self.out.write(text)

    def _stop(self, reason: str) -> None:
        """Ask the runner to stop, unless it is stopping already (a second stop request would
        cut the light's fade short, and on a box the lamp is still seen)."""
        runner = getattr(self.app, "runner", None)
        if runner is None or getattr(runner, "stop_reason", None) is not None:
            return
        flow = getattr(self.app, "flow", None)
        if not getattr(flow, "finished", False):
            runner.request_stop(reason)

    def _stopped_text(self) -> str:
        shown = self.app.devices.shown()
        return f"▕{level_bar(max(shown.light, default=0.0))}▏   {self.words(w.STOPPED)}"

    def close(self) -> None:
        if self.tty and not self.gone:
            self.stopped = True
            self.draw(force=True)  # the pins as they are left: off
            self._write("\n")


Pattern = tuple[tuple[float, float], ...]


#: How often, in real seconds, the status line is redrawn during a session on its own: the
#: runner draws frames only when an output's value changes, so a hold draws none, and its
#: countdown must still count.
TICK_S = 0.25


class SecondTick:
    """A chore (shell.chores.Chore) that redraws the status line while a session runs, so the
    seconds count on in a hold; none at idle, where the box wakes for nothing."""

    def __init__(self, status: StatusLine, app: Any) -> None:
        self.status = status
        self.app = app
        self._next: float | None = None

    @property
    def due(self) -> float | None:
        if self.app.flow.state != State.RUNNING:
            self._next = None
        elif self._next is None:
            self._next = self.app.clock.now() + self._tick()
        return self._next

    def _tick(self) -> float:
        return float(self.app.clock.from_real(TICK_S))

    def run(self, now: float) -> None:
        self._next = now + self._tick()
        self.status.draw()


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
                try:
                    data = os.read(fd, 1)
                except OSError:  # the terminal went away (EIO): the person left
                    self.app.runner.request_stop("the terminal was closed")
                    return
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
            status._print(status.words(w.TERMINAL_KEYS))
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

    def __init__(
        self,
        settings: RunSettings,
        interactive: bool | None = None,
        out: Stdout | None = None,
    ) -> None:
        self.settings = settings
        self.out = out or Stdout()
        self.status: StatusLine | None = None
        if not settings.events:
            self.status = StatusLine(None, self.out, tty=False if settings.fast else None)
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
            if self.status.tty:  # the seconds count on in a hold (no frames are drawn then)
                app.runner.chores.add(SecondTick(self.status, app))
        else:  # --events: the JSON lines on the same stdout stop the session when it goes
            self.out.on_gone = app.runner.request_stop

    def on_stop_signal(self, reason: str) -> None:
        self.app.runner.request_stop(reason)  # puts on a SimpleQueue: safe in a signal handler

    def show(self, ready: Callable[[], None]) -> None:
        ready()
        if self.status is None:
            self.app.runner.run()
        else:
            run_headless(self.app, self.status, interactive=self.interactive)


def run_terminal(
    config: Any,
    settings: RunSettings,
    on_event: Callable[[Event], None] | None = None,
    out: Stdout | None = None,
) -> int:
    """``calmkit run`` / ``calmkit play NAME``: the device in the terminal (or on a pipe).

    ``out`` is the stdout the status line (and the caller's --events printer) writes to: when
    it goes away the session stops gently, and the caller reads ``out.problem()`` afterwards.
    """
    return launch(config, settings, TerminalFace(settings, out=out), on_event)
