"""The one loop that waits: button edges in, light, motor, sound and journal out.

gpiozero calls ``edge()`` from its own thread; that only puts ``(edge, time)`` on a queue (a
SimpleQueue, whose put is reentrant, so a signal handler may put a stop request on it too). This
loop owns every output. It waits on the queue until the next deadline (a step boundary, a
gesture timeout, the next frame that changes what an output shows, a chore) and, when nothing
is due, with no timeout at all, so an idle box uses no CPU. Frames are held to absolute
deadlines on a grid (``origin + k / fps``), never "sleep one frame", so they do not drift; and
of that grid only the frames that change a written value by a step of its output's resolution
are woken for (frames.next_change), so a hold or a quiet stretch sleeps through. A long wait for
a boundary or a frame of the light ends a few ms early, and the runner rehearses what it will
run then (``_rehearse``): after a long sleep that code is cold, and the wake would be late.

Its pieces live beside it: how it waits (waiters: real time on the queue, or a VirtualWaiter
that moves a FakeClock to each deadline and plays a script of timed actions), when the next
frame that changes something is (frames), the caps they are drawn under (caps), its chores
(chores) and what it calls on the sound, the journal and systemd (collaborators). It drives a
list of outputs (calmkit.devices.Output): each frame is worked out as one duty per output, on
the output's resolution, and written to the outputs whose duty changed, each at most as often
as its resolution says (a haptic: 25 a second). Every time here is on the runner's clock: the
clock alone knows the speed of a ``--speed`` demo.
"""

from __future__ import annotations

import logging
import math
import queue
from collections.abc import Callable, Sequence

from calmkit.core.clock import Clock
from calmkit.core.cues import Caps
from calmkit.core.events import Event, EventKind
from calmkit.core.flow import IDLE, Flow
from calmkit.core.gestures import DOWN, UP, Gesture, GestureDetector
from calmkit.core.session import STOPPED
from calmkit.core.soundorder import Sound, SoundLine
from calmkit.devices import Output, Role
from calmkit.shell.caps import CapsLookup
from calmkit.shell.chores import Chores
from calmkit.shell.collaborators import EpisodeStore, SoundCard, Watchdog
from calmkit.shell.frames import SETTLED, Frame, Next, make, next_change
from calmkit.shell.outputs import BLACK, NOTHING, Duties, OutputRow, gaps_of
from calmkit.shell.waiters import Item, QueueWaiter, Scripted, VirtualWaiter, Waiter

#: Re-exported: tests and the faces script a run with them from here.
__all__ = [
    "SOUND_WAIT_S",
    "STOP_FADE_S",
    "Item",
    "QueueWaiter",
    "Runner",
    "Scripted",
    "VirtualWaiter",
]

log = logging.getLogger("calmkit")

#: How long the light takes to fade out when calmkit is stopped (the promise is "within 1 s").
STOP_FADE_S = 0.8
#: A wait for a frame, a boundary or a sound longer than this (in real seconds) ends REHEARSE_S
#: early, and the runner rehearses then what it is about to do (Runner._rehearse).
LONG_WAIT_S = 0.1
#: How early, in real seconds: room for a cold wake (on the bench machine up to 4 ms late after a
#: long sleep), short enough that the rest is slept warm and on time.
REHEARSE_S = 0.005
#: How long a finished `calmkit play` waits at most for its last sounds (the end bell, then a
#: reach-out message after it) to be heard out before it exits.
SOUND_WAIT_S = 15.0


