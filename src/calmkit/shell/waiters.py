"""How the runner waits for its next deadline: in real time on a queue, or in virtual time.

The runner asks a Waiter for the next queued item (a button edge, a stop request, a start) or
None once the deadline has come. Deadlines are times on the runner's clock; only the clock knows
how long they take in real time (``deadline_to_sleep_time``: a ``--speed`` demo's clock runs
faster), so no waiter multiplies by a speed.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from calmkit.core.clock import Clock, FakeClock

#: Waits up to this long in real time (one frame at 50 fps, with room) are slept: see QueueWaiter.
SLEEP_UNDER_S = 0.025

#: What the runner's queue carries: (kind, value, clock time it was put there).
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

    def __init__(self, items: queue.SimpleQueue[Item], clock: Clock) -> None:
        self.items = items
        self.clock = clock
        self._sleep_time = clock.deadline_to_sleep_time  # looked up once: fps times a second

    def wait(self, deadline: float | None) -> Item | None:
        timeout = None
        if deadline is not None:
            timeout = self._sleep_time(deadline)
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
