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
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from calmkit.core.clock import Clock, FakeClock
from calmkit.core.cues import Caps, CapsFade
from calmkit.core.events import Event, EventKind
from calmkit.core.flow import IDLE, Flow
from calmkit.core.gestures import DOWN, UP, Gesture, GestureDetector
from calmkit.core.session import STOPPED
from calmkit.core.soundorder import Sound, SoundLine

log = logging.getLogger("calmkit")

#: How long the light takes to fade out when calmkit is stopped (the promise is "within 1 s").
STOP_FADE_S = 0.8
#: How often an open episode is checkpointed for crash recovery.
CHECKPOINT_S = 30.0
#: Waits up to this long (one frame at 50 fps, with room) are slept: see QueueWaiter.
SLEEP_UNDER_S = 0.025
#: How long after a session the sound card is let go (once nothing is playing).
AUDIO_IDLE_S = 5.0
#: The coming frames are worked out this far ahead, in one go (see Runner._draw).
AHEAD_S = 1.0
#: How long a finished `calmkit play` waits at most for its last sounds (the end bell, then a
#: reach-out message after it) to be heard out before it exits.
SOUND_WAIT_S = 15.0

Item = tuple[str, Any, float]


class Waiter(Protocol):
    def wait(self, deadline: float | None) -> Item | None:
        """The next queued item, or None once the deadline has come."""


class QueueWaiter:
    """Real time: block on the queue until the deadline, or forever when there is none.

    A wait of one frame or less is slept instead, then the queue is read without waiting:
    measured here, a timed wait on a queue (or a lock, select, an Event) costs about twice the CPU
    of a sleep, and at 50 frames a second that was most of a session's CPU. A button edge is then
    seen at the next frame at the latest (20 ms), far inside the 0.4 s a gesture takes anyway,
    and its time was stamped when it happened. Idle waits, with no deadline, stay on the queue,
    so a press in idle is seen at once.
    """

    def __init__(self, items: queue.SimpleQueue[Item], clock: Clock, speed: float = 1.0) -> None:
        self.items = items
        self.clock = clock
        self.speed = speed

    def wait(self, deadline: float | None) -> Item | None:
        timeout = None
        if deadline is not None:
            timeout = max(0.0, deadline - self.clock.now()) / self.speed
            if timeout <= SLEEP_UNDER_S:
                if self.items.empty():  # the one consumer: empty() is exact, no exception
                    if timeout > 0:
                        time.sleep(timeout)
                    if self.items.empty():
                        return None
                return self.items.get_nowait()
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

    def light_duty(
        self, level: float, colour: tuple[float, float, float], cap: float
    ) -> tuple[float, ...]: ...
    def motor_duty(self, drive: float, cap: float) -> float: ...
    def write(self, light: tuple[float, ...], motor: float) -> None: ...
    def set_light(self, level: float, colour: tuple[float, float, float], cap: float) -> None: ...
    def set_motor(self, drive: float, cap: float) -> None: ...
    def off(self) -> None: ...


