"""The simulator window for hours at --speed 20: does memory stay flat? (issue 4)

Runs the real window code (pygame, SDL's dummy video driver: the same drawing, no screen) with the
runner on its own thread, exactly as `calmkit run --sim --speed 20` does, and presses the space
bar through the Window's own handler every so often to start sessions back to back. Reports RSS
after the first clock-minute and after the first real minute, the highest after that and in
the last sample (every real second,
into arrays made at full size beforehand so that sampling does not grow), and the curve. Prints one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from array import array

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clock-minutes", type=float, default=120.0)
    parser.add_argument("--speed", type=float, default=20.0)
    args = parser.parse_args()

    from calmkit.app import build
    from calmkit.config import parse_config
    from calmkit.hardware import PinChoice, mock_factory
    from calmkit.sim.window import Window, _pygame, open_window

    config = parse_config("flow: {quiet_offer_s: 5, helped_s: 5}", "bench.yaml")
    app = build(
        config,
        pins=PinChoice(mock_factory(), True),
        speed=args.speed,
        sound=False,
        journal=False,
        clear_history=True,
    )
    pg = _pygame()
    window = Window(app, open_window(pg))
    worker = threading.Thread(target=app.runner.run, name="calmkit-runner", daemon=True)
    real_s = args.clock_minutes * 60 / args.speed
    room = int(real_s) + 16
    sample_min = array("d", bytes(8 * room))
    sample_rss = array("d", bytes(8 * room))
    taken = [0, -1, -1]  # samples taken; the first after the first clock-, and real, minute
    sessions = [0]
    threads_end = [0]

    def finger() -> None:
        began = time.monotonic()
        next_sample = began
        while (now := time.monotonic()) - began < real_s:
            if app.flow.state == "idle":
                window.press("space")
                time.sleep(0.1)
                window.release("space")
                sessions[0] += 1
            if now >= next_sample and taken[0] < room:
                n = taken[0]
                sample_min[n] = (now - began) * args.speed / 60
                sample_rss[n] = rss_mb()
                if taken[1] < 0 and sample_min[n] >= 1.0:
                    taken[1] = n
                if taken[2] < 0 and now - began >= 60.0:
                    taken[2] = n
                taken[0] = n + 1
                next_sample += 1.0
            time.sleep(0.5)
        threads_end[0] = threading.active_count()
        app.runner.request_stop("bench over")

    worker.start()
    threading.Thread(target=finger, daemon=True).start()
    began = time.monotonic()
    window.loop(worker)
    app.close()
    n, first, real = taken
    first = max(first, 0)
    real = first if real < 0 else real
    step = max(1, n // 24)
    print(
        json.dumps(
            {
                "clock_minutes": args.clock_minutes,
                "speed": args.speed,
                "real_s": round(time.monotonic() - began, 1),
                "sessions": sessions[0],
                "rss_first_minute_mb": round(sample_rss[first], 2),
                "rss_first_real_minute_mb": round(sample_rss[real], 2),
                "rss_max_after_first_real_minute_mb": round(max(sample_rss[real:n]), 2),
                "rss_end_mb": round(sample_rss[n - 1], 2),
                "window_frames": window.drawn,
                "threads_end": threads_end[0],
                "rss_curve": [
                    (round(sample_min[i], 1), round(sample_rss[i], 2)) for i in range(0, n, step)
                ]
                + [(round(sample_min[n - 1], 1), round(sample_rss[n - 1], 2))],
            }
        )
    )


if __name__ == "__main__":
    main()
