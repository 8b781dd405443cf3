"""The fake clock: a 20-minute program (winddown20) in virtual time.

    python bench/fakeclock.py [--program winddown20] [--repeat 5]

Three ways, each timed wall-clock (perf_counter) from a warm process, best and median of repeats:

- events: the core alone, a Session walked to its end on a FakeClock (every phase boundary, as
  ``calmkit play --fast --events`` needs);
- levels: the core with the light sampled at 50 fps: the Session plus cues.LightTrack's level at
  every frame (no pins);
- runner: the full virtual device: app.build on a FakeClock (mock pins, no sound, no journal)
  with on_frame, its runner drawing every frame at 50 fps onto the mock pins and driving the
  motor, the flow, the gestures and the caps, as the tests and ``--fast`` do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import FPS, emit


def walk_events(config: Any, name: str) -> int:
    from calmkit.core.clock import FakeClock
    from calmkit.core.programs import expand
    from calmkit.core.session import RUNNING, Session

    clock = FakeClock()
    session = Session(expand(name, config.programs), clock)
    events = session.start()
    while session.state == RUNNING:
        deadline = session.next_deadline()
        assert deadline is not None
        clock.advance_to(deadline)
        events += session.update()
    return len(events)


def sample_levels(config: Any, name: str) -> int:
    from calmkit.core.clock import FakeClock
    from calmkit.core.cues import LightTrack
    from calmkit.core.programs import expand
    from calmkit.core.session import RUNNING, Session

    clock = FakeClock()
    plan = expand(name, config.programs)
    session = Session(plan, clock)
    track = LightTrack(plan, config.light.floor)
    session.start()
    k = 0
    total = 0.0
    while session.state == RUNNING:
        k += 1
        clock.advance_to(k / FPS)
        session.update()
        total += track.level(session.index, session.step_elapsed())
    return k


def full_runner(config: Any, name: str) -> int:
    from calmkit.core.clock import FakeClock
    from calmkit.shell.app import build

    frames = [0]

    def on_frame(_t: float) -> None:
        frames[0] += 1

    app = build(
        config,
        clock=FakeClock(),
        program=name,
        sound=False,
        journal=False,
        on_frame=on_frame,
    )
    app.runner.run()
    app.close()
    return frames[0]


def timed(fn: Callable[[Any, str], int], config: Any, name: str, repeat: int) -> dict[str, Any]:
    walls, cpus = [], []
    count = 0
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        count = fn(config, name)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return {
        "best_s": min(walls),
        "median_s": statistics.median(walls),
        "cpu_median_s": statistics.median(cpus),
        "count": count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default="winddown20")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from calmkit.config import parse_config
    from calmkit.core.programs import expand

    load_start = list(os.getloadavg())
    config = parse_config("", "defaults")
    planned = expand(args.program, config.programs).total_s
    emit(
        {
            "program": args.program,
            "planned_s": planned,
            "events": timed(walk_events, config, args.program, args.repeat),
            "levels": timed(sample_levels, config, args.program, args.repeat),
            "runner": timed(full_runner, config, args.program, max(1, min(args.repeat, 3))),
            "loadavg_start": load_start,
        }
    )


if __name__ == "__main__":
    main()
