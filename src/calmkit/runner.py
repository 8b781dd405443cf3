"""The one loop that waits: button edges in, light, motor, sound and journal out.

gpiozero calls ``edge()`` from its own thread; that only puts ``(edge, time)`` on a queue (a
SimpleQueue, whose put is reentrant, so a signal handler may put a stop request on it too). This
loop owns every output. It waits on the queue until the next deadline (a step boundary, a
gesture timeout, the next light frame at ``fps``, a watchdog ping) and, when nothing is due,
with no timeout at all, so an idle box uses no CPU. Frames are held to absolute deadlines
(``origin + k / fps``), never "sleep one frame", so they do not drift.

On a FakeClock the same loop runs in virtual time: a VirtualWaiter moves the clock to each
deadline instead of waiting, and plays a script of timed actions (pin drives) in between.
"""

from __future__ import annotations

import logging
import math
import queue
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from calmkit.clock import Clock, FakeClock
from calmkit.cues import Caps
from calmkit.flow import Flow
from calmkit.gestures import GestureDetector
from calmkit.session import STOPPED, Event

log = logging.getLogger("calmkit")

#: How long the light takes to fade out when calmkit is stopped (the promise is "within 1 s").
STOP_FADE_S = 0.8
#: How often an open episode is checkpointed for crash recovery.
CHECKPOINT_S = 30.0

Item = tuple[str, Any, float]


class Waiter(Protocol):
    def wait(self, deadline: float | None) -> Item | None:
        """The next queued item, or None once the deadline has come."""


class QueueWaiter:
    """Real time: block on the queue until the deadline, or forever when there is none."""

    def __init__(self, items: queue.SimpleQueue[Item], clock: Clock, speed: float = 1.0) -> None:
        self.items = items
        self.clock = clock
        self.speed = speed

    def wait(self, deadline: float | None) -> Item | None:
        timeout = None if deadline is None else max(0.0, deadline - self.clock.now()) / self.speed
        try:
            return self.items.get(timeout=timeout)
        except queue.Empty:
            return None


@dataclass(frozen=True)
class Scripted:
    """Something to do at a virtual time: drive a pin, press a key."""

    t: float
    action: Callable[[], None]


class VirtualWaiter:
    """Virtual time: jump the FakeClock to the next deadline or scripted action.

    When nothing is scheduled and nothing is due, it says the run is over (a real box would
    wait for a press forever; a virtual run has no one left to press).
    """

    def __init__(
        self, items: queue.SimpleQueue[Item], clock: FakeClock, script: Iterable[Scripted] = ()
    ) -> None:
        self.items = items
        self.clock = clock
        self.script = sorted(script, key=lambda s: s.t)

    def add(self, t: float, action: Callable[[], None]) -> None:
        self.script.append(Scripted(t, action))
        self.script.sort(key=lambda s: s.t)

    def wait(self, deadline: float | None) -> Item | None:
        if not self.items.empty():
            return self.items.get_nowait()
        if self.script and (deadline is None or self.script[0].t <= deadline):
            scripted = self.script.pop(0)
            self.clock.advance_to(scripted.t)
            scripted.action()
            return self.items.get_nowait() if not self.items.empty() else None
        if deadline is None:
            return ("stop", "nothing left to do", self.clock.now())
        self.clock.advance_to(deadline)
        return None


class Outputs(Protocol):
    """What the runner drives: hardware.Devices, or a stand-in that records."""

    def set_light(self, level: float, colour: tuple[float, float, float], cap: float) -> None: ...
    def set_motor(self, drive: float, cap: float) -> None: ...
    def off(self) -> None: ...


