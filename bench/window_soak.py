"""The simulator window for hours at --speed 20: does memory stay flat? (issue 4)

Runs the real window code (pygame, SDL's dummy video driver: the same drawing, no screen) with the
runner on its own thread, exactly as `calmkit run --sim --speed 20` does, and presses the space
bar through the Window's own handler every so often to start sessions back to back. Samples RSS
every real second (bench/_common.RssLog) and reports it after the first clock-minute and after the
first real minute, the highest after that, the last sample and the curve. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RssLog

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clock-minutes", type=float, default=120.0)
    parser.add_argument("--speed", type=float, default=20.0)
    args = parser.parse_args()

    from calmkit.config import parse_config
    from calmkit.devices.hardware import PinChoice, mock_factory
    from calmkit.faces.sim.window import Window, _pygame, open_window
    from calmkit.shell.app import build

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
    log = RssLog(int(real_s) + 16)
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
            if now >= next_sample:
                log.add((now - began) * args.speed / 60)
                next_sample += 1.0
            time.sleep(0.5)
        threads_end[0] = threading.active_count()
        app.runner.request_stop("bench over")

    worker.start()
    threading.Thread(target=finger, daemon=True).start()
    began = time.monotonic()
    window.loop(worker)
    app.close()
    first = log.first_from(1.0) or 0
    real = log.first_from(args.speed)  # one real minute is `speed` clock-minutes
    real = first if real is None else real
    last = log.n - 1
    print(
        json.dumps(
            {
                "clock_minutes": args.clock_minutes,
                "speed": args.speed,
                "real_s": round(time.monotonic() - began, 1),
                "sessions": sessions[0],
                "rss_first_minute_mb": round(log.mb[first], 2),
                "rss_first_real_minute_mb": round(log.mb[real], 2),
                "rss_max_after_first_real_minute_mb": round(log.highest_from(real), 2),
                "rss_end_mb": round(log.mb[last], 2),
                "window_frames": window.drawn,
                "threads_end": threads_end[0],
                "rss_curve": log.curve(),
            }
        )
    )


if __name__ == "__main__":
    main()
