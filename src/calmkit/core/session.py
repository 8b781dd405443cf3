"""A session: one Plan walked on a Clock, with pause, resume, skip and stop.

Every step boundary is an absolute deadline, ``anchor + step.start_s``: nothing is ever "slept
for a step's length", so errors never add up. A pause moves the anchor by the time paused; a
skip (or a prompt finished early by its items) re-anchors so the next step begins now. The
session never sleeps: whoever drives it asks ``next_deadline()`` and calls ``update()`` then.
"""

from __future__ import annotations

from typing import Any

from calmkit.core.clock import Clock
from calmkit.core.events import Event, EventKind
from calmkit.core.programs import Plan, PlannedStep

READY, RUNNING, PAUSED, ENDED = "ready", "running", "paused", "ended"
#: How late (in real seconds) a busy machine may wake for a boundary without that counting as
#: a stall: a step missed whole by less is still begun, with its cue (update()).
SCHEDULING_JITTER_S = 0.1
COMPLETED, STOPPED, INTERRUPTED = "completed", "stopped", "interrupted"


class Session:
    """Walks a Plan: call start(), then update() at or after each next_deadline()."""

    def __init__(self, plan: Plan, clock: Clock) -> None:
        self.plan = plan
        self.clock = clock
        self.state = READY
        self.status: str | None = None
        self.index = -1
        self.pauses = 0
        self.items_counted = 0
        self._items_in_step = 0
        self._started_at = 0.0
        self._anchor = 0.0
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._ended_at: float | None = None

    # --- queries ------------------------------------------------------------------------------

    @property
    def current(self) -> PlannedStep | None:
        if 0 <= self.index < len(self.plan.steps):
            return self.plan.steps[self.index]
        return None

    @property
    def items_in_step(self) -> int:
        """Things named so far in the current prompt step (the faces show "2 of 5")."""
        return self._items_in_step

    @property
    def started_at(self) -> float:
        return self._started_at

    @property
    def paused_at(self) -> float | None:
        """When the current pause began (None: not paused)."""
        return self._paused_at

    def _now(self) -> float:
        return self.clock.now()

    def _frozen_now(self, at: float | None = None) -> float:
        """Now (or ``at``), or when it paused or ended: the session's time stands still then."""
        if self._paused_at is not None:
            return self._paused_at
        if self._ended_at is not None:
            return self._ended_at
        return self._now() if at is None else at

    def step_deadline(self, index: int) -> float:
        """Absolute clock time at which step ``index`` ends."""
        return self._anchor + self.plan.steps[index].end_s

    def next_deadline(self) -> float | None:
        """When update() has something to do next; None while paused or ended."""
        if self.state != RUNNING or self.current is None:
            return None
        return self.step_deadline(self.index)

    def step_elapsed(self, at: float | None = None) -> float:
        """Seconds into the current step (standing still while paused), now or at clock ``at``.

        ``at`` lets the light of the coming frames be worked out ahead: it must lie before
        next_deadline(), where the step ends.
        """
        step = self.current
        if step is None:
            return 0.0
        return max(0.0, self._frozen_now(at) - (self._anchor + step.start_s))

    def step_remaining(self) -> float:
        step = self.current
        if step is None:
            return 0.0
        return max(0.0, step.step.seconds - self.step_elapsed())

    def elapsed(self) -> float:
        """Seconds since start, pauses included."""
        if self.state == READY:
            return 0.0
        end = self._ended_at if self._ended_at is not None else self._now()
        return end - self._started_at

    def active_s(self) -> float:
        """Seconds actually spent in the program, pauses left out."""
        paused = self._paused_total
        if self._paused_at is not None:
            paused += self._now() - self._paused_at
        return max(0.0, self.elapsed() - paused)

    # --- transitions --------------------------------------------------------------------------

    def _event(self, kind: EventKind, now: float, due: float | None = None, **data: Any) -> Event:
        due_t = None if due is None else due - self._started_at
        return Event(kind, now - self._started_at, due_t, data)

    def _phase_event(self, now: float, due: float) -> Event:
        planned = self.plan.steps[self.index]
        data: dict[str, Any] = {
            "phase": planned.phase,
            "duration_s": round(planned.step.seconds, 3),
            "index": self.index,
        }
        if planned.step.label:
            data["label"] = planned.step.label
        if planned.program != self.plan.program:
            data["program"] = planned.program
        return self._event(EventKind.PHASE, now, due, **data)

    def start(self) -> list[Event]:
        if self.state != READY:
            return []
        now = self._now()
        self._started_at = self._anchor = now
        self.state = RUNNING
        events = [
            self._event(
                EventKind.SESSION_START,
                now,
                now,
                program=self.plan.program,
                planned_s=round(self.plan.total_s, 3),
            )
        ]
        if not self.plan.steps:
            return events + self._end(now, COMPLETED)
        self.index = 0
        self._items_in_step = 0
        events.append(self._phase_event(now, now))
        return events

    def update(self) -> list[Event]:
        """Emit the boundary that is due: the phase begun, or the end when the plan is done.

        After a stall (a stopped process, a suspended laptop, a busy Pi) several boundaries may
        be due at once: the session goes straight to the step due now, with one phase event
        (and so one cue), never a burst of every missed phase. The timeline stays absolute:
        the steps keep their deadlines from the start. Waking late by no more than the
        machine's scheduling jitter (SCHEDULING_JITTER_S of real time, on the clock) is no
        stall: each step is begun in turn, so a --speed demo drops no phase.
        """
        if self.state != RUNNING or self._now() < self.step_deadline(self.index):
            return []
        now = self._now()
        last = len(self.plan.steps) - 1
        # lateness within the machine's scheduling jitter is no stall: on a --speed 1000 demo
        # a few real milliseconds late are seconds on the clock, and would drop whole phases
        stalled = now - self.step_deadline(self.index) > self.clock.from_real(SCHEDULING_JITTER_S)
        while stalled and self.index < last and now >= self.step_deadline(self.index + 1):
            self.index += 1  # missed whole: passed over without a cue
        return self._advance(now, self.step_deadline(self.index))

    def _advance(self, now: float, due: float) -> list[Event]:
        self.index += 1
        self._items_in_step = 0
        if self.index >= len(self.plan.steps):
            self.index = len(self.plan.steps) - 1
            return self._end(now, COMPLETED, due)
        return [self._phase_event(now, due)]

    def pause(self) -> list[Event]:
        if self.state != RUNNING:
            return []
        now = self._now()
        self._paused_at = now
        self.state = PAUSED
        self.pauses += 1
        return [self._event(EventKind.PAUSE, now)]

    def resume(self) -> list[Event]:
        if self.state != PAUSED or self._paused_at is None:
            return []
        now = self._now()
        paused_for = now - self._paused_at
        self._anchor += paused_for
        self._paused_total += paused_for
        self._paused_at = None
        self.state = RUNNING
        return [self._event(EventKind.RESUME, now, paused_s=round(paused_for, 3)), *self.update()]

    def toggle_pause(self) -> list[Event]:
        return self.pause() if self.state == RUNNING else self.resume()

    def skip(self) -> list[Event]:
        """End the current step now; the next one begins now and later deadlines follow it."""
        if self.state != RUNNING:
            return []
        now = self._now()
        if self.index + 1 < len(self.plan.steps):
            self._anchor = now - self.plan.steps[self.index + 1].start_s
        return self._advance(now, now)

    def count_item(self) -> list[Event]:
        """One thing named during a prompt; the prompt ends early once all its items are named."""
        step = self.current
        if self.state != RUNNING or step is None or step.phase != "prompt":
            return []
        now = self._now()
        self.items_counted += 1
        self._items_in_step += 1
        events = [self._event(EventKind.ITEM, now, count=self._items_in_step, of=step.step.items)]
        if step.step.items and self._items_in_step >= step.step.items:
            events.extend(self.skip())
        return events

    def stop(self, status: str = STOPPED) -> list[Event]:
        if self.state in (READY, ENDED):
            return []
        return self._end(self._now(), status)

    def _end(self, now: float, status: str, due: float | None = None) -> list[Event]:
        if self._paused_at is not None:
            self._paused_total += now - self._paused_at
            self._paused_at = None
        self._ended_at = now
        self.state = ENDED
        self.status = status
        return [
            self._event(
                EventKind.SESSION_END,
                now,
                due,
                status=status,
                actual_s=round(now - self._started_at, 3),
            )
        ]