#: One frame worked out ahead: light duty, motor duty, and whether frames go on after it.
Ahead = tuple[tuple[float, ...], float, bool]


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
        fps: float = 50,
        audio: Any = None,
        journal: Any = None,
        notifier: Any = None,
        on_event: Callable[[Event], None] | None = None,
        waiter: Waiter | None = None,
        items: queue.SimpleQueue[Item] | None = None,
        clear_history: Callable[[], None] | None = None,
        clear_every_s: float = 60.0,
        on_frame: Callable[[float], None] | None = None,
        sounds: SoundLine | None = None,
        sound_wait_s: float = SOUND_WAIT_S,
    ) -> None:
        self.flow = flow
        self.outputs = outputs
        self.clock = clock
        self.gestures = gestures or GestureDetector()
        self.gestures.wanted = flow.wanted  # no waiting for a double where none means anything
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
        self.sounds = sounds if sounds is not None else SoundLine({})
        self.sound_wait_s = sound_wait_s
        self.muted = False
        self.stop_reason: str | None = None
        self.frames = 0
        self._frame_origin: float | None = None
        self._frame_due: float | None = None
        self._ahead: list[Ahead] = []  # frames _ahead_k, _ahead_k + 1, ...
        self._ahead_k = 0
        self._flow_due: float | None = None
        self._gesture_due: float | None = None
        self._caps = CapsFade()
        self._light: tuple[float, ...] = ()  # the duty last written: a dark lamp needs no fade
        self._caps_until = -math.inf
        self._sound_due: float | None = None
        self._chores_due: float | None = None
        self._audio_idle_check: float | None = None
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
            self._flow_due = self.flow.next_deadline()
            self._draw(self.clock.now())
            self._plan_chores()
            # looked up once: this loop turns fps times a second
            wait, next_wake, refresh, now = (
                self.waiter.wait,
                self._next_wake,
                self._refresh,
                self.clock.now,
            )
            flow = self.flow
            while self.stop_reason is None and not flow.finished:
                item = wait(next_wake())
                if item is None:
                    refresh(now(), False)
                else:
                    self._handle(item)
                    refresh(now(), True)
            if self.stop_reason is not None and not self.flow.finished:
                self._dispatch(self.flow.stop(STOPPED))
            if self.stop_reason is None:
                self._let_sounds_finish()
            self._fade_out()
        finally:
            self.outputs.off()
            if self.audio is not None:
                self.audio.stop()
            if self.journal is not None:
                self.journal.flush()  # last chance for lines a full disk held back
        return self.stop_reason or "finished"

    def _next_wake(self) -> float | None:
        """The earliest of: the next frame, a step boundary, a gesture timeout, a chore.

        The flow's and the gestures' times change only when something happens (an edge, a
        gesture, a boundary), so they are kept from then rather than asked for every frame.
        """
        wake = self._frame_due
        for due in (self._flow_due, self._gesture_due, self._chores_due, self._sound_due):
            if due is not None and (wake is None or due < wake):
                wake = due
        return wake

    def _handle(self, item: Item) -> None:
        kind, value, t = item
        if kind == "edge":
            for gesture in self.gestures.edge(value, t):
                self._gesture(gesture)
        elif kind == "stop":
            self.stop_reason = str(value)
        elif kind == "mute":
            self.muted = not self.muted
            if self.muted:
                self.sounds.clear()
                self._sound_due = None
            if self.muted and self.audio is not None:
                self.audio.stop()
            self._dispatch(
                [Event(EventKind.MUTE, t - self.flow.origin, None, {"muted": self.muted})]
            )
        elif kind == "start":
            self._dispatch(self.flow.start(value))

    def _refresh(self, now: float, changed: bool = False) -> None:
        """Do what is due at ``now``, and only that: this runs up to fps times a second.

        ``changed``: something was handled that may have moved the gestures' and the flow's
        times and changed the light; it is then drawn at once, not a frame late.
        """
        if changed:
            self._gesture_due = self.gestures.next_deadline()
        due = self._gesture_due
        if due is not None and now >= due:
            for gesture in self.gestures.poll(now):
                self._gesture(gesture)
                changed = True
            self._gesture_due = self.gestures.next_deadline()
        if changed:
            self._flow_due = self.flow.next_deadline()
        due = self._flow_due
        if due is not None and now >= due:
            self._dispatch(self.flow.tick())
            self._flow_due = self.flow.next_deadline()
            changed = True  # a boundary: draw it on time, not a frame late
        due = self._sound_due
        if due is not None and now >= due:  # after the flow's cues: a chime goes first
            self._play(self.sounds.due(now))
        frame_due = self._frame_due
        if changed or frame_due is None or now >= frame_due:
            self._draw(now, fresh=changed)
        if self._chores_due is not None and now >= self._chores_due:
            self._chores(now)

    def _current_caps(self, now: float) -> Caps:
        """The caps wanted change only with the hour: look them up once a second, not every
        frame; what applies fades to them (CapsFade), so it never steps within a frame."""
        if now >= self._caps_until:
            self._caps.aim(self.caps(), now, at_once=not any(self._light))  # dark: no fade
            self._caps_until = now + 1.0
        return self._caps.at(now)

    def _draw(self, now: float, fresh: bool = True) -> None:
        """Put the frame due at ``now`` on the pins.

        A fresh frame (the first, a boundary, a press) is worked out at ``now``. The frames
        after it, on the grid ``origin + k / fps``, come from a list worked out ahead in one go
        (_work_ahead): nothing but the time changes until the flow's next deadline or an edge,
        and measured here the few dozen Python calls of one frame cost several times as much CPU
        run alone after each wake as run together.
        """
        origin = self._frame_origin
        if fresh or origin is None:
            self._ahead = []
            light, motor, animating = self._work_out(now, self._current_caps(now))
            if animating and origin is None:
                origin = self._frame_origin = self._frame_due = now
                self._plan_chores()  # frames begin: the pin history needs clearing again
            k = 0 if origin is None else math.floor((now - origin) * self.fps + 1e-9)
        else:
            k = math.floor((now - origin) * self.fps + 1e-9)
            index = k - self._ahead_k
            if not 0 <= index < len(self._ahead):
                self._work_ahead(k, origin)
                index = 0
            light, motor, animating = self._ahead[index]
        self.outputs.write(light, motor)
        self._light = light
        self.frames += 1
        if self.on_frame is not None:
            self.on_frame(now)
        if animating and origin is not None:
            self._frame_due = origin + (k + 1) / self.fps
        else:
            self._frame_origin = self._frame_due = None
            self._ahead = []

    def _work_out(self, t: float, caps: Caps) -> Ahead:
        frame = self.flow.frame(t)
        outputs = self.outputs
        return (
            outputs.light_duty(frame.level, frame.colour, caps.brightness),
            outputs.motor_duty(frame.motor, caps.vibration),
            self.flow.animating(t),
        )

    def _work_ahead(self, k: int, origin: float) -> None:
        """Frames k, k + 1, ... for up to AHEAD_S, ending before the flow's next deadline
        (the flow changes there) or with the last frame of an animation (a fade's end)."""
        until = self._flow_due
        fps = self.fps
        caps = self._current_caps(origin + k / fps)
        fade = self._caps.at if self._caps.fading(origin + k / fps) else None
        ahead: list[Ahead] = []
        for j in range(k, k + max(1, round(AHEAD_S * fps))):
            t = origin + j / fps
            if ahead and until is not None and t >= until:
                break
            frame = self._work_out(t, caps if fade is None else fade(t))
            ahead.append(frame)
            if not frame[2]:
                break
        self._ahead, self._ahead_k = ahead, k

    # --- chores: the watchdog, checkpoints, mock pin history, an idle sound card ---------------

    def _plan_chores(self) -> None:
        chores = [self._next_checkpoint, self._audio_idle_check]
        if self.notifier is not None:
            chores.append(self.notifier.next_watchdog())
        if self.clear_history is not None and self._frame_due is not None:
            chores.append(self._next_clear)  # pins change only while frames are drawn
        self._chores_due = min((c for c in chores if c is not None), default=None)

    def _chores(self, now: float) -> None:
        if self.notifier is not None and self.notifier.watchdog_due(now):
            self.notifier.ping_watchdog(now)
        if self._next_checkpoint is not None and now >= self._next_checkpoint:
            self._checkpoint(now)
        if self.clear_history is not None and now >= self._next_clear:
            self.clear_history()
            self._next_clear = now + self.clear_every_s
        if self._audio_idle_check is not None and now >= self._audio_idle_check:
            self._audio_idle_check = None
            if self.audio is not None and self.flow.state == IDLE:
                if self.audio.busy():  # a bell or the reach-out message still playing
                    self._audio_idle_check = now + AUDIO_IDLE_S
                else:
                    self.audio.suspend()  # no sound-card thread waking while the box waits
        self._plan_chores()

    def _checkpoint(self, now: float) -> None:
        record = self.flow.in_flight()
        if record is None:
            self._next_checkpoint = None
            return
        if self.journal is not None:
            self.journal.checkpoint(record)  # also writes what a full disk held back earlier
        self._next_checkpoint = now + CHECKPOINT_S

    def _dispatch(self, events: list[Event]) -> None:
        self._dispatch_each(events)
        self._play(self.sounds.due(self.clock.now()))  # the voices and bells whose turn it is

    def _dispatch_each(self, events: list[Event]) -> None:
        for event in events:
            kind = event.kind
            if kind == EventKind.SOUND:  # asked for: the line says when it starts (see _play)
                if not self.muted:
                    name = event.data["name"]
                    if self.audio is not None and self.sounds.length(name) <= 0:
                        self.audio.play(name)  # silence, but a missing file is told once
                    self._play(self.sounds.ask(name, self.clock.now()))
                continue
            if kind == EventKind.SESSION_START:
                log.info("session start: %s", event.data.get("program"))
                if self._next_checkpoint is None:
                    self._checkpoint(self.clock.now())
                    self._plan_chores()
            elif kind == EventKind.SESSION_END:
                log.info(
                    "session end: %s after %.0f s",
                    event.data.get("status"),
                    event.data.get("actual_s", 0.0),
                )
            elif kind == EventKind.STATE and event.data["state"] == IDLE and self.audio is not None:
                self._audio_idle_check = self.clock.now() + AUDIO_IDLE_S
                self._plan_chores()
            elif kind == EventKind.EPISODE_END:
                self._next_checkpoint = None
                if self.journal is not None:
                    self.journal.append(dict(event.data))  # replaces its checkpoint once written
            if self.on_event is not None:
                self.on_event(event)

    def _gesture(self, gesture: Gesture) -> None:
        if gesture.kind not in (DOWN, UP):
            self.sounds.pressed()  # prompts still waiting are answered
        self._dispatch(self.flow.handle(gesture))

    def _play(self, sounds: list[Sound]) -> None:
        """Start sounds as the line says, and tell on_event: name, start, length (--events)."""
        for sound in sounds:
            if self.audio is not None:
                self.audio.play(sound.name, self._current_caps(sound.start).volume)
            if self.on_event is not None:
                data = {"name": sound.name, "length_s": round(sound.length_s, 3)}
                self.on_event(Event(EventKind.SOUND, sound.start - self.flow.origin, None, data))
        self._sound_due = self.sounds.next_deadline()

    def _let_sounds_finish(self) -> None:
        """A program that ended by itself (`calmkit play`) lets its last sounds, the end bell
        and any reach-out after it, be heard out: at most sound_wait_s, on the runner's clock
        (virtual under --fast), while the light goes on fading. A stop request ends the wait;
        presses are not taken any more."""
        limit = self.clock.now() + self.sound_wait_s
        while self.stop_reason is None:
            now = self.clock.now()
            end = self.sounds.quiet_at()
            if end is None or now >= min(end, limit):
                return
            wake = min(d for d in (end, limit, self._sound_due, self._frame_due) if d is not None)
            item = self.waiter.wait(wake)
            if item is not None:
                if item[0] == "stop":
                    self.stop_reason = str(item[1])
                continue
            now = self.clock.now()
            if self._sound_due is not None and now >= self._sound_due:
                self._play(self.sounds.due(now))
            if self._frame_due is not None and now >= self._frame_due:
                self._draw(now, fresh=False)

    def _fade_out(self) -> None:
        """Bring the light down smoothly, in virtual or real time, then everything off."""
        start = self.clock.now()
        level = self.flow.frame(start)
        caps = self._current_caps(start)
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
