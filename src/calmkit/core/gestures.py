"""Button gestures from raw edges and clock times: down, up, press, hold, double; with debouncing.

Pure code on purpose: gpiozero's ``Button`` starts a thread that polls for holds, and its mock
pins do not debounce, so calmkit reads the pin as plain edges and decides here, from the times it
is given, what the person meant. Nothing here sleeps or reads a clock; a runner calls ``edge()``
for every pin change and ``poll()`` at ``next_deadline()``, and blocks with no timeout when that is
None, so an idle device wakes for nothing.

Timed gestures are stamped with the time they became due (``release + double_s`` for a press,
``down + hold_s`` for a hold), not the time of the call that noticed them, so a late poll still
reports exact, chronological times. At the very same instant, what falls due goes before an edge:
a second press exactly ``double_s`` after a release is a new press, not a double, and a release
exactly ``hold_s`` after the press comes after the hold.

Two things depend on which gestures mean something right now, which the flow says through
``wanted``: where no double press means anything (naming things in ``ground``), a release is a
press at once and two quick presses are two presses; where a long hold means something, a press
still held ``long_hold_s`` after it went down gives a "long_hold" after its "hold".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What the button did (a str, so events and logs read plainly)."""

    DOWN = "down"
    UP = "up"
    PRESS = "press"
    HOLD = "hold"
    DOUBLE = "double"
    LONG_HOLD = "long_hold"


DOWN, UP, PRESS, HOLD, DOUBLE, LONG_HOLD = (
    Kind.DOWN,
    Kind.UP,
    Kind.PRESS,
    Kind.HOLD,
    Kind.DOUBLE,
    Kind.LONG_HOLD,
)
KINDS: tuple[str, ...] = tuple(Kind)
#: What the detector looks for when nobody says otherwise.
USUAL: frozenset[str] = frozenset({PRESS, HOLD, DOUBLE})
#: A long hold, by default, is this many holds long: 4 s with the default 1.5 s hold.
LONG_HOLD_RATIO = 8 / 3


@dataclass(frozen=True)
class Gesture:
    """One thing the button did, at the clock time it was recognised.

    ``held_s`` is set for "up" (how long the button was down) and "hold" (how long it has been
    down, i.e. hold_s): the runner times thumb-press squeezes from it.
    """

    kind: str
    t: float
    held_s: float = 0.0


