"""Button to light: from the button pin's edge to the light pin's first change.

    python bench/latency.py [--presses 200] [--pauses 20]

Idle: the appliance (app.build on mock pins, real clock, no sound, no journal, no program) with
its runner blocked on its queue, as ``calmkit run`` waits for a press. The bench thread drives the
button's mock pin low (gpiozero then calls calmkit's callback on this thread, as its own callback
thread would on a Pi); the light answers the button going down with a faint glow (ambient.py).
The time of the light's change is taken inside the pin (its ``_change_state`` is wrapped to stamp
``time.monotonic()``), so nothing polls. A press in idle starts a session once the double-press
window has passed, so every press gets a freshly built, idle appliance: press, measure, release,
stop, close, and build the next (the path measured, an idle runner blocked with no timeout, is
the same as on a box that has waited for hours).

Running: during a session the light moves every frame anyway, so what a press changes is the
pause. A press is confirmed only when no second press follows within the double-press window
(gestures.double_s, 0.4 s), so by design the pause shows ``double_s`` after the release, at the
next wake. Measured: release edge to the pause frame (the last light change before the light
stands still), and the same for the resume; reported as is and less double_s.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import BENCH_PROGRAM, bench_config, emit, history, mock_pins, spread

IDLE_SETTLE_S = 0.05
PRESS_S = 0.1


class Stamped:
    """Wraps a mock pin's _change_state: the time of each change, and an Event for the first."""

    def __init__(self, pin: Any) -> None:
        self.pin = pin
        self.inner = pin._change_state
        self.changed = threading.Event()
        self.at: float | None = None
        pin._change_state = self

    def __call__(self, value: Any) -> bool:
        changed = self.inner(value)
        if changed and not self.changed.is_set():
            self.at = time.monotonic()
            self.changed.set()
        return changed

    def arm(self) -> None:
        self.at = None
        self.changed.clear()


def build_app(config: Any, program: str | None = None) -> tuple[Any, threading.Thread]:
    from calmkit.core.clock import MonotonicClock
    from calmkit.shell.app import build

    app = build(
        config,
        clock=MonotonicClock(),
        pins=mock_pins(),
        program=program,
        sound=False,
        journal=False,
    )
    thread = threading.Thread(target=app.runner.run, name="runner")
    thread.start()
    return app, thread


def idle_presses(n: int) -> dict[str, Any]:
    config = bench_config()
    latencies: list[float] = []
    missed = 0
    for _ in range(n):
        app, thread = build_app(config)
        try:
            stamp = Stamped(app.devices.light_pins[0])
            time.sleep(IDLE_SETTLE_S)  # the runner is blocked on its queue by now
            stamp.arm()
            button = app.devices.button_pin
            t0 = time.monotonic()
            button.drive_low()
            if stamp.changed.wait(1.0) and stamp.at is not None:
                latencies.append(stamp.at - t0)
            else:
                missed += 1
            time.sleep(PRESS_S)  # a person's press; an instant release would still be debounced
            button.drive_high()
        finally:
            app.runner.request_stop("next press")
            thread.join()
            app.close()
    return {"idle": {**spread(latencies), "missed": missed}}


def running_presses(n: int) -> dict[str, Any]:
    config = bench_config()
    double_s = config.gestures.double_s
    app, thread = build_app(config, BENCH_PROGRAM)
    pause: list[float] = []
    resume: list[float] = []
    problems: list[str] = []
    try:
        pin = app.devices.light_pins[0]
        button = app.devices.button_pin
        time.sleep(1.0)
        for i in range(2 * n):
            pin.clear_states()
            button.drive_low()
            time.sleep(PRESS_S)
            released = time.monotonic()
            button.drive_high()
            time.sleep(double_s + 0.35)
            times, _ = history(pin)
            changes = [t for t in times[1:] if t > released]
            if i % 2 == 0:  # pausing: the last change is the paused frame; then stillness
                if not changes or times[-1] > released + double_s + 0.2:
                    problems.append(f"press {i}: the light did not stand still")
                    continue
                pause.append(changes[-1] - released)
            else:  # resuming: the first change after the confirm is the light moving again
                moving = [t for t in changes if t >= released + double_s - 0.05]
                if not moving:
                    problems.append(f"press {i}: the light did not move again")
                    continue
                resume.append(moving[0] - released)
    finally:
        app.runner.request_stop("bench over")
        thread.join()
        app.close()
    overhead = spread([x - double_s for x in pause])
    return {
        "double_s": double_s,
        "pause": spread(pause),
        "pause_less_double": overhead,
        "resume": spread(resume),
        "resume_less_double": spread([x - double_s for x in resume]),
        "problems": problems[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--pauses", type=int, default=20)
    args = parser.parse_args()
    load_start = list(os.getloadavg())
    result = {**idle_presses(args.presses), **running_presses(args.pauses)}
    emit({**result, "loadavg_start": load_start})


if __name__ == "__main__":
    main()
