"""Simulator soak: the appliance at --speed 20 for 2 hours of its clock, sessions back to back.

    python bench/soak.py [--clock-minutes 120] [--speed 20]

The device as the simulator builds it (app.build on mock pins, a ScaledClock at ``--speed``,
``clear_history=True``, no sound, a journal in a temporary folder), its runner in a thread. A
driver thread presses the button as a person would, by driving the button's mock pin in real time
(low for 0.1 s, then high): in idle it starts the default program (calm: sighs, then the
wind-down); at the quiet offer it accepts quiet time every other time; when asked "did that help?"
it answers yes; every third session it pauses for a second and resumes. The flow's state comes
from the runner's events.

Every real second the main thread samples VmRSS (/proc/self/status), the thread count and the
light pin's history length, into arrays made at full size beforehand (so the sampling itself does
not grow). Reported: RSS after the first minute of real time (at --speed 20, 20 clock-minutes:
the first minute someone watching the simulator sees) and in the last sample, taken with the
device still running (goal: no higher, within TOLERANCE_MB), also after the first clock-minute
and after 10, the highest sample, the curve, threads and sessions run.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from array import array
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RssLog, emit, os_threads, status_kb, threads

#: RSS moves in 4 KB pages as the allocators settle: 0.1 MB is 25 of them.
TOLERANCE_MB = 0.1
PRESS_S = 0.1


class Driver:
    """Presses the button in real time according to the flow's state (from the events)."""

    def __init__(self, app: Any, speed: float, seed: int = 6) -> None:
        self.app = app
        self.speed = speed
        self.button = app.devices.button_pin
        self.state = "idle"
        self.sessions = 0
        self.episodes = 0
        self.pauses = 0
        self.offers = 0
        self.stop = threading.Event()
        self.random = random.Random(seed)
        self.changed = threading.Event()

    def on_event(self, event: Any) -> None:  # on the runner's thread
        if event.kind == "state":
            self.state = event.data["state"]
            self.changed.set()
        elif event.kind == "session_start":
            self.sessions += 1
        elif event.kind == "episode_end":
            self.episodes += 1

    def press(self) -> None:
        self.button.drive_low()
        time.sleep(PRESS_S)
        self.button.drive_high()

    def settle(self) -> None:
        """Let the double-press window pass (0.4 s real: gestures keep human timing)."""
        self.stop.wait(0.6)

    def run(self) -> None:
        while not self.stop.is_set():
            state = self.state
            if state == "idle":
                self.press()
                self.settle()
            elif state == "offer_quiet":
                self.offers += 1
                if self.offers % 2:
                    self.stop.wait(0.2)
                    self.press()
                self.changed.clear()
                self.changed.wait(30)
            elif state == "ask_helped":
                self.stop.wait(0.2)
                self.press()
                self.settle()
            elif state == "running":
                if self.sessions % 3 == 0 and self.random.random() < 0.05:
                    self.press()  # pause
                    self.stop.wait(1.0)
                    self.press()  # resume
                    self.pauses += 1
                    self.settle()
                else:
                    self.changed.clear()
                    self.changed.wait(1.0)
            else:
                self.stop.wait(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clock-minutes", type=float, default=120.0)
    parser.add_argument("--speed", type=float, default=20.0)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from _common import mock_pins
    from calmkit.config import parse_config
    from calmkit.core.clock import ScaledClock
    from calmkit.shell.app import build
    from calmkit.shell.journal import Journal

    load_start = list(os.getloadavg())
    tmp = tempfile.TemporaryDirectory()
    config = parse_config("", "defaults")
    clock = ScaledClock(args.speed)
    holder: dict[str, Driver] = {}

    def on_event(event: Any) -> None:
        if "driver" in holder:
            holder["driver"].on_event(event)

    app = build(
        config,
        clock=clock,
        pins=mock_pins(),
        speed=args.speed,
        sound=False,
        journal=Journal(Path(tmp.name) / "journal.jsonl"),
        on_event=on_event,
        clear_history=True,
    )
    driver = Driver(app, args.speed)
    holder["driver"] = driver
    origin = clock.now()
    cpu0 = time.process_time()
    runner = threading.Thread(target=app.runner.run, name="runner")
    runner.start()
    pusher = threading.Thread(target=driver.run, name="driver")
    pusher.start()
    light = app.devices.light_pins[0]
    end_at = args.clock_minutes * 60.0
    room = int(end_at / args.speed) + 16
    log = RssLog(room)
    sample_threads = array("i", bytes(4 * room))
    sample_states = array("i", bytes(4 * room))
    try:
        while (elapsed := clock.now() - origin) < end_at and runner.is_alive():
            if not log.add(elapsed / 60.0):
                break
            sample_threads[log.n - 1] = threads()
            sample_states[log.n - 1] = len(light.states)
            time.sleep(min(1.0, max(0.01, (end_at - elapsed) / args.speed)))
        os_threads_end = os_threads()
    finally:
        driver.stop.set()
        pusher.join()
        app.runner.request_stop("soak over")
        runner.join()
    # the end: the last sample, taken with the device still running (after the stop, the
    # runner's and the driver's threads are gone and the device's state is being taken down)
    n = log.n
    last = n - 1
    rss = log.mb
    first = log.first_from(1.0) or 0
    real = log.first_from(args.speed)  # one real minute is `speed` clock-minutes
    real = first if real is None else real  # the first real minute: the person's minute
    ten = log.first_from(10.0)
    cpu = time.process_time() - cpu0
    real_s = (clock.now() - origin) / args.speed
    frames = app.runner.frames
    journal = Path(tmp.name) / "journal.jsonl"
    journal_lines = len(journal.read_text().splitlines()) if journal.exists() else 0
    app.close()
    tmp.cleanup()
    result = {
        "speed": args.speed,
        "clock_minutes": log.minutes[last],
        "real_s": real_s,
        "rss_first_min_mb": rss[first],
        "rss_10_min_mb": None if ten is None else rss[ten],
        "rss_first_real_min_mb": rss[real],
        "rss_max_after_first_real_min_mb": log.highest_from(real),
        "rss_growth_after_first_real_min_mb": rss[last] - rss[real],
        "rss_end_mb": rss[last],
        "rss_max_mb": log.highest_from(0),
        "rss_growth_mb": rss[last] - rss[first],
        "rss_growth_after_10_min_mb": None if ten is None else rss[last] - rss[ten],
        "tolerance_mb": TOLERANCE_MB,
        "vmhwm_mb": status_kb("VmHWM") / 1024.0,
        "threads_first_min": sample_threads[first],
        "threads_end": sample_threads[last],
        "threads_max": max(sample_threads[:n]),
        "os_threads_end": os_threads_end,
        "light_states_max": max(sample_states[:n]),
        "sessions": driver.sessions,
        "episodes": driver.episodes,
        "journal_lines": journal_lines,
        "pauses": driver.pauses,
        "frames": frames,
        "frames_per_real_s": frames / real_s if real_s else None,
        "cpu_s": cpu,
        "cpu_share": cpu / real_s if real_s else None,
        "rss_curve": log.curve(),
        "loadavg_start": load_start,
    }
    emit(result)


if __name__ == "__main__":
    main()
