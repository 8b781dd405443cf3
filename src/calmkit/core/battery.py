"""The battery as the flow sees it: its last level, and when it is low or very low.

- Low (below LOW_PERCENT): a gentle pattern is felt once (haptics.LOW_BATTERY), and not again
  until the battery has been charged above REARM_PERCENT (a reading that wobbles round 15 %
  does not play it twice).
- Very low (below VERY_LOW_PERCENT): a long program does not start; the press starts the
  shortest suitable one instead and says so (choose_short). A person in need is never refused.

No reading yet, or a gauge that does not answer (None), counts as neither.

Pure core: standard library and calmkit's core only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from calmkit.core.programs import Program, expand

LOW_PERCENT = 15.0
VERY_LOW_PERCENT = 5.0
REARM_PERCENT = 20.0
#: On a very low battery, a program longer than this (planned) does not start.
LONG_PROGRAM_S = 300.0
#: Programs that are never the short one chosen instead (quiet time is offered, not chosen).
NOT_INSTEAD = frozenset({"quiet"})


@dataclass
class Battery:
    """The last level read (percent) and whether the low pattern was felt since a charge."""

    percent: float | None = None
    warned: bool = False

    def reading(self, percent: float | None) -> bool:
        """Take a new reading; True when the low pattern is to be felt now."""
        self.percent = percent
        if percent is None:
            return False
        if percent > REARM_PERCENT:
            self.warned = False
        if percent < LOW_PERCENT and not self.warned:
            self.warned = True
            return True
        return False

    @property
    def low(self) -> bool:
        return self.percent is not None and self.percent < LOW_PERCENT

    @property
    def very_low(self) -> bool:
        return self.percent is not None and self.percent < VERY_LOW_PERCENT

    def state(self) -> str:
        """ "very low", "low", "ok", or "unknown" (no reading)."""
        if self.percent is None:
            return "unknown"
        return "very low" if self.very_low else "low" if self.low else "ok"


def planned_s(name: str, library: Mapping[str, Program]) -> float:
    return expand(name, library).total_s


def breathing(name: str, library: Mapping[str, Program]) -> bool:
    return any(step.phase == "inhale" for step in expand(name, library).steps)


def choose_short(name: str, menu: Sequence[str], library: Mapping[str, Program]) -> str:
    """What a press starts on a very low battery instead of ``name``: itself if it is short
    (LONG_PROGRAM_S at most), else the shortest short program of the menu of the same kind
    (breathing for breathing), else the shortest short one of any kind; if there is none,
    ``name`` itself (never nothing)."""
    if planned_s(name, library) <= LONG_PROGRAM_S:
        return name
    short = [
        other
        for other in menu
        if other in library
        and other not in NOT_INSTEAD
        and planned_s(other, library) <= LONG_PROGRAM_S
    ]
    alike = [other for other in short if breathing(other, library) == breathing(name, library)]
    for group in (alike, short):
        if group:
            return min(group, key=lambda other: planned_s(other, library))
    return name
