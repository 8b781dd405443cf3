"""The terminal under a key storm: 2,000 keys in a burst at a calmkit running on mock pins.

Keys go through the terminal's KeyReader and ButtonFinger to the button's mock pin, and the
runner turns the pin's edges into gestures in real time. Reported: the threads and memory the
burst added, how many presses the pin was driven through, and how long the finger stayed busy.
Goal: fewer than 10 threads, memory flat, a burst becomes at most a few presses.
"""

from __future__ import annotations

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit, os_threads, rss_mb
from calmkit.config import parse_config
from calmkit.devices.hardware import PinChoice, mock_factory
from calmkit.faces.sim.terminal import ButtonFinger, KeyReader
from calmkit.shell.app import build

KEYS = 2000


def main() -> None:
    config = parse_config("journal: {enabled: false}\n", "storm.yaml")
    app = build(config, pins=PinChoice(mock_factory(), True), sound=False, journal=False)
    runner = threading.Thread(target=app.runner.run, name="runner", daemon=True)
    runner.start()
    pin = app.devices.button_pin
    drives = []
    low = pin.drive_low

    def counted_low() -> None:
        drives.append(time.monotonic())
        low()

    pin.drive_low = counted_low
    finger = ButtonFinger(pin, config.gestures.hold_s)
    keys = KeyReader(app, finger)
    time.sleep(0.2)
    threads0, rss0 = os_threads(), rss_mb()
    start = time.monotonic()
    for _ in range(KEYS):
        keys.handle(" ")
    burst_s = time.monotonic() - start
    peak_threads = os_threads()
    finger.close(timeout=30.0)
    busy_s = time.monotonic() - start
    rss1 = rss_mb()
    app.runner.request_stop("bench")
    runner.join(10.0)
    app.close()
    emit(
        {
            "bench": "key_storm",
            "keys": KEYS,
            "burst_s": round(burst_s, 4),
            "threads_added": peak_threads - threads0,
            "rss_added_mb": round(rss1 - rss0, 2),
            "presses_driven": len(drives),
            "finger_busy_s": round(busy_s, 2),
            "dropped": finger.dropped,
        }
    )


if __name__ == "__main__":
    main()
