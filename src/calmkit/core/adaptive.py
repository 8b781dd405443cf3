"""Adaptive (opt-in): the program a press starts follows what helped this person at this time of
day, by Thompson sampling on Beta(helped + 1, not helped + 1) per program.

- Night and day are counted apart (the night window of the caps; an unsynchronised clock counts
  as night, as it does for the caps).
- Only programs in the person's menu are chosen (quiet time is offered after, never started).
- For the first ``first_episodes`` episodes the fixed program (the default) starts.
- Exploration is bounded: a draw that picks another program than the best so far (the highest
  mean) is kept only ``explore`` of the time, so at most that share of presses try something else.
- The random generator is handed in (seeded in tests and benches): nothing here is random alone.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from calmkit.core.insights import QUIET, Counts, add_outcomes

#: The time-of-day buckets: True is night.
NIGHT, DAY = True, False


@dataclass(frozen=True)
class AdaptiveConfig:
    """The ``adaptive:`` section."""

    enabled: bool = False
    first_episodes: int = 10
    explore: float = 0.2


#: Adaptive off: the default program starts.
OFF = AdaptiveConfig()


@dataclass(frozen=True)
class Choice:
    """What a press would start, and the one line that says why."""

    program: str
    reason: str


def _mean(counts: Counts) -> float:
    return (counts.yes + 1) / (counts.yes + counts.no + 2)


def _when(night: bool) -> str:
    return "at night" if night else "by day"


def _said(name: str, counts: Counts, night: bool) -> str:
    if counts.tried == 0:
        return f"{name}: not tried {_when(night)} yet"
    times = "time" if counts.tried == 1 else "times"
    return f"{name}: helped {counts.yes} of {counts.tried} {times} {_when(night)}"


@dataclass
class Learner:
    """Counts per (program, night) and the choice they lead to; updated as episodes end."""

    settings: AdaptiveConfig
    fixed: str
    candidates: tuple[str, ...]
    rng: random.Random
    counts: dict[bool, dict[str, Counts]] = field(default_factory=lambda: {NIGHT: {}, DAY: {}})
    episodes: int = 0

    def __post_init__(self) -> None:
        self.candidates = tuple(c for c in dict.fromkeys(self.candidates) if c != QUIET)

    def add(self, record: Mapping[str, Any], night: bool, n: int = 1) -> None:
        """An episode (or n alike, from an aggregate row) that started at night or by day."""
        if record.get("demo") is True:
            return
        self.episodes += n
        add_outcomes(self.counts[night], record, n)

    def stats(self, name: str, night: bool) -> Counts:
        return self.counts[night].get(name, Counts())

    def choose(self, night: bool) -> Choice:
        """The program a press starts now; draws from the generator once past the fixed start."""
        if not self.settings.enabled or not self.candidates:
            return Choice(self.fixed, f"{self.fixed}: the default program")
        first = self.settings.first_episodes
        if self.episodes < first:
            return Choice(
                self.fixed,
                f"{self.fixed}: the first {first} sessions start it ({self.episodes} so far), "
                "then calmkit follows what helped",
            )
        draws = {}
        for name in self.candidates:
            counts = self.stats(name, night)
            draws[name] = self.rng.betavariate(counts.yes + 1, counts.no + 1)
        best = max(self.candidates, key=lambda name: _mean(self.stats(name, night)))
        drawn = max(self.candidates, key=lambda name: draws[name])
        if drawn != best and self.rng.random() >= self.settings.explore:
            drawn = best
        said = _said(drawn, self.stats(drawn, night), night)
        if drawn != best:
            return Choice(drawn, f"{said}; trying it now and then")
        return Choice(drawn, said)

    def order(self, fallbacks: Sequence[str], night: bool) -> tuple[str, ...]:
        """The "not helping" fallbacks, best first at this time of day (ties keep their order)."""
        if not self.settings.enabled or self.episodes < self.settings.first_episodes:
            return tuple(fallbacks)
        return tuple(sorted(fallbacks, key=lambda name: -_mean(self.stats(name, night))))
