"""Helpers shared by the bench scripts: mock pins, pin histories, percentiles, memory, output.

Every bench script runs alone in its own process and prints ONE JSON object on stdout as its
last line; bench/run_all.py collects them into bench/results.md.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

#: The timing program: a coherent-like breath, in 5 s and out 5 s, 60 breaths (10 minutes).
BENCH_PROGRAM = "bench"
BENCH_YAML = """
programs:
  bench:
    description: Bench pacer, in 5 out 5
    steps: [{inhale: 5}, {exhale: 5}]
    cycles: 60
"""
HALF_S = 5.0
FPS = 50


def emit(result: dict[str, Any]) -> None:
    """Print the result as one JSON line (the last line of stdout is what run_all reads)."""
    result.setdefault("loadavg_end", list(os.getloadavg()))
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def mock_pins() -> Any:
    """A fresh gpiozero mock factory with PWM-capable pins, as calmkit's PinChoice."""
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    from calmkit.devices.hardware import PinChoice

    return PinChoice(MockFactory(pin_class=MockPWMPin), True)


def bench_config(cycles: int = 60, extra: str = "") -> Any:
    """The packaged defaults plus the bench program (``cycles`` breaths of in 5 / out 5)."""
    from calmkit.config import parse_config

    text = BENCH_YAML.replace("cycles: 60", f"cycles: {cycles}")
    return parse_config(text + extra, "bench.yaml")


def history(pin: Any) -> tuple[list[float], list[float]]:
    """A mock pin's state changes as (absolute monotonic times, values).

    Each PinState's timestamp is the time since the previous change (the first entry is the
    state when the history was last cleared, at ``pin._last_change`` minus the sum of the rest),
    so the absolute times are rebuilt backwards from the last change's absolute time.
    """
    states = list(pin.states)
    total = math.fsum(s.timestamp for s in states[1:])
    t = pin._last_change - total  # the moment the history began (cleared or created)
    times, values = [], []
    for i, state in enumerate(states):
        if i:
            t += state.timestamp
        times.append(t)
        values.append(float(state.state))
    return times, values


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), linear between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def spread(values_s: Sequence[float]) -> dict[str, float]:
    """p50 / p99 / max of values in seconds, as milliseconds."""
    return {
        "n": len(values_s),
        "p50_ms": percentile(values_s, 50) * 1e3,
        "p99_ms": percentile(values_s, 99) * 1e3,
        "max_ms": max(values_s) * 1e3 if values_s else float("nan"),
    }


def status_kb(field: str) -> int:
    """A field of /proc/self/status in kB (VmRSS, VmHWM) or a count (Threads)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def rss_mb() -> float:
    return status_kb("VmRSS") / 1024.0


def threads() -> int:
    """Python threads (threading.active_count())."""
    return threading.active_count()


def os_threads() -> int:
    """Every thread of the process, native ones too (SDL's audio thread): /proc Threads."""
    return status_kb("Threads")


def wake_lateness(waiter: Any) -> list[float]:
    """Record how late a runner's waits return after their deadlines (the OS's part of the
    error): each wait that ran to its deadline appends its lateness to the list returned."""
    inner = waiter.wait
    late: list[float] = []

    def wait(deadline: float | None) -> Any:
        item = inner(deadline)
        if item is None and deadline is not None:
            late.append(max(0.0, time.monotonic() - deadline))
        return item

    waiter.wait = wait
    return late


def sleep_until(deadline: float) -> None:
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(left)


def quick_flag(argv: Sequence[str] | None = None) -> bool:
    return "--quick" in (argv if argv is not None else sys.argv[1:])


class RssLog:
    """RSS samples against clock-minutes, in arrays made at full size beforehand.

    A soak that kept its samples in a growing list measured its own growth (0.2 MB over two
    clock-hours at --speed 20): here sampling allocates nothing once the log is made.
    """

    def __init__(self, room: int) -> None:
        self.room = room
        self.minutes = array("d", bytes(8 * room))
        self.mb = array("d", bytes(8 * room))
        self.n = 0

    def add(self, clock_min: float) -> bool:
        """Take a sample now; False once the log is full."""
        if self.n >= self.room:
            return False
        self.minutes[self.n] = clock_min
        self.mb[self.n] = rss_mb()
        self.n += 1
        return True

    def first_from(self, clock_min: float) -> int | None:
        """The index of the first sample at or after ``clock_min`` (None: never reached)."""
        return next((i for i in range(self.n) if self.minutes[i] >= clock_min), None)

    def highest_from(self, index: int) -> float:
        return max(self.mb[index : self.n])

    def curve(self, points: int = 24) -> list[tuple[float, float]]:
        """About ``points`` (clock-minute, MB) pairs, and the last sample."""
        last = self.n - 1
        step = max(1, self.n // points)
        picked = [*range(0, self.n, step), last]
        return [(round(self.minutes[i], 1), round(self.mb[i], 2)) for i in picked]