class GestureDetector:
    """Debounced button edges in, gestures out; see the module text for the rules.

    Debouncing is lock-out style, so the first edge of a change counts at once (instant light
    feedback) and a bouncing contact cannot add gestures: edges within ``debounce_s`` of an
    accepted one only update the raw level, and when the lock-out ends a raw level that differs
    from the accepted one is accepted then, so the detector never sticks in the wrong state.
    """

    def __init__(
        self,
        hold_s: float = 1.5,
        double_s: float = 0.4,
        debounce_s: float = 0.03,
        long_hold_s: float | None = None,
    ) -> None:
        if long_hold_s is None:
            long_hold_s = hold_s * LONG_HOLD_RATIO
        for name, value in (
            ("hold_s", hold_s),
            ("double_s", double_s),
            ("debounce_s", debounce_s),
            ("long_hold_s", long_hold_s),
        ):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
        if hold_s == 0:
            raise ValueError("hold_s must be above 0: every press would be a hold")
        if long_hold_s <= hold_s:
            raise ValueError(f"long_hold_s must be longer than hold_s ({hold_s!r})")
        self.hold_s = float(hold_s)
        self.double_s = float(double_s)
        self.debounce_s = float(debounce_s)
        self.long_hold_s = float(long_hold_s)
        #: The gestures that mean something now, asked whenever a press could still become a
        #: double or a long hold (the runner sets it to the flow's ``wanted``).
        self.wanted: Callable[[], Collection[str]] = lambda: USUAL
        self._now = -math.inf  # latest time seen: time never goes backwards here
        self._raw = False  # the level the pin last reported
        self._accepted = False  # the debounced level
        self._lock_until = -math.inf  # edges before this time are bounces
        self._down_t: float | None = None  # when the current (debounced) press began
        self._hold_fired = False  # the current press has already given "hold"
        self._long_fired = False  # ... and "long_hold"
        self._absorb = False  # the current press gives no press/hold (a double's second press)
        self._release_t: float | None = None  # a short press awaiting confirmation

    @property
    def is_down(self) -> bool:
        """The debounced level: True while the button is (taken to be) held."""
        return self._accepted

    def edge(self, pressed: bool, t: float) -> list[Gesture]:
        """A raw pin edge (pressed=True: the button went down) at clock time t.

        A t earlier than a time already seen (a callback thread's stamp racing a poll) is taken
        as that time, so nothing ever goes backwards.
        """
        t = self._advance(t)
        out = self._due(t)
        pressed = bool(pressed)
        self._raw = pressed
        if t >= self._lock_until and pressed != self._accepted:
            self._accept(pressed, t, out)
        self._due(t, out)
        return out

    def poll(self, t: float) -> list[Gesture]:
        """Time passing with no edge: the holds, presses and lock-out ends now due, in order."""
        return self._due(self._advance(t))

    def next_deadline(self) -> float | None:
        """The next time poll() could emit something; None when nothing is pending.

        A lock-out whose raw level agrees with the accepted one cannot emit, so it is left out:
        after a clean press and release the runner wakes only to confirm the press.
        """
        due = self._timers()
        return min(due)[0] if due else None

    def reset(self) -> None:
        """Forget gestures in progress (a pending press, a coming hold, a double's window).

        The button's level, its debounce lock-out and the time are kept: down/up keep alternating
        and is_down stays true to the pin, while a press begun before the reset gives no press or
        hold after it (a hold that began under one screen must not answer the next one).
        """
        self._release_t = None
        self._hold_fired = False
        self._long_fired = False
        self._absorb = self._accepted

    # -- internals -------------------------------------------------------------------------

    def _advance(self, t: float) -> float:
        """Clamp t to the latest time seen (a NaN or infinity also counts as 'no later')."""
        t = float(t)
        if not math.isfinite(t) or t < self._now:
            t = self._now if math.isfinite(self._now) else 0.0
        self._now = t
        return t

    def _due(self, t: float, out: list[Gesture] | None = None) -> list[Gesture]:
        """Handle everything due at or before t, earliest first (ties: hold or press, then lock)."""
        if out is None:
            out = []
        while True:
            due = self._timers()
            if not due:
                return out
            deadline, _, kind = min(due)
            if deadline > t:
                return out
            if kind == PRESS:
                self._release_t = None
                out.append(Gesture(PRESS, deadline))
            elif kind == HOLD:
                self._hold_fired = True
                out.append(Gesture(HOLD, deadline, self.hold_s))
            elif kind == LONG_HOLD:
                self._long_fired = True
                out.append(Gesture(LONG_HOLD, deadline, self.long_hold_s))
            else:  # the lock-out ended with the pin at the other level: take that level now
                self._accept(self._raw, deadline, out)

    def _timers(self) -> list[tuple[float, int, str]]:
        """What could fall due: (time, tie order, what). A press or hold goes before a lock-out."""
        timers: list[tuple[float, int, str]] = []
        if self._release_t is not None:
            wait = self.double_s if DOUBLE in self.wanted() else 0.0
            timers.append((self._release_t + wait, 0, PRESS))
        if self._down_t is not None and not self._absorb:
            if not self._hold_fired:
                timers.append((self._down_t + self.hold_s, 0, HOLD))
            elif not self._long_fired and LONG_HOLD in self.wanted():
                timers.append((self._down_t + self.long_hold_s, 0, LONG_HOLD))
        if self._raw != self._accepted:
            timers.append((self._lock_until, 1, "lock"))
        return timers

    def _accept(self, pressed: bool, t: float, out: list[Gesture]) -> None:
        """A debounced transition at t: emit down/up and start the next lock-out."""
        self._accepted = pressed
        self._lock_until = t + self.debounce_s
        if pressed:
            self._down_t = t
            self._hold_fired = self._long_fired = False
            out.append(Gesture(DOWN, t))
            if self._release_t is not None:  # still inside the window: _due ran first
                self._release_t = None
                self._absorb = True
                out.append(Gesture(DOUBLE, t))
            else:
                self._absorb = False
            return
        down_t = self._down_t if self._down_t is not None else t
        out.append(Gesture(UP, t, t - down_t))
        if not (self._absorb or self._hold_fired):
            self._release_t = t
        self._down_t = None
        self._absorb = False
        self._hold_fired = self._long_fired = False
