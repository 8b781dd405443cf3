"""Time, injected: the real monotonic clock, or a fake one that moves only when told.

Everything that schedules (session, gestures, flow) reads ``now()`` from a Clock and never
sleeps, so a 20-minute program runs in milliseconds on a FakeClock. ``wall()`` gives the local
date and time for night mode and the journal, and ``wall_synced()`` whether that can be trusted:
a Pi has no real-time clock, and until it has synchronised its hour may be anything. The real
clocks are told how to find out (calmkit.shell.timesync, injected by the app: this module does
no I/O);
a clock that cannot tell says None, which counts as not synchronised.

The clock owns speed (trio's MockClock is the model): a ``--speed`` demo runs a ScaledClock, and
whatever waits in real time asks the clock how long (``deadline_to_sleep_time``), and whatever
must keep real time on a faster clock (a person's press, a sound's length, the lamp's frame
rate) asks how long that is on it (``from_real``). Nothing else multiplies by the speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

#: Where a clock learns whether its wall time is synchronised (True / False / None: unknown).
SyncSource = Callable[[], bool | None]


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale: only differences mean anything."""

    def wall(self) -> datetime:
        """The local date and time, timezone-aware."""

    @property
    def speed(self) -> float:
        """Seconds of this clock per second of real time (1.0 but for a --speed demo)."""

    def from_real(self, seconds: float) -> float:
        """How long ``seconds`` of real time last on this clock."""

    def deadline_to_sleep_time(self, deadline: float) -> float:
        """How long to really wait, from now, until this clock reads ``deadline`` (0 if past)."""


class MonotonicClock:
    """The real clock: time.monotonic() for scheduling, the system's local time for people."""

    #: The builtin itself, not a method wrapping it: it is read several times every frame.
    now = staticmethod(time.monotonic)
    speed = 1.0

    def __init__(self, synced: SyncSource | None = None) -> None:
        self._synced = synced

    def from_real(self, seconds: float) -> float:
        return seconds

    def deadline_to_sleep_time(self, deadline: float) -> float:
        wait = deadline - self.now()
        return wait if wait > 0.0 else 0.0

    def wall(self) -> datetime:
        return datetime.now().astimezone()

    def wall_synced(self) -> bool | None:
        return None if self._synced is None else self._synced()


class FakeClock:
    """A clock for tests and ``--fast``: time moves only when advanced, never backwards.

    ``speed`` is the speed of the run it stands in for (``--fast --speed 20``): a press and a
    sound keep their real length on it as on a ScaledClock. Nothing waits for it in real time
    (a VirtualWaiter advances it), but if something asked, it would be told the scaled time.
    """

    def __init__(
        self,
        start: float = 0.0,
        wall_start: datetime | None = None,
        synced: bool | None = True,
        speed: float = 1.0,
    ) -> None:
        self.speed = _checked(speed)
        self._start = float(start)
        self._now = float(start)
        self._wall_start = wall_start or datetime(2026, 1, 1, 12, 0).astimezone()
        self.synced = synced  # a test may set it, or jump the wall clock with jump_wall()

    def wall_synced(self) -> bool | None:
        return self.synced

    def jump_wall(self, seconds: float) -> None:
        """The wall clock jumps (set by hand, synchronised at last); monotonic time does not."""
        self._wall_start += timedelta(seconds=seconds)

    def now(self) -> float:
        return self._now

    def wall(self) -> datetime:
        return self._wall_start + timedelta(seconds=self._now - self._start)

    def from_real(self, seconds: float) -> float:
        return seconds * self.speed

    def deadline_to_sleep_time(self, deadline: float) -> float:
        return max(0.0, deadline - self._now) / self.speed

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"a clock never goes backwards (asked to advance {seconds} s)")
        self._now += seconds
        return self._now

    def advance_to(self, t: float) -> float:
        """Jump to the absolute time t (no-op when t is already past)."""
        if t > self._now:
            self._now = float(t)
        return self._now


#: The longest a held ScaledClock stands still waiting to be first waited for (real seconds).
HOLD_MAX_S = 5.0


class ScaledClock:
    """Real time run ``speed`` times faster, for demos (``--speed``): a 5-minute program in 30 s.

    ``held``: it stands still until something first asks how long to wait for it (the runner's
    first wait), at most HOLD_MAX_S of real time. The start-up (building the box, opening the
    sound, the journal) is then no demo time: at --speed 1000, 20 ms of start-up would be 20 s
    of the program gone before it began. It never goes backwards: it only begins to run later.
    """

    def __init__(self, speed: float, synced: SyncSource | None = None, held: bool = False) -> None:
        self.speed = _checked(speed)
        self._synced = synced
        self._real_start = time.monotonic()
        self._wall_start = datetime.now().astimezone()
        #: the real time it runs from: None while held (then at the latest HOLD_MAX_S on)
        self._running_from: float | None = None if held else self._real_start

    @property
    def held(self) -> bool:
        """Standing still until first waited for (see the class text)."""
        return self._running_from is None and time.monotonic() < self._real_start + HOLD_MAX_S

    def _running_since(self) -> float:
        since = self._running_from
        return self._real_start + HOLD_MAX_S if since is None else since

    def now(self) -> float:
        elapsed = time.monotonic() - self._running_since()
        return self._real_start + (elapsed if elapsed > 0.0 else 0.0) * self.speed

    def wall(self) -> datetime:
        return self._wall_start + timedelta(seconds=self.now() - self._real_start)

    def wall_synced(self) -> bool | None:
        return None if self._synced is None else self._synced()

    def from_real(self, seconds: float) -> float:
        return seconds * self.speed

    def deadline_to_sleep_time(self, deadline: float) -> float:
        if self._running_from is None:  # first waited for: it runs from now on
            self._running_from = min(time.monotonic(), self._real_start + HOLD_MAX_S)
        return max(0.0, deadline - self.now()) / self.speed


def _checked(speed: float) -> float:
    if not speed > 0:
        raise ValueError(f"speed must be above 0, not {speed!r}")
    return float(speed)


def wall_synced(clock: Clock) -> bool | None:
    """Whether ``clock``'s wall time is synchronised; None for a clock that cannot say."""
    ask = getattr(clock, "wall_synced", None)
    return ask() if callable(ask) else None