class Runner:
    """Drives a Flow from button edges and time; see the module text."""

    def __init__(
        self,
        flow: Flow,
        outputs: Sequence[Output],
        clock: Clock,
        *,
        gestures: GestureDetector | None = None,
        caps: Callable[[], Caps] | None = None,
        fps: float = 50,
        audio: SoundCard | None = None,
        journal: EpisodeStore | None = None,
        notifier: Watchdog | None = None,
        on_event: Callable[[Event], None] | None = None,
        waiter: Waiter | None = None,
        items: queue.SimpleQueue[Item] | None = None,
        clear_history: Callable[[], None] | None = None,
        clear_every_s: float = 60.0,
        on_frame: Callable[[float], None] | None = None,
        sounds: SoundLine | None = None,
        sound_wait_s: float = SOUND_WAIT_S,
    ) -> None:
        """``fps``, ``sound_wait_s`` and the gestures' times are on ``clock`` (app.build asks
        the clock what a real second is on it)."""
        self.flow = flow
        self.row = OutputRow(outputs)
        self.outputs = self.row.outputs
        self.clock = clock
        self.gestures = gestures or GestureDetector()
        self.gestures.wanted = flow.wanted  # no waiting for a double where none means anything
        self.caps = caps or (lambda: Caps(1.0, 1.0, 1.0))
        self.fps = fps
        self.journal = journal
        self.notifier = notifier
        self.on_event = on_event
        self.items: queue.SimpleQueue[Item] = items if items is not None else queue.SimpleQueue()
        self.waiter: Waiter = waiter or QueueWaiter(self.items, clock)
        self.clear_history = clear_history
        self.on_frame = on_frame
        self.sounds = sounds if sounds is not None else SoundLine({})
        self.sound_wait_s = sound_wait_s
        self.chores = Chores(
            flow,
            clock.now(),
            journal=journal,
            notifier=notifier,
            audio=audio,
            clear_history=clear_history,
            clear_every_s=clear_every_s,
        )
        self.audio = audio
        self.muted = False
        self.stop_reason: str | None = None
        self.frames = 0  # frames written (a wake that only steps the scan on writes none)
        self._frame_origin: float | None = None  # the grid's, while the light animates
        self._frame_due: float | None = None  # the next frame that changes something
        self._next: Next | None = None  # what to do then
        self._gaps = gaps_of(self.outputs, clock.from_real)
        self._since = tuple(-math.inf for _ in self.outputs)  # each output's last write
        self._flow_due: float | None = None
        self._gesture_due: float | None = None
        self._sound_due: float | None = None
        self._rehearsed: float | None = None  # the wake last rehearsed for
        self._lead = clock.from_real(REHEARSE_S)
        self._caps = CapsLookup(self._wanted_caps, self.row.dark)

    @property
    def audio(self) -> SoundCard | None:
        return self._audio

    @audio.setter
    def audio(self, audio: SoundCard | None) -> None:
        self._audio = audio
        self.chores.audio_idle.audio = audio  # one sound card for the runner and its chores

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
            wait, next_wake, early, refresh, now = (
                self.waiter.wait,
                self._next_wake,
                self._rehearsal_before,
                self._refresh,
                self.clock.now,
            )
            flow = self.flow
            while self.stop_reason is None and not flow.finished:
                wake = next_wake()
                rehearsal = early(wake)
                item = wait(wake if rehearsal is None else rehearsal)
                if item is None:
                    if rehearsal is None or wake is None:
                        refresh(now(), False)
                    else:
                        self._rehearse(wake)
                else:
                    self._handle(item)
                    refresh(now(), True)
            if self.stop_reason is not None and not self.flow.finished:
                self._dispatch(self.flow.stop(STOPPED))
            if self.stop_reason is None:
                self._let_sounds_finish()
            self._fade_out()
        finally:
            self.row.off()
            if self.audio is not None:
                self.audio.stop()
            if self.journal is not None:
                self.journal.flush()  # last chance for lines a full disk held back
        return self.stop_reason or "finished"

    def _next_wake(self) -> float | None:
        """The earliest of: the next frame that changes something, a step boundary, a gesture
        timeout, a chore.

        The flow's and the gestures' times change only when something happens (an edge, a
        gesture, a boundary), so they are kept from then rather than asked for every frame.
        """
        wake = self._frame_due
        for due in (self._flow_due, self._gesture_due, self.chores.due, self._sound_due):
            if due is not None and (wake is None or due < wake):
                wake = due
        return wake

    def _rehearsal_before(self, wake: float | None) -> float | None:
        """When to wake early to rehearse ``wake`` (None: wait for it straight away).

        A long wait is rehearsed, once, when it ends in something a person sees or hears on
        time: a boundary, a sound, a frame that changes a light (an output with no pace of its
        own). A chore, a gesture's timeout, a look at the caps (nothing written) and a frame for
        the haptic alone are not: on the wrist the battery comes first, and at 25 writes a
        second a finger cannot tell a few ms.
        """
        if wake is None or wake == self._rehearsed:
            return None
        if wake == self._frame_due:
            if not self._lights_change():
                return None
        elif wake != self._flow_due and wake != self._sound_due:
            return None
        if self.clock.deadline_to_sleep_time(wake) <= LONG_WAIT_S:
            return None
        return wake - self._lead

    def _lights_change(self) -> bool:
        """Whether the frame the runner waits for writes to an output with no pace of its own."""
        pending = self._next
        if pending is None or pending.frame is None:
            return False
        return any(
            new != old and not gap
            for new, old, gap in zip(pending.frame.duties, self.row.written, self._gaps)
        )

    def _rehearse(self, wake: float) -> None:
        """A few ms before a wake after a long sleep, run the code it will run, on what it runs
        on: the flow's tick (nothing is due yet, so it changes nothing) and its frame.

        After a long sleep the code and data a wake touches are cold. On the bench machine (a
        virtual machine) a first touch after a sleep cost about 100 times what it costs awake:
        a boundary's tick took 2-6 ms instead of 20 us, and the light was up to 3 ms late
        (bench/timing.py). On a Pi the caches are cold and the CPU clocked down after idle: the
        same cost, smaller. Rehearsed, the wake itself runs warm and on time.
        """
        self._rehearsed = wake
        events = self.flow.tick()
        now = self.clock.now()
        if events:  # it came due while this ran: that is the boundary itself, handled as one
            self._dispatch(events)
            self._flow_due = self.flow.next_deadline()
            self._draw(now)
            return
        self.flow.frame(now)

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
        if changed or (frame_due is not None and now >= frame_due):
            self._draw(now, fresh=changed)
        due = self.chores.due
        if due is not None and now >= due and self.chores.run(now, self._frame_origin is not None):
            self._draw(now)  # a chore changed what the outputs show (a battery notice)

    # --- frames -------------------------------------------------------------------------------

    def _wanted_caps(self) -> Caps:
        return self.caps()  # looked up at each ask: self.caps may be replaced (the simulator)

    def _draw(self, now: float, fresh: bool = True) -> None:
        """Put the frame due at ``now`` on the outputs, then find the next one that changes.

        A fresh frame (the first, a boundary, a press) is worked out at ``now``. The frames
        after it are on the grid ``origin + k / fps``; nothing but the time changes them until
        the flow's next deadline or an edge, so frames.next_change finds the first that writes
        something (``_next``) and the runner sleeps until then.
        """
        origin = self._frame_origin
        pending = self._next
        duties: Duties | None
        if fresh or origin is None or pending is None:
            duties, animating = self._work_out(now, self._caps.at(now))
            if animating and origin is None:
                origin = self._frame_origin = now
                self._plan_chores()  # frames begin: the pin history needs clearing again
            k = 0 if origin is None else math.floor((now - origin) * self.fps + 1e-9) + 1
        elif (due := math.floor((now - origin) * self.fps + 1e-9)) > pending.k:
            # woken late (a stall, a busy machine): the frame of now, not the one missed
            t = origin + due / self.fps
            (duties, animating), k = self._work_out(t, self._caps.at(t)), due + 1
        elif pending.frame is None:  # nothing changed up to frame k: step on from there
            duties, animating, k = None, True, pending.k
        else:
            (duties, animating), k = pending.frame, pending.k + 1
        if duties is not None:
            self._write(now, duties)
        self._next = self._frame_due = None
        if not animating or origin is None:
            self._frame_origin = None
            return
        after = next_change(
            k,
            origin,
            self.fps,
            self._flow_due,
            self._caps,
            self._work_out,
            self.row.written,
            self._since,
            self._gaps,
        )
        if after is SETTLED:
            self._frame_origin = None  # frames are over until something happens
            self._plan_chores()
        elif after is not None:
            self._next, self._frame_due = after, origin + after.k / self.fps

    def _write(self, now: float, duties: Duties) -> None:
        """Put a frame on the outputs (only those whose duty changed are written)."""
        written = self.row.written
        if duties != written:
            self._since = tuple(
                now if duty != was else at for duty, was, at in zip(duties, written, self._since)
            )
            self.row.write(duties)
        self.frames += 1
        if self.on_frame is not None:
            self.on_frame(now)

    def _work_out(self, t: float, caps: Caps) -> Frame:
        """The frame at clock time ``t``: each output's duty for the flow's light and motor."""
        frame = self.flow.frame(t)
        duties = self.row.duties(frame.level, frame.colour, frame.motor, caps)
        return make(Frame, (duties, self.flow.animating(t)))

    # --- chores: the watchdog, checkpoints, mock pin history, an idle sound card ---------------

    def _plan_chores(self) -> None:
        self.chores.plan(self._frame_origin is not None)

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
                checkpoint = self.chores.checkpoint
                if checkpoint.due is None:
                    checkpoint.run(self.clock.now())
                    self._plan_chores()
            elif kind == EventKind.SESSION_END:
                log.info(
                    "session end: %s after %.0f s",
                    event.data.get("status"),
                    event.data.get("actual_s", 0.0),
                )
            elif kind == EventKind.STATE and event.data["state"] == IDLE and self.audio is not None:
                self.chores.audio_idle.idle(self.clock.now())
                self._plan_chores()
            elif kind == EventKind.EPISODE_END:
                self.chores.checkpoint.episode_ended()
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
                self.audio.play(sound.name, self._caps.at(sound.start).volume)
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
        caps = self._caps.at(start)
        self.row.set(Role.MOTOR, 0.0, BLACK, 0.0, NOTHING)
        if level.level <= 0 or self.row.dark():  # no light showing (or none fitted): no fade
            return
        frames = max(1, int(STOP_FADE_S * self.fps))
        for k in range(1, frames + 1):
            deadline = start + k / self.fps
            while (item := self.waiter.wait(deadline)) is not None:
                if item[0] == "stop":  # a second stop request: go dark at once
                    return
            remaining = 1.0 - k / frames
            self.row.set(Role.LIGHT, level.level * remaining, level.colour, 0.0, caps)