class Runner:
    """Drives a Flow from button edges and time; see the module text."""

    def __init__(
        self,
        flow: Flow,
        outputs: Outputs,
        clock: Clock,
        *,
        gestures: GestureDetector | None = None,
        caps: Callable[[], Caps] | None = None,
        fps: int = 50,
        audio: Any = None,
        journal: Any = None,
        notifier: Any = None,
        on_event: Callable[[Event], None] | None = None,
        waiter: Waiter | None = None,
        items: queue.SimpleQueue[Item] | None = None,
        clear_history: Callable[[], None] | None = None,
        clear_every_s: float = 60.0,
        on_frame: Callable[[float], None] | None = None,
    ) -> None:
        self.flow = flow
        self.outputs = outputs
        self.clock = clock
        self.gestures = gestures or GestureDetector()
        self.caps = caps or (lambda: Caps(1.0, 1.0, 1.0))
        self.fps = fps
        self.audio = audio
        self.journal = journal
        self.notifier = notifier
        self.on_event = on_event
        self.items: queue.SimpleQueue[Item] = items if items is not None else queue.SimpleQueue()
        self.waiter: Waiter = waiter or QueueWaiter(self.items, clock)
        self.clear_history = clear_history
        self.clear_every_s = clear_every_s
        self.on_frame = on_frame
        self.muted = False
        self.stop_reason: str | None = None
        self.frames = 0
        self._frame_origin: float | None = None
        self._next_checkpoint: float | None = None
        self._next_clear = clock.now() + clear_every_s

    # --- called from other threads (gpiozero callbacks, signal handlers, the simulator) --------

    def edge(self, pressed: bool) -> None:
        self.items.put(("edge", bool(pressed), self.clock.now()))

    def request_stop(self, reason: str) -> None:
        self.items.put(("stop", reason, self.clock.now()))

    def start(self, program: str | None = None) -> None:
        """Start a program as if the button had been pressed in idle (None: the selected one)."""
        self.items.put(("start", program, self.clock.now()))

    def toggle_mute(self) -> None:
        self.items.put(("mute", None, self.clock.now()))

    # --- the loop -----------------------------------------------------------------------------

    def run(self) -> str:
        """Run until the flow finishes or a stop is asked for; returns the reason."""
        try:
            self._draw(self.clock.now())
            while self.stop_reason is None and not self.flow.finished:
                item = self.waiter.wait(self._next_wake())
                if item is not None:
                    self._handle(item)
                self._step()
            if self.stop_reason is not None and not self.flow.finished:
                self._dispatch(self.flow.stop(STOPPED))
            self._fade_out()
        finally:
            self.outputs.off()
            if self.audio is not None:
                self.audio.stop()
        return self.stop_reason or "finished"

    def _next_wake(self) -> float | None:
        deadlines = [self.flow.next_deadline(), self.gestures.next_deadline()]
        if self._frame_origin is not None:
            k = math.floor((self.clock.now() - self._frame_origin) * self.fps + 1e-9) + 1
            deadlines.append(self._frame_origin + k / self.fps)
        if self.notifier is not None:
            deadlines.append(self.notifier.next_watchdog())
        if self._next_checkpoint is not None:
            deadlines.append(self._next_checkpoint)
        if self.clear_history is not None and self._frame_origin is not None:
            deadlines.append(self._next_clear)
        return min((d for d in deadlines if d is not None), default=None)

    def _handle(self, item: Item) -> None:
        kind, value, t = item
        if kind == "edge":
            for gesture in self.gestures.edge(value, t):
                self._dispatch(self.flow.handle(gesture))
        elif kind == "stop":
            self.stop_reason = str(value)
        elif kind == "mute":
            self.muted = not self.muted
            if self.muted and self.audio is not None:
                self.audio.stop()
            self._dispatch([Event("mute", t - self.flow.origin, None, {"muted": self.muted})])
        elif kind == "start":
            self._dispatch(self.flow.start(value))

    def _step(self) -> None:
        now = self.clock.now()
        for gesture in self.gestures.poll(now):
            self._dispatch(self.flow.handle(gesture))
        self._dispatch(self.flow.tick())
        self._draw(now)
        if self.notifier is not None and self.notifier.watchdog_due(now):
            self.notifier.ping_watchdog(now)
        if self._next_checkpoint is not None and now >= self._next_checkpoint:
            self._checkpoint(now)
        if self.clear_history is not None and now >= self._next_clear:
            self.clear_history()
            self._next_clear = now + self.clear_every_s

    def _draw(self, now: float) -> None:
        frame = self.flow.frame()
        caps = self.caps()
        self.outputs.set_light(frame.level, frame.colour, caps.brightness)
        self.outputs.set_motor(frame.motor, caps.vibration)
        self.frames += 1
        if self.on_frame is not None:
            self.on_frame(now)
        if self.flow.animating():
            if self._frame_origin is None:
                self._frame_origin = now
        else:
            self._frame_origin = None

    def _checkpoint(self, now: float) -> None:
        record = self.flow.in_flight()
        if record is None:
            self._next_checkpoint = None
            return
        if self.journal is not None:
            self.journal.checkpoint(record)
        self._next_checkpoint = now + CHECKPOINT_S

    def _dispatch(self, events: list[Event]) -> None:
        for event in events:
            kind = event.kind
            if kind == "sound":
                if self.audio is not None and not self.muted:
                    self.audio.play(event.data["name"], self.caps().volume)
            elif kind == "session_start":
                log.info("session start: %s", event.data.get("program"))
                if self._next_checkpoint is None:
                    self._checkpoint(self.clock.now())
            elif kind == "session_end":
                log.info(
                    "session end: %s after %.0f s",
                    event.data.get("status"),
                    event.data.get("actual_s", 0.0),
                )
            elif kind == "episode_end":
                self._next_checkpoint = None
                if self.journal is not None:
                    self.journal.append({k: v for k, v in event.data.items()})
                    self.journal.clear_checkpoint()
            if self.on_event is not None:
                self.on_event(event)

    def _fade_out(self) -> None:
        """Bring the light down smoothly, in virtual or real time, then everything off."""
        start = self.clock.now()
        level = self.flow.frame()
        caps = self.caps()
        self.outputs.set_motor(0.0, 0.0)
        if level.level <= 0:
            return
        frames = max(1, int(STOP_FADE_S * self.fps))
        for k in range(1, frames + 1):
            deadline = start + k / self.fps
            while (item := self.waiter.wait(deadline)) is not None:
                if item[0] == "stop":  # a second stop request: go dark at once
                    return
            remaining = 1.0 - k / frames
            self.outputs.set_light(level.level * remaining, level.colour, caps.brightness)
