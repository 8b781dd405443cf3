"""What the runner does now and then besides frames: its chores, each with its own due time.

- Checkpoint: an open episode is saved every CHECKPOINT_S, so a crash leaves it recoverable.
- WatchdogPing: systemd's watchdog is pinged when due, even by an idle box.
- HistoryClearing: gpiozero's mock pins keep every state change; a long simulated run drops them
  (only while frames are drawn: pins change only then).
- AudioIdle: AUDIO_IDLE_S after the box is idle again and nothing plays, the sound card is let
  go, so no sound-card thread wakes while the box waits.
- BatteryRead: a fuel gauge (a wearable's) is read every BATTERY_EVERY_S, the first time at
  once; its level goes to the flow, which may start the low-battery pattern. ``due`` is when
  the next read is, on the runner's clock (an idle wearable wakes for nothing else).

Chores keeps the earliest due time (``due``), which the runner wakes for, and runs what is due.
The runner sleeps until then and no longer (an idle box wakes for nothing else), so a chore of
another kind (a battery read once a minute) is ``add``ed: anything with a ``due`` (a clock time,
or None: not now) and a ``run(now)`` that does it and sets ``due`` to the next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from calmkit.core.flow import IDLE, Flow
from calmkit.shell.collaborators import EpisodeStore, SoundCard, Watchdog

#: How often an open episode is checkpointed for crash recovery.
CHECKPOINT_S = 30.0
#: How long after a session the sound card is let go (once nothing is playing).
AUDIO_IDLE_S = 5.0
#: How often the battery is read.
BATTERY_EVERY_S = 60.0

log = logging.getLogger("calmkit")


class Level(Protocol):
    """A battery gauge as the chore reads it (devices.gauge.Gauge)."""

    def reading(self) -> object | None:
        """A reading with ``percent``, or None when the gauge does not answer."""
        ...


class Chore(Protocol):
    """A chore of another kind, for Chores.add: the runner wakes for it at ``due``."""

    @property
    def due(self) -> float | None:
        """When it is next due, on the runner's clock (None: not until asked again)."""
        ...

    def run(self, now: float) -> None:
        """Do it (it is due), and set ``due`` to the next time."""
        ...


class Checkpoint:
    """The episode in flight, saved when a session starts and every CHECKPOINT_S after."""

    def __init__(self, flow: Flow, journal: EpisodeStore | None) -> None:
        self.flow = flow
        self.journal = journal
        self.due: float | None = None

    def episode_ended(self) -> None:
        self.due = None  # its final record replaces the checkpoint

    def run(self, now: float) -> None:
        record = self.flow.in_flight()
        if record is None:
            self.due = None
            return
        if self.journal is not None:
            self.journal.checkpoint(record)  # also writes what a full disk held back earlier
        self.due = now + CHECKPOINT_S


class WatchdogPing:
    def __init__(self, notifier: Watchdog) -> None:
        self.notifier = notifier

    def due(self) -> float | None:
        return self.notifier.next_watchdog()

    def run(self, now: float) -> None:
        if self.notifier.watchdog_due(now):
            self.notifier.ping_watchdog(now)


class HistoryClearing:
    def __init__(self, clear: Callable[[], None], every_s: float, now: float) -> None:
        self.clear = clear
        self.every_s = every_s
        self.due = now + every_s

    def run(self, now: float) -> None:
        if now >= self.due:
            self.clear()
            self.due = now + self.every_s


class AudioIdle:
    """Lets the sound card go once the box is idle and quiet (a bell may still be ringing)."""

    def __init__(self, flow: Flow, audio: SoundCard | None) -> None:
        self.flow = flow
        self.audio = audio
        self.due: float | None = None

    def idle(self, now: float) -> None:
        """The flow came back to idle: let the card go soon, if there is one."""
        if self.audio is not None:
            self.due = now + AUDIO_IDLE_S

    def run(self, now: float) -> None:
        self.due = None
        if self.audio is not None and self.flow.state == IDLE:
            if self.audio.busy():  # a bell or the reach-out message still playing
                self.due = now + AUDIO_IDLE_S
            else:
                self.audio.suspend()  # no sound-card thread waking while the box waits


class BatteryRead:
    """The gauge read every ``every_s`` (on the runner's clock), the first time at once."""

    def __init__(
        self, flow: Flow, gauge: Level, now: float, every_s: float = BATTERY_EVERY_S
    ) -> None:
        self.flow = flow
        self.gauge = gauge
        self.every_s = every_s
        self.due: float = now  # the next read: the loop sleeps until then when idle
        self.last: object | None = None

    def run(self, now: float) -> bool:
        """Read, tell the flow; True when it starts the low-battery pattern (draw it)."""
        self.last = reading = self.gauge.reading()
        self.due = now + self.every_s
        percent = getattr(reading, "percent", None)
        started = self.flow.battery_reading(percent)
        if started:
            log.warning("battery low: %.0f %%; charge it soon", percent)
        return started and self.flow.state == IDLE


class Chores:
    """The runner's chores; ``drawing``: whether frames are being drawn now."""

    def __init__(
        self,
        flow: Flow,
        now: float,
        *,
        journal: EpisodeStore | None = None,
        notifier: Watchdog | None = None,
        audio: SoundCard | None = None,
        clear_history: Callable[[], None] | None = None,
        clear_every_s: float = 60.0,
    ) -> None:
        self.checkpoint = Checkpoint(flow, journal)
        self.watchdog = WatchdogPing(notifier) if notifier is not None else None
        self.history: HistoryClearing | None = None
        if clear_history is not None:
            self.history = HistoryClearing(clear_history, clear_every_s, now)
        self.audio_idle = AudioIdle(flow, audio)
        self.battery: BatteryRead | None = None  # set by app.build when a gauge is fitted
        self.others: list[Chore] = []
        self.due: float | None = None  # the earliest, once plan() has run
        self._drawing = False

    def add(self, chore: Chore) -> None:
        """Run ``chore`` whenever it is due, from now on (see Chore; before Runner.run, or from
        the runner's own thread)."""
        self.others.append(chore)
        self.plan(self._drawing)

    def plan(self, drawing: bool) -> None:
        self._drawing = drawing
        dues = [self.checkpoint.due, self.audio_idle.due, *(chore.due for chore in self.others)]
        if self.battery is not None:
            dues.append(self.battery.due)
        if self.watchdog is not None:
            dues.append(self.watchdog.due())
        if self.history is not None and drawing:
            dues.append(self.history.due)  # pins change only while frames are drawn
        self.due = min((due for due in dues if due is not None), default=None)

    def run(self, now: float, drawing: bool) -> bool:
        """Do every chore due at ``now``, then plan the next; True when one changed what the
        outputs show (a battery notice: the runner draws it at once)."""
        redraw = False
        if self.battery is not None and now >= self.battery.due:
            redraw = self.battery.run(now)
        if self.watchdog is not None:
            self.watchdog.run(now)
        checkpoint = self.checkpoint.due
        if checkpoint is not None and now >= checkpoint:
            self.checkpoint.run(now)
        if self.history is not None:
            self.history.run(now)
        audio = self.audio_idle.due
        if audio is not None and now >= audio:
            self.audio_idle.run(now)
        for chore in self.others:
            due = chore.due
            if due is not None and now >= due:
                chore.run(now)
        self.plan(drawing or redraw)
        return redraw
